// Rules and actions end to end: isc-mirror sync against isc-sim and PostgreSQL, with the
// simulator's log of action calls as the judge.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "automation/actions.hpp"
#include "automation/rules.hpp"
#include "base/sha256.hpp"
#include "isc/isc_client.hpp"
#include "sync/resource_schema.hpp"
#include "tests/harness/https_receiver.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

using testing::ProcessResult;
using testing::SimClient;
using testing::SimProcess;
using testing::TempDir;

// A rule disabling every leaver's accounts (or, with identity_disable, its ISC login: one
// call per leaver); `limits` adds lines to the rule (max_per_hour).
std::string DisableLeavers(const std::string& limits = "",
                           const std::string& action = "accounts_disable") {
  return "rules:\n  - name: disable-leavers\n    on: leaver\n" + limits + "    do:\n      - " +
         action + ": {}\n";
}

struct SimCall {
  std::string method;
  std::string path;
  std::string body;
  int64_t status = 0;
};

// One simulator and one database, set up like an operator would: migrate, then a baseline.
class Tenant {
 public:
  Tenant(const std::string& url, const std::string& rules, const std::string& actions = "",
         const std::string& retry = "{ attempts: 2, base_delay: 10ms, max_delay: 50ms }")
      : url_(url) {
    sim_ = std::make_unique<SimProcess>(
        std::vector<std::string>{"--identities", "300", "--accounts-per-identity", "3"});
    control_ = std::make_unique<SimClient>(sim_->port());
    config_ = (dir_.path() / "config.yaml").string();
    testing::WriteFile(config_, testing::MirrorConfig(*sim_, url_, retry, rules + actions));
  }

  std::vector<std::string> Argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {ISC_MIRROR_BINARY, "-c", config_});
    return args;
  }

  ProcessResult Mirror(std::vector<std::string> args) const {
    return testing::RunProcess(
        {Argv(std::move(args)), testing::MinimalEnvironment(), std::nullopt, false},
        std::chrono::seconds(120));
  }

  std::string Control(const std::string& method, const std::string& path,
                      const std::string& body = "") {
    auto r = control_->Control(method, path, body);
    if (!r || r->status != 200) {
      throw std::runtime_error(path + ": " + (r ? r->body : std::string("no answer")));
    }
    return r->body;
  }

  // Every call that is not a read the simulator received, in order.
  std::vector<SimCall> Calls() {
    std::string json = Control("GET", "/__sim/actions");
    simdjson::dom::parser parser;
    std::vector<SimCall> out;
    for (auto item : parser.parse(json).get_array()) {
      out.push_back({std::string(item["method"].get_string().value()),
                     std::string(item["path"].get_string().value()),
                     std::string(item["body"].get_string().value()),
                     item["status"].get_int64().value()});
    }
    return out;
  }

  std::vector<std::string> Column(const std::string& sql) const {
    return testing::QueryColumn(url_, sql);
  }
  int64_t Count(const std::string& sql) const { return testing::QueryCount(url_, sql); }

  // An active identity that owns DAS resources, reviews open certifications with undecided
  // items, has accounts, and whose manager is active.
  std::pair<std::string, std::string> LeaverAndManager() const {
    auto rows = Column(
        "SELECT i.id || ' ' || m.id FROM isc.identities i JOIN isc.identities m ON m.tenant = "
        "i.tenant AND m.id = i.manager_id AND m.lifecycle_state = 'active' WHERE "
        "i.lifecycle_state = 'active' AND EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE "
        "o.identity_id = i.id) AND EXISTS (SELECT 1 FROM isc.certifications c JOIN "
        "isc.access_review_items it ON it.certification_id = c.id AND NOT it.completed WHERE "
        "c.reviewer_id = i.id AND NOT c.completed) AND EXISTS (SELECT 1 FROM isc.accounts a "
        "WHERE a.identity_id = i.id) ORDER BY i.id LIMIT 1");
    if (rows.empty()) throw std::runtime_error("no identity fits the leaver scenario");
    auto space = rows[0].find(' ');
    return {rows[0].substr(0, space), rows[0].substr(space + 1)};
  }

  std::string url_;
  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<SimClient> control_;
  std::string config_;
};

// What the leaver scenario must produce, from the mirror before the change.
struct Expected {
  std::string leaver;
  std::string manager;
  std::map<std::string, std::set<std::string>> items;  // open certification -> undecided items
  std::set<std::string> accounts;                      // the leaver's source accounts still enabled
};

Expected ExpectedFor(const Tenant& t) {
  Expected e;
  std::tie(e.leaver, e.manager) = t.LeaverAndManager();
  for (const auto& row : t.Column(fmt::format(
           "SELECT c.id || ' ' || it.id FROM isc.certifications c JOIN isc.access_review_items "
           "it ON it.certification_id = c.id AND NOT it.completed WHERE c.reviewer_id = '{}' AND "
           "NOT c.completed",
           e.leaver))) {
    auto space = row.find(' ');
    e.items[row.substr(0, space)].insert(row.substr(space + 1));
  }
  for (const auto& id : t.Column(fmt::format(
           "SELECT id FROM isc.accounts WHERE identity_id = '{}' AND NOT disabled", e.leaver))) {
    e.accounts.insert(id);
  }
  return e;
}

// Judges the simulator's log: one DAS reassignment to the manager, the leaver's open items
// reassigned, each of its enabled source accounts disabled; nothing else. Calls may repeat only
// where a worker died mid-call (at-least-once), so repeats are reported apart.
void ExpectLeaverHandled(const std::vector<SimCall>& calls, const Expected& e, bool exactly_once) {
  std::string das = fmt::format("/das/v1/owners/{}/reassign/{}", automation::DashedUuid(e.leaver),
                                automation::DashedUuid(e.manager));
  std::map<std::string, int> seen;
  std::map<std::string, std::set<std::string>> reassigned;
  for (const auto& c : calls) {
    std::string what = c.method + " " + c.path;
    ++seen[what];
    if (c.path.ends_with("/reassign-async") && c.status == 200) {
      std::string cert = c.path.substr(19, c.path.size() - 19 - 15);
      simdjson::dom::parser parser;
      auto doc = parser.parse(c.body);
      EXPECT_EQ(std::string(doc["reassignTo"].get_string().value()), e.manager);
      for (auto item : doc["reassign"].get_array()) {
        reassigned[cert].insert(std::string(item["id"].get_string().value()));
      }
    }
  }
  EXPECT_GE(seen["POST " + das], 1);
  for (const auto& account : e.accounts) {
    EXPECT_GE(seen["POST /v2024/accounts/" + account + "/disable"], 1) << account;
  }
  EXPECT_EQ(seen.count("POST /v2024/identities-accounts/disable"), 0u)
      << "that call disables the ISC login, not source accounts";
  EXPECT_EQ(reassigned, e.items) << "exactly the leaver's open items go to the manager";
  size_t kinds = 1 + e.accounts.size() + e.items.size();
  EXPECT_EQ(seen.size(), kinds) << "no other call";
  if (exactly_once) {
    for (const auto& [what, n] : seen) EXPECT_EQ(n, 1) << what;
  }
}

class ActionsTest : public testing::DatabaseTest {};

