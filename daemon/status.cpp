#include "daemon/status.hpp"

#include <fmt/format.h>

#include <map>
#include <pqxx/pqxx>

#include "base/duration.hpp"
#include "base/json_writer.hpp"
#include "base/text.hpp"
#include "daemon/commands.hpp"
#include "daemon/paths.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"

namespace isc_mirror::daemon {
namespace {

struct ResourceStatus {
  std::string tenant;
  std::string resource;
  bool enabled = true;
  double interval_s = 0;
  std::optional<pqxx::row> last;     // the last run
  std::optional<double> since_ok_s;  // seconds since the last good run ended
};

std::string Cell(const pqxx::field& field) {
  return field.is_null() ? "-" : field.c_str();
}

std::string Ago(double seconds) {
  if (seconds < 0) return "now";
  return base::FormatDuration(std::chrono::milliseconds(static_cast<int64_t>(seconds) * 1000));
}

// The actions that wait for something, one line each; summaries and errors quote ISC, so no
// control character reaches the terminal.
void PrintWaiting(const pqxx::result& waiting) {
  for (const auto& r : waiting) {
    fmt::print(
        "{}\n",
        base::TerminalSafe(fmt::format(
            "  {:>6} {:<8} {}: {}{}", r[0].c_str(), r[1].c_str(), r[2].c_str(), r[4].c_str(),
            std::string_view(r[5].c_str()).empty() ? "" : fmt::format(" ({})", r[5].c_str()))));
  }
}

}  // namespace

int Status(const CommandLine& line, const Config& config) {
  auto connection = db::Connect(config.database.url);
  auto version = db::AppliedSchemaVersion(*connection);
  if (!version) {
    fmt::print(stderr, "the database has no isc-mirror schema (hint: run isc-mirror migrate)\n");
    return kExitFailure;
  }
  pqxx::read_transaction tx(*connection);
  std::map<std::pair<std::string, std::string>, pqxx::row> last_runs;
  for (const auto& row :
       tx.exec("SELECT DISTINCT ON (tenant, resource) tenant, resource, mode, "
               "to_char(started_at, 'YYYY-MM-DD HH24:MI:SS'), status, seen, inserted, updated, "
               "deleted, "
               "error, id FROM mirror.sync_runs ORDER BY tenant, resource, started_at DESC")) {
    last_runs.emplace(std::pair{row[0].as<std::string>(), row[1].as<std::string>()}, row);
  }
  std::map<std::pair<std::string, std::string>, double> since_ok;
  for (const auto& row :
       tx.exec("SELECT tenant, resource, extract(epoch FROM now() - max(finished_at)) FROM "
               "mirror.sync_runs WHERE status IN ('ok', 'held') GROUP BY 1, 2")) {
    since_ok[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<double>();
  }
  std::vector<ResourceStatus> resources;
  for (const auto& tenant : config.tenants) {
    for (const auto& r : config.resources) {
      ResourceStatus s;
      s.tenant = tenant.name;
      s.resource = r.name;
      s.enabled = r.enabled;
      s.interval_s = std::chrono::duration<double>(r.interval).count();
      if (auto it = last_runs.find({tenant.name, r.name}); it != last_runs.end())
        s.last = it->second;
      if (auto it = since_ok.find({tenant.name, r.name}); it != since_ok.end()) {
        s.since_ok_s = it->second;
      }
      resources.push_back(std::move(s));
    }
  }
  std::vector<std::pair<std::string, int64_t>> actions;
  for (const auto& row :
       tx.exec("SELECT status, count(*) FROM mirror.actions GROUP BY status ORDER BY status")) {
    actions.emplace_back(row[0].c_str(), row[1].as<int64_t>());
  }
  auto waiting = tx.exec(
      "SELECT id, status, rule, action, coalesce(params->>'summary', ''), coalesce(error, '') "
      "FROM mirror.actions WHERE status IN ('pending', 'running', 'held', 'failed', 'dead') "
      "ORDER BY id LIMIT 20");

  if (line.json) {
    std::string out;
    base::JsonWriter w(out);
    w.BeginObject().Field("schema_version", static_cast<int64_t>(*version)).Key("resources");
    w.BeginArray();
    for (const auto& s : resources) {
      w.BeginObject()
          .Field("tenant", s.tenant)
          .Field("resource", s.resource)
          .Field("enabled", s.enabled)
          .Key("interval_seconds")
          .Int(static_cast<int64_t>(s.interval_s));
      if (s.last) {
        const auto& r = *s.last;
        w.Key("last_run")
            .BeginObject()
            .Field("id", r[10].as<int64_t>())
            .Field("mode", r[2].c_str())
            .Field("started_at", r[3].c_str())
            .Field("status", r[4].c_str())
            .Field("seen", r[5].as<int64_t>())
            .Field("inserted", r[6].as<int64_t>())
            .Field("updated", r[7].as<int64_t>())
            .Field("deleted", r[8].as<int64_t>());
        r[9].is_null() ? w.NullField("error") : w.Field("error", r[9].c_str());
        w.EndObject();
      } else {
        w.NullField("last_run");
      }
      if (s.since_ok_s) {
        w.Key("lag_seconds").Int(static_cast<int64_t>(*s.since_ok_s));
        w.Key("next_run_in_seconds")
            .Int(static_cast<int64_t>(std::max(0.0, s.interval_s - *s.since_ok_s)));
      } else {
        w.NullField("lag_seconds").NullField("next_run_in_seconds");
      }
      w.EndObject();
    }
    w.EndArray().Key("actions").BeginObject();
    for (const auto& [status, n] : actions) w.Field(status, n);
    w.EndObject().Key("actions_waiting").BeginArray();
    for (const auto& r : waiting) {
      w.BeginObject()
          .Field("id", r[0].as<int64_t>())
          .Field("status", r[1].c_str())
          .Field("rule", r[2].c_str())
          .Field("action", r[3].c_str())
          .Field("summary", r[4].c_str())
          .Field("error", r[5].c_str())
          .EndObject();
    }
    w.EndArray().EndObject();
    fmt::print("{}\n", out);
    return kExitOk;
  }

  std::string schema_note;
  if (auto migrations = FindMigrations(line.migrations_dir, config.database.migrations_dir);
      migrations && !migrations->empty()) {
    int pending = 0;
    for (const auto& m : *migrations) pending += m.version > *version ? 1 : 0;
    schema_note = pending == 0 ? " (up to date)"
                               : fmt::format(" ({} pending: run isc-mirror migrate)", pending);
  }
  fmt::print("database {}: schema version {}{}\n\n",
             config.database.url.empty() ? "(PG* environment)"
                                         : db::RedactConnectionString(config.database.url.Reveal()),
             *version, schema_note);
  auto print_row = [](auto&&... cells) {
    auto row = fmt::format(
        "{:<12} {:<24} {:>8} {:<19} {:<8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {}", cells...);
    while (!row.empty() && row.back() == ' ') row.pop_back();
    fmt::print("{}\n", base::TerminalSafe(row));  // errors quote ISC: no controls reach the tty
  };
  print_row("TENANT", "RESOURCE", "INTERVAL", "LAST RUN", "RESULT", "SEEN", "INSERTED", "UPDATED",
            "DELETED", "LAG", "NEXT IN", "ERROR");
  for (const auto& s : resources) {
    std::string interval = s.enabled ? Ago(s.interval_s) : std::string("off");
    std::string lag = s.since_ok_s ? Ago(*s.since_ok_s) : "-";
    std::string next = !s.enabled ? "-" : s.since_ok_s ? Ago(s.interval_s - *s.since_ok_s) : "now";
    if (!s.last) {
      print_row(s.tenant, s.resource, interval, "never", "-", "-", "-", "-", "-", lag, next, "");
      continue;
    }
    const auto& r = *s.last;
    print_row(s.tenant, s.resource, interval, Cell(r[3]), Cell(r[4]), Cell(r[5]), Cell(r[6]),
              Cell(r[7]), Cell(r[8]), lag, next, r[9].is_null() ? "" : r[9].c_str());
  }
  std::string counts;
  for (const auto& [status, n] : actions) {
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", status, n);
  }
  fmt::print("\nactions: {}\n", counts.empty() ? "none" : counts);
  PrintWaiting(waiting);
  return kExitOk;
}

}  // namespace isc_mirror::daemon
