#include "automation/action_worker.hpp"

#include <fmt/format.h>

#include <random>

#include "automation/json_fields.hpp"
#include "automation/sql.hpp"
#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "base/sha256.hpp"
#include "base/text.hpp"
#include "db/sql.hpp"
#include "isc/pager.hpp"

namespace isc_mirror::automation {
namespace {

constexpr size_t kKeptResponse = 4096;  // bytes of a response body kept in the outbox
constexpr size_t kKeptText = 2048;      // bytes of a request or an error kept
// pg_notify refuses payloads of 8000 bytes or more.
constexpr size_t kMaxNotifyPayload = 7999;

// Worth another attempt later. A 401 here has already survived a fresh token: the token
// service or the credentials are failing, not this call, so the call waits rather than fails
// (and a bulk call is not taken as unavailable).
constexpr std::string_view kLeaseLost =
    "the action's lease ran out and another worker claimed it; this worker stops";

bool Transient(int status) {
  return status == 0 || status == 401 || status == 429 || status >= 500;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The notification for a row planned by an older version, which sent the whole event: the
// event's keys only, as planned now.
std::string SmallNotifyPayload(const std::string& payload) {
  if (payload.size() <= kMaxNotifyPayload) return payload;
  simdjson::dom::parser parser;
  simdjson::dom::element event;
  if (parser.parse(payload).get(event)) return "{}";
  int64_t event_id = 0;
  if (event["event_id"].get(event_id)) event_id = 0;
  std::string out;
  base::JsonWriter(out)
      .BeginObject()
      .Field("rule", TextOf(event, "rule"))
      .Field("event_id", event_id)
      .Field("resource", TextOf(event, "resource"))
      .Field("object_id", TextOf(event, "object_id").substr(0, 1024))
      .Field("op", TextOf(event, "op"))
      .EndObject();
  return out;
}

}  // namespace

struct ActionWorker::Claimed {
  int64_t id = 0;
  std::string rule;
  std::string action;
  std::string key;
  std::string params;
  int attempts = 0;
};

// What one attempt came to, and what it leaves in the action's record.
struct ActionWorker::Result {
  // kTransient also covers a lost lease: the record is then not written (another worker's).
  enum class Outcome { kDone, kRefused, kTransient } outcome = Outcome::kRefused;
  std::optional<std::chrono::milliseconds> retry_after;  // ISC's wish, after a 429
  int status = 0;
  std::string request;
  std::string response;
  std::string note;  // why it did not succeed, or how it succeeded without a call
};

ActionWorker::ActionWorker(pqxx::connection& connection, isc::IscClient& client,
                           isc::HttpTransport& web, const std::vector<Rule>& rules,
                           WorkerSettings settings)
    : connection_(connection),
      client_(client),
      web_(web),
      rules_(rules),
      settings_(std::move(settings)) {}

std::optional<ActionWorker::Claimed> ActionWorker::Claim() {
  pqxx::work tx(connection_);
  // A row whose attempts are spent is not handed out again: it ran out of them while its
  // worker died mid-call each time (or max_attempts was lowered), so it is dead.
  tx.exec_params(std::string(sql::kBurySpentActions), settings_.tenant, settings_.max_attempts);
  // Running rows past their lease belong to a worker that died mid-call: they run again.
  auto rows =
      tx.exec_params(std::string(sql::kClaimAction), settings_.tenant,
                     static_cast<double>(settings_.lease.count()) / 1000.0, settings_.max_attempts);
  tx.commit();
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  Claimed claimed{.id = r["id"].as<int64_t>(),
                  .rule = r["rule"].as<std::string>(),
                  .action = r["action"].as<std::string>(),
                  .key = r["idempotency_key"].as<std::string>(),
                  .params = r["params"].as<std::string>(),
                  .attempts = r["attempts"].as<int>()};
  client_.Bound(LeaseBounds());
  return claimed;
}

isc::WaitBounds ActionWorker::LeaseBounds() const {
  // A fifth of the lease is kept back for the clocks of the two machines and the record.
  return {.deadline = std::chrono::steady_clock::now() + settings_.lease * 4 / 5,
          .cancel = cancel_,
          .heartbeat = outside_.heartbeat};
}

bool ActionWorker::Renew(const Claimed& action) {
  pqxx::work tx(connection_);
  auto renewed = tx.exec_params(std::string(sql::kRenewActionLease), action.id, action.attempts,
                                static_cast<double>(settings_.lease.count()) / 1000.0);
  tx.commit();
  if (renewed.affected_rows() == 0) return false;
  client_.Bound(LeaseBounds());
  return true;
}

ActionWorker::Verified ActionWorker::CheckDone(const Claimed& action, const DoneCheck& check,
                                               std::set<std::string>* done_ids) {
  bool done = true;
  auto scan = isc::Scan(client_, check.path, check.query,
                        check.paged ? isc::Paging::kOffset : isc::Paging::kNone, stats_,
                        [&](std::string_view body) -> base::Expected<int64_t> {
                          if (!Renew(action)) return base::Error{std::string(kLeaseLost)};
                          auto page = PageShowsDone(check, body, done, done_ids);
                          if (!page) return base::Error{page.error()};
                          done = *page;
                          return 1;
                        });
  std::string request = "GET " + check.path + (check.query.empty() ? "" : "?" + check.query);
  if (scan) return {done ? Verified::State::kDone : Verified::State::kNotDone, request, ""};
  // A refusal of the listing itself (gone, forbidden) tells nothing: the call will answer.
  int status = scan.failure().status;
  if (status >= 400 && !Transient(status)) return {Verified::State::kNotDone, request, ""};
  return {Verified::State::kUnknown, request, scan.error()};
}

ActionWorker::Result ActionWorker::Send(const Claimed& action, const Call& call) {
  Result r;
  r.request = call.method + " " + call.path;
  if (!Renew(action)) {
    r.outcome = Result::Outcome::kTransient;
    r.note = fmt::format("{} not made: {}", r.request, kLeaseLost);
    return r;
  }
  auto answer =
      client_.Send(call.method, call.path, call.body, call.content_type, stats_, call.experimental);
  if (!answer) {
    const isc::IscFailure& failure = answer.failure();
    r.status = failure.status;
    r.outcome = Transient(failure.status) ? Result::Outcome::kTransient : Result::Outcome::kRefused;
    r.note = failure.message;
    r.retry_after = failure.retry_after;
    return r;
  }
  r.status = answer->status;
  r.response = answer->body;
  // A 2xx whose body says failure (DAS assign's 0, a 207 item's 404) failed: ISC answered. One
  // whose body cannot be read (cut, garbled) leaves it unknown: the next attempt reads the
  // tenant first where the action has a done check.
  auto checked = CheckAnswer(call, answer->status, answer->body);
  if (checked.verdict == AnswerVerdict::kSaysFailure) {
    r.note = fmt::format("{} failed: {}", r.request, checked.error);
    return r;
  }
  if (checked.verdict == AnswerVerdict::kUnreadable) {
    r.outcome = Result::Outcome::kTransient;
    r.note = fmt::format("{}: whether it worked is unknown: {}", r.request, checked.error);
    return r;
  }
  r.outcome = Result::Outcome::kDone;
  return r;
}

ActionWorker::Result ActionWorker::PostWebhook(const Claimed& action, const StoredAction& stored) {
  size_t step = stored.step;
  // The URL and the secret stay in the config: the outbox holds neither.
  std::string secret, url;
  for (const auto& rule : rules_) {
    if (rule.name == action.rule && step < rule.steps.size()) {
      const auto& given = rule.steps[step].params;
      if (auto it = given.find("secret"); it != given.end()) secret = it->second;
      if (auto it = given.find("url"); it != given.end()) url = it->second;
    }
  }
  // Rows planned before 0.x kept the URL in the outbox.
  if (url.empty() && stored.planned.target.find("[redacted]") == std::string::npos) {
    url = stored.planned.target;
  }
  Result r;
  if (secret.empty() || url.empty()) {
    r.note = fmt::format("rule {} has no webhook {} at step {} any more", action.rule,
                         secret.empty() ? "secret" : "url", step);
    return r;
  }
  if (!Renew(action)) {
    r.outcome = Result::Outcome::kTransient;
    r.note = std::string(kLeaseLost);
    return r;
  }
  isc::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = stored.planned.payload;
  request.timeout = std::chrono::seconds(30);
  request.headers = {"Content-Type: application/json",
                     "X-Isc-Mirror-Signature: sha256=" + base::HmacSha256Hex(secret, request.body),
                     "X-Isc-Mirror-Idempotency-Key: " + action.key};
  auto response = web_.Send(request);
  r.request = "POST " + base::RedactUrl(url);
  r.status = response.status;
  r.response = response.body;
  bool answered = response.failure == isc::TransportFailure::kNone;
  if (answered && response.status >= 200 && response.status < 300) {
    r.outcome = Result::Outcome::kDone;
  } else {
    r.outcome = !answered || Transient(response.status) ? Result::Outcome::kTransient
                                                        : Result::Outcome::kRefused;
    // libcurl's message may quote the URL.
    r.note = !answered ? fmt::format("the webhook at {} failed: {}", base::RedactUrl(url),
                                     Replace(response.error, url, base::RedactUrl(url)))
                       : fmt::format("the webhook answered HTTP {}", response.status);
  }
  return r;
}

ActionWorker::Result ActionWorker::ExecuteIsc(const Claimed& action, const PlannedAction& planned) {
  const std::vector<Call>& calls = planned.calls;
  if (calls.empty()) return Result{.note = "the action has no call"};
  bool each = planned.each;
  // A repeat: an earlier attempt may have done the work and lost the answer. Read first.
  std::set<std::string> done_ids;
  if (!planned.done.path.empty() && action.attempts > 1) {
    auto verified = CheckDone(action, planned.done, each ? &done_ids : nullptr);
    Result r;
    r.request = verified.request;
    if (verified.state == Verified::State::kDone) {
      r.outcome = Result::Outcome::kDone;
      r.status = 200;
      r.note = "no call: the tenant shows the work done by an earlier attempt";
      return r;
    }
    if (verified.state == Verified::State::kUnknown) {
      r.outcome = Result::Outcome::kTransient;
      r.note = "could not read whether an earlier attempt did the work: " + verified.error;
      return r;
    }
  }
  if (each) return SendEach(action, calls, done_ids);
  auto first = Send(action, calls.front());
  if (first.outcome != Result::Outcome::kRefused || calls.size() == 1) return first;
  // The first call was refused: make the others instead (rows planned by older versions).
  base::log::Info("call refused; making the alternative calls",
                  {{"action", action.id}, {"error", first.note}, {"calls", calls.size() - 1}});
  auto rest = SendEach(action, {calls.begin() + 1, calls.end()}, done_ids);
  if (rest.outcome == Result::Outcome::kDone)
    rest.request = fmt::format("{} (after {}: {})", rest.request, first.request, first.note);
  return rest;
}

ActionWorker::Result ActionWorker::SendEach(const Claimed& action, const std::vector<Call>& calls,
                                            const std::set<std::string>& done_ids) {
  Result all{.outcome = Result::Outcome::kDone};
  size_t made = 0, skipped = 0;
  for (const auto& call : calls) {
    if (!call.object.empty() && done_ids.contains(call.object)) {
      ++skipped;  // an earlier attempt's call already shows in the tenant
      continue;
    }
    auto one = Send(action, call);
    if (one.outcome != Result::Outcome::kDone) {
      if (made + skipped > 0) {
        one.note += fmt::format(" ({} of {} calls had worked)", made + skipped, calls.size());
      }
      return one;
    }
    ++made;
    all.request = one.request;
    all.status = one.status;
    all.response = one.response;
  }
  if (calls.size() > 1) {
    all.request = fmt::format("{} calls, the last {}{}", made, all.request,
                              skipped > 0 ? fmt::format("; {} already done", skipped) : "");
  }
  if (made == 0) {
    all.status = 200;
    all.note = "no call: the tenant shows the work done by an earlier attempt";
  }
  return all;
}

ActionWorker::Result ActionWorker::Execute(const Claimed& action,
                                           const base::Expected<StoredAction>& stored) {
  if (!stored) return Result{.note = stored.error()};
  switch (stored->planned.kind) {
    case ActionKind::kWebhook:
      return PostWebhook(action, *stored);
    case ActionKind::kIsc:
      return ExecuteIsc(action, stored->planned);
    case ActionKind::kNotify:
      break;  // sent by Notify, in the record's transaction
  }
  return Result{.note = "a notification cannot be executed outside its record"};
}

void ActionWorker::Record(const Claimed& action, const Result& result, DrainCounts& counts) {
  ActionStatus status = ActionStatus::kPending;
  std::optional<double> retry_in;
  if (result.outcome == Result::Outcome::kDone) {
    status = ActionStatus::kSucceeded;
  } else if (result.outcome == Result::Outcome::kRefused) {
    status = ActionStatus::kFailed;
  } else if (action.attempts >= settings_.max_attempts) {
    status = ActionStatus::kDead;
  } else {
    // The client's backoff, with half of it kept: an action is not retried within seconds.
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    auto delay =
        isc::BackoffDelay(std::min(action.attempts - 1, 20),
                          {.base_delay = settings_.base_delay, .max_delay = settings_.max_delay},
                          std::uniform_real_distribution<double>(0.5, 1.0)(rng));
    retry_in = static_cast<double>(delay.count()) / 1000.0;
    // Not before ISC allows: a call given up on a long Retry-After would only meet another 429.
    if (result.retry_after)
      retry_in = std::max(*retry_in, static_cast<double>(result.retry_after->count()) / 1000.0);
  }
  pqxx::work tx(connection_);
  auto recorded = tx.exec_params(std::string(sql::kRecordAction), action.id,
                                 std::string(ActionStatusName(status)), retry_in,
                                 base::StorableText(result.request, kKeptText), result.status,
                                 base::StorableText(result.response, kKeptResponse),
                                 base::StorableText(result.note, kKeptText), action.attempts);
  tx.commit();
  if (recorded.affected_rows() == 0) {
    base::log::Warn(
        "action result not recorded: another worker claimed the action after this one's "
        "lease ran out",
        {{"id", action.id}, {"attempt", action.attempts}, {"error", result.note}});
    return;
  }
  Count(status, action, counts);
  base::log::Write(
      result.outcome == Result::Outcome::kDone ? spdlog::level::info : spdlog::level::warn,
      fmt::format("action {}", ActionStatusName(status)),
      {{"id", action.id},
       {"rule", action.rule},
       {"action", action.action},
       {"attempt", action.attempts},
       {"request", result.request},
       {"status", result.status},
       {"error", result.note}});
}

void ActionWorker::RecordError(const Claimed& action, std::string_view what, DrainCounts& counts) {
  base::log::Error("action failed inside isc-mirror", {{"id", action.id}, {"error", what}});
  pqxx::work tx(connection_);
  auto recorded = tx.exec_params(
      std::string(sql::kRecordActionError), action.id,
      base::StorableText(fmt::format("isc-mirror could not run or record it: {}", what), kKeptText),
      action.attempts);
  tx.commit();
  if (recorded.affected_rows() > 0) ++counts.failed;
}

void ActionWorker::Notify(const Claimed& action, const PlannedAction& planned,
                          DrainCounts& counts) {
  // A notification is part of the database: sent on commit with the row marked succeeded,
  // so it goes out exactly once.
  pqxx::work tx(connection_);
  tx.exec_params(std::string(db::sql::kNotify), planned.target,
                 SmallNotifyPayload(planned.payload));
  auto recorded =
      tx.exec_params(std::string(sql::kRecordNotification), action.id,
                     base::StorableText("NOTIFY " + planned.target, kKeptText), action.attempts);
  if (recorded.affected_rows() == 0) return;  // another worker holds it: no notification
  tx.commit();
  ++counts.succeeded;
}

void ActionWorker::Count(ActionStatus status, const Claimed& action, DrainCounts& counts) {
  if (status == ActionStatus::kSucceeded) {
    ++counts.succeeded;
    const ActionSpec* spec = FindActionSpec(action.action);
    if (spec != nullptr && spec->touches_das_owners) counts.das_owners_changed = true;
  } else if (status == ActionStatus::kFailed) {
    ++counts.failed;
  } else if (status == ActionStatus::kDead) {
    ++counts.dead;
  } else {
    ++counts.retrying;
  }
}

DrainCounts ActionWorker::RunDue(const std::atomic<bool>* cancel) {
  DrainCounts counts;
  cancel_ = cancel;
  outside_ = client_.bounds();  // the sync's, given back after the actions
  while (cancel == nullptr || !cancel->load()) {
    outside_.Beat();
    auto action = Claim();
    if (!action) break;
    // Every error is the action's: recorded on it, so that it neither stays running nor stops
    // the actions after it. A lost database connection is the loop's (it reconnects).
    try {
      auto stored = DecodeStoredAction(action->params);
      if (stored && stored->planned.kind == ActionKind::kNotify) {
        Notify(*action, stored->planned, counts);
        continue;
      }
      Record(*action, Execute(*action, stored), counts);
    } catch (const pqxx::broken_connection&) {
      client_.Bound(outside_);
      throw;
    } catch (const std::exception& e) {
      RecordError(*action, e.what(), counts);
    }
  }
  client_.Bound(outside_);
  return counts;
}

}  // namespace isc_mirror::automation
