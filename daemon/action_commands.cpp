#include "daemon/action_commands.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <pqxx/pqxx>

#include "automation/outbox.hpp"
#include "base/json_writer.hpp"
#include "base/text.hpp"
#include "daemon/commands.hpp"
#include "db/connection.hpp"

namespace isc_mirror::daemon {
namespace {

std::string SummaryOf(const std::string& params) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view summary;
  if (parser.parse(params).get(doc) || doc["summary"].get(summary)) return "(no summary)";
  return std::string(summary);
}

int List(pqxx::connection& connection, bool json) {
  pqxx::read_transaction tx(connection);
  auto rows = tx.exec(
      "SELECT id, status, attempts, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'), rule, action, "
      "params::text, coalesce(error, ''), coalesce(request, ''), response_status, "
      "to_char(next_attempt_at, 'HH24:MI:SS') FROM mirror.actions ORDER BY id DESC LIMIT 100");
  if (json) {
    std::string out;
    base::JsonWriter w(out);
    w.BeginArray();
    for (const auto& r : rows) {
      w.BeginObject()
          .Field("id", r[0].as<int64_t>())
          .Field("status", r[1].c_str())
          .Field("attempts", r[2].as<int64_t>())
          .Field("created_at", r[3].c_str())
          .Field("rule", r[4].c_str())
          .Field("action", r[5].c_str())
          .Field("summary", SummaryOf(r[6].c_str()))
          .Field("request", r[8].c_str());
      r[9].is_null() ? w.NullField("response_status")
                     : w.Field("response_status", r[9].as<int64_t>());
      w.Field("error", r[7].c_str()).EndObject();
    }
    w.EndArray();
    fmt::print("{}\n", out);
    return kExitOk;
  }
  if (rows.empty()) {
    fmt::print("no actions yet\n");
    return kExitOk;
  }
  fmt::print("{:>6}  {:<9}  {:>8}  {:<19}  {}\n", "ID", "STATUS", "ATTEMPTS", "CREATED",
             "RULE: WHAT");
  // Summaries, requests and errors carry what ISC sent: shown escaped, never as controls.
  auto line = [](const std::string& text) { fmt::print("{}\n", base::TerminalSafe(text)); };
  for (const auto& r : rows) {
    std::string status = r[1].c_str();
    line(fmt::format("{:>6}  {:<9}  {:>8}  {:<19}  {}: {}", r[0].c_str(), status, r[2].c_str(),
                     r[3].c_str(), r[4].c_str(), SummaryOf(r[6].c_str())));
    if (!std::string_view(r[8].c_str()).empty()) {
      line(fmt::format("{:>49}{}{}", "called ", r[8].c_str(),
                       r[9].is_null() ? "" : fmt::format(" -> HTTP {}", r[9].c_str())));
    }
    if (!std::string_view(r[7].c_str()).empty())
      line(fmt::format("{:>49}{}", "error: ", r[7].c_str()));
    if (status == "pending" && std::stoi(r[2].c_str()) > 0) {
      line(fmt::format("{:>49}{}", "next try at ", r[10].c_str()));
    }
    if (status == "held") {
      line(fmt::format("{:>49}isc-mirror actions approve {}",
                       "held by max_per_hour; to run it: ", r[0].c_str()));
    }
  }
  return kExitOk;
}

// Moves one action from the states in `from` to `to`, or says why not.
int Move(pqxx::connection& connection, const std::string& id, const std::string& verb,
         const std::string& from, const std::string& to) {
  pqxx::work tx(connection);
  auto current = tx.exec_params("SELECT status FROM mirror.actions WHERE id = $1", id);
  if (current.empty()) {
    fmt::print(stderr, "isc-mirror: there is no action {}\n", id);
    return kExitFailure;
  }
  auto moved = tx.exec_params(
      "UPDATE mirror.actions SET status = $2, next_attempt_at = now(), updated_at = now(), "
      "attempts = CASE WHEN $2 = 'pending' AND status IN ('failed', 'dead') THEN 0 ELSE attempts "
      "END WHERE id = $1 AND status = ANY($3::text[]) RETURNING id",
      id, to, from);
  tx.commit();
  if (moved.empty()) {
    fmt::print(stderr, "isc-mirror: action {} is {}; only {} actions can be {}\n", id,
               current[0][0].c_str(), from, verb);
    return kExitFailure;
  }
  fmt::print("action {} {}: now {}\n", id, verb, to);
  return kExitOk;
}

}  // namespace

