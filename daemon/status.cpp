#include "daemon/status.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <map>
#include <thread>

#include "base/duration.hpp"
#include "base/json_writer.hpp"
#include "base/text.hpp"
#include "daemon/commands.hpp"
#include "daemon/paths.hpp"
#include "daemon/sql.hpp"
#include "daemon/sync_progress.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::daemon {
namespace {

using Key = std::pair<std::string, std::string>;  // tenant, resource

std::optional<std::string> Text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

LastRun ReadLastRun(const pqxx::row& row) {
  return {.id = row["id"].as<int64_t>(),
          .mode = row["mode"].as<std::string>(),
          .started_at = row["started_at"].as<std::string>(),
          .status = row["status"].as<std::string>(),
          .seen = row["seen"].as<int64_t>(),
          .inserted = row["inserted"].as<int64_t>(),
          .updated = row["updated"].as<int64_t>(),
          .deleted = row["deleted"].as<int64_t>(),
          .error = Text(row["error"])};
}

std::string Ago(double seconds) {
  if (seconds < 0) return "now";
  return base::FormatDuration(std::chrono::milliseconds(static_cast<int64_t>(seconds) * 1000));
}

void WriteResource(base::JsonWriter& w, const ResourceStatus& s) {
  w.BeginObject()
      .Field("tenant", s.tenant)
      .Field("resource", s.resource)
      .Field("enabled", s.enabled)
      .Key("interval_seconds")
      .Int(static_cast<int64_t>(s.interval_s));
  if (const auto& r = s.last) {
    w.Key("last_run")
        .BeginObject()
        .Field("id", r->id)
        .Field("mode", r->mode)
        .Field("started_at", r->started_at)
        .Field("status", r->status)
        .Field("seen", r->seen)
        .Field("inserted", r->inserted)
        .Field("updated", r->updated)
        .Field("deleted", r->deleted);
    r->error ? w.Field("error", *r->error) : w.NullField("error");
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

template <typename... Cells>
std::string TableRow(const Cells&... cells) {
  auto row = fmt::format("{:<12} {:<24} {:>8} {:<19} {:<8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
                         cells...);
  while (!row.empty() && row.back() == ' ') row.pop_back();
  return base::TerminalSafe(row) + "\n";
}

std::string ResourceLine(const ResourceStatus& s) {
  std::string interval = s.enabled ? Ago(s.interval_s) : std::string("off");
  std::string lag = s.since_ok_s ? Ago(*s.since_ok_s) : "-";
  std::string next = !s.enabled ? "-" : s.since_ok_s ? Ago(s.interval_s - *s.since_ok_s) : "now";
  if (!s.last)
    return TableRow(s.tenant, s.resource, interval, "never", "-", "-", "-", "-", "-", lag, next,
                    "");
  const LastRun& r = *s.last;
  return TableRow(s.tenant, s.resource, interval, r.started_at, r.status, r.seen, r.inserted,
                  r.updated, r.deleted, lag, next, r.error.value_or(""));
}

// Poll-found identity changes since the last delivery beyond which it is not chance.
constexpr int64_t kMissedChanges = 3;

std::optional<double> Seconds(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<double>();
}

void ReadTriggers(pqxx::transaction_base& tx, const Config& config, StatusReport& report) {
  for (const auto& row : tx.exec(std::string(sql::kStatusTriggers))) {
    report.triggers.push_back({.tenant = row["tenant"].as<std::string>(),
                               .trigger = row["trigger_id"].as<std::string>(),
                               .recorded = row["recorded"].as<int64_t>(),
                               .duplicates = row["duplicates"].as<int64_t>(),
                               .waiting = row["waiting"].as<int64_t>(),
                               .failed = row["failed"].as<int64_t>(),
                               .last_s = Seconds(row["last_seconds"]),
                               .refused = row["refused"].as<int64_t>(),
                               .refused_s = Seconds(row["refused_seconds"])});
  }
  for (const auto& tenant : config.tenants) {
    if (!tenant.triggers) continue;
    if (auto warning = TriggerWarning(tx, tenant)) report.trigger_warnings.push_back(*warning);
  }
}

std::string TriggerLines(const StatusReport& report) {
  if (report.triggers.empty() && report.trigger_warnings.empty()) return "";
  auto row = [](const auto&... cells) {
    auto line = fmt::format("{:<12} {:<35} {:>10} {:>8} {:>10} {:>7} {:>6} {:>7} {:>12}", cells...);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return base::TerminalSafe(line) + "\n";
  };
  std::string out = "\ntrigger deliveries:\n";
  out += row("TENANT", "TRIGGER", "LAST", "24H", "DUPLICATE", "WAITING", "FAILED", "REFUSED",
             "LAST REFUSED");
  for (const auto& t : report.triggers) {
    out +=
        row(t.tenant, t.trigger, t.last_s ? Ago(*t.last_s) + " ago" : "-", t.recorded, t.duplicates,
            t.waiting, t.failed, t.refused, t.refused_s ? Ago(*t.refused_s) + " ago" : "-");
  }
  for (const auto& w : report.trigger_warnings) out += base::TerminalSafe("warning: " + w) + "\n";
  return out;
}

}  // namespace

std::optional<std::string> TriggerWarning(pqxx::transaction_base& tx, const TenantConfig& config) {
  // A filter on an identity trigger keeps changes from being sent on purpose: the polls then
  // find them, and that says nothing of the subscriptions' health.
  using triggers::TriggerKind;
  for (auto kind : {TriggerKind::kIdentityAttributesChanged, TriggerKind::kIdentityCreated,
                    TriggerKind::kIdentityDeleted}) {
    if (config.trigger_filters.contains(std::string(triggers::SpecOf(kind).id))) {
      return std::nullopt;
    }
  }
  const std::string& tenant = config.name;
  auto row = tx.exec_params1(std::string(sql::kTriggersMissed), tenant);
  int64_t missed = row["missed"].as<int64_t>();
  if (missed < kMissedChanges) return std::nullopt;
  auto last = Seconds(row["last_seconds"]);
  return fmt::format(
      "{}: {} while polls found {} identity changes since: the Event Trigger subscriptions are "
      "probably not delivering (hint: isc-mirror triggers list {}; check the receiver's public "
      "address, its TLS and the tenant's triggers auth)",
      tenant, last ? fmt::format("no delivery for {}", Ago(*last)) : "no delivery yet", missed,
      tenant);
}

StatusReport ReadStatus(pqxx::transaction_base& tx, const Config& config) {
  std::map<Key, LastRun> last_runs;
  for (const auto& row : tx.exec(std::string(sql::kStatusLastRuns))) {
    last_runs.emplace(Key{row["tenant"].as<std::string>(), row["resource"].as<std::string>()},
                      ReadLastRun(row));
  }
  std::map<Key, double> since_ok;
  for (const auto& row : tx.exec(std::string(sql::kStatusSinceOk))) {
    since_ok[{row["tenant"].as<std::string>(), row["resource"].as<std::string>()}] =
        row["seconds"].as<double>();
  }
  StatusReport report;
  for (const auto& tenant : config.tenants) {
    for (const auto& r : config.resources) {
      ResourceStatus s{.tenant = tenant.name,
                       .resource = r.name,
                       .enabled = r.enabled,
                       .interval_s = std::chrono::duration<double>(r.interval).count()};
      if (auto it = last_runs.find({tenant.name, r.name}); it != last_runs.end())
        s.last = it->second;
      if (auto it = since_ok.find({tenant.name, r.name}); it != since_ok.end())
        s.since_ok_s = it->second;
      report.resources.push_back(std::move(s));
    }
  }
  for (const auto& row : tx.exec(std::string(sql::kStatusActionCounts))) {
    report.action_counts.emplace_back(row["status"].as<std::string>(), row["n"].as<int64_t>());
  }
  for (const auto& row : tx.exec(std::string(sql::kStatusWaitingActions))) {
    report.waiting.push_back({.id = row["id"].as<int64_t>(),
                              .status = row["status"].as<std::string>(),
                              .rule = row["rule"].as<std::string>(),
                              .action = row["action"].as<std::string>(),
                              .summary = row["summary"].as<std::string>(),
                              .error = row["error"].as<std::string>()});
  }
  ReadTriggers(tx, config, report);
  return report;
}

std::string RenderStatusJson(const StatusReport& report) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject().Field("schema_version", report.schema_version).Key("resources").BeginArray();
  for (const auto& s : report.resources) WriteResource(w, s);
  w.EndArray().Key("actions").BeginObject();
  for (const auto& [status, n] : report.action_counts) w.Field(status, n);
  w.EndObject().Key("actions_waiting").BeginArray();
  for (const auto& a : report.waiting) {
    w.BeginObject()
        .Field("id", a.id)
        .Field("status", a.status)
        .Field("rule", a.rule)
        .Field("action", a.action)
        .Field("summary", a.summary)
        .Field("error", a.error)
        .EndObject();
  }
  w.EndArray().Key("triggers").BeginArray();
  for (const auto& t : report.triggers) {
    w.BeginObject()
        .Field("tenant", t.tenant)
        .Field("trigger", t.trigger)
        .Field("recorded_24h", t.recorded)
        .Field("duplicates", t.duplicates)
        .Field("waiting", t.waiting)
        .Field("failed", t.failed)
        .Field("refused", t.refused);
    t.last_s ? w.Key("last_delivery_seconds").Int(static_cast<int64_t>(*t.last_s))
             : w.NullField("last_delivery_seconds");
    w.EndObject();
  }
  w.EndArray().Key("trigger_warnings").BeginArray();
  for (const auto& warning : report.trigger_warnings) w.String(warning);
  w.EndArray().EndObject();
  return out + "\n";
}

std::string RenderStatusText(const StatusReport& report) {
  std::string out = fmt::format("database {}: schema version {}{}\n\n", report.database,
                                report.schema_version, report.schema_note);
  out += TableRow("TENANT", "RESOURCE", "INTERVAL", "LAST RUN", "RESULT", "SEEN", "INSERTED",
                  "UPDATED", "DELETED", "LAG", "NEXT IN", "ERROR");
  for (const auto& s : report.resources) out += ResourceLine(s);
  std::vector<std::string> counts;
  for (const auto& [status, n] : report.action_counts)
    counts.push_back(fmt::format("{} {}", status, n));
  out += fmt::format("\nactions: {}\n",
                     counts.empty() ? "none" : fmt::format("{}", fmt::join(counts, ", ")));
  for (const auto& a : report.waiting) {
    out +=
        base::TerminalSafe(fmt::format("  {:>6} {:<8} {}: {}{}", a.id, a.status, a.rule, a.summary,
                                       a.error.empty() ? "" : fmt::format(" ({})", a.error)));
    out += "\n";
  }
  return out + TriggerLines(report);
}

std::string WatchFrame(std::string_view text, bool terminal) {
  if (!terminal) return std::string(text) + "\n";
  std::string frame = "\x1b[H";
  for (char c : text) frame += c == '\n' ? std::string("\x1b[K\n") : std::string(1, c);
  return frame + "\x1b[J";
}

namespace {

// The report read now; nullopt when the database has no schema.
std::optional<StatusReport> ReadReport(pqxx::connection& connection, const Config& config) {
  auto version = db::AppliedSchemaVersion(connection);
  if (!version) return std::nullopt;
  pqxx::read_transaction tx(connection);
  StatusReport report = ReadStatus(tx, config);
  report.schema_version = *version;
  return report;
}

// The text report, with where the database is and whether migrations are pending.
std::optional<std::string> ReadStatusText(pqxx::connection& connection, const CommandLine& line,
                                          const Config& config) {
  auto found = ReadReport(connection, config);
  if (!found) return std::nullopt;
  StatusReport& report = *found;
  int64_t version = report.schema_version;
  report.database = config.database.url.empty()
                        ? "(PG* environment)"
                        : db::RedactConnectionString(config.database.url.Reveal());
  if (auto migrations = FindMigrations(line.migrations_dir, config.database.migrations_dir);
      migrations && !migrations->empty()) {
    int pending = 0;
    for (const auto& m : *migrations) pending += m.version > version ? 1 : 0;
    report.schema_note = pending == 0
                             ? " (up to date)"
                             : fmt::format(" ({} pending: run isc-mirror migrate)", pending);
  }
  return RenderStatusText(report);
}

constexpr auto kWatchEvery = std::chrono::seconds(2);
constexpr const char* kNoSchema =
    "the database has no isc-mirror schema (hint: run isc-mirror migrate)";

std::atomic<bool> watch_stop{false};

// status --watch: the report again every 2 s, in place on a terminal (home, each line cleared
// to its end, the rest of the screen cleared), one after the other elsewhere. A database that
// goes away is shown and tried again; Ctrl-C or SIGTERM ends it with 0.
int WatchStatus(const CommandLine& line, const Config& config) {
  std::signal(SIGINT, [](int) { watch_stop = true; });
  std::signal(SIGTERM, [](int) { watch_stop = true; });
  bool terminal = IsInteractiveTerminal(STDOUT_FILENO);
  std::unique_ptr<pqxx::connection> connection;
  while (!watch_stop) {
    std::string body;
    try {
      if (!connection || !connection->is_open()) connection = db::Connect(config.database.url);
      body = ReadStatusText(*connection, line, config).value_or(std::string(kNoSchema) + "\n");
    } catch (const std::exception& e) {
      connection.reset();
      body = fmt::format("database unreachable, trying again: {}\n", e.what());
    }
    std::string header =
        fmt::format("isc-mirror status, every {}s (Ctrl-C ends): {:%Y-%m-%d %H:%M:%S} UTC\n\n",
                    kWatchEvery.count(),
                    std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    fmt::print("{}", WatchFrame(header + body, terminal));
    std::fflush(stdout);
    for (auto waited = std::chrono::milliseconds(0); waited < kWatchEvery && !watch_stop;
         waited += std::chrono::milliseconds(100)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return kExitOk;
}

}  // namespace

int Status(const CommandLine& line, const Config& config) {
  if (line.watch) return WatchStatus(line, config);
  auto connection = db::Connect(config.database.url);
  std::optional<std::string> out;
  if (line.json) {
    if (auto report = ReadReport(*connection, config)) out = RenderStatusJson(*report);
  } else {
    out = ReadStatusText(*connection, line, config);
  }
  if (!out) {
    fmt::print(stderr, "{}\n", kNoSchema);
    return kExitFailure;
  }
  fmt::print("{}", *out);
  return kExitOk;
}

}  // namespace isc_mirror::daemon
