#include "daemon/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "base/log.hpp"
#include "base/version.hpp"
#include "daemon/action_commands.hpp"
#include "daemon/completion.hpp"
#include "daemon/config.hpp"
#include "daemon/online_check.hpp"
#include "daemon/paths.hpp"
#include "daemon/run.hpp"
#include "daemon/status.hpp"
#include "daemon/sync_progress.hpp"
#include "daemon/tenant_runtime.hpp"
#include "daemon/trigger_commands.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "isc/isc_client.hpp"
#include "sync/resource_schema.hpp"
#include "sync/sync_run.hpp"

namespace isc_mirror::daemon {
namespace {

void PrintErrors(const ConfigResult& loaded) {
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error.ToString());
}

int CheckConfig(const ConfigResult& loaded) {
  if (!loaded.ok()) {
    PrintErrors(loaded);
    fmt::print(stderr, "{}: {} error{}\n", loaded.config.file, loaded.errors.size(),
               loaded.errors.size() == 1 ? "" : "s");
    return kExitConfig;
  }
  const Config& c = loaded.config;
  size_t enabled = 0;
  for (const auto& r : c.resources) enabled += r.enabled ? 1 : 0;
  fmt::print("{}: ok ({} tenant{}, {} of {} resources enabled, {} rule{})\n", c.file,
             c.tenants.size(), c.tenants.size() == 1 ? "" : "s", enabled, c.resources.size(),
             c.rules.size(), c.rules.size() == 1 ? "" : "s");
  return kExitOk;
}

int Migrate(const CommandLine& line, const Config& config) {
  auto migrations = FindMigrations(line.migrations_dir, config.database.migrations_dir);
  if (!migrations) {
    base::log::Error("cannot migrate", {{"error", migrations.error()}});
    return kExitFailure;
  }
  auto connection = db::Connect(config.database.url);
  auto result = db::Migrate(*connection, *migrations);
  base::log::Info("database is up to date", {{"schema_version", result.schema_version},
                                             {"applied", result.applied},
                                             {"already_applied", result.already_applied}});
  return kExitOk;
}

// One resource's run, shown on the terminal view when there is one.
SummaryRow SyncOne(TenantRuntime& runtime, const std::string& tenant,
                   const sync::ResourceSchema& schema, const CommandLine& line,
                   TerminalProgress* view) {
  std::string name = fmt::format("{}/{}", tenant, schema.name);
  SyncOptions options{.full = line.full, .allow_deletes = line.allow_deletes};
  if (view != nullptr) {
    view->Start(name);
    options.on_progress = [view, &name](const sync::RunProgress& p) { view->Update(name, p); };
  }
  auto started = std::chrono::steady_clock::now();
  auto outcome = runtime.SyncResource(schema, options);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (view != nullptr) view->Finish(name, outcome, seconds);
  return {
      .tenant = tenant, .resource = schema.name, .outcome = std::move(outcome), .seconds = seconds};
}

int Sync(const CommandLine& line, const Config& config) {
  for (const auto& name : line.args) {
    if (config.FindResource(name) == nullptr) {
      fmt::print(stderr, "isc-mirror: unknown resource '{}' ({})\n", name,
                 config.ResourceHint(name));
      return kExitUsage;
    }
  }
  auto connection = db::Connect(config.database.url);
  if (!db::AppliedSchemaVersion(*connection)) {
    fmt::print(stderr, "the database has no isc-mirror schema (hint: run isc-mirror migrate)\n");
    return kExitFailure;
  }
  WriteSettings(*connection, config);
  isc::CurlGlobal curl;
  // On a terminal, a line per resource replaces the info log lines (warnings still show);
  // elsewhere (systemd, pipes, CI) the log lines are the output.
  std::unique_ptr<TerminalProgress> view;
  auto level = base::log::ParseLevel(line.log_level.value_or(config.log.level))
                   .value_or(spdlog::level::info);
  // Before the view goes, however Sync ends (a database error is thrown to RunCommand, which
  // logs it), the logger writes to stderr again.
  struct LogToStderr {
    spdlog::level::level_enum level;
    bool redirected = false;
    ~LogToStderr() {
      if (redirected) base::log::Setup(level);
    }
  } restore{.level = level};
  if (IsInteractiveTerminal(STDERR_FILENO)) {
    view = std::make_unique<TerminalProgress>(stderr, TerminalWidth(STDERR_FILENO));
    base::log::Setup(line.log_level ? level : std::max(level, spdlog::level::warn),
                     [v = view.get()](std::string_view text) { v->WriteLog(text); });
    restore.redirected = true;
  }
  std::vector<SummaryRow> rows;
  for (const auto& tenant : config.tenants) {
    TenantRuntime runtime(config, tenant, *connection);
    for (const auto& schema : sync::BuiltinSchemas()) {
      const ResourceConfig* resource = config.FindResource(schema.name);
      bool requested = line.args.empty() ? resource->enabled
                                         : std::find(line.args.begin(), line.args.end(),
                                                     schema.name) != line.args.end();
      if (!requested) continue;
      rows.push_back(SyncOne(runtime, tenant.name, schema, line, view.get()));
    }
    // Then the actions the rules decided, this cycle's and earlier ones now due.
    runtime.RunActions(nullptr);
  }
  bool failed = std::ranges::any_of(rows, [](const SummaryRow& row) {
    return row.outcome.status == sync::RunStatus::kFailed ||
           row.outcome.status == sync::RunStatus::kBusy;
  });
  if (view) fmt::print("{}", SummaryTable(rows));
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

int RunCommand(const CommandLine& line) {
  if (line.command == Command::kVersion) {
    fmt::print("isc-mirror {} ({})\n", base::kVersion, base::kGitSha);
    return kExitOk;
  }
  if (line.command == Command::kHelp) {
    // The parser accepted only a known command as the topic.
    fmt::print("{}", line.args.empty() ? UsageText() : CommandHelp(*FindCommand(line.args[0])));
    return kExitOk;
  }
  if (line.command == Command::kNames) {
    // For the completion: names only, whatever else the config holds or lacks.
    auto text = ConfigHost::System().read_file(line.config_path);
    for (const auto& name : ConfiguredNames(text ? *text : "", line.args[0])) {
      fmt::print("{}\n", name);
    }
    return kExitOk;
  }
  if (line.log_level && !base::log::ParseLevel(*line.log_level)) {
    fmt::print(stderr,
               "isc-mirror: unknown log level '{}' (expected trace, debug, info, warn, error, "
               "critical or off)\n",
               *line.log_level);
    return kExitUsage;
  }

  auto loaded = LoadConfigFile(line.config_path, ConfigHost::System());
  std::string level = line.log_level.value_or(loaded.config.log.level);
  base::log::Setup(base::log::ParseLevel(level).value_or(spdlog::level::info));
  for (const auto& warning : loaded.warnings) base::log::Warn(warning.ToString());

  if (line.command == Command::kCheckConfig) {
    int offline = CheckConfig(loaded);
    if (offline != kExitOk || !line.online) return offline;
    return CheckOnline(loaded.config);
  }
  if (!loaded.ok()) {
    PrintErrors(loaded);
    fmt::print(stderr, "isc-mirror: refusing to start: {} has {} error{} (see above)\n",
               line.config_path, loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
    return kExitConfig;
  }
  try {
    switch (line.command) {
      case Command::kMigrate:
        return Migrate(line, loaded.config);
      case Command::kStatus:
        return Status(line, loaded.config);
      case Command::kSync:
        return Sync(line, loaded.config);
      case Command::kActions:
        return Actions(line, loaded.config);
      case Command::kRun:
        return Run(line, loaded.config);
      case Command::kSyncNow:
        return SyncNow(line, loaded.config);
      case Command::kPlan:
        return Plan(line, loaded.config);
      case Command::kTriggers:
        return TriggersCommand(line, loaded.config);
      default:
        fmt::print(stderr, "isc-mirror: '{}' is not implemented yet\n", CommandName(line.command));
        return kExitUsage;
    }
  } catch (const db::ConnectionError& e) {
    base::log::Error(e.what());
  } catch (const db::MigrationError& e) {
    base::log::Error(e.what());
  } catch (const pqxx::failure& e) {
    base::log::Error("database error", {{"error", e.what()}});
  }
  return kExitFailure;
}

}  // namespace isc_mirror::daemon
