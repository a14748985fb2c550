// Executes due outbox actions: claims them, calls ISC (or posts a webhook, or notifies), and
// records what happened.
#pragma once

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "automation/action_status.hpp"
#include "automation/actions.hpp"
#include "automation/rules.hpp"
#include "automation/stored_action.hpp"
#include "isc/http_transport.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {

struct WorkerSettings {
  std::string tenant;
  int max_attempts = 5;  // then dead
  std::chrono::milliseconds base_delay{30'000};
  std::chrono::milliseconds max_delay{3'600'000};
  // A claimed action whose worker has not recorded a result after this long is claimed again
  // (the worker died mid-call): at-least-once.
  std::chrono::milliseconds lease{300'000};
};

struct DrainCounts {
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t retrying = 0;
  int64_t dead = 0;
  bool das_owners_changed = false;  // a DAS ownership call succeeded: owners need re-reading
};

class ActionWorker {
 public:
  // `rules` supply what the outbox must not hold (webhook secrets).
  ActionWorker(pqxx::connection& connection, isc::IscClient& client, isc::HttpTransport& web,
               const std::vector<Rule>& rules, WorkerSettings settings);

  // Runs every action due now, one at a time, until none is left.
  // Stops between actions once `cancel` is set, and a wait inside one (the action is tried
  // again later).
  DrainCounts RunDue(const std::atomic<bool>* cancel = nullptr);

 private:
  struct Claimed;
  struct Result;
  std::optional<Claimed> Claim();
  Result Execute(const Claimed& action, const base::Expected<StoredAction>& stored);
  struct Verified {
    enum class State { kDone, kNotDone, kUnknown } state;
    std::string request;  // the listing read
    std::string error;    // why it is unknown
  };
  // Whether the tenant shows the work of an action done; the ids of the listed objects that
  // already show it go into `done_ids` when given.
  Verified CheckDone(const Claimed& action, const DoneCheck& check,
                     std::set<std::string>* done_ids = nullptr);
  // Makes one call and reads its answer as the call's definition says.
  Result Send(const Claimed& action, const Call& call);
  Result ExecuteIsc(const Claimed& action, const PlannedAction& planned);
  Result PostWebhook(const Claimed& action, const StoredAction& stored);
  // Makes every call in order, but those whose object is in `done_ids`; the first failure
  // ends it.
  Result SendEach(const Claimed& action, const std::vector<Call>& calls,
                  const std::set<std::string>& done_ids);
  void Record(const Claimed& action, const Result& result, DrainCounts& counts);
  // Records an error that stopped the action or its record as the action's failure.
  void RecordError(const Claimed& action, std::string_view what, DrainCounts& counts);
  void Notify(const Claimed& action, const PlannedAction& planned, DrainCounts& counts);
  // Extends the claim by a lease from now and bounds the client's waits by it; false when
  // another worker holds the action now (it claimed it after our lease ran out).
  bool Renew(const Claimed& action);
  void Count(ActionStatus status, const Claimed& action, DrainCounts& counts);
  isc::WaitBounds LeaseBounds() const;

  pqxx::connection& connection_;
  isc::IscClient& client_;
  isc::HttpTransport& web_;
  const std::vector<Rule>& rules_;
  WorkerSettings settings_;
  isc::RequestStats stats_;
  const std::atomic<bool>* cancel_ = nullptr;
  isc::WaitBounds outside_;  // the client's bounds outside the actions (its heartbeat, its stop)
};

}  // namespace isc_mirror::automation
