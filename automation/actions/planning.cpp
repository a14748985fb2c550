#include "automation/actions/planning.hpp"

#include <fmt/format.h>

#include <chrono>

#include "sync/canonical.hpp"
#include "sync/row.hpp"

namespace isc_mirror::automation {

std::string PlanInput::Param(std::string_view name) const {
  auto it = step.params.find(std::string(name));
  return it == step.params.end() ? std::string() : it->second;
}

base::Expected<std::string> SubjectIdentity(const PlanInput& input, std::string_view param) {
  const sync::Event& event = input.event;
  std::string given = input.Param(param);
  std::string id;
  if (!given.empty()) {
    auto expanded = ExpandTemplate(given, event);
    if (!expanded) return base::Error{expanded.error()};
    id = *expanded;
  } else if (event.resource == "identities") {
    id = event.object_id;
  } else if (event.resource == "accounts") {
    auto json = event.after ? event.after : event.before;
    id = json ? ValueAt(*json, "/identityId").value_or("") : "";
  }
  if (id.empty()) {
    return base::Error{
        fmt::format("no identity: set {} (the event is a {} change)", param, event.resource)};
  }
  auto normal = sync::NormalizeIdentityId(id);
  if (!normal) return base::Error{fmt::format("'{}' is not an identity id", id)};
  return *normal;
}

base::Expected<std::string> ObjectParam(const PlanInput& input, std::string_view param,
                                        std::string_view resource) {
  std::string given = input.Param(param);
  if (!given.empty()) return ExpandTemplate(given, input.event);
  if (input.event.resource == resource) return input.event.object_id;
  return base::Error{fmt::format("set {} (the event is a {} change, not {})", param,
                                 input.event.resource, resource)};
}

base::Expected<Target> ResolveTarget(const PlanInput& input, std::string_view param,
                                     const std::string& subject) {
  std::string wanted = input.Param(param);
  if (wanted == "manager") {
    if (auto manager = input.context.ManagerOf(subject)) return Target{*manager, "manager"};
  } else if (auto expanded = ExpandTemplate(wanted, input.event)) {
    auto id = sync::NormalizeIdentityId(*expanded);
    if (id && input.context.Usable(*id)) return Target{*id, "identity"};
  }
  std::string fallback = input.Param("fallback");
  auto fallback_id = sync::NormalizeIdentityId(fallback);
  if (!fallback.empty() && fallback_id && input.context.Usable(*fallback_id)) {
    return Target{*fallback_id, "fallback identity"};
  }
  return base::Error{fmt::format(
      "{} '{}' does not resolve for identity {} (absent, deleted or a leaver) and {} (hint: set "
      "fallback to an active identity)",
      param, wanted, subject,
      fallback.empty() ? "no fallback is set" : "the fallback " + fallback + " is not usable")};
}

PlannedAction Failed(std::string summary, std::string error) {
  return {.summary = std::move(summary), .kind = ActionKind::kIsc, .error = std::move(error)};
}

std::vector<PlannedAction> IscRow(std::string summary, std::vector<Call> calls) {
  std::vector<PlannedAction> out(1);
  out[0].summary = std::move(summary);
  out[0].calls = std::move(calls);
  return out;
}

ActionSpec DasOwnerSpec(std::string_view name, std::vector<std::string_view> params,
                        std::vector<std::string_view> required, Planner plan) {
  return {.name = name,
          .params = std::move(params),
          .required = std::move(required),
          .scopes = {"das:owners:manage"},
          .user_levels = {"ORG_ADMIN"},
          .read_check = "/das/v1/owners/00000000-0000-0000-0000-000000000000/resources",
          .touches_das_owners = true,
          .plan = plan};
}

std::vector<std::string_view> AccountAdminLevels() {
  return {"ORG_ADMIN", "SOURCE_ADMIN", "SOURCE_SUBADMIN", "HELPDESK"};
}

std::string NowIso() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  return sync::EpochSecondsToTimestamp(seconds);
}

}  // namespace isc_mirror::automation