TEST_F(ActionsTest, ALeaverHandsOwnershipReviewsAndAccountsToTheManager) {
  Tenant t(url_, testing::LeaverHandoffRule("2c9180835d2e5168015d32f890ca1581"));
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  auto baseline = t.Mirror({"sync"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.err;
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions"), 0) << "no rule fires on a baseline";
  auto e = ExpectedFor(t);
  ASSERT_FALSE(e.items.empty());
  t.Control("DELETE", "/__sim/actions");
  t.Control("POST", "/__sim/identities/" + e.leaver + "/lifecycle", R"({"state":"terminated"})");

  auto plan_before = t.Mirror({"plan"});
  EXPECT_NE(plan_before.out.find("no rule matches"), std::string::npos) << plan_before.out;
  auto cycle = t.Mirror({"sync"});
  ASSERT_EQ(cycle.exit_code, 0) << cycle.err;
  ExpectLeaverHandled(t.Calls(), e, true);
  ASSERT_FALSE(e.accounts.empty());
  // Every source account of the leaver is disabled in the tenant, read back from it.
  ASSERT_TRUE(t.control_->Authenticate());
  auto owned = t.control_->Get("/v2024/accounts?filters=" +
                               isc::PercentEncode("identityId eq \"" + e.leaver + "\""));
  simdjson::dom::parser accounts_parser;
  int accounts_listed = 0;
  ASSERT_EQ(owned->status, 200) << owned->body;
  for (auto account : accounts_parser.parse(owned->body).get_array()) {
    EXPECT_TRUE(account["disabled"].get_bool().value()) << simdjson::minify(account);
    ++accounts_listed;
  }
  EXPECT_GT(accounts_listed, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status <> 'succeeded'"), 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions"),
            static_cast<long long>(2 + e.items.size()));
  // The owners were read again after the reassignment.
  EXPECT_EQ(t.Count(fmt::format(
                "SELECT count(*) FROM isc.das_resource_owners WHERE identity_id = '{}' AND "
                "deleted_at IS NULL",
                e.leaver)),
            0);

  auto list = t.Mirror({"actions", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(
      list.out.find(fmt::format("reassign the DAS resources owned by identity {} to manager {}",
                                e.leaver, e.manager)),
      std::string::npos)
      << list.out;
  auto plan = t.Mirror({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("recorded as action"), std::string::npos) << plan.out;
  EXPECT_NE(
      plan.out.find(fmt::format("(succeeded)] rule leaver-handoff, accounts_disable: disable "
                                "{} source account{} of identity {}",
                                e.accounts.size(), e.accounts.size() == 1 ? "" : "s", e.leaver)),
      std::string::npos)
      << plan.out;

  // The same for scripts.
  auto list_json = t.Mirror({"actions", "list", "--json"});
  ASSERT_EQ(list_json.exit_code, 0) << list_json.err;
  simdjson::dom::parser parser;
  simdjson::dom::element listed;
  ASSERT_FALSE(parser.parse(list_json.out).get(listed)) << list_json.out;
  EXPECT_EQ(listed.get_array().size(), 2 + e.items.size());
  for (auto a : listed.get_array()) {
    EXPECT_EQ(std::string_view(a["status"].get_string().value()), "succeeded");
    EXPECT_EQ(a["attempts"].get_int64().value(), 1);
  }
  auto plan_json = t.Mirror({"plan", "--json"});
  ASSERT_EQ(plan_json.exit_code, 0) << plan_json.err;
  simdjson::dom::parser plan_parser;
  simdjson::dom::element planned;
  ASSERT_FALSE(plan_parser.parse(plan_json.out).get(planned)) << plan_json.out;
  EXPECT_EQ(planned.get_array().size(), 2 + e.items.size());

  // Another cycle does nothing again.
  auto calls = t.Calls().size();
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  EXPECT_EQ(t.Calls().size(), calls);
}

TEST_F(ActionsTest, KilledAtRandomPointsEveryActionReachesTheTenantExactlyOnce) {
  int runs = 20;
  if (const char* env = std::getenv("ISC_MIRROR_KILL_RUNS")) runs = std::atoi(env);
  std::mt19937 random(std::random_device{}());
  int interrupted = 0;  // runs where a kill cut off a claimed action (attempts > 1)
  int verified = 0;     // runs where a repeat found the work done and called nothing
  // What the leaver's actions read: the rest of the tenant only slows each of the 20 runs.
  const std::vector<std::string> sync = {"sync",
                                         "identities",
                                         "accounts",
                                         "certifications",
                                         "certification_reviewers",
                                         "access_review_items",
                                         "das_applications",
                                         "das_resource_owners"};
  for (int run = 0; run < runs; ++run) {
    std::string url = testing::PostgresEnvironment::Cluster().CreateDatabase();
    Tenant t(url, testing::LeaverHandoffRule("2c9180835d2e5168015d32f890ca1581"));
    ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
    ASSERT_EQ(t.Mirror(sync).exit_code, 0);
    auto e = ExpectedFor(t);
    t.Control("DELETE", "/__sim/actions");
    t.Control("POST", "/__sim/identities/" + e.leaver + "/lifecycle", R"({"state":"terminated"})");
    // Reassignments answer slowly, so that kills land inside calls too.
    t.Control("POST", "/__sim/faults", R"({"prefix":"/v3/certifications","latencyMs":100})");
    std::string kills;
    for (int k = 0; k < 3; ++k) {
      int after_ms = std::uniform_int_distribution<int>(10, 700)(random);
      testing::Subprocess child(
          {t.Argv({"sync", "identities"}), testing::MinimalEnvironment(), std::nullopt, false});
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      child.Signal(SIGKILL);
      child.Wait(std::chrono::seconds(10));
      kills += fmt::format("{} ms ", after_ms);
    }
    t.Control("DELETE", "/__sim/faults");
    // A worker killed mid-call leaves its action running until the lease ends; let it end.
    {
      pqxx::connection c(url);
      pqxx::work tx(c);
      tx.exec("UPDATE mirror.actions SET next_attempt_at = now() WHERE status = 'running'");
      tx.commit();
    }
    auto finish = t.Mirror(sync);
    ASSERT_EQ(finish.exit_code, 0) << finish.err;
    SCOPED_TRACE(fmt::format("run {}, killed after {}", run, kills));
    auto calls = t.Calls();
    ExpectLeaverHandled(calls, e, true);
    EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status <> 'succeeded'"), 0);
    EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions"),
              static_cast<long long>(2 + e.items.size()));
    // A call is made only after a claim counts an attempt.
    std::map<std::string, int> made;
    for (const auto& c : calls) ++made[c.method + " " + c.path];
    for (const auto& row :
         t.Column("SELECT attempts || ' ' || (params->'calls'->0->>'method') || ' ' || "
                  "(params->'calls'->0->>'path') FROM mirror.actions")) {
      auto space = row.find(' ');
      EXPECT_LE(made[row.substr(space + 1)], std::stoi(row.substr(0, space))) << row;
    }
    interrupted += t.Count("SELECT count(*) FROM mirror.actions WHERE attempts > 1") > 0 ? 1 : 0;
    verified += t.Count("SELECT count(*) FROM mirror.actions WHERE request LIKE 'GET %'") > 0;
    // Succeeded actions never run again.
    ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
    EXPECT_EQ(t.Calls().size(), calls.size());
    if (HasFailure()) break;
  }
  // How often the kills landed inside the outbox's work, for the record.
  std::printf("%d runs: %d with an action cut off mid-way, %d where a repeat found it done\n", runs,
              interrupted, verified);
}

TEST_F(ActionsTest, DryRunRecordsActionsAndCallsNothing) {
  Tenant t(url_, testing::LeaverHandoffRule("2c9180835d2e5168015d32f890ca1581"),
           "actions: { dry_run: true }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto e = ExpectedFor(t);
  t.Control("DELETE", "/__sim/actions");
  t.Control("POST", "/__sim/identities/" + e.leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  EXPECT_TRUE(t.Calls().empty());
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'dry_run'"),
            static_cast<long long>(2 + e.items.size()));
}

TEST_F(ActionsTest, AFloodBeyondMaxPerHourIsHeldUntilApproved) {
  Tenant t(url_, DisableLeavers("    max_per_hour: 2\n", "identity_disable"));
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto leavers = t.Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 4");
  t.Control("DELETE", "/__sim/actions");
  for (const auto& id : leavers) {
    t.Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})");
  }
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'"), 2);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'held'"), 2);
  EXPECT_EQ(t.Calls().size(), 2u);
  auto held = t.Column("SELECT id FROM mirror.actions WHERE status = 'held' ORDER BY id")[0];
  auto list = t.Mirror({"actions", "list"});
  EXPECT_NE(list.out.find("isc-mirror actions approve " + held), std::string::npos) << list.out;
  auto approve = t.Mirror({"actions", "approve", held});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  EXPECT_EQ(t.Mirror({"actions", "approve", held}).exit_code, 1) << "only held actions";
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'"), 3);
  EXPECT_EQ(t.Calls().size(), 3u);
}

TEST_F(ActionsTest, AFailingEndpointRetriesThenGoesDead) {
  Tenant t(url_, DisableLeavers("", "identity_disable"),
           "actions: { max_attempts: 3, retry_delay: 10ms }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto leaver = t.Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")[0];
  t.Control("POST", "/__sim/faults",
            R"({"prefix":"/v2024/identities-accounts","errorRate":1.0,"errorCodes":[500]})");
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(t.Column("SELECT status || ' ' || attempts FROM mirror.actions")[0], "dead 3");
  EXPECT_NE(t.Column("SELECT error FROM mirror.actions")[0].find("500"), std::string::npos);
  t.Control("DELETE", "/__sim/faults");
  auto id = t.Column("SELECT id FROM mirror.actions")[0];
  ASSERT_EQ(t.Mirror({"actions", "retry", id}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT status FROM mirror.actions")[0], "succeeded");
}

// DAS assign answers 200 whether it worked or not: "1 - success, otherwise failure". An
// answer of 0 is a failed action, with the answer kept, not a success.
TEST_F(ActionsTest, AnAnswerThatSaysFailureFailsTheAction) {
  Tenant t(url_, R"(rules:
  - name: assign-to-manager
    on: leaver
    do:
      - das_assign_owner: { app_id: "1001", full_path: "/no/such/folder", identity: manager }
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto leaver = t.LeaverAndManager().first;
  t.Control("DELETE", "/__sim/actions");
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT status || ' ' || attempts || ' ' || response_status || ' ' || "
                     "response_body FROM mirror.actions"),
            std::vector<std::string>{"failed 1 200 0"});
  EXPECT_NE(t.Column("SELECT error FROM mirror.actions")[0].find(
                "HTTP 200 but the answer is 0, not 1 (1 is success, anything else failure)"),
            std::string::npos);
  auto calls = t.Calls();
  ASSERT_EQ(calls.size(), 1u) << "called once: ISC answered, so it is not retried";
  EXPECT_EQ(calls[0].path, "/das/v1/owners/assign");
}

TEST_F(ActionsTest, ARefusedCallFailsAtOnceWithIscsMessage) {
  Tenant t(url_, R"(rules:
  - name: clear-new-tasks
    on: change
    match: { resource: task_statuses, op: insert }
    do:
      - task_status_clear: { completion_status: BOGUS }
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  t.Control("DELETE", "/__sim/actions");
  t.Control("POST", "/__sim/task-statuses", "{}");
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT status || ' ' || attempts || ' ' || response_status FROM "
                     "mirror.actions")[0],
            "failed 1 400");
  EXPECT_NE(t.Column("SELECT error FROM mirror.actions")[0].find("unknown completionStatus BOGUS"),
            std::string::npos)
      << t.Column("SELECT error FROM mirror.actions")[0];
  EXPECT_EQ(t.Calls().size(), 1u);
}

TEST_F(ActionsTest, APendingTaskStuckLongerThanTheLimitIsClearedOnce) {
  Tenant t(url_, R"(rules:
  - name: clear-stuck-tasks
    on: change
    match: { resource: task_statuses, path: /completionStatus, to: "null", older_than: 1s }
    do:
      - task_status_clear: {}
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  t.Control("DELETE", "/__sim/actions");
  auto created = t.Control("POST", "/__sim/task-statuses", "{}");  // pending: no completionStatus
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions"), 0) << "not stuck long enough yet";
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  auto calls = t.Calls();
  ASSERT_EQ(calls.size(), 1u) << "pending tasks of the baseline fire nothing";
  EXPECT_EQ(calls[0].method, "PATCH");
  EXPECT_NE(created.find(calls[0].path.substr(calls[0].path.rfind('/') + 1)), std::string::npos)
      << created << " vs " << calls[0].path;
  EXPECT_NE(calls[0].body.find(R"("value":"ERROR")"), std::string::npos) << calls[0].body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  EXPECT_EQ(t.Calls().size(), 1u) << "once per state";
  std::string task = calls[0].path.substr(calls[0].path.rfind('/') + 1);
  EXPECT_EQ(t.Count(fmt::format("SELECT count(*) FROM isc.task_statuses WHERE id = '{}' AND "
                                "completion_status = 'ERROR'",
                                task)),
            1)
      << "the mirror saw the task cleared";
}

// Objects that sit in the awaited state with their action done long ago take no place under
// max_per_hour: only actions actually inserted count. Before, every object in the state was
// decided again each sync and counted, so once more than the cap sat there every new one was
// held.
TEST_F(ActionsTest, AStateRuleCapCountsOnlyTheActionsItInserts) {
  Tenant t(url_, R"(rules:
  - name: tell-stuck-tasks
    on: change
    match: { resource: task_statuses, path: /completionStatus, to: "null", older_than: 1s }
    max_per_hour: 2
    do:
      - notify: { channel: stuck }
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  t.Control("POST", "/__sim/task-statuses", "{}");
  t.Control("POST", "/__sim/task-statuses", "{}");
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  ASSERT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'"), 2);
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    tx.exec("UPDATE mirror.actions SET created_at = now() - interval '2 hours'");
    tx.commit();
  }
  t.Control("POST", "/__sim/task-statuses", "{}");
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT status FROM mirror.actions ORDER BY id"),
            (std::vector<std::string>{"succeeded", "succeeded", "succeeded"}));
}

// Collects the payloads of one notification channel.
class Listener : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection_base& c, const std::string& channel)
      : pqxx::notification_receiver(c, channel) {}
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
  std::vector<std::string> payloads;
};

