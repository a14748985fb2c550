// account_unlock and account_reload: POST /v2024/accounts/{id}/unlock|reload, answered with a
// task (AccountsAsyncResult).
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> PlanAccountState(const PlanInput& input, std::string_view verb) {
  auto account = ObjectParam(input, "account_id", "accounts");
  std::string summary =
      fmt::format("{} account {} ({})", verb, account ? *account : "?", input.why);
  if (!account) return {Failed(summary, account.error())};
  // unlock takes an AccountUnlockRequest body (required); reload takes none.
  return IscRow(summary,
                {{.method = "POST",
                  .path = fmt::format("/v2024/accounts/{}/{}", isc::PercentEncode(*account), verb),
                  .body = verb == "unlock" ? "{}" : "",
                  .expect = Expect::kTask,
                  .object = *account}});
}

ActionSpec AccountState(std::string_view name, Planner plan) {
  return {.name = name,
          .params = {"account_id"},
          .scopes = {"idn:accounts-state:manage"},
          .user_levels = AccountAdminLevels(),
          .read_check = "/v2024/accounts?limit=1",
          .plan = plan};
}

}  // namespace

const ActionSpec& AccountUnlockAction() {
  static const ActionSpec kSpec = AccountState(
      "account_unlock", [](const PlanInput& input) { return PlanAccountState(input, "unlock"); });
  return kSpec;
}

const ActionSpec& AccountReloadAction() {
  static const ActionSpec kSpec = AccountState(
      "account_reload", [](const PlanInput& input) { return PlanAccountState(input, "reload"); });
  return kSpec;
}

}  // namespace isc_mirror::automation
