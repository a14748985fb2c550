#include "daemon/metrics.hpp"

#include <fmt/format.h>

#include "base/names.hpp"

namespace isc_mirror::daemon {
namespace {

double Seconds(Metrics::WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// A label value, escaped as the text format wants.
std::string Label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string_view DeliveryOutcomeName(DeliveryOutcome outcome) {
  static constexpr base::NameTable<DeliveryOutcome> kNames[] = {
      {DeliveryOutcome::kRecorded, "recorded"},         {DeliveryOutcome::kDuplicate, "duplicate"},
      {DeliveryOutcome::kUnauthorized, "unauthorized"}, {DeliveryOutcome::kInvalid, "invalid"},
      {DeliveryOutcome::kUnavailable, "unavailable"},
  };
  return base::NameOf(kNames, outcome, "invalid");
}

void Metrics::RecordDelivery(const std::string& tenant, std::string_view trigger,
                             DeliveryOutcome outcome, WallTime now) {
  std::lock_guard lock(mutex_);
  ++deliveries_[{tenant, std::string(trigger), outcome}];
  if (outcome == DeliveryOutcome::kRecorded || outcome == DeliveryOutcome::kDuplicate) {
    last_delivery_[{tenant, std::string(trigger)}] = now;
  }
}

void Metrics::RecordRefresh(const std::string& tenant, const triggers::RefreshTurn& turn) {
  std::lock_guard lock(mutex_);
  refreshes_[{tenant, "deliveries"}] += turn.deliveries;
  refreshes_[{tenant, "reads"}] += turn.reads;
  refreshes_[{tenant, "changes"}] += turn.changes;
  refreshes_[{tenant, "failures"}] += turn.error.empty() ? 0 : 1;
}

std::optional<Metrics::WallTime> Metrics::LastDelivery(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  std::optional<WallTime> last;
  for (const auto& [key, when] : last_delivery_) {
    if (key.first == tenant && (!last || when > *last)) last = when;
  }
  return last;
}

void Metrics::RenderTriggers(std::string& out) const {
  Header(out, "isc_mirror_trigger_deliveries_total", "counter",
         "Event Trigger deliveries by outcome since start");
  for (const auto& [key, n] : deliveries_) {
    const auto& [tenant, trigger, outcome] = key;
    out += fmt::format(
        "isc_mirror_trigger_deliveries_total{{tenant=\"{}\",trigger=\"{}\",outcome=\"{}\"}} {}\n",
        Label(tenant), Label(trigger), DeliveryOutcomeName(outcome), n);
  }
  Header(out, "isc_mirror_trigger_last_delivery_timestamp_seconds", "gauge",
         "when the last delivery of each trigger arrived");
  for (const auto& [key, when] : last_delivery_) {
    out += fmt::format(
        "isc_mirror_trigger_last_delivery_timestamp_seconds{{tenant=\"{}\",trigger=\"{}\"}} "
        "{}\n",
        Label(key.first), Label(key.second), Seconds(when));
  }
  Header(out, "isc_mirror_trigger_refresh_total", "counter",
         "targeted refreshes since start: deliveries claimed, reads, objects changed, failures");
  for (const auto& [key, n] : refreshes_) {
    out += fmt::format("isc_mirror_trigger_refresh_total{{tenant=\"{}\",what=\"{}\"}} {}\n",
                       Label(key.first), key.second, n);
  }
}

void Metrics::RecordRun(const std::string& tenant, const std::string& resource,
                        const sync::RunOutcome& outcome, double seconds, WallTime finished) {
  std::lock_guard lock(mutex_);
  Resource& r = resources_[{tenant, resource}];
  if (outcome.status == sync::RunStatus::kBusy) return;  // another instance ran it
  for (auto [name, value] :
       {std::pair{"objects_seen", outcome.seen}, std::pair{"objects_inserted", outcome.inserted},
        std::pair{"objects_updated", outcome.updated},
        std::pair{"objects_deleted", outcome.deleted},
        std::pair{"objects_expired", outcome.expired},
        std::pair{"parents_skipped", outcome.parents_skipped},
        std::pair{"objects_unchanged", outcome.unchanged},
        std::pair{"http_requests", outcome.http_requests},
        std::pair{"http_retries", outcome.http_retries},
        std::pair{"http_rate_limited", outcome.rate_limited}}) {
    r.counters[name] += static_cast<double>(value);
  }
  r.counters["rate_budget_wait_seconds"] += static_cast<double>(outcome.rate_wait_ms) / 1000.0;
  r.last_duration_seconds = seconds;
  r.duration_seconds_total += seconds;
  r.last_result = outcome.status;
  if (outcome.status == sync::RunStatus::kFailed) {
    ++r.runs_failed;
    ++r.failed_in_a_row;
    return;
  }
  r.failed_in_a_row = 0;
  outcome.status == sync::RunStatus::kHeld ? ++r.runs_held : ++r.runs_ok;
  r.last_success = finished;
}

void Metrics::RecordResponse(const std::string& tenant, int status, const std::string& deprecated) {
  std::lock_guard lock(mutex_);
  ++responses_[{tenant, status}];
  if (!deprecated.empty()) ++deprecated_[{tenant, deprecated}];
}

void Metrics::RecordActions(const std::string& tenant, const automation::DrainCounts& counts) {
  std::lock_guard lock(mutex_);
  using automation::ActionStatus;
  using automation::ActionStatusName;
  actions_[{tenant, std::string(ActionStatusName(ActionStatus::kSucceeded))}] += counts.succeeded;
  actions_[{tenant, std::string(ActionStatusName(ActionStatus::kFailed))}] += counts.failed;
  actions_[{tenant, "retrying"}] += counts.retrying;  // pending again: a metric's own word
  actions_[{tenant, std::string(ActionStatusName(ActionStatus::kDead))}] += counts.dead;
}

void Metrics::RecordDatabaseError(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  ++database_errors_[tenant];
}

void Metrics::SetRateBudget(const std::string& tenant, double requests_per_second) {
  std::lock_guard lock(mutex_);
  rate_budget_[tenant] = requests_per_second;
}

void Metrics::RenderRunResults(std::string& out) const {
  // A state set: 1 for the last run's result, 0 for the others; no series before a first run.
  Header(out, "isc_mirror_last_run_result", "gauge",
         "the last sync run's result: 1 for ok, failed or held, 0 for the other two");
  for (const auto& [key, r] : resources_) {
    if (!r.last_result) continue;
    for (auto status : {sync::RunStatus::kOk, sync::RunStatus::kFailed, sync::RunStatus::kHeld}) {
      out += fmt::format(
          "isc_mirror_last_run_result{{tenant=\"{}\",resource=\"{}\",result=\"{}\"}} {}\n",
          Label(key.first), Label(key.second), sync::RunStatusName(status),
          *r.last_result == status ? 1 : 0);
    }
  }
  Header(out, "isc_mirror_failed_runs_in_a_row", "gauge",
         "failed sync runs since the last run that did not fail");
  for (const auto& [key, r] : resources_) {
    out += fmt::format("isc_mirror_failed_runs_in_a_row{{tenant=\"{}\",resource=\"{}\"}} {}\n",
                       Label(key.first), Label(key.second), r.failed_in_a_row);
  }
  Header(out, "isc_mirror_rate_limit_requests_per_second", "gauge",
         "the tenant's configured request budget (per API version when per_version is set)");
  for (const auto& [tenant, budget] : rate_budget_) {
    out += fmt::format("isc_mirror_rate_limit_requests_per_second{{tenant=\"{}\"}} {}\n",
                       Label(tenant), budget);
  }
}

std::string Metrics::Render(const std::vector<std::pair<std::string, int64_t>>& actions,
                            const std::map<std::string, double>& interval_seconds,
                            WallTime now) const {
  std::lock_guard lock(mutex_);
  std::string out;
  auto per_resource = [&](std::string_view name, std::string_view type, std::string_view help,
                          auto value) {
    Header(out, name, type, help);
    for (const auto& [key, r] : resources_) {
      out += fmt::format("{}{{tenant=\"{}\",resource=\"{}\"}} {}\n", name, Label(key.first),
                         Label(key.second), value(r));
    }
  };
  for (const char* counter :
       {"objects_seen", "objects_inserted", "objects_updated", "objects_deleted", "objects_expired",
        "parents_skipped", "objects_unchanged", "http_requests", "http_retries",
        "http_rate_limited", "rate_budget_wait_seconds"}) {
    per_resource(fmt::format("isc_mirror_{}_total", counter), "counter",
                 fmt::format("{} over every sync run since start", counter),
                 [&](const Resource& r) {
                   auto it = r.counters.find(counter);
                   return it == r.counters.end() ? 0.0 : it->second;
                 });
  }
  Header(out, "isc_mirror_sync_runs_total", "counter", "sync runs by result since start");
  for (const auto& [key, r] : resources_) {
    for (auto [result, n] :
         {std::pair{sync::RunStatusName(sync::RunStatus::kOk), r.runs_ok},
          std::pair{sync::RunStatusName(sync::RunStatus::kFailed), r.runs_failed},
          std::pair{sync::RunStatusName(sync::RunStatus::kHeld), r.runs_held}}) {
      out += fmt::format(
          "isc_mirror_sync_runs_total{{tenant=\"{}\",resource=\"{}\",result=\"{}\"}} {}\n",
          Label(key.first), Label(key.second), result, n);
    }
  }
  per_resource("isc_mirror_sync_duration_seconds_total", "counter",
               "time spent in sync runs since start",
               [](const Resource& r) { return r.duration_seconds_total; });
  per_resource("isc_mirror_last_sync_duration_seconds", "gauge", "duration of the last sync run",
               [](const Resource& r) { return r.last_duration_seconds; });
  per_resource("isc_mirror_last_success_timestamp_seconds", "gauge",
               "end of the last successful sync run (0: none since start)",
               [](const Resource& r) { return r.last_success ? Seconds(*r.last_success) : 0.0; });
  per_resource(
      "isc_mirror_lag_seconds", "gauge",
      "seconds since the last successful sync run (since start if none)", [&](const Resource& r) {
        return std::chrono::duration<double>(now - r.last_success.value_or(started_)).count();
      });
  RenderRunResults(out);
  Header(out, "isc_mirror_http_responses_total", "counter",
         "answers from ISC by HTTP status (0: no answer)");
  for (const auto& [key, n] : responses_) {
    out += fmt::format("isc_mirror_http_responses_total{{tenant=\"{}\",status=\"{}\"}} {}\n",
                       Label(key.first), key.second, n);
  }
  Header(out, "isc_mirror_deprecated_responses_total", "counter",
         "answers from ISC that announced their endpoint's deprecation, by endpoint");
  for (const auto& [key, n] : deprecated_) {
    out += fmt::format("isc_mirror_deprecated_responses_total{{tenant=\"{}\",path=\"{}\"}} {}\n",
                       Label(key.first), Label(key.second), n);
  }
  Header(out, "isc_mirror_action_attempts_total", "counter",
         "action attempts by outcome since start");
  for (const auto& [key, n] : actions_) {
    out += fmt::format("isc_mirror_action_attempts_total{{tenant=\"{}\",outcome=\"{}\"}} {}\n",
                       Label(key.first), key.second, n);
  }
  Header(out, "isc_mirror_actions", "gauge", "rows of the outbox by status");
  for (const auto& [status, n] : actions) {
    out += fmt::format("isc_mirror_actions{{status=\"{}\"}} {}\n", Label(status), n);
  }
  Header(out, "isc_mirror_database_errors_total", "counter",
         "tenant loops restarted after a database error");
  for (const auto& [tenant, n] : database_errors_) {
    out += fmt::format("isc_mirror_database_errors_total{{tenant=\"{}\"}} {}\n", Label(tenant), n);
  }
  Header(out, "isc_mirror_interval_seconds", "gauge", "configured interval per resource");
  for (const auto& [resource, seconds] : interval_seconds) {
    out += fmt::format("isc_mirror_interval_seconds{{resource=\"{}\"}} {}\n", Label(resource),
                       seconds);
  }
  RenderTriggers(out);
  return out;
}

std::string Metrics::RenderDatabaseUp(bool up) {
  std::string out;
  Header(out, "isc_mirror_database_up", "gauge", "whether the database answered this scrape");
  return out + fmt::format("isc_mirror_database_up {}\n", up ? 1 : 0);
}

std::vector<std::string> Metrics::Overdue(const std::vector<std::string>& tenants,
                                          const std::map<std::string, double>& interval_seconds,
                                          double factor, WallTime now) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& tenant : tenants) {
    for (const auto& [resource, seconds] : interval_seconds) {
      auto it = resources_.find({tenant, resource});
      WallTime since = started_;
      if (it != resources_.end() && it->second.last_success) since = *it->second.last_success;
      if (std::chrono::duration<double>(now - since).count() > factor * seconds) {
        out.push_back(tenant + "/" + resource);
      }
    }
  }
  return out;
}

}  // namespace isc_mirror::daemon