TEST_F(ActionsTest, AJoinerPostsASignedWebhookAndNotifiesListeners) {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> received;  // signature, body
  testing::HttpsReceiver hook([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    received.emplace_back(req.get_header_value("X-Isc-Mirror-Signature"), req.body);
    res.status = 204;
  });
  Tenant t(url_, fmt::format(R"(rules:
  - name: welcome
    on: joiner
    do:
      - webhook: {{ url: "{}", secret: s3cret }}
      - notify: {{ channel: joiners }}
actions: {{ webhook_ca_file: "{}" }}
)",
                             hook.Url("/hook/T0001/credential"), hook.ca_file()));
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  pqxx::connection listening(url_);
  Listener listener(listening, "joiners");
  auto manager = t.Column("SELECT id FROM isc.identities ORDER BY id LIMIT 1")[0];
  auto joiner = t.Control("POST", "/__sim/identities", R"({"managerId":")" + manager + "\"}");
  auto synced = t.Mirror({"sync", "identities"});
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  hook.Stop();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].first, "sha256=" + base::HmacSha256Hex("s3cret", received[0].second));
  EXPECT_NE(received[0].second.find(R"("rule":"welcome")"), std::string::npos);
  simdjson::dom::parser parser;
  std::string id(parser.parse(joiner)["id"].get_string().value());
  EXPECT_NE(received[0].second.find(R"("object_id":")" + id + "\""), std::string::npos)
      << received[0].second;
  listening.await_notification(5, 0);
  ASSERT_EQ(listener.payloads.size(), 1u);
  EXPECT_NE(listener.payloads[0].find(id), std::string::npos);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'"), 2);
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE params::text LIKE '%s3cret%'"), 0)
      << "the webhook secret stays in the config";
  // The URL's path is a credential too: not in the outbox, the report, the list or the log.
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE concat(params::text, request, "
                    "error) LIKE '%credential%'"),
            0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.actions a WHERE row_to_json(a)::text "
                    "LIKE '%credential%'"),
            0);
  EXPECT_EQ(synced.err.find("credential"), std::string::npos) << synced.err;
  EXPECT_EQ(synced.out.find("credential"), std::string::npos) << synced.out;
  auto list = t.Mirror({"actions", "list"});
  EXPECT_EQ(list.out.find("credential"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("https://127.0.0.1:"), std::string::npos) << list.out;
}

