// One tenant wired up: its ISC client and rate budget, its rules, and the two steps `sync`
// and `run` repeat (sync one resource, run the due actions).
#pragma once

#include <atomic>
#include <memory>
#include <pqxx/pqxx>

#include "automation/action_worker.hpp"
#include "automation/outbox.hpp"
#include "daemon/config.hpp"
#include "daemon/metrics.hpp"
#include "isc/http_transport.hpp"
#include "isc/isc_client.hpp"
#include "isc/rate_budget.hpp"
#include "sync/sync_run.hpp"
#include "triggers/inbox.hpp"

namespace isc_mirror::daemon {

struct SyncOptions {
  bool full = false;
  bool allow_deletes = false;
  std::chrono::milliseconds lock_wait{15'000};
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const sync::RunProgress&)> on_progress;  // sync on a terminal
};

// Stores the config values the report views need (lifecycle.leaver_states) in mirror.settings.
void WriteSettings(pqxx::connection& connection, const Config& config);

// The ISC client's settings of a configured tenant; `max_attempts` (when not 0) caps the tries.
isc::ClientOptions ClientOptionsOf(const TenantConfig& tenant, int max_attempts = 0);

// What every client of a tenant shares: one token and one rate budget (ISC counts requests per
// client id, however many clients send them). Both are thread-safe.
struct TenantLink {
  // `max_attempts` (when not 0) caps the tries of each call below the config's.
  explicit TenantLink(const TenantConfig& tenant, int max_attempts = 0);
  isc::ClientOptions options;
  std::unique_ptr<isc::TokenSource> tokens;
  std::unique_ptr<isc::RateBudget> budget;
};

// A tenant's ISC client for one command (check-config --online, triggers): its own token and
// rate budget, at most `attempts` tries a call.
struct CommandClient {
  CommandClient(const TenantConfig& tenant, int attempts);
  TenantLink link;
  isc::IscClient client;
  isc::RequestStats stats;
};

class TenantRuntime {
 public:
  // `config` and `tenant` must outlive this object; the connection is this tenant's alone.
  // `metrics` (optional) receives every run, answer and action attempt. `link` (optional) is
  // shared with the tenant's other runtimes; without one the runtime has its own.
  TenantRuntime(const Config& config, const TenantConfig& tenant, pqxx::connection& connection,
                Metrics* metrics = nullptr, TenantLink* link = nullptr);

  // One run of one resource, logged; state rules of the resource are evaluated after it.
  sync::RunOutcome SyncResource(const sync::ResourceSchema& schema, const SyncOptions& options);

  // Every wait of this tenant's calls (rate budget, Retry-After, backoff) ends when `stop` is
  // set, and beats `heartbeat` as it goes.
  void Bound(const std::atomic<bool>* stop, base::Heartbeat* heartbeat) {
    client_->Bound({.cancel = stop, .heartbeat = heartbeat});
  }

  // Runs the due actions; re-reads DAS owners when an ownership action succeeded, unless
  // `resync_owners` is false (the caller then asks for the re-read: das_owners_changed).
  automation::DrainCounts RunActions(const std::atomic<bool>* cancel, bool resync_owners = true);

  // Refreshes what the tenant's due Event Trigger deliveries name; the turn says which
  // resources to sync now.
  triggers::RefreshTurn RefreshFromTriggers();
  // Logs a warning when polls keep finding changes that deliveries should have brought.
  void WarnIfDeliveriesStopped();

 private:
  // A run's settings for a configured resource.
  sync::RunSettings SettingsFor(const ResourceConfig& resource, const SyncOptions& options);

  const Config& config_;
  const TenantConfig& tenant_;
  pqxx::connection& connection_;
  Metrics* metrics_;
  std::unique_ptr<TenantLink> own_link_;
  TenantLink& link_;
  std::unique_ptr<isc::IscClient> client_;
  automation::RuleEngine rules_;
  isc::CurlTransport web_;
  std::chrono::steady_clock::time_point next_prune_{};
};

}  // namespace isc_mirror::daemon
