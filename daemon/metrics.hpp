// What the daemon counts, and its rendering in the Prometheus text format for /metrics.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "automation/action_worker.hpp"
#include "sync/sync_run.hpp"
#include "triggers/inbox.hpp"

namespace isc_mirror::daemon {

// What became of an Event Trigger delivery at the receiver.
enum class DeliveryOutcome { kRecorded, kDuplicate, kUnauthorized, kInvalid, kUnavailable };
std::string_view DeliveryOutcomeName(DeliveryOutcome outcome);

// Thread-safe: every tenant loop records into one instance, the HTTP endpoint reads it.
class Metrics {
 public:
  using WallTime = std::chrono::system_clock::time_point;

  explicit Metrics(WallTime started) : started_(started) {}

  void RecordRun(const std::string& tenant, const std::string& resource,
                 const sync::RunOutcome& outcome, double seconds, WallTime finished);
  // `deprecated`: the endpoint the answer said is deprecated (empty when it said nothing).
  void RecordResponse(const std::string& tenant, int status, const std::string& deprecated = {});
  void RecordActions(const std::string& tenant, const automation::DrainCounts& counts);
  void RecordDatabaseError(const std::string& tenant);
  // The tenant's configured request budget (rate_limit.requests / rate_limit.per), so that a
  // dashboard can show the share of it used.
  void SetRateBudget(const std::string& tenant, double requests_per_second);
  // `trigger`: the trigger id, or "unknown" when the delivery named none that is known.
  void RecordDelivery(const std::string& tenant, std::string_view trigger, DeliveryOutcome outcome,
                      WallTime now);
  void RecordRefresh(const std::string& tenant, const triggers::RefreshTurn& turn);
  // When the tenant's last delivery (recorded or duplicate) arrived, if any since start.
  std::optional<WallTime> LastDelivery(const std::string& tenant) const;

  // `actions` are the outbox's rows by status, read at scrape time; `interval_seconds` the
  // configured interval per resource (for lag).
  std::string Render(const std::vector<std::pair<std::string, int64_t>>& actions,
                     const std::map<std::string, double>& interval_seconds, WallTime now) const;

  // isc_mirror_database_up, which the endpoint learns at scrape time.
  static std::string RenderDatabaseUp(bool up);

  // "tenant/resource" of the resources whose last success (or the start, if none) is older
  // than `factor` times their interval.
  std::vector<std::string> Overdue(const std::vector<std::string>& tenants,
                                   const std::map<std::string, double>& interval_seconds,
                                   double factor, WallTime now) const;

 private:
  void RenderTriggers(std::string& out) const;
  void RenderRunResults(std::string& out) const;

  struct Resource {
    std::map<std::string, double> counters;  // objects_seen, objects_inserted, ...
    int64_t runs_ok = 0;
    int64_t runs_failed = 0;
    int64_t runs_held = 0;
    int64_t failed_in_a_row = 0;  // since the last run that was not failed
    std::optional<sync::RunStatus> last_result;
    double last_duration_seconds = 0;
    double duration_seconds_total = 0;
    std::optional<WallTime> last_success;
  };

  mutable std::mutex mutex_;
  WallTime started_;
  std::map<std::pair<std::string, std::string>, Resource> resources_;
  std::map<std::pair<std::string, int>, int64_t> responses_;           // (tenant, status)
  std::map<std::pair<std::string, std::string>, int64_t> deprecated_;  // (tenant, path)
  std::map<std::pair<std::string, std::string>, int64_t> actions_;     // (tenant, outcome)
  std::map<std::string, int64_t> database_errors_;
  std::map<std::string, double> rate_budget_;  // tenant -> requests per second
  // (tenant, trigger, outcome), and (tenant, trigger) for the last delivery's time.
  std::map<std::tuple<std::string, std::string, DeliveryOutcome>, int64_t> deliveries_;
  std::map<std::pair<std::string, std::string>, WallTime> last_delivery_;
  // (tenant, reads | changes | failures | busy) of the refreshes.
  std::map<std::pair<std::string, std::string>, int64_t> refreshes_;
};

}  // namespace isc_mirror::daemon