// A receiver answering in Latin-1, with a NUL, past the 4,096 bytes kept: the answer is stored
// made safe, the action succeeds once, and it is not posted again.
TEST_F(ActionsTest, AnAnswerThatCannotBeStoredAsItCameIsMadeSafeAndNotRepeated) {
  std::atomic<int> posts{0};
  testing::HttpsReceiver hook([&](const httplib::Request&, httplib::Response& res) {
    ++posts;
    res.status = 200;
    res.set_content("ok " + std::string(5000, '\xE9') + std::string(1, '\0'), "text/plain");
  });
  Tenant t(url_, fmt::format(R"(rules:
  - name: welcome
    on: joiner
    do:
      - webhook: {{ url: "{}", secret: s3cret }}
actions: {{ webhook_ca_file: "{}" }}
)",
                             hook.Url(), hook.ca_file()));
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  auto manager = t.Column("SELECT id FROM isc.identities ORDER BY id LIMIT 1")[0];
  t.Control("POST", "/__sim/identities", R"({"managerId":")" + manager + "\"}");
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  EXPECT_EQ(posts.load(), 1);
  EXPECT_EQ(t.Column("SELECT status || ' ' || attempts || ' ' || response_status FROM "
                     "mirror.actions"),
            std::vector<std::string>{"succeeded 1 200"});
  auto body = t.Column("SELECT response_body FROM mirror.actions")[0];
  EXPECT_TRUE(body.starts_with("ok \xEF\xBF\xBD")) << "Latin-1 made U+FFFD";
  EXPECT_LE(body.size(), 4096u);
}

// pg_notify refuses 8,000 bytes; an identity's event is easily more. Listeners get the event's
// keys and read the rest from mirror.change_events.
TEST_F(ActionsTest, AnEventTooLargeForNotifyStillNotifiesOnceWithItsKeys) {
  Tenant t(url_, R"(rules:
  - name: tell
    on: change
    match: { resource: identities, op: update }
    do:
      - notify: { channel: identity_changes }
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  auto id = t.Column("SELECT id FROM isc.identities ORDER BY id LIMIT 1")[0];
  t.Control("POST", "/__sim/identities/" + id + "/attributes",
            R"({"notes":")" + std::string(20'000, 'n') + "\"}");
  pqxx::connection listening(url_);
  Listener listener(listening, "identity_changes");
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  listening.await_notification(5, 0);
  ASSERT_EQ(listener.payloads.size(), 1u);
  EXPECT_LT(listener.payloads[0].size(), 1000u);
  auto event = t.Column("SELECT event_id FROM mirror.change_events WHERE op = 'update'")[0];
  EXPECT_NE(listener.payloads[0].find(R"("event_id":)" + event), std::string::npos)
      << listener.payloads[0];
  EXPECT_NE(listener.payloads[0].find(id), std::string::npos);
  EXPECT_EQ(t.Column("SELECT status FROM mirror.actions"), std::vector<std::string>{"succeeded"});
}

// Rules match changes of the access model like any other: an entitlement marked privileged
// and a source deleted each fire their rule once; an entitlement marked unprivileged fires none.
TEST_F(ActionsTest, RulesMatchAnEntitlementMarkedPrivilegedAndASourceDeleted) {
  Tenant t(url_, R"(rules:
  - name: privileged-entitlement
    on: change
    match: { resource: entitlements, path: /privileged, to: "true" }
    do:
      - notify: { channel: access_model }
  - name: source-deleted
    on: change
    match: { resource: sources, op: delete }
    do:
      - notify: { channel: access_model }
)");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "sources", "entitlements"}).exit_code, 0);
  auto marked = t.Column("SELECT id FROM isc.entitlements WHERE NOT privileged ORDER BY id")[0];
  auto unmarked = t.Column("SELECT id FROM isc.entitlements WHERE privileged ORDER BY id")[0];
  auto source = t.Column("SELECT id FROM isc.sources WHERE NOT authoritative ORDER BY id")[0];
  t.Control("POST", "/__sim/entitlements/" + marked, R"({"privileged":true})");
  t.Control("POST", "/__sim/entitlements/" + unmarked, R"({"privileged":false})");
  t.Control("DELETE", "/__sim/sources/" + source);
  pqxx::connection listening(url_);
  Listener listener(listening, "access_model");
  ASSERT_EQ(t.Mirror({"sync", "sources", "entitlements"}).exit_code, 0);
  for (int i = 0; i < 20 && listener.payloads.size() < 2; ++i) listening.await_notification(1, 0);
  EXPECT_EQ(
      t.Column("SELECT rule || ' ' || status FROM mirror.actions ORDER BY rule"),
      (std::vector<std::string>{"privileged-entitlement succeeded", "source-deleted succeeded"}));
  ASSERT_EQ(listener.payloads.size(), 2u);
  std::string both = listener.payloads[0] + listener.payloads[1];
  EXPECT_NE(both.find(marked), std::string::npos) << both;
  EXPECT_NE(both.find(source), std::string::npos) << both;
  EXPECT_EQ(both.find(unmarked), std::string::npos) << both;
}

// A row whose worker died mid-call on its last attempt is not handed out again.
TEST_F(ActionsTest, AnActionWhoseAttemptsAreSpentIsDeadAndNotCalledAgain) {
  Tenant t(url_, DisableLeavers("", "identity_disable"), "actions: { max_attempts: 3 }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto leaver = t.Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")[0];
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_EQ(t.Mirror({"sync", "identities"}).exit_code, 0);
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    // As a worker killed during its third call leaves it, the lease over.
    tx.exec(
        "UPDATE mirror.actions SET status = 'running', attempts = 3, next_attempt_at = "
        "now() - interval '1 minute'");
    tx.commit();
  }
  t.Control("DELETE", "/__sim/actions");
  ASSERT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  EXPECT_TRUE(t.Calls().empty());
  EXPECT_EQ(t.Column("SELECT status || ' ' || attempts FROM mirror.actions"),
            std::vector<std::string>{"dead 3"});
  EXPECT_NE(t.Column("SELECT error FROM mirror.actions")[0].find("attempts spent"),
            std::string::npos);
}

// Worker A meets a 429 whose Retry-After outlives its lease. Before, it waited, worker B
// claimed the expired row and called, and A called again when its wait ended. Now A gives up
// the call (not before ISC's wait) and the action reaches ISC once.
TEST_F(ActionsTest, ALeaseOutlivedByA429StormIsGivenUpNotDoubled) {
  Tenant t(url_, DisableLeavers("", "identity_disable"),
           "actions: { lease: 2s, retry_delay: 10ms }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto leaver = t.Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")[0];
  t.Control("DELETE", "/__sim/actions");
  t.Control("POST", "/__sim/faults",
            R"({"prefix":"/v2024/identities-accounts","errorRate":1.0,"errorCodes":[429],)"
            R"("retryAfterSeconds":4})");
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  testing::Subprocess a({t.Argv({"sync", "identities"}), testing::MinimalEnvironment()});
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  t.Control("DELETE", "/__sim/faults");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);  // worker B
  EXPECT_EQ(a.Wait(std::chrono::seconds(60)).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // past ISC's 4 s
  EXPECT_EQ(t.Mirror({"sync", "task_statuses"}).exit_code, 0);
  auto calls = t.Calls();
  auto worked = std::count_if(calls.begin(), calls.end(),
                              [](const SimCall& c) { return c.status >= 200 && c.status < 300; });
  EXPECT_EQ(worked, 1) << calls.size() << " calls";
  EXPECT_EQ(t.Column("SELECT status FROM mirror.actions"), std::vector<std::string>{"succeeded"});
}

