// isc-mirror check-config --online against isc-sim, whose operations take the scopes, token
// kinds and user levels of SailPoint's definitions: what works, what is refused and why.
#include <gtest/gtest.h>

#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

using testing::ProcessResult;
using testing::SimProcess;
using testing::TempDir;

// Every action that calls ISC, so that each is checked.
constexpr const char* kRules = R"(rules:
  - name: leaver-handoff
    on: leaver
    do:
      - das_reassign_owner: { to: manager }
      - certification_reassign: { to: manager }
      - accounts_disable: {}
      - identity_disable: {}
  - name: stuck-tasks
    on: change
    match: { resource: task_statuses, op: insert }
    do:
      - task_status_clear: {}
)";

ProcessResult CheckOnline(const SimProcess& sim) {
  TempDir dir;
  auto config = (dir.path() / "config.yaml").string();
  testing::WriteFile(config,
                     testing::MirrorConfig(sim, "postgresql:///unused", "{ attempts: 2 }", kRules));
  return testing::RunProcess({{ISC_MIRROR_BINARY, "-c", config, "check-config", "--online"},
                              testing::MinimalEnvironment(),
                              std::nullopt,
                              false});
}

// The line of the table for `check`.
std::string Line(const ProcessResult& r, const std::string& check) {
  auto at = r.out.find("  " + check + " ");
  if (at == std::string::npos) return "(no line for " + check + ")";
  auto start = r.out.rfind('\n', at) + 1;
  return r.out.substr(start, r.out.find('\n', at) - start);
}

TEST(CheckOnline, WithEveryScopeEverythingWorks) {
  SimProcess sim({"--identities", "50"});
  auto r = CheckOnline(sim);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* check :
       {"token", "resource identities", "resource accounts", "resource task_statuses",
        "resource access_review_items", "resource das_resource_owners", "resource roles",
        "resource lifecycle_states", "resource governance_group_members",
        "resource identity_access", "action accounts_disable", "action certification_reassign",
        "action task_status_clear"}) {
    EXPECT_NE(Line(r, check).find("ok: "), std::string::npos) << Line(r, check);
  }
  EXPECT_NE(r.out.find("checks passed"), std::string::npos) << r.out;
  // The child probe reads an open certification ISC will list (not the governance group's).
  EXPECT_NE(Line(r, "resource access_review_items").find("HTTP 200"), std::string::npos);
  // A search is posted, as ISC takes it.
  EXPECT_NE(Line(r, "resource identity_access").find("POST /v3/search?limit=1"), std::string::npos)
      << Line(r, "resource identity_access");
}

TEST(CheckOnline, AClientWithoutAScopeIsToldWhichCallsAreRefused) {
  // A personal access token without the accounts scopes.
  SimProcess sim({"--identities", "50", "--scopes",
                  "idn:identity:read,idn:task-management:read,idn:task-management:write,"
                  "idn:campaign:read,idn:campaign:manage,das:applications:read,das:task:read,"
                  "das:owners:manage,das:identity-collectors:read"});
  auto r = CheckOnline(sim);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(Line(r, "resource accounts").find("refused: GET /v2024/accounts failed: HTTP 403"),
            std::string::npos)
      << Line(r, "resource accounts");
  EXPECT_NE(Line(r, "action accounts_disable")
                .find("refused: the token lacks the scope idn:accounts-state:manage"),
            std::string::npos)
      << Line(r, "action accounts_disable");
  EXPECT_NE(Line(r, "resource identities").find("ok: "), std::string::npos);
  EXPECT_NE(Line(r, "action das_reassign_owner").find("ok: "), std::string::npos);
  EXPECT_NE(r.err.find("docs/credentials.md"), std::string::npos) << r.err;
}

TEST(CheckOnline, AnApiClientIsToldThatMostCallsTakeAUsersToken) {
  SimProcess sim({"--identities", "50", "--token-kind", "application"});
  auto r = CheckOnline(sim);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(Line(r, "resource identities").find("HTTP 403"), std::string::npos)
      << Line(r, "resource identities");
  EXPECT_NE(Line(r, "action certification_reassign").find("take a user's token"), std::string::npos)
      << Line(r, "action certification_reassign");
  EXPECT_NE(Line(r, "resource accounts").find("ok: "), std::string::npos)
      << "accounts take an API client's token too";
  EXPECT_NE(Line(r, "resource access_profiles").find("HTTP 403"), std::string::npos)
      << "access profiles take a user's token only: " << Line(r, "resource access_profiles");
  EXPECT_NE(Line(r, "resource identity_access").find("ok: "), std::string::npos)
      << Line(r, "resource identity_access");
}

}  // namespace
}  // namespace isc_mirror
