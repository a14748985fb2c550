// Event Triggers end to end: isc-sim posts its deliveries to a running isc-mirror, which records
// them, refreshes what they name and acts, with each auth scheme and every delivery fault.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>

#include <map>
#include <thread>

#include "tests/harness/openapi_validator.hpp"
#include "tests/harness/postgres_cluster.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

using namespace std::chrono_literals;
using testing::SimClient;

constexpr const char* kToken = "trigger-token-0123456789abcdef";
constexpr const char* kPassword = "trigger-password-0123456789";

// The mirror's triggers and the payload schema of each (the definitions' Trigger*).
const std::map<std::string, std::string> kSchemas = {
    {"idn:identity-attributes-changed", "TriggerIdentityAttributesChanged"},
    {"idn:identity-created", "TriggerIdentityCreated"},
    {"idn:identity-deleted", "TriggerIdentityDeleted"},
    {"idn:account-attributes-changed", "TriggerAccountAttributesChanged"},
    {"idn:account-correlated", "TriggerAccountCorrelated"},
    {"idn:account-uncorrelated", "TriggerAccountUncorrelated"},
    {"idn:account-aggregation-completed", "TriggerAccountAggregationCompleted"},
    {"idn:certification-signed-off", "TriggerCertificationSignedOff"},
};

enum class Auth { kBearer, kBasic };

// A simulator, a database and a running daemon whose resources are polled once an hour, so
// that only a delivery makes a change show within the test.
class Triggers : public testing::DatabaseTest {
 protected:
  void Start(Auth auth) {
    sim_ = std::make_unique<testing::SimProcess>(
        std::vector<std::string>{"--identities", "300", "--accounts-per-identity", "3"});
    control_ = std::make_unique<SimClient>(sim_->port());
    ASSERT_TRUE(control_->Authenticate());
    port_ = testing::FreePort();
    metrics_port_ = testing::FreePort();
    auth_ = auth;
    testing::WriteFile(dir_.path() / "secret", auth == Auth::kBearer ? kToken : kPassword);
    std::string tenant =
        auth == Auth::kBearer
            ? fmt::format("    triggers: {{ token_file: {} }}\n", (dir_.path() / "secret").string())
            : fmt::format("    triggers: {{ auth: basic, user: isc, password_file: {} }}\n",
                          (dir_.path() / "secret").string());
    std::string resources = "resources:\n";
    for (const char* r :
         {"identities", "accounts", "task_statuses", "certifications", "certification_reviewers",
          "access_review_items", "certification_tasks", "das_applications", "das_tasks",
          "das_schedules", "das_identity_collectors", "das_resource_owners"}) {
      resources += fmt::format("  {}: {{ interval: 1h }}\n", r);
    }
    std::string rest = resources +
                       fmt::format("http: {{ listen: 127.0.0.1:{} }}\n", metrics_port_) +
                       fmt::format("triggers: {{ listen: 127.0.0.1:{} }}\n", port_) +
                       testing::LeaverHandoffRule(Fallback());
    config_ = (dir_.path() / "config.yaml").string();
    testing::WriteFile(
        config_,
        testing::MirrorConfig(*sim_, url_, "{ attempts: 3, base_delay: 10ms }", rest, tenant));
    ASSERT_EQ(Mirror({"migrate"}).exit_code, 0);
    daemon_ = std::make_unique<testing::Subprocess>(
        testing::ProcessOptions{{ISC_MIRROR_BINARY, "-c", config_, "run"},
                                testing::MinimalEnvironment(),
                                std::nullopt,
                                false});
    ASSERT_TRUE(WaitFor("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = 'ok'",
                        12, 60s))
        << "every resource's baseline";
    Subscribe();
  }

  void TearDown() override {
    if (daemon_) {
      daemon_->Signal(SIGTERM);
      auto result = daemon_->Wait(20s);
      EXPECT_EQ(result.exit_code, 0) << result.err;
      // A secret never reaches the log.
      EXPECT_EQ(result.err.find(auth_ == Auth::kBearer ? kToken : kPassword), std::string::npos);
      log_ = result.err;
    }
    DatabaseTest::TearDown();
  }

  // An identity of the tenant other than the leavers the tests pick: the handoff's fallback.
  static std::string Fallback() { return "ffffffffffffffffffffffffffffffff"; }