int Actions(const CommandLine& line, const Config& config) {
  auto connection = db::Connect(config.database.url);
  const std::string& verb = line.args.at(0);
  if (verb == "list") return List(*connection, line.json);
  const std::string& id = line.args.at(1);
  if (verb == "approve") return Move(*connection, id, "approved", "{held}", "pending");
  if (verb == "retry") return Move(*connection, id, "retried", "{failed,dead}", "pending");
  return Move(*connection, id, "cancelled", "{pending,held,failed,dead}", "cancelled");
}

int Plan(const CommandLine& line, const Config& config) {
  auto connection = db::Connect(config.database.url);
  pqxx::read_transaction tx(*connection);
  int shown = 0;
  std::string json;
  base::JsonWriter w(json);
  w.BeginArray();
  for (const auto& tenant : config.tenants) {
    automation::RuleEngine engine(tenant.name, config.rules, config.lifecycle,
                                  config.actions.outbox);
    std::vector<sync::Event> events;
    for (const auto& r : tx.exec_params(
             "SELECT event_id, resource, object_id, op, changed_paths, before::text, after::text "
             "FROM mirror.change_events WHERE tenant = $1 AND NOT baseline AND observed_at > now() "
             "- interval '24 hours' ORDER BY event_id",
             tenant.name)) {
      sync::Event e;
      e.event_id = r[0].as<int64_t>();
      e.resource = r[1].c_str();
      e.object_id = r[2].c_str();
      e.op = r[3].c_str();
      auto paths = r[4].as_array();
      for (auto item = paths.get_next(); item.first != pqxx::array_parser::done;
           item = paths.get_next()) {
        if (item.first == pqxx::array_parser::string_value) e.changed_paths.push_back(item.second);
      }
      if (!r[5].is_null()) e.before = r[5].c_str();
      if (!r[6].is_null()) e.after = r[6].c_str();
      events.push_back(std::move(e));
    }
    for (const auto& d : engine.Decide(tx, events)) {
      auto recorded =
          tx.exec_params("SELECT id, status FROM mirror.actions WHERE idempotency_key = $1", d.key);
      std::string state =
          recorded.empty()
              ? fmt::format("would be {}", automation::ActionStatusName(d.status.value_or(
                                               automation::ActionStatus::kPending)))
              : fmt::format("recorded as action {} ({})", recorded[0][0].c_str(),
                            recorded[0][1].c_str());
      ++shown;
      if (line.json) {
        w.BeginObject()
            .Field("state", state)
            .Field("event_id", d.event_id)
            .Field("rule", d.rule)
            .Field("action", d.action)
            .Field("summary", d.planned.summary);
        d.planned.error ? w.Field("error", *d.planned.error) : w.NullField("error");
        w.Key("calls").BeginArray();
        for (const auto& call : d.planned.calls) {
          w.BeginObject().Field("method", call.method).Field("path", call.path).EndObject();
        }
        w.EndArray().EndObject();
        continue;
      }
      auto line = [](const std::string& text) { fmt::print("{}\n", base::TerminalSafe(text)); };
      line(fmt::format("[{}] rule {}, {}: {}", state, d.rule, d.action, d.planned.summary));
      if (d.planned.error) line(fmt::format("    cannot be done: {}", *d.planned.error));
      for (const auto& call : d.planned.calls) {
        line(fmt::format("    {} {}{}", call.method, call.path,
                         d.planned.calls.size() > 1 && &call != &d.planned.calls.front()
                             ? " (if the first call is refused)"
                             : ""));
      }
    }
  }
  if (line.json) {
    w.EndArray();
    fmt::print("{}\n", json);
    return kExitOk;
  }
  if (shown == 0) fmt::print("no rule matches a change of the last 24 hours\n");
  return kExitOk;
}

}  // namespace isc_mirror::daemon
