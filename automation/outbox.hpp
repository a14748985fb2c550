// The transactional outbox: rules decide actions inside the transaction that writes the event.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "automation/action_status.hpp"
#include "automation/actions.hpp"
#include "automation/rules.hpp"
#include "sync/writer.hpp"

namespace isc_mirror::automation {

struct OutboxSettings {
  bool dry_run = false;    // global: record actions as dry_run, call nothing
  int max_per_hour = 100;  // per rule unless the rule sets its own; beyond it actions are held
};

// One outbox row a rule decided on.
struct Decision {
  std::string rule;
  size_t step = 0;
  std::string action;
  int64_t event_id = 0;
  std::string key;  // idempotency key: rule/event/step[/part]
  // Pending, dry-run, held or failed; unset while the cap is still to be counted.
  std::optional<ActionStatus> status;
  PlannedAction planned;
};

// Reads what planning needs from the mirror tables in the caller's transaction.
class MirrorPlanContext : public PlanContext {
 public:
  MirrorPlanContext(pqxx::transaction_base& tx, std::string tenant, const Lifecycle& lifecycle);
  std::optional<std::string> ManagerOf(const std::string& identity) override;
  bool Usable(const std::string& identity) override;
  std::vector<Review> OpenReviewsOf(const std::string& identity) override;
  std::vector<std::string> AccountsToToggle(const std::string& identity, bool disable) override;

 private:
  pqxx::transaction_base& tx_;
  std::string tenant_;
  std::string leaver_states_;  // a text[] literal
};

class RuleEngine : public sync::EventSink {
 public:
  RuleEngine(std::string tenant, std::vector<Rule> rules, Lifecycle lifecycle,
             OutboxSettings settings);

  // Decides and inserts the actions for the events, in the events' transaction. An action
  // already recorded under the same idempotency key is left alone.
  void OnEvents(pqxx::work& tx, const std::vector<sync::Event>& events) override;

  // What the rules decide for the events, given the outbox as it is (plan, and OnEvents).
  // With `state_rule`, the events stand for objects in that rule's awaited state.
  std::vector<Decision> Decide(pqxx::transaction_base& tx, const std::vector<sync::Event>& events,
                               const Rule* state_rule = nullptr);

  // State rules (older_than) on a resource: actions for objects that have stayed in the awaited
  // state longer than the limit, once per state (keyed by the object's latest event).
  int64_t EvaluateStateRules(pqxx::connection& connection, const sync::ResourceSchema& schema);

  bool empty() const { return rules_.empty(); }

 private:
  void Insert(pqxx::work& tx, const std::vector<Decision>& decisions);

  std::string tenant_;
  std::vector<Rule> rules_;
  Lifecycle lifecycle_;
  OutboxSettings settings_;
};

}  // namespace isc_mirror::automation
