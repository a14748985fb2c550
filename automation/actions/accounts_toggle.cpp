// accounts_disable and accounts_enable: one POST /v2024/accounts/{id}/disable|enable per
// source account of the identity that the mirror does not already show in that state. Every
// call is made; on a repeat the done check's listing (the identity's accounts, read back from
// ISC) drops the accounts already there.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> PlanToggles(const PlanInput& input, bool disable) {
  auto identity = SubjectIdentity(input, "identity");
  std::string verb = disable ? "disable" : "enable";
  if (!identity)
    return {Failed(fmt::format("accounts_{} ({})", verb, input.why), identity.error())};
  PlannedAction a;
  a.each = true;
  for (const auto& account : input.context.AccountsToToggle(*identity, disable)) {
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
                          a.calls.size() == 1 ? "" : "s", *identity, input.why);
  a.done.path = "/v2024/accounts";
  a.done.query = "filters=" + isc::PercentEncode(fmt::format("identityId eq \"{}\"", *identity));
  a.done.every = "disabled";
  a.done.is = disable;
  return {std::move(a)};
}

ActionSpec AccountsToggle(std::string_view name, Planner plan) {
  return {.name = name,
          .params = {"identity"},
          .scopes = {"idn:accounts-state:manage"},
          .user_levels = AccountAdminLevels(),
          .read_check = "/v2024/accounts?limit=1",
          .plan = plan};
}

}  // namespace

const ActionSpec& AccountsDisableAction() {
  static const ActionSpec kSpec = AccountsToggle(
      "accounts_disable", [](const PlanInput& input) { return PlanToggles(input, true); });
  return kSpec;
}

const ActionSpec& AccountsEnableAction() {
  static const ActionSpec kSpec = AccountsToggle(
      "accounts_enable", [](const PlanInput& input) { return PlanToggles(input, false); });
  return kSpec;
}

}  // namespace isc_mirror::automation
