#include "automation/outbox.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "automation/sql.hpp"
#include "automation/stored_action.hpp"
#include "sync/copy.hpp"

namespace isc_mirror::automation {

MirrorPlanContext::MirrorPlanContext(pqxx::transaction_base& tx, std::string tenant,
                                     const Lifecycle& lifecycle)
    : tx_(tx),
      tenant_(std::move(tenant)),
      leaver_states_(sync::TextArrayLiteral(lifecycle.leaver_states)) {}

std::optional<std::string> MirrorPlanContext::ManagerOf(const std::string& identity) {
  auto rows = tx_.exec_params(std::string(sql::kManagerOf), tenant_, identity, leaver_states_);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

bool MirrorPlanContext::Usable(const std::string& identity) {
  return !tx_.exec_params(std::string(sql::kUsableIdentity), tenant_, identity, leaver_states_)
              .empty();
}

std::vector<PlanContext::Review> MirrorPlanContext::OpenReviewsOf(const std::string& identity) {
  std::vector<Review> out;
  std::map<std::string, size_t> index;
  // Open certifications the identity reviews, and their undecided items, in a stable order.
  for (const auto& row : tx_.exec_params(std::string(sql::kOpenReviewsOf), tenant_, identity)) {
    std::string cert = row[0].as<std::string>();
    auto [it, added] = index.emplace(cert, out.size());
    if (added) out.push_back({cert, {}});
    out[it->second].item_ids.push_back(row[1].as<std::string>());
  }
  return out;
}

std::vector<std::string> MirrorPlanContext::AccountsToToggle(const std::string& identity,
                                                             bool disable) {
  std::vector<std::string> out;
  for (const auto& row :
       tx_.exec_params(std::string(sql::kAccountsToToggle), tenant_, identity, disable)) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

RuleEngine::RuleEngine(std::string tenant, std::vector<Rule> rules, Lifecycle lifecycle,
                       OutboxSettings settings)
    : tenant_(std::move(tenant)),
      rules_(std::move(rules)),
      lifecycle_(std::move(lifecycle)),
      settings_(settings) {}

std::vector<Decision> RuleEngine::Decide(pqxx::transaction_base& tx,
                                         const std::vector<sync::Event>& events,
                                         const Rule* state_rule) {
  std::vector<Decision> out;
  if (rules_.empty()) return out;
  MirrorPlanContext context(tx, tenant_, lifecycle_);
  std::map<std::string, int64_t> this_hour;  // per rule: actions in the last hour, as decided
  for (const auto& event : events) {
    auto lifecycle = LifecycleEvents(event, lifecycle_);
    for (const auto& rule : rules_) {
      if (state_rule != nullptr ? &rule != state_rule : !Matches(rule, event, lifecycle)) {
        continue;
      }
      bool dry_run = rule.dry_run.value_or(settings_.dry_run);
      if (!this_hour.contains(rule.name)) {
        this_hour[rule.name] =
            tx.exec_params1(std::string(sql::kRuleActionsThisHour), tenant_, rule.name)[0]
                .as<int64_t>();
      }
      for (size_t step = 0; step < rule.steps.size(); ++step) {
        for (auto& planned : PlanAction(rule, step, event, context)) {
          Decision d;
          d.rule = rule.name;
          d.step = step;
          d.action = rule.steps[step].action;
          d.event_id = event.event_id;
          d.key = fmt::format("{}/{}/{}", rule.name, event.event_id, step);
          if (!planned.part.empty()) d.key += "/" + planned.part;
          if (planned.error) {
            d.status = ActionStatus::kFailed;
          } else if (dry_run) {
            d.status = ActionStatus::kDryRun;
          }
          d.planned = std::move(planned);
          out.push_back(std::move(d));
        }
      }
    }
  }
  // The cap counts the actions that will be inserted: one recorded before (a repeated run)
  // is left as it is and takes no place in the hour.
  std::vector<std::string> keys;
  for (const auto& d : out) keys.push_back(d.key);
  std::set<std::string> recorded;
  if (!keys.empty()) {
    for (const auto& row :
         tx.exec_params(std::string(sql::kRecordedActions), sync::TextArrayLiteral(keys))) {
      recorded.insert(row[0].c_str());
    }
  }
  for (auto& d : out) {
    if (d.status) continue;
    bool counts = !recorded.contains(d.key);
    int cap = 0;
    for (const auto& rule : rules_) {
      if (rule.name == d.rule) cap = rule.max_per_hour.value_or(settings_.max_per_hour);
    }
    d.status = counts && ++this_hour[d.rule] > cap ? ActionStatus::kHeld : ActionStatus::kPending;
  }
  return out;
}

int64_t RuleEngine::EvaluateStateRules(pqxx::connection& connection,
                                       const sync::ResourceSchema& schema) {
  constexpr int kBatch = 500;  // candidates planned and inserted at a time
  int64_t decided = 0;
  for (const auto& rule : rules_) {
    if (!rule.match || !rule.match->older_than || rule.match->resource != schema.name) continue;
    pqxx::work tx(connection);
    auto quote = [&tx](std::string_view text) { return tx.quote(std::string(text)); };
    // Only candidates: objects in the awaited state for longer than older_than whose latest
    // event (the key of what the rule decides, so that it acts once per state) has no action
    // of this rule yet. Baseline states fire nothing. The database picks them, and a cursor
    // hands them over a batch at a time, however many objects sit in the state.
    tx.exec(fmt::format(
        "DECLARE state_candidates NO SCROLL CURSOR FOR SELECT e.event_id, e.object_id, e.op, "
        "e.before::text, e.after::text FROM {table} t CROSS JOIN LATERAL (SELECT * FROM "
        "mirror.change_events e WHERE e.tenant = t.tenant AND e.resource = {resource} AND "
        "e.object_id = {id} ORDER BY e.event_id DESC LIMIT 1) e WHERE t.tenant = {tenant} AND "
        "t.deleted_at IS NULL AND t.last_changed < now() - make_interval(secs => {seconds}) AND "
        "{in_state} AND NOT e.baseline AND NOT EXISTS (SELECT 1 FROM mirror.actions a WHERE "
        "a.event_id = e.event_id AND a.rule = {rule}) ORDER BY e.event_id",
        fmt::arg("table", schema.table), fmt::arg("resource", quote(schema.name)),
        fmt::arg("id", sync::KeyText(schema.key, "t.")), fmt::arg("tenant", quote(tenant_)),
        fmt::arg("seconds", static_cast<double>(rule.match->older_than->count()) / 1000.0),
        fmt::arg("in_state", InStateSql(*rule.match, "t.raw", quote)),
        fmt::arg("rule", quote(rule.name))));
    while (true) {
      auto rows = tx.exec(fmt::format("FETCH {} FROM state_candidates", kBatch));
      std::vector<sync::Event> events;
      for (const auto& r : rows) {
        sync::Event e{.event_id = r[0].as<int64_t>(),
                      .resource = schema.name,
                      .object_id = r[1].c_str(),
                      .op = sync::EventOpOf(r[2].c_str())};
        if (!r[3].is_null()) e.before = r[3].c_str();
        if (!r[4].is_null()) e.after = r[4].c_str();
        events.push_back(std::move(e));
      }
      auto decisions = Decide(tx, events, &rule);
      decided += static_cast<int64_t>(decisions.size());
      Insert(tx, decisions);
      if (rows.size() < static_cast<size_t>(kBatch)) break;
    }
    tx.exec("CLOSE state_candidates");
    tx.commit();
  }
  return decided;
}

void RuleEngine::OnEvents(pqxx::work& tx, const std::vector<sync::Event>& events) {
  Insert(tx, Decide(tx, events));
}

void RuleEngine::Insert(pqxx::work& tx, const std::vector<Decision>& decisions) {
  if (decisions.empty()) return;
  std::vector<sync::CopyRow> rows;
  for (const auto& d : decisions) {
    rows.push_back({tenant_, d.rule, d.action,
                    EncodeStoredAction({.planned = d.planned, .step = d.step}), d.key,
                    std::to_string(d.event_id),
                    std::string(ActionStatusName(d.status.value_or(ActionStatus::kPending))),
                    d.planned.error});
  }
  // Staged, so that a key recorded before (a repeated run) is kept as it is.
  tx.exec(std::string(sql::kStageActions));
  sync::CopyRows(
      tx, "stage_actions",
      {"tenant", "rule", "action", "params", "idempotency_key", "event_id", "status", "error"},
      rows);
  tx.exec(std::string(sql::kInsertStagedActions));
}

}  // namespace isc_mirror::automation