TEST_F(ActionsTest, ReportViewsShowALeaversLingeringAccessUntilItIsDisabled) {
  Tenant t(url_, DisableLeavers("    max_per_hour: 0\n") +
                     "lifecycle: { leaver_states: [terminated] }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.mirror_health WHERE last_status = 'ok' AND lag "
                    "< interval '1 minute'"),
            static_cast<long long>(sync::BuiltinSchemas().size()));
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.lingering_access"),
            t.Count("SELECT count(*) FROM isc.accounts a JOIN isc.identities i ON i.id = "
                    "a.identity_id WHERE i.lifecycle_state = 'terminated' AND NOT a.disabled"))
      << "only terminated counts: the config's leaver states";
  auto before = t.Count("SELECT count(*) FROM report.lingering_access");
  auto [leaver, manager] = t.LeaverAndManager();
  auto reviews = t.Count(fmt::format(
      "SELECT count(*) FROM isc.certifications WHERE reviewer_id = '{}' AND NOT completed",
      leaver));
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.open_certifications WHERE reviewer_is_leaver AND "
                    "reviewer_id = '" +
                    leaver + "'"),
            0);
  // An account of the manager loses its identity: one more uncorrelated account at its source.
  auto stray = t.Column(fmt::format(
      "SELECT id || ' ' || source_id FROM isc.accounts WHERE identity_id = '{}' AND NOT "
      "uncorrelated ORDER BY id LIMIT 1",
      manager))[0];
  auto stray_source = stray.substr(stray.find(' ') + 1);
  auto uncorrelated = [&] {
    auto n = t.Column("SELECT accounts FROM report.uncorrelated_accounts WHERE source_id = '" +
                      stray_source + "'");
    return n.empty() ? 0LL : std::stoll(n[0]);
  };
  auto uncorrelated_before = uncorrelated();
  t.Control("PATCH", "/__sim/accounts/" + stray.substr(0, stray.find(' ')),
            R"({"uncorrelated":true})");
  auto owned = t.Count(
      fmt::format("SELECT count(*) FROM isc.das_resource_owners WHERE identity_id = '{}'", leaver));
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);  // the disable is held: max_per_hour is 0
  auto accounts = t.Count(fmt::format(
      "SELECT count(*) FROM isc.accounts WHERE identity_id = '{}' AND NOT disabled", leaver));
  ASSERT_GT(accounts, 0);
  EXPECT_EQ(t.Count(fmt::format(
                "SELECT count(*) FROM report.lingering_access WHERE identity_id = '{}'", leaver)),
            accounts);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.lingering_access"), before + accounts);
  EXPECT_EQ(t.Column(fmt::format("SELECT is_leaver || ' ' || accounts || ' ' || "
                                 "owned_das_resources FROM report.identities WHERE id = '{}'",
                                 leaver))[0],
            fmt::format("true {} {}", accounts, owned));
  EXPECT_EQ(t.Count(fmt::format("SELECT count(*) FROM report.das_ownership WHERE owner_id = '{}' "
                                "AND owner_status = 'leaver'",
                                leaver)),
            owned);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.open_certifications WHERE reviewer_is_leaver AND "
                    "reviewer_id = '" +
                    leaver + "'"),
            reviews);
  EXPECT_GT(reviews, 0);
  EXPECT_EQ(uncorrelated(), uncorrelated_before + 1);

  auto held = t.Column("SELECT id FROM mirror.actions WHERE status = 'held'")[0];
  ASSERT_EQ(t.Mirror({"actions", "approve", held}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);              // runs the disable
  ASSERT_EQ(t.Mirror({"sync", "accounts"}).exit_code, 0);  // and sees it
  EXPECT_EQ(t.Count(fmt::format(
                "SELECT count(*) FROM report.lingering_access WHERE identity_id = '{}'", leaver)),
            0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.lingering_access"), before);
  // The leaver's story: one identity change, the action it caused, and how that ended.
  EXPECT_EQ(t.Column(fmt::format("SELECT state_before || ' ' || state_after || ' ' || action || "
                                 "' ' || action_status FROM report.jml_activity WHERE "
                                 "identity_id = '{}'",
                                 leaver)),
            std::vector<std::string>{"active terminated accounts_disable succeeded"});
}

TEST_F(ActionsTest, ReportViewsShowFailedTasks) {
  Tenant t(url_, "");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "task_statuses", "das_tasks"}).exit_code, 0);
  auto failed_before = t.Count("SELECT count(*) FROM report.das_task_problems WHERE kind = 'task'");
  auto task = t.Column("SELECT task_id FROM isc.das_tasks WHERE status <> 'Failed' LIMIT 1")[0];
  t.Control("POST", "/__sim/das-tasks/" + task, R"({"status":"Failed"})");
  t.Control("POST", "/__sim/task-statuses", R"({"completionStatus":"ERROR"})");
  auto stuck = t.Control("POST", "/__sim/task-statuses", R"({"ageSeconds":10800})");
  auto pending_long = [&] {
    return t.Column(
        "SELECT id FROM report.task_statuses_recent WHERE state = 'PENDING' AND running_for > "
        "interval '2 hours' AND created > now() - interval '4 hours' ORDER BY id");
  };
  auto pending_before = pending_long();
  ASSERT_EQ(t.Mirror({"sync", "task_statuses", "das_tasks"}).exit_code, 0);
  auto pending_after = pending_long();
  ASSERT_EQ(pending_after.size(), pending_before.size() + 1) << "the task pending for three hours";
  simdjson::dom::parser parser;
  std::string stuck_id(parser.parse(stuck)["id"].get_string().value());
  EXPECT_NE(std::find(pending_after.begin(), pending_after.end(), stuck_id), pending_after.end());
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.das_task_problems WHERE kind = 'task'"),
            failed_before + 1);
  EXPECT_EQ(
      t.Count(fmt::format(
          "SELECT count(*) FROM report.das_task_problems WHERE kind = 'task' AND id = {}", task)),
      1);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.task_statuses_recent WHERE state = 'ERROR' AND "
                    "last_24_hours AND created > now() - interval '1 minute'"),
            1)
      << "the task status failed just now";
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.task_statuses_recent WHERE state NOT IN "
                    "('PENDING', 'ERROR', 'TEMPERROR', 'TERMINATED')"),
            0);

  // A schedule two hours past its next run is a problem; an inactive one is not.
  ASSERT_EQ(t.Mirror({"sync", "das_schedules"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.das_task_problems WHERE kind = 'schedule'"), 0);
  auto schedules = t.Column("SELECT schedule_task_id FROM isc.das_schedules ORDER BY 1 LIMIT 2");
  ASSERT_EQ(schedules.size(), 2u);
  auto two_hours_ago = t.Column("SELECT extract(epoch FROM now())::bigint - 7200")[0];
  t.Control("POST", "/__sim/das-schedules/" + schedules[0], R"({"nextRun":)" + two_hours_ago + "}");
  t.Control("POST", "/__sim/das-schedules/" + schedules[1],
            R"({"nextRun":)" + two_hours_ago + R"(,"active":false})");
  ASSERT_EQ(t.Mirror({"sync", "das_schedules"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT id || ' ' || status FROM report.das_task_problems WHERE kind = "
                     "'schedule'"),
            std::vector<std::string>{schedules[0] + " not run when due"});
}

// The roles of sql/roles.sql: the daemon's login migrates, syncs and acts with no more than
// those grants; an analyst in isc_mirror_reader reads every report, the history and the change
// feed, and can write nothing nor read action parameters.
TEST_F(ActionsTest, TheDaemonRoleSufficesAndTheReadingRoleOnlyReads) {
  auto& cluster = testing::PostgresEnvironment::Cluster();
  std::string database = url_.substr(url_.rfind('/') + 1);
  auto roles =
      testing::RunProcess({{cluster.Psql().string(), "-X", "-q", "-d", cluster.Url("postgres"),
                            "-v", "db=" + database, "-f", ISC_MIRROR_SOURCE_DIR "/sql/roles.sql"},
                           testing::MinimalEnvironment(),
                           std::nullopt,
                           false});
  ASSERT_EQ(roles.exit_code, 0) << roles.err;
  auto as = [&](const std::string& role) {
    return "postgresql://" + role + "@" + url_.substr(url_.find('@') + 1);
  };
  {
    pqxx::connection admin(url_);
    pqxx::nontransaction(admin).exec(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analyst') THEN "
        "CREATE ROLE analyst LOGIN IN ROLE isc_mirror_reader; END IF; END $$");
  }
  Tenant t(as("isc_mirror"), DisableLeavers());
  pqxx::connection analyst(as("analyst"));
  Listener feed(analyst, "isc_mirror_changes");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);
  auto [leaver, manager] = t.LeaverAndManager();
  auto baseline_done = t.Column("SELECT now()")[0];
  auto last_event = t.Count("SELECT coalesce(max(event_id), 0) FROM mirror.change_events");
  t.Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_EQ(t.Mirror({"sync"}).exit_code, 0);              // the leaver, and the disable
  ASSERT_EQ(t.Mirror({"sync", "accounts"}).exit_code, 0);  // which the mirror then sees
  EXPECT_EQ(t.Count("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'"), 1);

  // The feed: one message per committed event after the baseline, in order, and nothing else.
  auto events = t.Column(fmt::format(
      "SELECT jsonb_build_object('event_id', event_id, 'tenant', tenant, 'resource', resource, "
      "'op', op, 'object_id', object_id)::text FROM mirror.change_events WHERE event_id > {} "
      "ORDER BY event_id",
      last_event));
  ASSERT_GT(events.size(), 1u) << "the identity and its accounts changed";
  for (int i = 0; i < 50 && feed.payloads.size() < events.size(); ++i) {
    analyst.await_notification(0, 100'000);
  }
  std::vector<std::string> announced;
  for (const auto& payload : feed.payloads) {
    pqxx::nontransaction n(analyst);
    announced.push_back(n.exec_params1("SELECT $1::jsonb::text", payload)[0].as<std::string>());
  }
  EXPECT_EQ(announced, events);

  pqxx::read_transaction tx(analyst);
  for (const auto& view : tx.exec("SELECT table_name FROM information_schema.views WHERE "
                                  "table_schema = 'report' ORDER BY 1")) {
    EXPECT_NO_THROW(tx.exec("SELECT count(*) FROM report." + view[0].as<std::string>()))
        << view[0].as<std::string>();
  }
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM information_schema.views WHERE table_schema = "
                     "'report'")[0]
                .as<int>(),
            19)
      << "each view above was read";
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM report.actions WHERE action = 'accounts_disable' AND "
                     "status = 'succeeded'")[0]
                .as<int>(),
            1);
  // The history: as it was after the baseline, as it is now, and what changed in between.
  auto state_at = [&](const std::string& at) {
    return tx
        .exec_params1(
            "SELECT raw #>> '{lifecycleState,stateName}' FROM "
            "report.object_at('identities', $1, $2::timestamptz)",
            leaver, at)[0]
        .as<std::string>();
  };
  EXPECT_EQ(state_at(baseline_done), "active");
  EXPECT_EQ(state_at(tx.exec1("SELECT now()::text")[0].as<std::string>()), "terminated");
  EXPECT_EQ(
      tx.exec_params1("SELECT count(*) FROM report.object_versions('identities', $1)", leaver)[0]
          .as<int>(),
      2);
  auto lifecycle = tx.exec_params(
      "SELECT changes -> '/lifecycleState/stateName' ->> 'from', changes -> "
      "'/lifecycleState/stateName' ->> 'to' FROM report.identity_changes($1, $2::timestamptz) "
      "WHERE resource = 'identities'",
      leaver, baseline_done);
  ASSERT_EQ(lifecycle.size(), 1u);
  EXPECT_EQ(lifecycle[0][0].as<std::string>(), "active");
  EXPECT_EQ(lifecycle[0][1].as<std::string>(), "terminated");
  // Each account: first the lifecycle change reaching it, then the disable the rule asked for.
  auto accounts = tx.exec_params1(
      "SELECT count(DISTINCT object_id), string_agg(DISTINCT concat_ws(',', changes -> "
      "'/cloudLifecycleState' ->> 'to', changes -> '/disabled' ->> 'to'), ' '), count(*) FROM "
      "report.identity_changes($1, $2::timestamptz) WHERE resource = 'accounts'",
      leaver, baseline_done);
  EXPECT_EQ(
      accounts[0].as<int>(),
      t.Count(fmt::format("SELECT count(*) FROM isc.accounts WHERE identity_id = '{}'", leaver)));
  EXPECT_EQ(accounts[1].as<std::string>(), "terminated true");
  EXPECT_EQ(accounts[2].as<int>(), 2 * accounts[0].as<int>());
  // Back to the baseline: the identity, its accounts, the resources it owns and its reviews
  // were first seen by the baseline's runs, which wrote their first versions and no events.
  EXPECT_EQ(t.Count(fmt::format("SELECT count(*) FROM report.identity_changes('{}', now() - "
                                "interval '1 hour') WHERE baseline OR observed_at <= '{}'",
                                leaver, baseline_done)),
            0);
  auto first = tx.exec_params1(
      "SELECT v.valid_from <= $2::timestamptz, v.raw #>> '{lifecycleState,stateName}' FROM "
      "report.object_versions('identities', $1) v ORDER BY v.valid_from LIMIT 1",
      leaver, baseline_done);
  EXPECT_TRUE(first[0].as<bool>());
  EXPECT_EQ(first[1].as<std::string>(), "active");
  EXPECT_EQ(t.Count("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE baseline AND "
                    "status = 'ok' AND resource IN ('identities', 'accounts', "
                    "'das_resource_owners', 'certifications')"),
            4);
  tx.abort();

  for (const char* sql :
       {"SELECT params FROM mirror.actions", "SELECT response_body FROM mirror.actions",
        "UPDATE isc.accounts SET disabled = false", "DELETE FROM isc.identities",
        "INSERT INTO mirror.change_events (tenant, resource, object_id, op) VALUES "
        "('sim', 'identities', 'x', 'insert')",
        "DELETE FROM mirror.history", "TRUNCATE isc.accounts", "CREATE TABLE report.mine (a int)",
        "CREATE TABLE public.mine (a int)", "CREATE OR REPLACE VIEW report.identities AS SELECT 1",
        "UPDATE mirror.settings SET value = '[]'"}) {
    pqxx::work w(analyst);
    EXPECT_THROW(w.exec(sql), pqxx::insufficient_privilege) << sql;
  }
}

