#include "automation/actions.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>

#include "base/json_writer.hpp"
#include "base/text.hpp"
#include "isc/isc_client.hpp"
#include "sync/canonical.hpp"
#include "sync/row.hpp"

namespace isc_mirror::automation {
namespace {

const std::vector<ActionSpec>& Specs() {
  // Scopes and user levels as the definitions give them for each action's calls.
  static const std::vector<std::string_view> kDasAdmin = {"ORG_ADMIN"};
  static const std::vector<std::string_view> kAccountAdmins = {"ORG_ADMIN", "SOURCE_ADMIN",
                                                               "SOURCE_SUBADMIN", "HELPDESK"};
  static const std::vector<ActionSpec> kSpecs = {
      {.name = "das_reassign_owner",
       .params = {"to", "fallback", "from"},
       .required = {"to"},
       .scopes = {"das:owners:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/das/v1/owners/00000000-0000-0000-0000-000000000000/resources"},
      {.name = "das_assign_owner",
       .params = {"app_id", "full_path", "identity", "fallback"},
       .required = {"app_id", "full_path", "identity"},
       .scopes = {"das:owners:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/das/v1/owners/00000000-0000-0000-0000-000000000000/resources"},
      {.name = "das_reelect_owner",
       .params = {"owner", "fallback", "campaign_name", "reviewers"},
       .required = {"owner"},
       .scopes = {"das:owners:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/das/v1/owners/00000000-0000-0000-0000-000000000000/resources"},
      {.name = "das_task_rerun",
       .params = {"task_id"},
       .scopes = {"das:task:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/das/v1/tasks?limit=1"},
      {.name = "das_task_cancel",
       .params = {"task_id"},
       .scopes = {"das:task:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/das/v1/tasks?limit=1"},
      {.name = "certification_reassign",
       .params = {"to", "fallback", "reviewer", "reason"},
       .required = {"to"},
       .scopes = {"idn:campaign:manage"},
       .user_token_only = true,
       .user_levels = {"ORG_ADMIN", "CERT_ADMIN"},
       .read_check = "/v3/certification-tasks?limit=1"},
      {.name = "accounts_disable",
       .params = {"identity"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kAccountAdmins,
       .read_check = "/v2024/accounts?limit=1"},
      {.name = "accounts_enable",
       .params = {"identity"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kAccountAdmins,
       .read_check = "/v2024/accounts?limit=1"},
      {.name = "identity_disable",
       .params = {"identity"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/v2024/identities?limit=1"},
      {.name = "identity_enable",
       .params = {"identity"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kDasAdmin,
       .read_check = "/v2024/identities?limit=1"},
      {.name = "account_unlock",
       .params = {"account_id"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kAccountAdmins,
       .read_check = "/v2024/accounts?limit=1"},
      {.name = "account_reload",
       .params = {"account_id"},
       .scopes = {"idn:accounts-state:manage"},
       .user_levels = kAccountAdmins,
       .read_check = "/v2024/accounts?limit=1"},
      {.name = "task_status_clear",
       .params = {"task_id", "completion_status"},
       .scopes = {"idn:task-management:write"},
       .user_token_only = true,
       .user_levels = {"ORG_ADMIN", "CERT_ADMIN", "REPORT_ADMIN", "ROLE_ADMIN", "ROLE_SUBADMIN",
                       "SOURCE_ADMIN", "SOURCE_SUBADMIN"},
       .read_check = "/v2025/task-status?limit=1"},
      {.name = "webhook", .params = {"url", "secret"}, .required = {"url", "secret"}},
      {.name = "notify", .params = {"channel"}, .required = {"channel"}},
  };
  return kSpecs;
}

std::string Param(const ActionStep& step, std::string_view name) {
  auto it = step.params.find(std::string(name));
  return it == step.params.end() ? std::string() : it->second;
}

// The event's JSON as webhooks and notifications carry it.
std::string EventJson(const Rule& rule, const sync::Event& event) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("rule", rule.name)
      .Field("event_id", event.event_id)
      .Field("resource", event.resource)
      .Field("object_id", event.object_id)
      .Field("op", event.op)
      .Key("changed_paths")
      .BeginArray();
  for (const auto& p : event.changed_paths) w.String(p);
  w.EndArray();
  w.Key("before");
  event.before ? w.Raw(*event.before) : w.Null();
  w.Key("after");
  event.after ? w.Raw(*event.after) : w.Null();
  w.EndObject();
  return out;
}

std::string NotifyJson(const Rule& rule, const sync::Event& event) {
  std::string out;
  base::JsonWriter(out)
      .BeginObject()
      .Field("rule", rule.name)
      .Field("event_id", event.event_id)
      .Field("resource", event.resource)
      .Field("object_id", event.object_id)
      .Field("op", event.op)
      .EndObject();
  return out;
}

// A webhook or a notification about the event.
PlannedAction PlanMessage(const Rule& rule, const ActionStep& step, const sync::Event& event,
                          const std::string& why) {
  PlannedAction a;
  a.kind = step.action;
  bool webhook = step.action == "webhook";
  // The webhook's URL stays in the config, like its secret: only its host is shown.
  a.target = webhook ? base::RedactUrl(Param(step, "url")) : Param(step, "channel");
  // Listeners read the rest from mirror.change_events: pg_notify refuses 8000 bytes.
  a.payload = webhook ? EventJson(rule, event) : NotifyJson(rule, event);
  a.summary = fmt::format("{} {} about {}", webhook ? "post to" : "notify channel", a.target, why);
  return a;
}

// Where a step's identity comes from: the parameter, else the event's identity.
std::optional<std::string> SubjectIdentity(const ActionStep& step, std::string_view param,
                                           const sync::Event& event, std::string& error) {
  std::string given = Param(step, param);
  std::string id;
  if (!given.empty()) {
    auto expanded = ExpandTemplate(given, event);
    if (!expanded) {
      error = expanded.error();
      return std::nullopt;
    }
    id = *expanded;
  } else if (event.resource == "identities") {
    id = event.object_id;
  } else if (event.resource == "accounts") {
    auto json = event.after ? event.after : event.before;
    id = json ? ValueAt(*json, "/identityId").value_or("") : "";
  }
  if (id.empty()) {
    error = fmt::format("no identity: set {} (the event is a {} change)", param, event.resource);
    return std::nullopt;
  }
  auto normal = sync::NormalizeIdentityId(id);
  if (!normal) {
    error = fmt::format("'{}' is not an identity id", id);
    return std::nullopt;
  }
  return *normal;
}

// The object id of the event when it is of `resource`, else the parameter.
std::optional<std::string> ObjectParam(const ActionStep& step, std::string_view param,
                                       std::string_view resource, const sync::Event& event,
                                       std::string& error) {
  std::string given = Param(step, param);
  if (given.empty()) {
    if (event.resource == resource) return event.object_id;
    error =
        fmt::format("set {} (the event is a {} change, not {})", param, event.resource, resource);
    return std::nullopt;
  }
  auto expanded = ExpandTemplate(given, event);
  if (!expanded) {
    error = expanded.error();
    return std::nullopt;
  }
  return *expanded;
}

struct Target {
  std::string id;
  std::string how;  // "manager", "identity" or "fallback identity"
};

// `to: manager` or an identity id (or template); the fallback when that does not resolve.
std::optional<Target> ResolveTarget(const ActionStep& step, std::string_view param,
                                    const std::string& subject, const sync::Event& event,
                                    PlanContext& context, std::string& error) {
  std::string wanted = Param(step, param);
  std::optional<Target> found;
  if (wanted == "manager") {
    if (auto manager = context.ManagerOf(subject)) found = Target{*manager, "manager"};
  } else if (auto expanded = ExpandTemplate(wanted, event)) {
    auto id = sync::NormalizeIdentityId(*expanded);
    if (id && context.Usable(*id)) found = Target{*id, "identity"};
  }
  if (found) return found;
  std::string fallback = Param(step, "fallback");
  auto fallback_id = sync::NormalizeIdentityId(fallback);
  if (!fallback.empty() && fallback_id && context.Usable(*fallback_id)) {
    return Target{*fallback_id, "fallback identity"};
  }
  error = fmt::format(
      "{} '{}' does not resolve for identity {} (absent, deleted or a leaver) and {} (hint: set "
      "fallback to an active identity)",
      param, wanted, subject,
      fallback.empty() ? "no fallback is set" : "the fallback " + fallback + " is not usable");
  return std::nullopt;
}

std::string Why(const Rule& rule, const sync::Event& event) {
  return fmt::format("rule {}, {} {} {} (event {})", rule.name, event.resource, event.op,
                     event.object_id, event.event_id);
}

PlannedAction Failed(std::string summary, std::string error) {
  PlannedAction a;
  a.kind = "isc";
  a.summary = std::move(summary);
  a.error = std::move(error);
  return a;
}

// accounts_disable / accounts_enable: one call per source account of the identity that the
// mirror does not already show in that state. Every call is made; on a repeat the done check's
// listing (the identity's accounts, read back from ISC) drops the accounts already there.
std::vector<PlannedAction> PlanAccountToggles(const std::string& identity, bool disable,
                                              const std::string& why, PlanContext& context) {
  std::string verb = disable ? "disable" : "enable";
  PlannedAction a;
  a.kind = "isc";
  a.each = true;
  for (const auto& account : context.AccountsToToggle(identity, disable)) {
    // AccountToggleRequest is a required body; an empty object asks for nothing more.
    a.calls.push_back(
        {.method = "POST",
         .path = fmt::format("/v2024/accounts/{}/{}", isc::PercentEncode(account), verb),
         .body = "{}",
         .expect = Expect::kTask,
         .object = account});
  }
  if (a.calls.empty()) return {};  // every account is already in that state
  a.summary = fmt::format("{} {} source account{} of identity {} ({})", verb, a.calls.size(),
                          a.calls.size() == 1 ? "" : "s", identity, why);
  a.done.path = "/v2024/accounts";
  a.done.query = "filters=" + isc::PercentEncode(fmt::format("identityId eq \"{}\"", identity));
  a.done.every = "disabled";
  a.done.is = disable;
  return {std::move(a)};
}

// identity_disable / identity_enable: the identity's ISC (IDN) login account, not its accounts
// on sources; that is what identities-accounts/disable does (its definition: "disable IDN
// account for each identity").
std::vector<PlannedAction> PlanLoginToggle(const std::string& identity, bool disable,
                                           const std::string& why) {
  std::string verb = disable ? "disable" : "enable";
  std::string body;
  base::JsonWriter w(body);
  w.BeginObject().Key("identityIds").BeginArray().String(identity).EndArray().EndObject();
  PlannedAction a;
  a.kind = "isc";
  a.summary = fmt::format("{} the ISC login of identity {} ({})", verb, identity, why);
  a.calls.push_back({.method = "POST",
                     .path = "/v2024/identities-accounts/" + verb,
                     .body = body,
                     .expect = Expect::kMultiStatus,
                     .object = identity});
  return {std::move(a)};
}

std::string NowIso() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return sync::EpochSecondsToTimestamp(seconds);
}

}  // namespace

std::span<const ActionSpec> ActionSpecs() {
  return Specs();
}

const ActionSpec* FindActionSpec(std::string_view name) {
  for (const auto& spec : Specs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<std::string> CheckStep(const ActionStep& step) {
  const ActionSpec* spec = FindActionSpec(step.action);
  if (spec == nullptr) return fmt::format("unknown action {}", step.action);
  for (const auto& [name, value] : step.params) {
    if (std::find(spec->params.begin(), spec->params.end(), name) == spec->params.end()) {
      std::string known;
      for (auto p : spec->params) known += (known.empty() ? "" : ", ") + std::string(p);
      return fmt::format("{}: unknown parameter '{}' (it takes: {})", step.action, name, known);
    }
    if (name == "secret") continue;  // a secret is never a template
    if (auto error = CheckTemplate(value))
      return fmt::format("{}.{}: {}", step.action, name, *error);
  }
  for (auto name : spec->required) {
    if (!step.params.contains(std::string(name))) {
      return fmt::format("{}: missing parameter '{}'", step.action, name);
    }
  }
  if (step.action == "webhook") {
    // The URL is not quoted: its path is often a credential.
    const std::string& url = step.params.at("url");
    if (!url.starts_with("https://") || url.size() <= 8 || url[8] == '/') {
      return fmt::format(
          "webhook.url: {} is not an https:// URL (the payload carries identity data, and the "
          "URL itself is often a credential: plain http is refused)",
          base::RedactUrl(url));
    }
  }
  return std::nullopt;
}

base::Expected<bool> PageShowsDone(const DoneCheck& check, std::string_view page, bool done,
                                   std::set<std::string>* done_ids) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(page.data(), page.size()).get(doc) || !doc.is_array()) {
    return base::Error{"the listing is not a JSON array"};
  }
  for (auto item : doc.get_array()) {
    if (!item.is_object()) return base::Error{"the listing holds something other than objects"};
    if (!check.every.empty()) {
      bool value = false;
      if (item[check.every].get(value)) {
        return base::Error{fmt::format("a listed object has no boolean '{}'", check.every)};
      }
      done = done && value == check.is;
      std::string_view id;
      if (done_ids != nullptr && value == check.is && !item["id"].get(id)) done_ids->emplace(id);
      continue;
    }
    if (check.absent.empty()) {
      done = false;
      continue;
    }
    std::string_view id;
    if (item["id"].get(id)) continue;
    done = done && std::find(check.absent.begin(), check.absent.end(), id) == check.absent.end();
  }
  return done;
}

namespace {

constexpr std::pair<Expect, std::string_view> kExpectNames[] = {
    {Expect::kAny, "any"},
    {Expect::kNoContent, "no_content"},
    {Expect::kOne, "one"},
    {Expect::kCount, "count"},
    {Expect::kPositiveCount, "positive_count"},
    {Expect::kTask, "task"},
    {Expect::kCertificationTask, "certification_task"},
    {Expect::kMultiStatus, "multi_status"},
    {Expect::kTaskStatus, "task_status"},
};

std::string Quoted(std::string_view body) {
  constexpr size_t kShown = 200;
  return body.size() <= kShown ? std::string(body) : std::string(body.substr(0, kShown)) + "...";
}

std::string TextOf(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  return e[key].get(v) ? std::string() : std::string(v);
}

AnswerCheck Fails(std::string error) {
  return {.verdict = AnswerVerdict::kSaysFailure, .error = std::move(error)};
}
AnswerCheck Unreadable(std::string error) {
  return {.verdict = AnswerVerdict::kUnreadable, .error = std::move(error)};
}

// A 207 answer carries one status per item; it worked only if every item did.
AnswerCheck CheckMultiStatus(simdjson::dom::element doc) {
  if (!doc.is_array()) return Unreadable("the 207 answer is not a list of item results");
  for (auto item : doc.get_array()) {
    int64_t code = 0;
    if (item["statusCode"].get(code)) return Unreadable("a 207 item has no statusCode");
    if (code < 200 || code >= 300) {
      std::string message = TextOf(item, "message");
      return Fails(fmt::format("item {} answered {}{}", TextOf(item, "id"), code,
                               message.empty() ? "" : ": " + message));
    }
  }
  return {};
}

AnswerCheck CheckCertificationTask(simdjson::dom::element doc) {
  if (TextOf(doc, "id").empty()) return Unreadable("the answer is not a certification task");
  simdjson::dom::array errors;
  if (!doc["errors"].get(errors) && errors.size() > 0) {
    return Fails(fmt::format("the reassignment task {} reports errors: {}", TextOf(doc, "id"),
                             simdjson::minify(errors)));
  }
  if (TextOf(doc, "status") == "ERROR") {
    return Fails(fmt::format("the reassignment task {} is in ERROR", TextOf(doc, "id")));
  }
  return {};
}

AnswerCheck CheckNumber(Expect expect, int status, std::string_view body,
                        simdjson::dom::element doc) {
  int64_t number = 0;
  if (doc.get(number)) {
    return Unreadable(
        fmt::format("HTTP {} with an answer that is not a number: {}", status, Quoted(body)));
  }
  if (expect == Expect::kOne && number != 1) {
    return Fails(
        fmt::format("HTTP {} but the answer is {}, not 1 (1 is success, anything else failure)",
                    status, number));
  }
  int64_t least = expect == Expect::kPositiveCount ? 1 : 0;
  if (number < least) {
    return Fails(fmt::format("HTTP {} but the answer is {}, not a count of at least {}", status,
                             number, least));
  }
  return {};
}

}  // namespace

std::string_view ExpectName(Expect expect) {
  for (const auto& [value, name] : kExpectNames) {
    if (value == expect) return name;
  }
  return "any";
}

std::optional<Expect> ExpectFromName(std::string_view name) {
  for (const auto& [value, known] : kExpectNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

AnswerCheck CheckAnswer(const Call& call, int status, std::string_view body) {
  if (status < 200 || status >= 300) return Fails(fmt::format("HTTP {}", status));
  Expect expect = call.expect;
  if (expect == Expect::kAny && status == 207) expect = Expect::kMultiStatus;  // older rows
  if (expect == Expect::kAny || expect == Expect::kNoContent) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) {
    return Unreadable(
        fmt::format("HTTP {} with an answer that is not JSON: {}", status, Quoted(body)));
  }
  switch (expect) {
    case Expect::kOne:
    case Expect::kCount:
    case Expect::kPositiveCount:
      return CheckNumber(expect, status, body, doc);
    case Expect::kTask:
      if (TextOf(doc, "id").empty()) {
        return Unreadable(
            fmt::format("HTTP {} but the answer names no task: {}", status, Quoted(body)));
      }
      return {};
    case Expect::kCertificationTask:
      return CheckCertificationTask(doc);
    case Expect::kMultiStatus:
      return CheckMultiStatus(doc);
    case Expect::kTaskStatus:
      if (!doc.is_object()) return Unreadable("the answer is not a task status");
      if (TextOf(doc, "completionStatus") != call.expect_value) {
        return Fails(fmt::format("HTTP {} but the task's completionStatus is '{}', not {}", status,
                                 TextOf(doc, "completionStatus"), call.expect_value));
      }
      return {};
    default:
      return {};
  }
}

std::string DashedUuid(std::string_view hex32) {
  if (hex32.size() != 32) return std::string(hex32);
  return fmt::format("{}-{}-{}-{}-{}", hex32.substr(0, 8), hex32.substr(8, 4), hex32.substr(12, 4),
                     hex32.substr(16, 4), hex32.substr(20));
}

std::vector<PlannedAction> PlanAction(const Rule& rule, size_t step_index, const sync::Event& event,
                                      PlanContext& context) {
  const ActionStep& step = rule.steps.at(step_index);
  const std::string& action = step.action;
  std::string why = Why(rule, event);
  std::string error;
  auto isc = [](std::string summary, std::vector<Call> calls) {
    PlannedAction a;
    a.kind = "isc";
    a.summary = std::move(summary);
    a.calls = std::move(calls);
    return std::vector<PlannedAction>{std::move(a)};
  };

  if (action == "webhook" || action == "notify") return {PlanMessage(rule, step, event, why)};

  if (action == "das_task_rerun" || action == "das_task_cancel") {
    auto task = ObjectParam(step, "task_id", "das_tasks", event, error);
    bool rerun = action == "das_task_rerun";
    std::string summary =
        fmt::format("{} DAS task {} ({})", rerun ? "rerun" : "cancel", task.value_or("?"), why);
    if (!task) return {Failed(summary, error)};
    return isc(summary, {{.method = "POST",
                          .path = fmt::format("/das/v1/tasks/{}/{}", rerun ? "rerun" : "cancel",
                                              isc::PercentEncode(*task)),
                          .expect = Expect::kNoContent}});
  }

  if (action == "account_unlock" || action == "account_reload") {
    auto account = ObjectParam(step, "account_id", "accounts", event, error);
    bool unlock = action == "account_unlock";
    std::string summary =
        fmt::format("{} account {} ({})", unlock ? "unlock" : "reload", account.value_or("?"), why);
    if (!account) return {Failed(summary, error)};
    // unlock takes an AccountUnlockRequest body (required); reload takes none.
    return isc(summary, {{.method = "POST",
                          .path = fmt::format("/v2024/accounts/{}/{}", isc::PercentEncode(*account),
                                              unlock ? "unlock" : "reload"),
                          .body = unlock ? "{}" : "",
                          .expect = Expect::kTask,
                          .object = *account}});
  }

  if (action == "task_status_clear") {
    auto task = ObjectParam(step, "task_id", "task_statuses", event, error);
    std::string status = Param(step, "completion_status");
    if (status.empty()) status = "ERROR";
    std::string summary =
        fmt::format("clear pending task {} as {} ({})", task.value_or("?"), status, why);
    if (!task) return {Failed(summary, error)};
    std::string body;
    base::JsonWriter w(body);
    w.BeginArray()
        .BeginObject()
        .Field("op", "replace")
        .Field("path", "/completionStatus")
        .Field("value", status)
        .EndObject()
        .BeginObject()
        .Field("op", "replace")
        .Field("path", "/completed")
        .Field("value", NowIso())
        .EndObject()
        .EndArray();
    // v2025: "Use this API to clear a pending task by updating the completionStatus and
    // completed attributes."
    return isc(summary, {{.method = "PATCH",
                          .path = "/v2025/task-status/" + isc::PercentEncode(*task),
                          .body = body,
                          .content_type = "application/json-patch+json",
                          .expect = Expect::kTaskStatus,
                          .expect_value = status}});
  }

  // The rest act on or for an identity.
  if (action == "das_assign_owner") {
    std::string summary_base = fmt::format("assign DAS resource {} of application {}",
                                           Param(step, "full_path"), Param(step, "app_id"));
    auto app = ExpandTemplate(Param(step, "app_id"), event);
    auto path = ExpandTemplate(Param(step, "full_path"), event);
    if (!app || !path) return {Failed(summary_base, !app ? app.error() : path.error())};
    int64_t app_id = 0;
    try {
      app_id = std::stoll(*app);
    } catch (const std::exception&) {
      return {Failed(summary_base, fmt::format("app_id '{}' is not a number", *app))};
    }
    std::string subject = event.resource == "identities" ? event.object_id : "";
    auto target = ResolveTarget(step, "identity", subject, event, context, error);
    if (!target) return {Failed(summary_base + " (" + why + ")", error)};
    std::string body;
    base::JsonWriter w(body);
    w.BeginObject()
        .Field("appId", app_id)
        .Field("fullPath", *path)
        .Field("identityId", DashedUuid(target->id))
        .EndObject();
    return isc(fmt::format("{} to {} {} ({})", summary_base, target->how, target->id, why),
               {{.method = "POST",
                 .path = "/das/v1/owners/assign",
                 .body = body,
                 .expect = Expect::kOne}});
  }

  if (action == "das_reelect_owner") {
    std::string subject = event.resource == "identities" ? event.object_id : "";
    auto owner = ResolveTarget(step, "owner", subject, event, context, error);
    if (!owner) return {Failed("re-elect a DAS resource owner (" + why + ")", error)};
    std::string body;
    base::JsonWriter w(body);
    w.BeginObject().Field("ownerId", DashedUuid(owner->id));
    if (auto name = Param(step, "campaign_name"); !name.empty()) {
      auto expanded = ExpandTemplate(name, event);
      if (!expanded)
        return {Failed("re-elect a DAS resource owner (" + why + ")", expanded.error())};
      w.Field("campaignName", *expanded);
    }
    if (auto reviewers = Param(step, "reviewers"); !reviewers.empty()) {
      w.Key("reviewers").BeginArray();
      size_t at = 0;
      while (at <= reviewers.size()) {
        size_t comma = std::min(reviewers.find(',', at), reviewers.size());
        std::string one = reviewers.substr(at, comma - at);
        one.erase(0, one.find_first_not_of(' '));
        one.erase(one.find_last_not_of(' ') + 1);
        if (!one.empty()) w.String(DashedUuid(sync::NormalizeIdentityId(one).value_or(one)));
        at = comma + 1;
      }
      w.EndArray();
    }
    w.EndObject();
    return isc(fmt::format("re-elect {} {} as DAS resource owner ({})", owner->how, owner->id, why),
               {{.method = "POST",
                 .path = "/das/v1/owners/reelect",
                 .body = body,
                 .expect = Expect::kPositiveCount}});
  }

  auto subject_param = action == "das_reassign_owner"       ? "from"
                       : action == "certification_reassign" ? "reviewer"
                                                            : "identity";
  auto subject = SubjectIdentity(step, subject_param, event, error);
  if (!subject) return {Failed(fmt::format("{} ({})", action, why), error)};

  if (action == "das_reassign_owner") {
    std::string summary = fmt::format("reassign the DAS resources owned by identity {}", *subject);
    auto to = ResolveTarget(step, "to", *subject, event, context, error);
    if (!to) return {Failed(summary + " (" + why + ")", error)};
    auto planned = isc(fmt::format("{} to {} {} ({})", summary, to->how, to->id, why),
                       {{.method = "POST",
                         .path = fmt::format("/das/v1/owners/{}/reassign/{}", DashedUuid(*subject),
                                             DashedUuid(to->id)),
                         .expect = Expect::kCount}});
    // Done when the old owner owns nothing.
    planned[0].done.path = fmt::format("/das/v1/owners/{}/resources", DashedUuid(*subject));
    planned[0].done.paged = false;
    return planned;
  }

  if (action == "certification_reassign") {
    std::string summary = fmt::format("reassign the open reviews of identity {}", *subject);
    auto to = ResolveTarget(step, "to", *subject, event, context, error);
    if (!to) return {Failed(summary + " (" + why + ")", error)};
    std::string reason = Param(step, "reason");
    if (reason.empty()) {
      reason =
          fmt::format("reassigned by isc-mirror rule {}: reviewer {} changed", rule.name, *subject);
    } else if (auto expanded = ExpandTemplate(reason, event)) {
      reason = *expanded;
    }
    std::vector<PlannedAction> out;
    for (const auto& review : context.OpenReviewsOf(*subject)) {
      size_t chunks = (review.item_ids.size() + kMaxReassignItems - 1) / kMaxReassignItems;
      for (size_t c = 0; c < chunks; ++c) {
        size_t begin = c * kMaxReassignItems;
        size_t end = std::min(review.item_ids.size(), begin + kMaxReassignItems);
        std::string body;
        base::JsonWriter w(body);
        w.BeginObject().Key("reassign").BeginArray();
        for (size_t i = begin; i < end; ++i) {
          w.BeginObject().Field("id", review.item_ids[i]).Field("type", "ITEM").EndObject();
        }
        w.EndArray().Field("reassignTo", to->id).Field("reason", reason).EndObject();
        PlannedAction a;
        a.kind = "isc";
        a.part = fmt::format("{}/{}", review.certification_id, c);
        a.summary = fmt::format(
            "reassign {} review items of certification {} from identity {} to {} {} ({})",
            end - begin, review.certification_id, *subject, to->how, to->id, why);
        a.calls.push_back({.method = "POST",
                           .path = fmt::format("/v3/certifications/{}/reassign-async",
                                               isc::PercentEncode(review.certification_id)),
                           .body = body,
                           .expect = Expect::kCertificationTask});
        // Reassigned items leave the certification.
        a.done.path = fmt::format("/v3/certifications/{}/access-review-items",
                                  isc::PercentEncode(review.certification_id));
        a.done.absent.assign(review.item_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                             review.item_ids.begin() + static_cast<std::ptrdiff_t>(end));
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  if (action == "accounts_disable" || action == "accounts_enable") {
    return PlanAccountToggles(*subject, action == "accounts_disable", why, context);
  }

  if (action == "identity_disable" || action == "identity_enable") {
    return PlanLoginToggle(*subject, action == "identity_disable", why);
  }
  return {Failed(fmt::format("{} ({})", action, why), "this action is not known")};
}

}  // namespace isc_mirror::automation
