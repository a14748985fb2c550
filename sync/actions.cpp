#include "sync/actions.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>

#include "base/json_writer.hpp"
#include "sync/canonical.hpp"
#include "sync/isc_client.hpp"
#include "sync/row.hpp"

namespace isc_mirror::sync {
namespace {

const std::vector<ActionSpec>& Specs() {
  static const std::vector<ActionSpec> kSpecs = {
      {"das_reassign_owner", {"to", "fallback", "from"}, {"to"}},
      {"das_assign_owner",
       {"app_id", "full_path", "identity", "fallback"},
       {"app_id", "full_path", "identity"}},
      {"das_reelect_owner", {"owner", "fallback", "campaign_name", "reviewers"}, {"owner"}},
      {"das_task_rerun", {"task_id"}, {}},
      {"das_task_cancel", {"task_id"}, {}},
      {"certification_reassign", {"to", "fallback", "reviewer", "reason"}, {"to"}},
      {"accounts_disable", {"identity"}, {}},
      {"accounts_enable", {"identity"}, {}},
      {"account_unlock", {"account_id"}, {}},
      {"account_reload", {"account_id"}, {}},
      {"task_status_clear", {"task_id", "completion_status"}, {}},
      {"webhook", {"url", "secret"}, {"url", "secret"}},
      {"notify", {"channel"}, {"channel"}},
  };
  return kSpecs;
}

std::string Param(const ActionStep& step, std::string_view name) {
  auto it = step.params.find(std::string(name));
  return it == step.params.end() ? std::string() : it->second;
}

// The event's JSON as webhooks and notifications carry it.
std::string EventJson(const Rule& rule, const Event& event) {
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

// Where a step's identity comes from: the parameter, else the event's identity.
std::optional<std::string> SubjectIdentity(const ActionStep& step, std::string_view param,
                                           const Event& event, std::string& error) {
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
  auto normal = NormalizeIdentityId(id);
  if (!normal) {
    error = fmt::format("'{}' is not an identity id", id);
    return std::nullopt;
  }
  return *normal;
}

// The object id of the event when it is of `resource`, else the parameter.
std::optional<std::string> ObjectParam(const ActionStep& step, std::string_view param,
                                       std::string_view resource, const Event& event,
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
                                    const std::string& subject, const Event& event,
                                    PlanContext& context, std::string& error) {
  std::string wanted = Param(step, param);
  std::optional<Target> found;
  if (wanted == "manager") {
    if (auto manager = context.ManagerOf(subject)) found = Target{*manager, "manager"};
  } else if (auto expanded = ExpandTemplate(wanted, event)) {
    auto id = NormalizeIdentityId(*expanded);
    if (id && context.Usable(*id)) found = Target{*id, "identity"};
  }
  if (found) return found;
  std::string fallback = Param(step, "fallback");
  auto fallback_id = NormalizeIdentityId(fallback);
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

std::string Why(const Rule& rule, const Event& event) {
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

std::string NowIso() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return EpochSecondsToTimestamp(seconds);
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
  return std::nullopt;
}

base::Expected<bool> PageShowsDone(const DoneCheck& check, std::string_view page, bool done) {
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

std::string DashedUuid(std::string_view hex32) {
  if (hex32.size() != 32) return std::string(hex32);
  return fmt::format("{}-{}-{}-{}-{}", hex32.substr(0, 8), hex32.substr(8, 4), hex32.substr(12, 4),
                     hex32.substr(16, 4), hex32.substr(20));
}

std::vector<PlannedAction> PlanAction(const Rule& rule, size_t step_index, const Event& event,
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

  if (action == "webhook" || action == "notify") {
    PlannedAction a;
    a.kind = action;
    a.target = action == "webhook" ? Param(step, "url") : Param(step, "channel");
    a.payload = EventJson(rule, event);
    a.summary = fmt::format("{} {} about {}", action == "webhook" ? "post to" : "notify channel",
                            a.target, why);
    return {std::move(a)};
  }

  if (action == "das_task_rerun" || action == "das_task_cancel") {
    auto task = ObjectParam(step, "task_id", "das_tasks", event, error);
    bool rerun = action == "das_task_rerun";
    std::string summary =
        fmt::format("{} DAS task {} ({})", rerun ? "rerun" : "cancel", task.value_or("?"), why);
    if (!task) return {Failed(summary, error)};
    return isc(
        summary,
        {{"POST",
          fmt::format("/das/v1/tasks/{}/{}", rerun ? "rerun" : "cancel", PercentEncode(*task)),
          ""}});
  }

  if (action == "account_unlock" || action == "account_reload") {
    auto account = ObjectParam(step, "account_id", "accounts", event, error);
    bool unlock = action == "account_unlock";
    std::string summary =
        fmt::format("{} account {} ({})", unlock ? "unlock" : "reload", account.value_or("?"), why);
    if (!account) return {Failed(summary, error)};
    return isc(summary, {{"POST",
                          fmt::format("/v2024/accounts/{}/{}", PercentEncode(*account),
                                      unlock ? "unlock" : "reload"),
                          unlock ? "{}" : ""}});
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
    return isc(summary, {{"PATCH", "/beta/task-status/" + PercentEncode(*task), body,
                          "application/json-patch+json"}});
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
               {{"POST", "/das/v1/owners/assign", body}});
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
        if (!one.empty()) w.String(DashedUuid(NormalizeIdentityId(one).value_or(one)));
        at = comma + 1;
      }
      w.EndArray();
    }
    w.EndObject();
    return isc(fmt::format("re-elect {} {} as DAS resource owner ({})", owner->how, owner->id, why),
               {{"POST", "/das/v1/owners/reelect", body}});
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
    auto planned = isc(
        fmt::format("{} to {} {} ({})", summary, to->how, to->id, why),
        {{"POST",
          fmt::format("/das/v1/owners/{}/reassign/{}", DashedUuid(*subject), DashedUuid(to->id)),
          ""}});
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
        a.calls.push_back({"POST",
                           fmt::format("/v3/certifications/{}/reassign-async",
                                       PercentEncode(review.certification_id)),
                           body});
        // Reassigned items leave the certification.
        a.done.path = fmt::format("/v3/certifications/{}/access-review-items",
                                  PercentEncode(review.certification_id));
        a.done.absent.assign(review.item_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                             review.item_ids.begin() + static_cast<std::ptrdiff_t>(end));
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  if (action == "accounts_disable" || action == "accounts_enable") {
    bool disable = action == "accounts_disable";
    std::string verb = disable ? "disable" : "enable";
    std::string body;
    base::JsonWriter w(body);
    w.BeginObject().Key("identityIds").BeginArray().String(*subject).EndArray().EndObject();
    std::vector<Call> calls;
    calls.push_back({"POST", "/v2024/identities-accounts/" + verb, body, "application/json", true});
    // Where the bulk call is not available, each account on its own.
    for (const auto& account : context.AccountsOf(*subject)) {
      calls.push_back(
          {"POST", fmt::format("/v2024/accounts/{}/{}", PercentEncode(account), verb), "{}"});
    }
    auto planned = isc(fmt::format("{} every account of identity {} ({})", verb, *subject, why),
                       std::move(calls));
    planned[0].done.path = "/v2024/accounts";
    planned[0].done.query =
        "filters=" + PercentEncode(fmt::format("identityId eq \"{}\"", *subject));
    planned[0].done.every = "disabled";
    planned[0].done.is = disable;
    return planned;
  }
  return {Failed(fmt::format("{} ({})", action, why), "this action is not known")};
}

}  // namespace isc_mirror::sync