TEST_F(ActionsTest, ReportViewsShowApplicationsWithoutOwners) {
  Tenant t(url_, "", "guards: { max_delete_share: 0.5 }\n");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  ASSERT_EQ(t.Mirror({"sync", "das_applications", "das_resource_owners"}).exit_code, 0);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.das_unowned_applications"), 0);
  // The last application: the first owns more resources than the delete guard lets go at once.
  auto app = t.Column("SELECT id FROM isc.das_applications ORDER BY id DESC LIMIT 1")[0];
  t.Control("DELETE", "/__sim/das-applications/" + app + "/owners");
  ASSERT_EQ(t.Mirror({"sync", "das_applications", "das_resource_owners"}).exit_code, 0);
  EXPECT_EQ(t.Column("SELECT application_id FROM report.das_unowned_applications"),
            std::vector<std::string>{app});
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.das_ownership WHERE application_id = " + app), 0);
  EXPECT_GT(t.Count("SELECT count(*) FROM report.das_ownership"), 0);
}

// The access model's reports, each on a scenario (docs/reporting.md, "The access model").
class AccessReports : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    testing::DatabaseTest::SetUp();
    t_ = std::make_unique<Tenant>(url_, "");
    ASSERT_EQ(t_->Mirror({"migrate"}).exit_code, 0);
    auto first = t_->Mirror({"sync"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
  }
  void Sync(std::vector<std::string> resources) {
    resources.insert(resources.begin(), "sync");
    auto r = t_->Mirror(resources);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void Terminate(const std::string& id) {
    t_->Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})");
  }
  std::unique_ptr<Tenant> t_;
};

