#include "daemon/action_commands.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "automation/outbox.hpp"
#include "automation/stored_action.hpp"
#include "base/json_writer.hpp"
#include "base/text.hpp"
#include "daemon/commands.hpp"
#include "daemon/sql.hpp"
#include "db/connection.hpp"

namespace isc_mirror::daemon {
namespace {

// The stored action's summary, read by the outbox's own codec.
std::string SummaryOf(const std::string& params) {
  auto stored = automation::DecodeStoredAction(params);
  if (!stored || stored->planned.summary.empty()) return "(no summary)";
  return stored->planned.summary;
}

int List(pqxx::connection& connection, bool json) {
  pqxx::read_transaction tx(connection);
  auto rows = tx.exec(std::string(sql::kListActions));
  if (json) {
    std::string out;
    base::JsonWriter w(out);
    w.BeginArray();
    for (const auto& r : rows) {
      w.BeginObject()
          .Field("id", r["id"].as<int64_t>())
          .Field("status", r["status"].c_str())
          .Field("attempts", r["attempts"].as<int64_t>())
          .Field("created_at", r["created_at"].c_str())
          .Field("rule", r["rule"].c_str())
          .Field("action", r["action"].c_str())
          .Field("summary", SummaryOf(r["params"].c_str()))
          .Field("request", r["request"].c_str());
      r["response_status"].is_null()
          ? w.NullField("response_status")
          : w.Field("response_status", r["response_status"].as<int64_t>());
      w.Field("error", r["error"].c_str()).EndObject();
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
    auto status = automation::ActionStatusFromName(r["status"].c_str());
    line(fmt::format("{:>6}  {:<9}  {:>8}  {:<19}  {}: {}", r["id"].c_str(), r["status"].c_str(),
                     r["attempts"].c_str(), r["created_at"].c_str(), r["rule"].c_str(),
                     SummaryOf(r["params"].c_str())));
    if (!std::string_view(r["request"].c_str()).empty()) {
      line(fmt::format("{:>49}{}{}", "called ", r["request"].c_str(),
                       r["response_status"].is_null()
                           ? ""
                           : fmt::format(" -> HTTP {}", r["response_status"].c_str())));
    }
    if (!std::string_view(r["error"].c_str()).empty())
      line(fmt::format("{:>49}{}", "error: ", r["error"].c_str()));
    if (status == automation::ActionStatus::kPending && r["attempts"].as<int>() > 0) {
      line(fmt::format("{:>49}{}", "next try at ", r["next_attempt_at"].c_str()));
    }
    if (status == automation::ActionStatus::kHeld) {
      line(fmt::format("{:>49}isc-mirror actions approve {}",
                       "held by max_per_hour; to run it: ", r["id"].c_str()));
    }
  }
  return kExitOk;
}

// Moves one action from the states in `from` to `to`, or says why not.
int Move(pqxx::connection& connection, const std::string& id, const std::string& verb,
         const std::string& from, const std::string& to) {
  pqxx::work tx(connection);
  auto current = tx.exec_params(std::string(sql::kActionStatus), id);
  if (current.empty()) {
    fmt::print(stderr, "isc-mirror: there is no action {}\n", id);
    return kExitFailure;
  }
  auto moved = tx.exec_params(std::string(sql::kMoveAction), id, to, from);
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
    for (const auto& r : tx.exec_params(std::string(sql::kRecentEvents), tenant.name)) {
      sync::Event e;
      e.event_id = r[0].as<int64_t>();
      e.resource = r[1].c_str();
      e.object_id = r[2].c_str();
      e.op = sync::EventOpOf(r[3].c_str());
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
      auto recorded = tx.exec_params(std::string(sql::kActionByKey), d.key);
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
