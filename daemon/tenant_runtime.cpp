#include "daemon/tenant_runtime.hpp"

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "daemon/sql.hpp"
#include "daemon/status.hpp"
#include "db/connection.hpp"

namespace isc_mirror::daemon {

isc::ClientOptions ClientOptionsOf(const TenantConfig& tenant, int max_attempts) {
  isc::ClientOptions options;
  options.base_url = tenant.base_url;
  options.token_url = tenant.token_url;
  options.client_id = tenant.client_id;
  options.client_secret = tenant.client_secret;
  options.retry = tenant.retry;
  options.transport = {.allow_http = tenant.allow_insecure_http, .ca_file = tenant.ca_file};
  if (max_attempts > 0) {
    options.retry.max_attempts = std::min(options.retry.max_attempts, max_attempts);
  }
  return options;
}

CommandClient::CommandClient(const TenantConfig& tenant, int attempts)
    : link(tenant, attempts),
      client(link.options, *link.tokens, *link.budget,
             std::make_unique<isc::CurlTransport>(link.options.transport)) {}

void WriteSettings(pqxx::connection& connection, const Config& config) {
  std::string states = "[";
  for (const auto& s : config.lifecycle.leaver_states) {
    if (states.size() > 1) states += ',';
    base::JsonWriter w(states);
    w.String(s);
  }
  states += ']';
  pqxx::work tx(connection);
  tx.exec_params(std::string(sql::kSaveLeaverStates), states);
  tx.commit();
}

TenantLink::TenantLink(const TenantConfig& tenant, int max_attempts)
    : options(ClientOptionsOf(tenant, max_attempts)),
      tokens(std::make_unique<isc::TokenSource>(
          options, std::make_unique<isc::CurlTransport>(options.transport))),
      budget(std::make_unique<isc::RateBudget>(tenant.rate_limit.requests, tenant.rate_limit.per,
                                               0.97, std::chrono::steady_clock::now, nullptr,
                                               tenant.rate_limit.per_version)) {}

TenantRuntime::TenantRuntime(const Config& config, const TenantConfig& tenant,
                             pqxx::connection& connection, Metrics* metrics, TenantLink* link)
    : config_(config),
      tenant_(tenant),
      connection_(connection),
      metrics_(metrics),
      own_link_(link == nullptr ? std::make_unique<TenantLink>(tenant) : nullptr),
      link_(link == nullptr ? *own_link_ : *link),
      client_(std::make_unique<isc::IscClient>(
          link_.options, *link_.tokens, *link_.budget,
          std::make_unique<isc::CurlTransport>(link_.options.transport))),
      rules_(tenant.name, config.rules, config.lifecycle, config.actions.outbox),
      web_(isc::TransportOptions{.ca_file = config.actions.webhook_ca_file}) {
  if (metrics_ != nullptr) {
    metrics_->SetRateBudget(
        tenant_.name,
        tenant.rate_limit.requests / std::chrono::duration<double>(tenant.rate_limit.per).count());
    client_->Observe([this](int status, const std::string& deprecated) {
      metrics_->RecordResponse(tenant_.name, status, deprecated);
    });
  }
}

sync::RunSettings TenantRuntime::SettingsFor(const ResourceConfig& resource,
                                             const SyncOptions& options) {
  sync::RunSettings settings;
  settings.tenant = tenant_.name;
  settings.ignore_paths = resource.ignore_paths;
  settings.force_full = options.full;
  settings.full_every = resource.full_every;
  settings.guard = config_.guards;
  settings.guard.allow_deletes = options.allow_deletes;
  settings.sink = rules_.empty() ? nullptr : &rules_;
  settings.lock_wait = options.lock_wait;
  settings.cancel = options.cancel;
  settings.on_progress = options.on_progress;
  settings.connect = [this] { return db::Connect(config_.database.url); };
  return settings;
}

sync::RunOutcome TenantRuntime::SyncResource(const sync::ResourceSchema& schema,
                                             const SyncOptions& options) {
  const ResourceConfig& resource = *config_.FindResource(schema.name);
  auto started = std::chrono::steady_clock::now();
  auto outcome = sync::RunSync(connection_, *client_, schema, SettingsFor(resource, options));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  if (metrics_ != nullptr) {
    metrics_->RecordRun(tenant_.name, schema.name, outcome, static_cast<double>(ms) / 1000.0,
                        std::chrono::system_clock::now());
  }
  if (outcome.status == sync::RunStatus::kBusy) {
    base::log::Info("sync skipped: another process runs it",
                    {{"tenant", tenant_.name}, {"resource", schema.name}});
    return outcome;
  }
  if (outcome.status == sync::RunStatus::kFailed) {
    base::log::Error("sync failed", {{"tenant", tenant_.name},
                                     {"resource", schema.name},
                                     {"run", outcome.run_id},
                                     {"error", outcome.error}});
    return outcome;
  }
  if (!rules_.empty()) rules_.EvaluateStateRules(connection_, schema);
  base::log::Fields fields = {{"tenant", tenant_.name},
                              {"resource", schema.name},
                              {"run", outcome.run_id},
                              {"mode", outcome.mode},
                              {"pages", outcome.pages},
                              {"seen", outcome.seen},
                              {"inserted", outcome.inserted},
                              {"updated", outcome.updated},
                              {"unchanged", outcome.unchanged},
                              {"deleted", outcome.deleted},
                              {"expired", outcome.expired},
                              {"rejected", outcome.rejected},
                              {"parents_skipped", outcome.parents_skipped},
                              {"ms", ms}};
  if (outcome.status == sync::RunStatus::kHeld) {
    // Held deletes are a warning, not a failure: everything else was mirrored.
    fields.emplace_back("held", outcome.error);
    base::log::Warn("sync finished; deletes held", fields);
  } else {
    base::log::Info("sync finished", fields);
  }
  return outcome;
}

triggers::RefreshTurn TenantRuntime::RefreshFromTriggers() {
  auto now = std::chrono::steady_clock::now();
  triggers::RefreshSettings settings{.tenant = tenant_.name, .prune = now >= next_prune_};
  // Rows are the dedup window's memory: kept at least that long.
  settings.keep =
      std::max(settings.keep,
               std::chrono::duration_cast<std::chrono::seconds>(config_.triggers.dedup_window));
  if (settings.prune) next_prune_ = now + std::chrono::minutes(1);
  auto turn = triggers::RefreshDue(
      connection_, settings, [&](const std::string& name, const sync::RefreshRequest& request) {
        const ResourceConfig* resource = config_.FindResource(name);
        // A resource the config does not mirror is not read for a delivery either.
        if (resource == nullptr || !resource->enabled) return sync::RefreshOutcome{};
        return sync::RefreshObjects(connection_, *client_, *sync::FindSchema(name),
                                    SettingsFor(*resource, {}), request);
      });
  if (metrics_ != nullptr) metrics_->RecordRefresh(tenant_.name, turn);
  if (turn.deliveries == 0) return turn;
  base::log::Fields fields = {{"tenant", tenant_.name},
                              {"deliveries", turn.deliveries},
                              {"reads", turn.reads},
                              {"changes", turn.changes},
                              {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - now)
                                         .count()}};
  if (!turn.error.empty()) {
    fields.emplace_back("error", turn.error);
    base::log::Warn("trigger refresh failed; the deliveries are due again", fields);
  } else if (turn.busy) {
    base::log::Debug("trigger refresh waits for a sync of the resource", fields);
  } else {
    base::log::Info("trigger deliveries refreshed", fields);
  }
  return turn;
}

void TenantRuntime::WarnIfDeliveriesStopped() {
  pqxx::read_transaction tx(connection_);
  if (auto warning = TriggerWarning(tx, tenant_)) base::log::Warn(*warning);
}

automation::DrainCounts TenantRuntime::RunActions(const std::atomic<bool>* cancel,
                                                  bool resync_owners) {
  automation::WorkerSettings settings = config_.actions.worker;
  settings.tenant = tenant_.name;
  automation::ActionWorker worker(connection_, *client_, web_, config_.rules, settings);
  auto done = worker.RunDue(cancel);
  if (metrics_ != nullptr) metrics_->RecordActions(tenant_.name, done);
  if (done.succeeded + done.failed + done.retrying + done.dead > 0) {
    base::log::Info("actions run", {{"tenant", tenant_.name},
                                    {"succeeded", done.succeeded},
                                    {"failed", done.failed},
                                    {"retrying", done.retrying},
                                    {"dead", done.dead}});
  }
  if (done.das_owners_changed && resync_owners) {
    // The mirror reflects the new owners now rather than at the next full cycle.
    SyncResource(*sync::FindSchema("das_resource_owners"), {false, false, {}, cancel});
  }
  return done;
}

}  // namespace isc_mirror::daemon