TEST_F(AccessReports, AccountsBySourceNameCountsAndShowsADeletedSource) {
  Tenant& t = *t_;
  EXPECT_EQ(t.Column("SELECT source_name || ' ' || accounts FROM report.accounts_by_source ORDER "
                     "BY source_name"),
            t.Column("SELECT s.name || ' ' || count(*) FROM isc.accounts a JOIN isc.sources s ON "
                     "s.id = a.source_id GROUP BY s.name ORDER BY s.name"));
  auto account = t.Column(
      "SELECT id FROM isc.accounts WHERE source_name = 'Active Directory' AND NOT disabled ORDER "
      "BY id LIMIT 1")[0];
  auto disabled = t.Count(
      "SELECT disabled FROM report.accounts_by_source WHERE source_name = 'Active Directory'");
  auto source = t.Column("SELECT id FROM isc.sources WHERE name = 'Active Directory'")[0];
  t.Control("PATCH", "/__sim/accounts/" + account, R"({"disabled":true})");
  t.Control("DELETE", "/__sim/sources/" + source);
  Sync({"sources", "accounts"});
  EXPECT_EQ(t.Count("SELECT disabled FROM report.accounts_by_source WHERE source_name = 'Active "
                    "Directory'"),
            disabled + 1);
  EXPECT_EQ(t.Column("SELECT source_name FROM report.accounts_by_source WHERE source_deleted"),
            std::vector<std::string>{"Active Directory"})
      << "a deleted source's accounts still show under its name";
}

// A role grants an access profile that grants entitlement E: a holder of the role holds E
// through both. E marked privileged shows each way; an entitlement granted apart shows DIRECT.
TEST_F(AccessReports, PrivilegedAccessNamesEveryWayItIsHeld) {
  Tenant& t = *t_;
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.privileged_access WHERE entitlement_id IN "
                    "(SELECT id FROM isc.entitlements WHERE NOT privileged)"),
            0);
  auto row = t.Column(
      "SELECT h.identity_id || ' ' || r.id || ' ' || ap.id || ' ' || e.id FROM "
      "isc.identity_access h JOIN isc.roles r ON r.id = h.id JOIN isc.access_profiles ap ON "
      "r.raw -> 'accessProfiles' @> jsonb_build_array(jsonb_build_object('id', ap.id)) JOIN "
      "isc.entitlements e ON ap.raw -> 'entitlements' @> jsonb_build_array(jsonb_build_object("
      "'id', e.id)) WHERE h.type = 'ROLE' AND NOT e.privileged AND NOT EXISTS (SELECT 1 FROM "
      "isc.identity_access d WHERE d.identity_id = h.identity_id AND d.id = e.id AND "
      "d.standalone) ORDER BY 1 LIMIT 1")[0];
  std::istringstream fields(row);
  std::string holder, role, profile, entitlement;
  fields >> holder >> role >> profile >> entitlement;
  auto direct = t.Column(fmt::format(
      "SELECT e.id FROM isc.entitlements e JOIN isc.accounts a ON a.source_id = e.source_id AND "
      "a.identity_id = '{0}' WHERE NOT e.privileged AND e.id NOT IN (SELECT id FROM "
      "isc.identity_access WHERE identity_id = '{0}') ORDER BY e.id LIMIT 1",
      holder))[0];
  t.Control("POST", "/__sim/identities/" + holder + "/access",
            fmt::format(R"({{"grant":["{}"]}})", direct));
  for (const auto& e : {entitlement, direct}) {
    t.Control("POST", "/__sim/entitlements/" + e, R"({"privileged":true})");
  }
  Sync({"entitlements", "identity_access"});
  EXPECT_EQ(t.Column(fmt::format("SELECT through || ' ' || coalesce(through_id, '-') FROM "
                                 "report.privileged_access WHERE identity_id = '{}' AND "
                                 "entitlement_id IN ('{}', '{}') ORDER BY 1",
                                 holder, entitlement, direct)),
            (std::vector<std::string>{"ACCESS_PROFILE " + profile, "DIRECT -", "ROLE " + role}));
  // Every holder of the entitlement is listed, nobody else.
  EXPECT_EQ(t.Column(fmt::format("SELECT DISTINCT identity_id FROM report.privileged_access WHERE "
                                 "entitlement_id = '{}' ORDER BY 1",
                                 entitlement)),
            t.Column(fmt::format("SELECT identity_id FROM isc.identity_access WHERE id = '{}' "
                                 "ORDER BY 1",
                                 entitlement)));
}

TEST_F(AccessReports, LeaverEntitlementsListWhatALeaverStillHoldsUntilItIsRevoked) {
  Tenant& t = *t_;
  auto leaver = t.Column(
      "SELECT i.id FROM isc.identities i WHERE lifecycle_state = 'active' AND (SELECT count(*) "
      "FROM isc.identity_access h WHERE h.identity_id = i.id AND h.type = 'ENTITLEMENT') >= 2 "
      "ORDER BY id LIMIT 1")[0];
  auto held =
      t.Column(fmt::format("SELECT id FROM isc.identity_access WHERE identity_id = '{}' "
                           "AND type = 'ENTITLEMENT' ORDER BY id",
                           leaver));
  auto before = t.Count("SELECT count(*) FROM report.leaver_entitlements");
  Terminate(leaver);
  Sync({"identities"});
  EXPECT_EQ(t.Column(fmt::format("SELECT entitlement_id FROM report.leaver_entitlements WHERE "
                                 "identity_id = '{}' ORDER BY 1",
                                 leaver)),
            held);
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.leaver_entitlements"),
            before + static_cast<int64_t>(held.size()));
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.leaver_entitlements l JOIN isc.identities i ON "
                    "i.id = l.identity_id WHERE i.lifecycle_state NOT IN ('terminated', "
                    "'inactive')"),
            0);
  std::string revoke;
  for (const auto& e : held) revoke += (revoke.empty() ? "\"" : ",\"") + e + "\"";
  t.Control("POST", "/__sim/identities/" + leaver + "/access", R"({"revoke":[)" + revoke + "]}");
  Sync({"identity_access"});
  EXPECT_EQ(
      t.Count(fmt::format(
          "SELECT count(*) FROM report.leaver_entitlements WHERE identity_id = '{}'", leaver)),
      0);
}

