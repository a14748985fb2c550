// What the action planners share: where an identity or object comes from, and failed rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "automation/actions.hpp"
#include "base/expected.hpp"

namespace isc_mirror::automation {

// The identity a step acts on: the parameter `param` (a template), else the event's identity
// (an identities event's object, an accounts event's identityId).
base::Expected<std::string> SubjectIdentity(const PlanInput& input, std::string_view param);

// The event's object id when the event is of `resource`, else the parameter (a template).
base::Expected<std::string> ObjectParam(const PlanInput& input, std::string_view param,
                                        std::string_view resource);

struct Target {
  std::string id;
  std::string how;  // "manager", "identity" or "fallback identity"
};

// `param` is `manager` (the subject's manager) or an identity id (or template); the step's
// `fallback` when that does not resolve to a usable identity.
base::Expected<Target> ResolveTarget(const PlanInput& input, std::string_view param,
                                     const std::string& subject);

// A row that cannot be done: recorded failed, with the reason.
PlannedAction Failed(std::string summary, std::string error);

// One row of ISC calls.
std::vector<PlannedAction> IscRow(std::string summary, std::vector<Call> calls);

// The DAS owner calls (assign, reassign, re-elect) share their access: the scope
// das:owners:manage, for an org admin; and a success changes the owners the mirror holds.
ActionSpec DasOwnerSpec(std::string_view name, std::vector<std::string_view> params,
                        std::vector<std::string_view> required, Planner plan);

// The user levels ISC lets change the state of source accounts.
std::vector<std::string_view> AccountAdminLevels();

// The time now as ISC writes it (2026-12-01T14:32:22Z).
std::string NowIso();

}  // namespace isc_mirror::automation
