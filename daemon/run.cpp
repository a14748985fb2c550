#include "daemon/run.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "base/heartbeat.hpp"
#include "base/log.hpp"
#include "daemon/commands.hpp"
#include "daemon/http_endpoint.hpp"
#include "daemon/metrics.hpp"
#include "daemon/notify.hpp"
#include "daemon/paths.hpp"
#include "daemon/scheduler.hpp"
#include "daemon/sync_now.hpp"
#include "daemon/tenant_runtime.hpp"
#include "daemon/trigger_receiver.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "db/sql.hpp"

namespace isc_mirror::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Millis kIdleWake{1000};  // due actions are looked for at least this often
constexpr Millis kMaxReconnect{60'000};
// How often a trigger loop asks whether its deliveries stopped coming.
constexpr std::chrono::minutes kDeliveryCheck{10};

// Sync-now requests for one tenant's loop, and what wakes it: at most one pending request per
// resource, however many arrive, and new trigger deliveries.
class Inbox {
 public:
  void Deliveries() {
    std::lock_guard lock(mutex_);
    deliveries_ = true;
    wake_.notify_all();
  }
  bool TakeDeliveries() {
    std::lock_guard lock(mutex_);
    return std::exchange(deliveries_, false);
  }
  void Push(std::string resource) {
    std::lock_guard lock(mutex_);
    if (std::find(requests_.begin(), requests_.end(), resource) != requests_.end()) return;
    requests_.push_back(std::move(resource));
    wake_.notify_all();
  }
  void Wake() {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  std::vector<std::string> Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(requests_, {});
  }
  // Beats `heartbeat` at least every second: waiting here is the loop at rest, not stuck.
  void WaitUntil(SteadyTime until, const std::atomic<bool>& stop, base::Heartbeat& heartbeat) {
    std::unique_lock lock(mutex_);
    while (!stop.load() && requests_.empty() && !deliveries_ && Clock::now() < until) {
      heartbeat.Beat();
      wake_.wait_until(lock, std::min(until, Clock::now() + kIdleWake),
                       [&] { return stop.load() || !requests_.empty() || deliveries_; });
    }
    heartbeat.Beat();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> requests_;
  bool deliveries_ = false;
};

// Where a tenant's loop runs: a runtime on a database session of its own, set up again (with a
// doubling backoff) whenever it fails, until `stop`.
struct LoopContext {
  const Config& config;
  const TenantConfig& tenant;
  TenantLink& link;
  Metrics& metrics;
  const std::atomic<bool>& stop;
  base::Heartbeat& heartbeat;
};

void KeepRunning(const LoopContext& c, std::string_view what, Inbox& wait_on,
                 const std::function<void(TenantRuntime&)>& turns) {
  Millis reconnect{1000};
  while (!c.stop) {
    try {
      auto connection = db::Connect(c.config.database.url);
      TenantRuntime runtime(c.config, c.tenant, *connection, &c.metrics, &c.link);
      runtime.Bound(&c.stop, &c.heartbeat);
      reconnect = Millis(1000);
      turns(runtime);
    } catch (const std::exception& e) {
      c.metrics.RecordDatabaseError(c.tenant.name);
      base::log::Error(
          fmt::format("{} failed; starting it again", what),
          {{"tenant", c.tenant.name}, {"error", e.what()}, {"retry_in_ms", reconnect.count()}});
      wait_on.WaitUntil(Clock::now() + reconnect, c.stop, c.heartbeat);
      reconnect = std::min(reconnect * 2, kMaxReconnect);
    }
  }
}

// One tenant: its resources on their schedule, one at a time, then its due actions. Keeps
// going through failures: a failed run backs off, a lost database connection is reopened.
void TenantLoop(const LoopContext& c, Inbox& inbox) {
  std::vector<std::pair<std::string, Millis>> resources;
  for (const auto& schema : sync::BuiltinSchemas()) {
    const ResourceConfig* r = c.config.FindResource(schema.name);
    if (r->enabled) resources.emplace_back(schema.name, r->interval);
  }
  Schedule schedule(resources, Clock::now(),
                    std::hash<std::string>{}(c.tenant.name) ^
                        static_cast<uint64_t>(Clock::now().time_since_epoch().count()));
  KeepRunning(c, "tenant loop", inbox, [&](TenantRuntime& runtime) {
    while (!c.stop) {
      c.heartbeat.Beat();
      for (const auto& name : inbox.Take()) {
        if (!schedule.RequestNow(name, Clock::now())) {
          base::log::Warn("sync-now for a resource that is not enabled",
                          {{"tenant", c.tenant.name}, {"resource", name}});
        }
      }
      if (auto name = schedule.TakeDue(Clock::now())) {
        // Another instance holding the resource is not a failure: it is being synced.
        auto outcome =
            runtime.SyncResource(*sync::FindSchema(*name), {false, false, Millis(0), &c.stop});
        schedule.Finished(*name, outcome.status != sync::RunStatus::kFailed, Clock::now());
        continue;  // the next due resource before waiting
      }
      runtime.RunActions(&c.stop);
      auto now = Clock::now();
      inbox.WaitUntil(std::min(schedule.NextDue().value_or(now + kIdleWake), now + kIdleWake),
                      c.stop, c.heartbeat);
    }
  });
}

// One tenant's Event Trigger deliveries, beside its resources' loop: a delivery is refreshed,
// and the actions it leads to run, while a long scan of another resource goes on. The table is
// read on every turn (at least once a second): another instance, or a retry, may have made
// deliveries due. An aggregation completed asks the resources' loop for an accounts cycle.
void TriggerLoop(const LoopContext& c, Inbox& deliveries, Inbox& resources) {
  KeepRunning(c, "trigger loop", deliveries, [&](TenantRuntime& runtime) {
    auto next_check = Clock::now() + kDeliveryCheck;
    while (!c.stop) {
      if (Clock::now() >= next_check) {
        runtime.WarnIfDeliveriesStopped();
        next_check = Clock::now() + kDeliveryCheck;
      }
      c.heartbeat.Beat();
      deliveries.TakeDeliveries();
      auto turn = runtime.RefreshFromTriggers();
      for (const auto& name : turn.sync_now) resources.Push(name);
      // The DAS owners an action moved are re-read by the resources' loop: a full read of
      // them takes about a second that the next delivery should not wait.
      if (turn.changes > 0 && runtime.RunActions(&c.stop, false).das_owners_changed) {
        resources.Push("das_resource_owners");
      }
      deliveries.WaitUntil(Clock::now() + kIdleWake, c.stop, c.heartbeat);
    }
  });
}

class SyncNowReceiver : public pqxx::notification_receiver {
 public:
  SyncNowReceiver(pqxx::connection_base& c, std::function<void(const std::string&)> on)
      : pqxx::notification_receiver(c, std::string(kSyncNowChannel)), on_(std::move(on)) {}
  void operator()(const std::string& payload, int) override { on_(payload); }

 private:
  std::function<void(const std::string&)> on_;
};

// Listens for sync-now requests and hands them to the tenants' loops.
void ListenLoop(const Config& config, std::vector<std::unique_ptr<Inbox>>& inboxes,
                const std::atomic<bool>& stop, base::Heartbeat& heartbeat) {
  RefusalLog refusals(std::chrono::seconds(60));
  auto deliver = [&](const std::string& payload) {
    auto target = ParseSyncNow(payload, config);
    if (!target) {
      // Anyone who can connect may NOTIFY: a flood must neither fill the log nor the queue.
      if (auto refused = refusals.Refused(Clock::now())) {
        base::log::Warn("sync-now requests refused",
                        {{"error", target.error()},
                         {"refused", *refused},
                         {"hint", "send 'resource' or 'tenant/resource' (isc-mirror sync-now)"}});
      }
      return;
    }
    for (size_t i : target->tenants) {
      base::log::Debug("sync-now requested",
                       {{"tenant", config.tenants[i].name}, {"resource", target->resource}});
      inboxes[i]->Push(target->resource);
    }
  };
  while (!stop) {
    try {
      auto connection = db::Connect(config.database.url);
      SyncNowReceiver receiver(*connection, deliver);
      while (!stop) {
        heartbeat.Beat();
        connection->await_notification(1, 0);
      }
    } catch (const std::exception& e) {
      base::log::Error("sync-now listener failed; listening again", {{"error", e.what()}});
      heartbeat.Beat();
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

// The loops' heartbeats, named, as the watchdog reads them.
class Loops {
 public:
  base::Heartbeat& Add(std::string name) {
    std::lock_guard lock(mutex_);
    loops_.push_back({std::move(name), std::make_unique<base::Heartbeat>()});
    return *loops_.back().heartbeat;
  }
  void Clear() {
    std::lock_guard lock(mutex_);
    loops_.clear();
  }
  // The name of a loop without a beat within `period`, or nullopt when all are alive.
  std::optional<std::string> Stuck(std::chrono::microseconds period) {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    for (const auto& loop : loops_) {
      if (now - loop.heartbeat->Last() > period) return loop.name;
    }
    return std::nullopt;
  }

 private:
  struct Loop {
    std::string name;
    std::unique_ptr<base::Heartbeat> heartbeat;
  };
  std::mutex mutex_;
  std::vector<Loop> loops_;
};

// Pings the systemd watchdog while every loop shows progress within the watchdog period (a
// request, a page, a wait on purpose, a turn of the loop), also while the loops wind down.
// A loop hung in a read stops the pings, and systemd restarts the service.
class WatchdogPinger {
 public:
  WatchdogPinger(const Notifier& notify, Loops& loops) : notify_(notify), loops_(loops) {
    auto interval = notify.WatchdogInterval();
    if (!interval) return;
    thread_ = std::thread([this, interval] {
      std::unique_lock lock(mutex_);
      bool told = false;
      while (!done_) {
        auto stuck = loops_.Stuck(*interval * 2);  // WatchdogSec
        if (!stuck) {
          notify_.Watchdog();
          told = false;
        } else if (!told) {
          base::log::Error(
              "a loop has made no progress for the watchdog period; no more watchdog "
              "pings, so systemd restarts the service",
              {{"loop", *stuck}});
          told = true;
        }
        wake_.wait_for(lock, *interval, [&] { return done_; });
      }
    });
  }
  ~WatchdogPinger() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  const Notifier& notify_;
  Loops& loops_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

enum class Next { kStop, kReload };

// Whether the database holds every migration this binary has; says what to do if not.
bool SchemaIsCurrent(const CommandLine& line, const Config& config) {
  auto connection = db::Connect(config.database.url);
  auto version = db::AppliedSchemaVersion(*connection);
  if (!version) {
    base::log::Error("the database has no isc-mirror schema (hint: run isc-mirror migrate)");
    return false;
  }
  if (auto migrations = FindMigrations(line.migrations_dir, config.database.migrations_dir)) {
    int pending = 0;
    for (const auto& m : *migrations) pending += m.version > *version ? 1 : 0;
    if (pending > 0) {
      base::log::Error("the database schema is behind this binary (hint: run isc-mirror migrate)",
                       {{"schema_version", *version}, {"pending_migrations", pending}});
      return false;
    }
  }
  return true;
}

// Waits for SIGTERM or SIGINT (stop) or a SIGHUP whose config loads (reload, into `reloaded`);
// a config that does not load is refused and logged, and the running one stays.
Next WaitForSignal(const sigset_t& signals, const CommandLine& line, const std::string& status,
                   Notifier& notify, std::optional<Config>& reloaded) {
  for (;;) {
    int signal = sigwaitinfo(&signals, nullptr);
    if (signal == SIGTERM || signal == SIGINT) {
      base::log::Info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
      return Next::kStop;
    }
    if (signal != SIGHUP) continue;
    auto loaded = LoadConfigFile(line.config_path, ConfigHost::System());
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors)
        base::log::Error("config error", {{"error", e.ToString()}});
      base::log::Error("config reload refused; the running config stays",
                       {{"config", line.config_path}, {"errors", loaded.errors.size()}});
      notify.Status(fmt::format("{}; config reload refused ({} errors in {})", status,
                                loaded.errors.size(), line.config_path));
      continue;
    }
    for (const auto& warning : loaded.warnings) base::log::Warn(warning.ToString());
    reloaded = std::move(loaded.config);
    return Next::kReload;
  }
}

}  // namespace

int Run(const CommandLine& line, Config config) {
  // Signals are taken synchronously by this thread; every thread started below inherits the
  // mask, so none of them is interrupted by one.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Notifier notify;
  if (!SchemaIsCurrent(line, config)) return kExitFailure;
  isc::CurlGlobal curl;
  Loops loops;
  WatchdogPinger pinger(notify, loops);
  Metrics metrics(std::chrono::system_clock::now());
  for (bool first = true;; first = false) {
    {
      auto connection = db::Connect(config.database.url);
      WriteSettings(*connection, config);
    }
    std::unique_ptr<HttpEndpoint> endpoint;
    if (!config.http.listen.empty()) {
      try {
        endpoint = std::make_unique<HttpEndpoint>(config, metrics);
      } catch (const std::exception& e) {
        base::log::Error(e.what());
        if (first) return kExitFailure;
      }
    }
    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<Inbox>> inboxes, delivery_inboxes;
    std::vector<std::unique_ptr<TenantLink>> links;
    for (const auto& tenant : config.tenants) {
      inboxes.push_back(std::make_unique<Inbox>());
      delivery_inboxes.push_back(std::make_unique<Inbox>());
      links.push_back(std::make_unique<TenantLink>(tenant));
    }
    std::unique_ptr<TriggerReceiver> receiver;
    if (!config.triggers.listen.empty()) {
      try {
        receiver = std::make_unique<TriggerReceiver>(
            config, metrics, [&config, &delivery_inboxes](const std::vector<std::string>& tenants) {
              for (size_t i = 0; i < config.tenants.size(); ++i) {
                if (std::ranges::find(tenants, config.tenants[i].name) != tenants.end()) {
                  delivery_inboxes[i]->Deliveries();
                }
              }
            });
      } catch (const std::exception& e) {
        base::log::Error(e.what());
        if (first) return kExitFailure;
      }
    }
    std::vector<std::thread> threads;
    loops.Clear();
    for (size_t i = 0; i < config.tenants.size(); ++i) {
      const auto& tenant = config.tenants[i];
      auto context = [&](const std::string& loop) {
        return LoopContext{.config = config,
                           .tenant = tenant,
                           .link = *links[i],
                           .metrics = metrics,
                           .stop = stop,
                           .heartbeat = loops.Add(loop + " " + tenant.name)};
      };
      threads.emplace_back([c = context("tenant"), &inbox = *inboxes[i]] { TenantLoop(c, inbox); });
      if (tenant.triggers) {
        threads.emplace_back([c = context("triggers"), &deliveries = *delivery_inboxes[i],
                              &resources = *inboxes[i]] { TriggerLoop(c, deliveries, resources); });
      }
    }
    threads.emplace_back(ListenLoop, std::cref(config), std::ref(inboxes), std::cref(stop),
                         std::ref(loops.Add("sync-now listener")));
    notify.Ready();
    std::string status = fmt::format("syncing {} tenant{} into the mirror", config.tenants.size(),
                                     config.tenants.size() == 1 ? "" : "s");
    notify.Status(status);
    base::log::Info(first ? "daemon started" : "daemon restarted with the new config",
                    {{"tenants", config.tenants.size()}, {"config", line.config_path}});

    std::optional<Config> reloaded;
    Next next = WaitForSignal(signals, line, status, notify, reloaded);
    next == Next::kStop ? notify.Stopping() : notify.Reloading();
    notify.Status(next == Next::kStop ? "stopping: finishing the batch being written"
                                      : "reloading the config");
    stop = true;
    for (auto& inbox : inboxes) inbox->Wake();
    for (auto& inbox : delivery_inboxes) inbox->Wake();
    for (auto& t : threads) t.join();
    // Answers stop before the config they read is replaced.
    receiver.reset();
    if (next == Next::kStop) {
      base::log::Info("stopped");
      return kExitOk;
    }
    config = std::move(*reloaded);
  }
}

int SyncNow(const CommandLine& line, const Config& config) {
  const std::string& target = line.args.at(0);
  // The daemons accept what this accepts, and refuse the rest.
  if (auto parsed = ParseSyncNow(target, config); !parsed) {
    std::string_view resource = std::string_view(target).substr(target.find('/') + 1);
    fmt::print(stderr, "isc-mirror: {}: '{}' ({})\n", parsed.error(), target,
               config.ResourceHint(resource));
    return kExitUsage;
  }
  auto connection = db::Connect(config.database.url);
  pqxx::work tx(*connection);
  tx.exec_params(std::string(db::sql::kNotify), std::string(kSyncNowChannel), target);
  tx.commit();
  fmt::print("asked the running daemons to sync {} now\n", target);
  return kExitOk;
}

}  // namespace isc_mirror::daemon