  // One HTTP subscription per trigger, each at its own path, with the test's auth.
  void Subscribe() {
    for (const auto& [trigger, schema] : kSchemas) {
      std::string name = trigger.substr(4);
      std::string auth =
          auth_ == Auth::kBearer
              ? fmt::format(
                    R"("httpAuthenticationType":"BEARER_TOKEN","bearerTokenAuthConfig":{{"bearerToken":"{}"}})",
                    kToken)
              : fmt::format(
                    R"("httpAuthenticationType":"BASIC_AUTH","basicAuthConfig":{{"userName":"isc","password":"{}"}})",
                    kPassword);
      auto r = control_->Post(
          "/v2025/trigger-subscriptions",
          fmt::format(R"({{"name":"isc-mirror {}","triggerId":"{}","type":"HTTP",)"
                      R"("httpConfig":{{"url":"http://127.0.0.1:{}/triggers/sim/{}",)"
                      R"("httpDispatchMode":"SYNC",{}}}}})",
                      name, trigger, port_, name, auth));
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 201) << r->body;
      testing::OpenApiValidator validator(ISC_OPENAPI_FILE);
      auto errors =
          validator.ValidateResponse("POST", "/v2025/trigger-subscriptions", 201, r->body);
      EXPECT_TRUE(errors.empty()) << errors.front();
      EXPECT_EQ(r->body.find(auth_ == Auth::kBearer ? kToken : kPassword), std::string::npos)
          << "ISC answers no secret";
    }
  }

  testing::ProcessResult Mirror(std::vector<std::string> args) {
    args.insert(args.begin(), {ISC_MIRROR_BINARY, "-c", config_});
    return testing::RunProcess({args, testing::MinimalEnvironment(), std::nullopt, false}, 60s);
  }

  std::string Control(const std::string& method, const std::string& path,
                      const std::string& body = "{}") {
    auto r = control_->Control(method, path, body);
    if (!r || r->status != 200) {
      throw std::runtime_error(path + ": " + (r ? r->body : std::string("no answer")));
    }
    return r->body;
  }

  int64_t Count(const std::string& sql) { return testing::QueryCount(url_, sql); }
  std::vector<std::string> Column(const std::string& sql) {
    return testing::QueryColumn(url_, sql);
  }

  bool WaitFor(const std::string& sql, int64_t at_least, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Count(sql) >= at_least) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // The statuses the simulator's deliveries were answered with, by fault.
  std::vector<std::pair<std::string, int64_t>> Sent() {
    simdjson::dom::parser parser;
    std::vector<std::pair<std::string, int64_t>> out;
    std::string json = Control("GET", "/__sim/trigger-deliveries");
    for (auto item : parser.parse(json).get_array()) {
      out.emplace_back(std::string(item["fault"].get_string().value()),
                       item["status"].get_int64().value());
    }
    return out;
  }

  // A POST to the receiver as ISC would make it, with the given Authorization header.
  httplib::Result Deliver(const std::string& path, const std::string& body,
                          const std::string& authorization) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    return client.Post(path, headers, body, "application/json");
  }

  std::string Metrics() {
    httplib::Client client("127.0.0.1", metrics_port_);
    auto r = client.Get("/metrics");
    return r ? r->body : "";
  }

  // An active identity with a manager, DAS ownership, open reviews and accounts.
  std::string Leaver() {
    auto rows = Column(
        "SELECT i.id FROM isc.identities i JOIN isc.identities m ON m.tenant = i.tenant AND "
        "m.id = i.manager_id AND m.lifecycle_state = 'active' WHERE i.lifecycle_state = "
        "'active' AND EXISTS (SELECT 1 FROM isc.das_resource_owners o WHERE o.identity_id = "
        "i.id) AND EXISTS (SELECT 1 FROM isc.certifications c JOIN isc.access_review_items it ON "
        "it.certification_id = c.id AND NOT it.completed WHERE c.reviewer_id = i.id AND NOT "
        "c.completed) AND EXISTS (SELECT 1 FROM isc.accounts a WHERE a.identity_id = i.id) "
        "ORDER BY i.id LIMIT 1");
    if (rows.empty()) throw std::runtime_error("no identity fits the leaver scenario");
    return rows[0];
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::SimProcess> sim_;
  std::unique_ptr<SimClient> control_;
  std::unique_ptr<testing::Subprocess> daemon_;
  std::string config_;
  std::string log_;
  int port_ = 0;
  int metrics_port_ = 0;
  Auth auth_ = Auth::kBearer;
};

// The acceptance's leaver: terminated in the tenant, handed off in about a second although the
// next poll is an hour away; every payload the simulator sent is valid against its schema.
TEST_F(Triggers, ALeaversDeliveryHandsOffBeforeAnyPoll) {
  Start(Auth::kBearer);
  std::string leaver = Leaver();
  auto asked = std::chrono::steady_clock::now();
  Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_TRUE(
      WaitFor("SELECT count(*) FROM mirror.actions WHERE rule = 'leaver-handoff' AND "
              "status = 'succeeded'",
              3, 15s))
      << fmt::format("{}", fmt::join(Column("SELECT action || ' ' || status || ' ' || "
                                            "coalesce(error, '') FROM mirror.actions"),
                                     "\n"));
  auto took = std::chrono::steady_clock::now() - asked;
  EXPECT_LT(took, 5s) << "handed off without waiting for the hourly poll";
  // The leaver's event came from the refresh: no run of the poll wrote it.
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE resource = "
                              "'identities' AND object_id = '{}' AND op = 'update' AND "
                              "sync_run_id IS NULL",
                              leaver)),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'identities'"), 1);
  // The accounts were read with the identity: their new lifecycle state is in the mirror.
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM isc.accounts WHERE identity_id = '{}' AND "
                              "cloud_lifecycle_state <> 'terminated'",
                              leaver)),
            0);
  testing::OpenApiValidator validator(ISC_OPENAPI_FILE);
  for (const auto& row :
       Column("SELECT trigger_id || ' ' || body FROM mirror.trigger_deliveries")) {
    auto space = row.find(' ');
    auto errors =
        validator.ValidateSchema(kSchemas.at(row.substr(0, space)), row.substr(space + 1));
    EXPECT_TRUE(errors.empty()) << row << ": " << errors.front();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.trigger_deliveries WHERE status <> 'done'"), 0);
  EXPECT_NE(Metrics().find("isc_mirror_trigger_deliveries_total{tenant=\"sim\",trigger=\"idn:"
                           "identity-attributes-changed\",outcome=\"recorded\"} 1"),
            std::string::npos)
      << Metrics();
}

}  // namespace
}  // namespace isc_mirror
