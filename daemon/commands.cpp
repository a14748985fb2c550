#include "daemon/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "base/log.hpp"
#include "base/version.hpp"
#include "daemon/action_commands.hpp"
#include "daemon/config.hpp"
#include "daemon/paths.hpp"
#include "daemon/run.hpp"
#include "daemon/tenant_runtime.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "sync/isc_client.hpp"
#include "sync/resource_schema.hpp"
#include "sync/sync_run.hpp"

namespace isc_mirror::daemon {
namespace {

void PrintErrors(const ConfigResult& loaded) {
  for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error.ToString());
}

base::Expected<std::vector<db::Migration>> FindMigrations(const CommandLine& line,
                                                          const Config& config) {
  auto candidates =
      MigrationsCandidates(line.migrations_dir, config.database.migrations_dir, ExecutablePath());
  std::string tried;
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return db::LoadMigrations(dir);
    if (!tried.empty()) tried += ", ";
    tried += dir.string();
  }
  return base::Error{fmt::format(
      "no migrations folder found (looked in {}; hint: pass --migrations-dir DIR or set "
      "database.migrations_dir)",
      tried)};
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
  auto migrations = FindMigrations(line, config);
  if (!migrations) {
    log::Error("cannot migrate", {{"error", migrations.error()}});
    return kExitFailure;
  }
  auto connection = db::Connect(config.database.url);
  auto result = db::Migrate(*connection, *migrations);
  log::Info("database is up to date", {{"schema_version", result.schema_version},
                                       {"applied", result.applied},
                                       {"already_applied", result.already_applied}});
  return kExitOk;
}

int Sync(const CommandLine& line, const Config& config) {
  for (const auto& name : line.args) {
    if (config.FindResource(name) == nullptr) {
      fmt::print(stderr, "isc-mirror: unknown resource '{}' (see the README's resource list)\n",
                 name);
      return kExitUsage;
    }
  }
  auto connection = db::Connect(config.database.url);
  if (!db::AppliedSchemaVersion(*connection)) {
    fmt::print(stderr, "the database has no isc-mirror schema (hint: run isc-mirror migrate)\n");
    return kExitFailure;
  }
  sync::CurlGlobal curl;
  bool failed = false;
  for (const auto& tenant : config.tenants) {
    TenantRuntime runtime(config, tenant, *connection);
    for (const auto& schema : sync::BuiltinSchemas()) {
      const ResourceConfig* resource = config.FindResource(schema.name);
      bool requested = line.args.empty() ? resource->enabled
                                         : std::find(line.args.begin(), line.args.end(),
                                                     schema.name) != line.args.end();
      if (!requested) continue;
      auto outcome = runtime.SyncResource(schema, {line.full, line.allow_deletes});
      failed = failed || outcome.status == "failed" || outcome.status == "busy";
    }
    // Then the actions the rules decided, this cycle's and earlier ones now due.
    runtime.RunActions(nullptr);
  }
  return failed ? kExitFailure : kExitOk;
}

std::string Cell(const pqxx::field& field) {
  return field.is_null() ? "-" : field.c_str();
}

int Status(const CommandLine& line, const Config& config) {
  if (line.json) {
    fmt::print(stderr, "isc-mirror: status --json is not implemented yet\n");
    return kExitUsage;
  }
  auto connection = db::Connect(config.database.url);
  auto version = db::AppliedSchemaVersion(*connection);
  if (!version) {
    fmt::print(stderr, "the database has no isc-mirror schema (hint: run isc-mirror migrate)\n");
    return kExitFailure;
  }
  std::string schema_note;
  if (auto migrations = FindMigrations(line, config); migrations && !migrations->empty()) {
    int pending = 0;
    for (const auto& m : *migrations) pending += m.version > *version ? 1 : 0;
    schema_note = pending == 0 ? " (up to date)"
                               : fmt::format(" ({} pending: run isc-mirror migrate)", pending);
  }
  fmt::print("database {}: schema version {}{}\n\n",
             config.database.url.empty() ? "(PG* environment)"
                                         : db::RedactConnectionString(config.database.url.Reveal()),
             *version, schema_note);

  pqxx::read_transaction tx(*connection);
  std::map<std::pair<std::string, std::string>, pqxx::row> last_runs;
  auto runs = tx.exec(
      "SELECT DISTINCT ON (tenant, resource) tenant, resource, mode, "
      "to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'), status, seen, inserted, updated, deleted, "
      "error FROM mirror.sync_runs ORDER BY tenant, resource, started_at DESC");
  for (const auto& row : runs) {
    last_runs.emplace(std::pair{row[0].as<std::string>(), row[1].as<std::string>()}, row);
  }
  auto print_row = [](auto&&... cells) {
    auto row =
        fmt::format("{:<12} {:<24} {:>8} {:<19} {:<8} {:>9} {:>9} {:>9} {:>9}  {}", cells...);
    while (!row.empty() && row.back() == ' ') row.pop_back();
    fmt::print("{}\n", row);
  };
  print_row("TENANT", "RESOURCE", "INTERVAL", "LAST RUN", "RESULT", "SEEN", "INSERTED", "UPDATED",
            "DELETED", "ERROR");
  for (const auto& tenant : config.tenants) {
    for (const auto& resource : config.resources) {
      std::string interval = resource.enabled ? FormatDuration(resource.interval) : "off";
      auto it = last_runs.find({tenant.name, resource.name});
      if (it == last_runs.end()) {
        print_row(tenant.name, resource.name, interval, "never", "-", "-", "-", "-", "-", "");
        continue;
      }
      const auto& r = it->second;
      print_row(tenant.name, resource.name, interval, Cell(r[3]), Cell(r[4]), Cell(r[5]),
                Cell(r[6]), Cell(r[7]), Cell(r[8]), r[9].is_null() ? "" : r[9].c_str());
    }
  }
  std::string actions;
  for (const auto& row :
       tx.exec("SELECT status, count(*) FROM mirror.actions GROUP BY status ORDER BY status")) {
    if (!actions.empty()) actions += ", ";
    actions += fmt::format("{} {}", row[0].c_str(), row[1].c_str());
  }
  fmt::print("\nactions: {}\n", actions.empty() ? "none" : actions);
  return kExitOk;
}

}  // namespace

int RunCommand(const CommandLine& line) {
  if (line.command == Command::kVersion) {
    fmt::print("isc-mirror {} ({})\n", base::kVersion, base::kGitSha);
    return kExitOk;
  }
  if (line.command == Command::kHelp) {
    fmt::print("{}", UsageText());
    return kExitOk;
  }
  if (line.log_level && !log::ParseLevel(*line.log_level)) {
    fmt::print(stderr,
               "isc-mirror: unknown log level '{}' (expected trace, debug, info, warn, error, "
               "critical or off)\n",
               *line.log_level);
    return kExitUsage;
  }

  auto loaded = LoadConfigFile(line.config_path, ConfigHost::System());
  std::string level = line.log_level.value_or(loaded.config.log.level);
  log::Setup(log::ParseLevel(level).value_or(spdlog::level::info));

  if (line.command == Command::kCheckConfig) return CheckConfig(loaded);
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
      default:
        fmt::print(stderr, "isc-mirror: '{}' is not implemented yet\n", CommandName(line.command));
        return kExitUsage;
    }
  } catch (const db::ConnectionError& e) {
    log::Error(e.what());
  } catch (const db::MigrationError& e) {
    log::Error(e.what());
  } catch (const pqxx::failure& e) {
    log::Error("database error", {{"error", e.what()}});
  }
  return kExitFailure;
}

}  // namespace isc_mirror::daemon
