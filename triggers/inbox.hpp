// The deliveries' inbox in mirror.trigger_deliveries: recorded durably (many per commit) before
// the receiver answers, then claimed by the tenant's loop and refreshed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "base/secret.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::triggers {

enum class Recorded { kNew, kDuplicate, kFailed };

struct RecorderSettings {
  base::Secret database_url;
  std::chrono::seconds dedup_window{600};
  size_t max_queued = 10'000;  // beyond it a delivery is refused (503) at once
  std::chrono::milliseconds max_wait{10'000};
  // Called after each commit with the tenants it recorded deliveries for, copies included: a
  // copy's transaction locks the first delivery's row, and a refresh that claimed meanwhile
  // skipped it (SKIP LOCKED), so its loop must look again once the copy is committed.
  std::function<void(const std::vector<std::string>&)> on_recorded;
};

// Records deliveries on one session of its own: whatever arrived while the last commit ran
// goes into the next, so a burst costs one commit per batch, not per delivery. Record() returns
// once the delivery's commit is done (or failed): only then may the receiver answer 2xx.
class DeliveryRecorder {
 public:
  explicit DeliveryRecorder(RecorderSettings settings);
  ~DeliveryRecorder();
  DeliveryRecorder(const DeliveryRecorder&) = delete;
  DeliveryRecorder& operator=(const DeliveryRecorder&) = delete;

  Recorded Record(std::string tenant, TriggerKind kind, std::string body);

  // Counts a refused delivery; counts reach mirror.trigger_refusals within a few seconds.
  // `reason` is unauthorized or invalid.
  void Refused(const std::string& tenant, const std::string& trigger, const std::string& reason);

 private:
  struct Item;
  void Loop();
  void Commit(std::vector<std::shared_ptr<Item>>& batch);
  void FlushRefusals();

  RecorderSettings settings_;
  std::unique_ptr<pqxx::connection> connection_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Item>> queue_;
  // (tenant, trigger, reason) -> refusals not yet written; a few keys, however many refusals.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> refusals_;
  bool stop_ = false;
  std::thread thread_;
};

// What one turn of refreshing did.
struct RefreshTurn {
  int64_t deliveries = 0;  // claimed
  int64_t reads = 0;
  int64_t changes = 0;  // objects inserted, updated or deleted
  bool busy = false;    // a poll held a resource: the deliveries are due again shortly
  std::string error;    // a read failed: they are due again after a backoff
  std::vector<std::string> sync_now;  // resources to sync now (an aggregation completed)
};

struct RefreshSettings {
  std::string tenant;
  size_t max_claim = 500;
  std::chrono::seconds claim{120};
  int max_attempts = 5;
  std::chrono::seconds retry_delay{30};
  std::chrono::seconds keep{24 * 3600};  // done rows are pruned after this...
  bool prune = true;                     // ...in this turn
};

// Claims the tenant's due deliveries and runs the reads they lead to through `refresh` (the
// tenant's RefreshObjects); marks them done, or due again when a read could not be made.
RefreshTurn RefreshDue(
    pqxx::connection& connection, const RefreshSettings& settings,
    const std::function<sync::RefreshOutcome(const std::string&, const sync::RefreshRequest&)>&
        refresh);

}  // namespace isc_mirror::triggers
