// identity_disable and identity_enable: the identity's ISC (IDN) login account, not its
// accounts on sources; that is what identities-accounts/disable does (its definition: "disable
// IDN account for each identity"). Answered 207 with one status per identity.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> PlanToggle(const PlanInput& input, bool disable) {
  auto identity = SubjectIdentity(input, "identity");
  std::string verb = disable ? "disable" : "enable";
  if (!identity)
    return {Failed(fmt::format("identity_{} ({})", verb, input.why), identity.error())};
  std::string body;
  base::JsonWriter(body)
      .BeginObject()
      .Key("identityIds")
      .BeginArray()
      .String(*identity)
      .EndArray()
      .EndObject();
  return IscRow(fmt::format("{} the ISC login of identity {} ({})", verb, *identity, input.why),
                {{.method = "POST",
                  .path = "/v2024/identities-accounts/" + verb,
                  .body = body,
                  .expect = Expect::kMultiStatus,
                  .object = *identity}});
}

ActionSpec IdentityToggle(std::string_view name, Planner plan) {
  return {.name = name,
          .params = {"identity"},
          .scopes = {"idn:accounts-state:manage"},
          .user_levels = {"ORG_ADMIN"},
          .read_check = "/v2024/identities?limit=1",
          .plan = plan};
}

}  // namespace

const ActionSpec& IdentityDisableAction() {
  static const ActionSpec kSpec = IdentityToggle(
      "identity_disable", [](const PlanInput& input) { return PlanToggle(input, true); });
  return kSpec;
}

const ActionSpec& IdentityEnableAction() {
  static const ActionSpec kSpec = IdentityToggle(
      "identity_enable", [](const PlanInput& input) { return PlanToggle(input, false); });
  return kSpec;
}

}  // namespace isc_mirror::automation
