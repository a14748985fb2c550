// The action registry's scopes, token kinds and user levels against SailPoint's definitions:
// declared once in the registry (docs/credentials.md and check-config --online use them), held
// here to each operation's `security` and `x-sailpoint-userLevels`.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "automation/actions.hpp"
#include "tests/isc_sim/definitions.hpp"

namespace isc_mirror::automation {
namespace {

// The call each ISC action makes (method and a concrete path).
const std::map<std::string_view, std::pair<std::string_view, std::string_view>> kCalls = {
    {"das_reassign_owner", {"POST", "/das/v1/owners/a/reassign/b"}},
    {"das_assign_owner", {"POST", "/das/v1/owners/assign"}},
    {"das_reelect_owner", {"POST", "/das/v1/owners/reelect"}},
    {"das_task_rerun", {"POST", "/das/v1/tasks/rerun/1"}},
    {"das_task_cancel", {"POST", "/das/v1/tasks/cancel/1"}},
    {"certification_reassign", {"POST", "/v3/certifications/c/reassign-async"}},
    {"accounts_disable", {"POST", "/v2024/accounts/a/disable"}},
    {"accounts_enable", {"POST", "/v2024/accounts/a/enable"}},
    {"identity_disable", {"POST", "/v2024/identities-accounts/disable"}},
    {"identity_enable", {"POST", "/v2024/identities-accounts/enable"}},
    {"account_unlock", {"POST", "/v2024/accounts/a/unlock"}},
    {"account_reload", {"POST", "/v2024/accounts/a/reload"}},
    {"task_status_clear", {"PATCH", "/v2025/task-status/t"}},
};

TEST(ActionSpecs, AskForWhatTheDefinitionsSayTheirCallsNeed) {
  auto definitions = sim::Definitions::Load(ISC_OPENAPI_FILE);
  ASSERT_TRUE(definitions.ok()) << definitions.error();
  size_t checked = 0;
  for (const auto* entry : ActionSpecs()) {
    const ActionSpec& spec = *entry;
    auto call = kCalls.find(spec.name);
    if (call == kCalls.end()) {
      EXPECT_TRUE(spec.scopes.empty() && spec.read_check.empty()) << spec.name << ": no ISC call";
      continue;
    }
    const auto* op = definitions->Find(call->second.first, call->second.second);
    ASSERT_NE(op, nullptr) << spec.name;
    bool api_client = std::any_of(op->security.begin(), op->security.end(),
                                  [](const auto& a) { return a.scheme == "applicationAuth"; });
    EXPECT_EQ(spec.user_token_only, !api_client) << spec.name;
    // Each scope the registry names passes every kind of token the call takes.
    for (const auto& alternative : op->security) {
      for (auto scope : spec.scopes) {
        EXPECT_NE(std::find(alternative.scopes.begin(), alternative.scopes.end(), scope),
                  alternative.scopes.end())
            << spec.name << ": " << scope << " for " << alternative.scheme;
      }
    }
    EXPECT_EQ(std::set<std::string>(spec.user_levels.begin(), spec.user_levels.end()),
              std::set<std::string>(op->user_levels.begin(), op->user_levels.end()))
        << spec.name;
    EXPECT_FALSE(spec.read_check.empty()) << spec.name;
    ++checked;
  }
  EXPECT_EQ(checked, kCalls.size());
}

}  // namespace
}  // namespace isc_mirror::automation