TEST_F(AccessReports, RolesWithoutOwnerShowLeavingAndUnknownOwners) {
  Tenant& t = *t_;
  auto before = t.Column("SELECT id FROM report.roles_without_owner ORDER BY id");
  auto roles = t.Column(
      "SELECT r.id || ' ' || r.owner_id FROM isc.roles r JOIN isc.identities i ON i.id = "
      "r.owner_id WHERE i.lifecycle_state = 'active' AND (SELECT count(*) FROM isc.roles o WHERE "
      "o.owner_id = r.owner_id) = 1 ORDER BY r.id LIMIT 2");
  ASSERT_EQ(roles.size(), 2u);
  auto leaving = roles[0].substr(0, roles[0].find(' '));
  auto removed = roles[1].substr(0, roles[1].find(' '));
  Terminate(roles[0].substr(roles[0].find(' ') + 1));
  t.Control("DELETE", "/__sim/identities/" + roles[1].substr(roles[1].find(' ') + 1));
  Sync({"identities", "roles"});
  EXPECT_EQ(t.Column(fmt::format("SELECT owner_status FROM report.roles_without_owner WHERE id IN "
                                 "('{}', '{}') ORDER BY id = '{}' DESC",
                                 leaving, removed, leaving)),
            (std::vector<std::string>{"leaver", "unknown"}));
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.roles_without_owner"),
            static_cast<int64_t>(before.size()) + 2);
  EXPECT_EQ(
      t.Count(
          fmt::format("SELECT holders FROM report.roles_without_owner WHERE id = '{}'", leaving)),
      t.Count(fmt::format("SELECT count(*) FROM isc.identity_access WHERE id = '{}'", leaving)));
}

TEST_F(AccessReports, GroupReviewersLeavingNameTheLeavingMembersOfReviewingGroups) {
  Tenant& t = *t_;
  auto group = t.Column(
      "SELECT reviewer_id FROM isc.certifications WHERE reviewer_type = 'GOVERNANCE_GROUP' AND NOT "
      "completed")[0];
  auto members = t.Column(fmt::format(
      "SELECT m.id FROM isc.governance_group_members m JOIN isc.identities i ON i.id = m.id WHERE "
      "m.governance_group_id = '{}' AND i.lifecycle_state = 'active' ORDER BY m.id",
      group));
  ASSERT_GE(members.size(), 2u);
  auto before = t.Count("SELECT count(*) FROM report.group_reviewers_leaving");
  Terminate(members[0]);
  Sync({"identities"});
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.group_reviewers_leaving"), before + 1);
  EXPECT_EQ(t.Column(fmt::format("SELECT member_id || ' ' || members FROM "
                                 "report.group_reviewers_leaving WHERE group_id = '{}' AND "
                                 "member_id = '{}'",
                                 group, members[0])),
            std::vector<std::string>{
                members[0] + " " +
                std::to_string(t.Count(fmt::format("SELECT count(*) FROM "
                                                   "isc.governance_group_members WHERE "
                                                   "governance_group_id = '{}'",
                                                   group)))});
  // A member who leaves the group is no longer the group's concern.
  t.Control("POST", fmt::format("/__sim/governance-groups/{}/members", group),
            fmt::format(R"({{"remove":["{}"]}})", members[0]));
  Sync({"governance_groups", "governance_group_members"});
  EXPECT_EQ(t.Count("SELECT count(*) FROM report.group_reviewers_leaving"), before);
}

TEST_F(AccessReports, IdentitiesByProfileAndStateAreIscsCounts) {
  Tenant& t = *t_;
  EXPECT_EQ(t.Count("SELECT sum(identities) FROM report.identities_by_profile_state"),
            t.Count("SELECT count(*) FROM isc.identities"));
  EXPECT_EQ(t.Column("SELECT DISTINCT lifecycle_state FROM report.identities_by_profile_state "
                     "WHERE is_leaver_state ORDER BY 1"),
            (std::vector<std::string>{"inactive", "terminated"}));
  auto count = [&](const std::string& profile, const std::string& state) {
    return t.Count(
        fmt::format("SELECT identities FROM report.identities_by_profile_state WHERE "
                    "profile_name = '{}' AND lifecycle_state = '{}'",
                    profile, state));
  };
  auto terminated = count("Employees", "terminated");
  auto active = count("Employees", "active");
  // Employees: the top of the manager tree and nine in ten of the rest (isc-sim).
  for (const auto& id : t.Column("SELECT id FROM isc.identities WHERE lifecycle_state = 'active' "
                                 "AND raw #>> '{attributes,identityProfile}' = 'Employees' ORDER "
                                 "BY id LIMIT 2")) {
    Terminate(id);
  }
  Sync({"identity_profiles", "lifecycle_states"});
  EXPECT_EQ(count("Employees", "terminated"), terminated + 2);
  EXPECT_EQ(count("Employees", "active"), active - 2);
}

// What ISC sends (an id, a message) reaches `actions list` and `status`: a terminal escape in
// it is shown as text, never sent to the terminal.
TEST_F(ActionsTest, ListAndStatusShowControlCharactersFromTheApiEscaped) {
  Tenant t(url_, "");
  ASSERT_EQ(t.Mirror({"migrate"}).exit_code, 0);
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    const std::string evil = "\x1b]0;pwned\x07\x1b[2J\r";
    tx.exec_params(
        "INSERT INTO mirror.actions (tenant, rule, action, params, idempotency_key, status, "
        "request, error) VALUES ('sim', 'r', 'identity_disable', json_build_object('summary', "
        "'disable ' || $1), 'k', 'failed', 'POST /x' || $1, 'ISC said ' || $1)",
        evil);
    tx.exec_params(
        "INSERT INTO mirror.sync_runs (tenant, resource, mode, status, finished_at, error) "
        "VALUES ('sim', 'identities', 'full', 'failed', now(), 'ISC said ' || $1)",
        evil);
    tx.commit();
  }
  for (auto args :
       {std::vector<std::string>{"actions", "list"}, std::vector<std::string>{"status"}}) {
    auto r = t.Mirror(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << args[0] << ": " << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << args[0];
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << args[0];
    EXPECT_NE(r.out.find("ISC said \\x1b]0;pwned\\x07"), std::string::npos)
        << args[0] << ": " << r.out;
  }
}

TEST_F(ActionsTest, ARuleErrorInTheConfigIsReportedWithItsLine) {
  Tenant t(url_, R"(rules:
  - name: leaver-handoff
    on: leaver
    do:
      - das_reassign_owner: { to: manager, fallbak: x }
)");
  auto r = t.Mirror({"check-config"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find(":14:"), std::string::npos) << r.err;  // 9 lines of tenant and database
  EXPECT_NE(r.err.find("unknown parameter 'fallbak'"), std::string::npos) << r.err;
}

// State rules pick their candidates in SQL: the SQL must read a state exactly as InState does.
TEST_F(ActionsTest, InStateSqlAgreesWithInState) {
  pqxx::connection c(url_);
  pqxx::work tx(c);
  auto quote = [&tx](std::string_view text) { return tx.quote(std::string(text)); };
  const std::vector<std::string> docs = {
      R"({"completionStatus":null})",    R"({})",
      R"({"completionStatus":"ERROR"})", R"({"completionStatus":"null"})",
      R"({"a/b":{"c~d":[1,2]}})",        R"({"n":1.5,"t":true,"s":"it's"})",
      R"({"completionStatus":{"x":1}})", R"({"completionStatus":"O'Brien \"q\""})"};
  std::vector<automation::ChangeMatch> matches;
  for (const char* path : {"/completionStatus", "/a~1b/c~0d", "/n", "/t", "/s"}) {
    for (std::optional<std::string> to :
         {std::optional<std::string>(), std::optional<std::string>("null"),
          std::optional<std::string>("ERROR"), std::optional<std::string>("[1,2]"),
          std::optional<std::string>("1.5"), std::optional<std::string>("true"),
          std::optional<std::string>("it's"), std::optional<std::string>("O'Brien \"q\""),
          std::optional<std::string>("{\"x\":1}")}) {
      matches.push_back({.path = path, .to = to});
    }
  }
  for (const auto& doc : docs) {
    for (const auto& match : matches) {
      bool sql =
          tx.exec1("SELECT coalesce(" +
                   automation::InStateSql(match, quote(doc) + "::jsonb", quote) + ", false)")[0]
              .as<bool>();
      EXPECT_EQ(sql, automation::InState(match, doc))
          << doc << " at " << match.path << " to " << match.to.value_or("(any)");
    }
  }
}

}  // namespace
}  // namespace isc_mirror
