// Event Triggers end to end: isc-sim posts its deliveries to a running isc-mirror, which records
// them, refreshes what they name and acts, with each auth scheme and every delivery fault.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "sync/resource_schema.hpp"
#include "tests/harness/https_receiver.hpp"
#include "tests/harness/openapi_validator.hpp"
#include "tests/harness/postgres_cluster.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"
#include "triggers/inbox.hpp"

namespace isc_mirror {
namespace {

// Every built-in resource: what a whole sync of the tenant runs.
const long long kResources = static_cast<long long>(sync::BuiltinSchemas().size());

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

enum class Auth { kBearer, kBasic, kNone };
// What ISC reaches: the daemon's receiver over plain HTTP (tests only), the daemon serving TLS
// itself, or nginx with the shipped config (systemd/nginx-triggers.conf) in front.
enum class Front { kPlain, kDaemonTls, kNginx };

// The shipped nginx server block with this test's port, certificate and receiver put in place
// of the values it marks CHANGE, inside a minimal nginx.conf of its own.
std::string NginxConfig(const std::filesystem::path& dir, int port,
                        const testing::Certificate& certificate, int receiver_port) {
  std::ifstream in(ISC_MIRROR_SOURCE_DIR "/systemd/nginx-triggers.conf");
  std::string server, line;
  int changed = 0;
  while (std::getline(in, line)) {
    auto replace = [&](std::string_view starts, const std::string& with) {
      if (line.find(starts) == std::string::npos || line.find("# CHANGE") == std::string::npos) {
        return false;
      }
      line = "    " + with + "\n";
      ++changed;
      return true;
    };
    if (!replace("listen 443 ssl", fmt::format("listen 127.0.0.1:{} ssl;", port)) &&
        !replace("ssl_certificate_key ", fmt::format("ssl_certificate_key {};", certificate.key)) &&
        !replace("ssl_certificate ", fmt::format("ssl_certificate {};", certificate.cert)) &&
        !replace("proxy_pass ", fmt::format("proxy_pass http://127.0.0.1:{};", receiver_port))) {
      line += "\n";
    }
    server += line;
  }
  if (changed != 4)
    throw std::runtime_error("systemd/nginx-triggers.conf: the four CHANGE lines moved");
  return fmt::format(
      "daemon off;\nworker_processes 1;\npid {0}/nginx.pid;\nerror_log {0}/error.log;\n"
      "events {{}}\nhttp {{\n  access_log {0}/access.log;\n  client_body_temp_path {0}/body;\n"
      "  proxy_temp_path {0}/proxy;\n  fastcgi_temp_path {0}/fastcgi;\n  uwsgi_temp_path "
      "{0}/uwsgi;\n  scgi_temp_path {0}/scgi;\n{1}}}\n",
      dir.string(), server);
}

// A simulator, a database and a running daemon whose resources are polled once an hour, so
// that only a delivery makes a change show within the test.
class Triggers : public testing::DatabaseTest {
 protected:
  void Start(Auth auth, Front front = Front::kPlain) {
    sim_ = std::make_unique<testing::SimProcess>(
        std::vector<std::string>{"--identities", "300", "--accounts-per-identity", "3"});
    control_ = std::make_unique<SimClient>(sim_->port());
    ASSERT_TRUE(control_->Authenticate());
    port_ = testing::FreePort();
    metrics_port_ = testing::FreePort();
    auth_ = auth;
    testing::WriteFile(dir_.path() / "secret", auth == Auth::kBearer ? kToken : kPassword);
    std::string secret = (dir_.path() / "secret").string();
    std::string keys = auth == Auth::kBearer ? fmt::format("token_file: {}", secret)
                       : auth == Auth::kBasic
                           ? fmt::format("auth: basic, user: isc, password_file: {}", secret)
                           : std::string("auth: none");
    if (!filters_.empty()) keys += fmt::format(", filters: {{ {} }}", filters_);
    std::string tenant = fmt::format("    triggers: {{ {} }}\n", keys);
    std::string resources = "resources:\n";
    for (const auto& schema : sync::BuiltinSchemas()) {
      const std::string& r = schema.name;
      resources += fmt::format("  {}: {{ interval: 1h }}\n", r);
    }
    std::string tls;
    public_url_ = fmt::format("http://127.0.0.1:{}", port_);
    if (front != Front::kPlain) {
      certificate_ = testing::SelfSignedCertificate(dir_.path());
      public_port_ = front == Front::kNginx ? testing::FreePort() : port_;
      public_url_ = fmt::format("https://127.0.0.1:{}", public_port_);
    }
    if (front == Front::kDaemonTls) {
      tls = fmt::format(", tls: {{ cert_file: {}, key_file: {} }}", certificate_.cert,
                        certificate_.key);
    }
    if (front == Front::kNginx) StartNginx();
    std::string rest = resources +
                       fmt::format("http: {{ listen: 127.0.0.1:{} }}\n", metrics_port_) +
                       fmt::format("triggers: {{ listen: 127.0.0.1:{}{} }}\n", port_, tls) +
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
                        kResources, 60s))
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
      if (HasFailure())
        std::cerr << "daemon log:\n" << log_.substr(log_.size() > 20000 ? log_.size() - 20000 : 0);
    }
    DatabaseTest::TearDown();
  }

  // An identity of the tenant other than the leavers the tests pick: the handoff's fallback.
  static std::string Fallback() { return "ffffffffffffffffffffffffffffffff"; }

  void StartNginx() {
    std::filesystem::permissions(
        dir_.path(), std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
        std::filesystem::perm_options::add);
    testing::WriteFile(dir_.path() / "nginx.conf",
                       NginxConfig(dir_.path(), public_port_, certificate_, port_));
    nginx_ = std::make_unique<testing::Subprocess>(
        testing::ProcessOptions{{"/usr/sbin/nginx", "-p", dir_.path().string(), "-c",
                                 (dir_.path() / "nginx.conf").string()},
                                testing::MinimalEnvironment(),
                                std::nullopt,
                                false});
    for (int i = 0; i < 100; ++i) {
      httplib::SSLClient probe("127.0.0.1", public_port_);
      probe.enable_server_certificate_verification(false);
      if (probe.Get("/")) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "nginx did not start (is the nginx package installed?)";
  }

  // One HTTP subscription per trigger, made by the command an operator runs.
  void Subscribe() {
    auto r = Mirror({"triggers", "subscribe", "--url", public_url_});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // A line a subscription, and one for each filter ISC checked.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), filters_.empty() ? 8 : 9) << r.out;
    EXPECT_EQ(r.out.find(auth_ == Auth::kBearer ? kToken : kPassword), std::string::npos);
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

  // The identity's department in the mirror; empty when the mirror has no such identity.
  std::string Department(const std::string& id) {
    auto rows = Column(fmt::format("SELECT department FROM isc.identities WHERE id = '{}'", id));
    return rows.empty() ? std::string() : rows[0];
  }

  bool WaitForDepartment(const std::string& id, std::string_view department,
                         std::chrono::milliseconds timeout) {
    return WaitFor(fmt::format("SELECT count(*) FROM isc.identities WHERE id = '{}' AND "
                               "department = '{}'",
                               id, department),
                   1, timeout);
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

  // Every payload isc-sim delivered, as recorded, is valid against its Trigger* schema.
  void ExpectPayloadsMatchTheirSchemas() {
    testing::OpenApiValidator validator(ISC_OPENAPI_FILE);
    for (const auto& row :
         Column("SELECT trigger_id || ' ' || body FROM mirror.trigger_deliveries")) {
      auto space = row.find(' ');
      auto errors =
          validator.ValidateSchema(kSchemas.at(row.substr(0, space)), row.substr(space + 1));
      EXPECT_TRUE(errors.empty()) << row << ": " << errors.front();
    }
  }

  // A leaver terminated in the tenant: the handoff's three actions succeed.
  void ExpectALeaverHandedOff() {
    std::string leaver = Leaver();
    Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
    EXPECT_TRUE(
        WaitFor("SELECT count(*) FROM mirror.actions WHERE rule = 'leaver-handoff' AND "
                "status = 'succeeded'",
                3, 15s));
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
  int public_port_ = 0;
  std::string public_url_;
  testing::Certificate certificate_;
  std::unique_ptr<testing::Subprocess> nginx_;
  Auth auth_ = Auth::kBearer;
  std::string filters_;  // tenants[].triggers.filters, as a YAML flow mapping's inside
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
  ExpectPayloadsMatchTheirSchemas();
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.trigger_deliveries WHERE status <> 'done'"), 0);
  EXPECT_NE(Metrics().find("isc_mirror_trigger_deliveries_total{tenant=\"sim\",trigger=\"idn:"
                           "identity-attributes-changed\",outcome=\"recorded\"} 1"),
            std::string::npos)
      << Metrics();
}

// Each trigger kind leads to the read it names, and only that read.
TEST_F(Triggers, EachTriggerKindReadsWhatItNames) {
  Start(Auth::kBearer);
  auto requests = [&] {
    simdjson::dom::parser parser;
    return parser.parse(Control("GET", "/__sim/stats"))["requests"].get_int64().value();
  };
  // A joiner.
  simdjson::dom::parser parser;
  std::string joiner(
      parser.parse(Control("POST", "/__sim/identities", R"({"department":"Sales"})"))["id"]
          .get_string()
          .value());
  EXPECT_TRUE(
      WaitFor(fmt::format("SELECT count(*) FROM isc.identities WHERE id = '{}'", joiner), 1, 10s));
  // An account correlated to it, then changed, then uncorrelated.
  std::string account(parser
                          .parse(Control("POST", "/__sim/accounts",
                                         fmt::format(R"({{"identityId":"{}"}})", joiner)))["id"]
                          .get_string()
                          .value());
  EXPECT_TRUE(
      WaitFor(fmt::format("SELECT count(*) FROM isc.accounts WHERE id = '{}'", account), 1, 10s));
  Control("PATCH", "/__sim/accounts/" + account, R"({"locked":true})");
  EXPECT_TRUE(
      WaitFor(fmt::format("SELECT count(*) FROM isc.accounts WHERE id = '{}' AND locked", account),
              1, 10s));
  Control("PATCH", "/__sim/accounts/" + account, R"({"uncorrelated":true})");
  EXPECT_TRUE(WaitFor(
      fmt::format("SELECT count(*) FROM isc.accounts WHERE id = '{}' AND uncorrelated", account), 1,
      10s));
  // A certification signed off: it and its items.
  auto open = Column(
      "SELECT id FROM isc.certifications c WHERE NOT completed AND EXISTS (SELECT 1 FROM "
      "isc.access_review_items i WHERE i.certification_id = c.id AND NOT i.completed) ORDER BY id "
      "LIMIT 1");
  ASSERT_FALSE(open.empty());
  Control("POST", "/__sim/certifications/" + open[0] + "/sign");
  EXPECT_TRUE(WaitFor(
      fmt::format("SELECT count(*) FROM isc.certifications WHERE id = '{}' AND completed", open[0]),
      1, 10s));
  EXPECT_TRUE(WaitFor(fmt::format("SELECT 1 - count(*) FROM isc.access_review_items WHERE "
                                  "certification_id = '{}' AND NOT completed",
                                  open[0]),
                      1, 10s))
      << "the signed certification's items are read with it";
  // An aggregation: an incremental accounts cycle now.
  Control("POST", "/__sim/aggregations",
          R"({"sourceId":"2c9180835d191a86015d28455b4b232a","sourceName":"HR"})");
  EXPECT_TRUE(
      WaitFor("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND "
              "mode = 'incremental'",
              1, 10s));
  // An identity deleted: read by id, gone, deleted in the mirror with its event.
  Control("DELETE", "/__sim/identities/" + joiner);
  EXPECT_TRUE(WaitFor(fmt::format("SELECT count(*) FROM isc.identities WHERE id = '{}' AND "
                                  "deleted_at IS NOT NULL",
                                  joiner),
                      1, 10s));
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE object_id = '{}' "
                              "AND op IN ('insert', 'delete')",
                              joiner)),
            2);
  EXPECT_TRUE(
      WaitFor("SELECT 1 - count(*) FROM mirror.trigger_deliveries WHERE status <> 'done'", 1, 10s));
  EXPECT_EQ(Count("SELECT count(DISTINCT trigger_id) FROM mirror.trigger_deliveries"), 7)
      << "every kind but identity attributes changed (the leaver's test) was recorded";
  ExpectPayloadsMatchTheirSchemas();
  // A quiet tenant costs nothing: with no delivery due, nothing is read.
  auto before = requests();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(requests(), before);
}

// Deliveries that are not the subscription's, or not a payload, change nothing.
TEST_F(Triggers, RefusesWhatIsNotAnAuthenticDeliveryAndCountsIt) {
  Start(Auth::kBearer);
  std::string valid =
      R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"M"},"attributes":{}})";
  std::string path = "/triggers/sim/identity-created";
  auto check = [&](const std::string& p, const std::string& body, const std::string& auth,
                   int status, const std::string& says) {
    auto r = Deliver(p, body, auth);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->status, status) << p << " " << auth << ": " << r->body;
    if (!says.empty()) {
      EXPECT_NE(r->body.find(says), std::string::npos) << r->body;
    }
  };
  check(path, valid, "", 401, "unauthorized");
  check(path, valid, "Bearer wrong-token-0123456789abcdef", 401, "");
  check(path, valid, std::string("Basic ") + kToken, 401, "");
  check(path, "{not json", std::string("Bearer ") + kToken, 400, "not JSON");
  check(path, R"({"identity":{"type":"IDENTITY","name":"M"},"attributes":{}})",
        std::string("Bearer ") + kToken, 400, "/identity/id is missing");
  check("/triggers/sim/certification-signed-off", valid, std::string("Bearer ") + kToken, 400,
        "/certification/id");
  check("/triggers/nobody/identity-created", valid, std::string("Bearer ") + kToken, 404, "");
  check("/triggers/sim/identity-renamed", valid, std::string("Bearer ") + kToken, 404, "");
  check(path, std::string(2 * 1024 * 1024, ' '), std::string("Bearer ") + kToken, 413, "");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.trigger_deliveries"), 0) << "nothing recorded";
  // The right one goes through; its copy is a duplicate and is not recorded again.
  check(path, valid, std::string("Bearer ") + kToken, 200, "recorded");
  check(path, valid, std::string("Bearer ") + kToken, 200, "duplicate");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.trigger_deliveries"), 1);
  EXPECT_EQ(Count("SELECT sum(duplicates) FROM mirror.trigger_deliveries"), 1);
  std::string metrics = Metrics();
  for (const char* line : {R"(trigger="idn:identity-created",outcome="unauthorized"} 3)",
                           R"(trigger="idn:identity-created",outcome="invalid"} 2)",
                           R"(trigger="idn:certification-signed-off",outcome="invalid"} 1)",
                           R"(trigger="idn:identity-created",outcome="recorded"} 1)",
                           R"(trigger="idn:identity-created",outcome="duplicate"} 1)"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
}

// Basic auth, as a BASIC_AUTH subscription sends it; a wrong password is refused.
TEST_F(Triggers, AcceptsBasicAuthWithTheSubscriptionsPassword) {
  Start(Auth::kBasic);
  std::string leaver = Leaver();
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Legal"})");
  EXPECT_TRUE(WaitForDepartment(leaver, "Legal", 10s));
  Control("POST", "/__sim/trigger-faults", R"({"badAuthRate":1.0})");
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Finance"})");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(Department(leaver), "Legal") << "a delivery with bad auth changes nothing";
  auto sent = Sent();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back(), (std::pair<std::string, int64_t>{"bad_auth", 401}));
  // The poll still catches it.
  ASSERT_EQ(Mirror({"sync-now", "identities"}).exit_code, 0);
  EXPECT_TRUE(WaitForDepartment(leaver, "Finance", 15s));
}

// Every delivery fault: a duplicated delivery does nothing twice, reordered and delayed ones
// end in the current state, and a lost one is caught by the next poll.
TEST_F(Triggers, DeliveryFaultsLoseNothingAndDoNothingTwice) {
  Start(Auth::kBearer);
  std::string leaver = Leaver();
  // Duplicated: the leaver's handoff is made once.
  Control("POST", "/__sim/trigger-faults", R"({"duplicateRate":1.0})");
  Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  ASSERT_TRUE(
      WaitFor("SELECT count(*) FROM mirror.actions WHERE rule = 'leaver-handoff' AND "
              "status = 'succeeded'",
              3, 15s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.actions"), 3) << "no action twice";
  EXPECT_EQ(Count("SELECT sum(duplicates) FROM mirror.trigger_deliveries"), 1);
  EXPECT_NE(Metrics().find(R"(outcome="duplicate"} 1)"), std::string::npos);
  // Reordered and delayed: two changes, the later delivered first, both late; the mirror
  // ends with the tenant's current state.
  Control("POST", "/__sim/trigger-faults", R"({"reorder":true,"delayMs":300})");
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Audit"})");
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Tax"})");
  EXPECT_TRUE(WaitForDepartment(leaver, "Tax", 10s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Department(leaver), "Tax") << "the earlier delivery, arriving last, changes nothing";
  auto sent = Sent();
  ASSERT_GE(sent.size(), 4u);
  EXPECT_EQ(sent[sent.size() - 1].first, "reordered");
  // Lost: nothing arrives; the next poll catches the change.
  Control("POST", "/__sim/trigger-faults", R"({"lossRate":1.0})");
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Risk"})");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(Department(leaver), "Tax");
  ASSERT_EQ(Mirror({"sync-now", "identities"}).exit_code, 0);
  EXPECT_TRUE(WaitForDepartment(leaver, "Risk", 15s));
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.actions"), 3);
}

// triggers subscribe makes what the config needs, again and again without copies, with the
// configured auth; list shows them; unsubscribe removes the mirror's and no others.
TEST_F(Triggers, SubscribeIsIdempotentAndUnsubscribeLeavesOthersAlone) {
  Start(Auth::kBearer);
  auto subscriptions = [&] {
    auto r = control_->Get("/v2025/trigger-subscriptions?limit=250");
    testing::OpenApiValidator validator(ISC_OPENAPI_FILE);
    auto errors = validator.ValidateResponse("GET", "/v2025/trigger-subscriptions", 200, r->body);
    EXPECT_TRUE(errors.empty()) << errors.front();
    return r->body;
  };
  auto count = [](const std::string& body, const std::string& what) {
    size_t n = 0;
    for (size_t at = body.find(what); at != std::string::npos; at = body.find(what, at + 1)) ++n;
    return n;
  };
  std::string first = subscriptions();
  EXPECT_EQ(count(first, "\"name\":\"isc-mirror sim "), 8u);
  EXPECT_EQ(count(first, "BEARER_TOKEN"), 8u);
  EXPECT_NE(first.find(fmt::format("http://127.0.0.1:{}/triggers/sim/identity-deleted", port_)),
            std::string::npos);
  // Someone else's subscription, which the mirror must not touch.
  auto other = control_->Post(
      "/v2025/trigger-subscriptions",
      R"({"name":"workflow","triggerId":"idn:identity-created","type":"HTTP",)"
      R"("httpConfig":{"url":"https://example.com/hook","httpDispatchMode":"SYNC"}})");
  ASSERT_EQ(other->status, 201);
  auto again =
      Mirror({"triggers", "subscribe", "--url", fmt::format("http://127.0.0.1:{}", port_)});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count(again.out, " updated "), 8u) << again.out;
  EXPECT_EQ(count(subscriptions(), "\"name\":\"isc-mirror sim "), 8u) << "no copies";
  auto listed = Mirror({"triggers", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(count(listed.out, "\n"), 9u) << listed.out;
  EXPECT_EQ(count(listed.out, "(not the mirror's)"), 1u) << listed.out;
  // Deliveries still flow after the update.
  std::string leaver = Leaver();
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Ops"})");
  EXPECT_TRUE(WaitForDepartment(leaver, "Ops", 10s));
  auto removed = Mirror({"triggers", "unsubscribe", "sim"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(count(removed.out, " removed "), 8u) << removed.out;
  std::string left = subscriptions();
  EXPECT_EQ(count(left, "\"name\":\"isc-mirror sim "), 0u);
  EXPECT_EQ(count(left, "\"name\":\"workflow\""), 1u);
  // What the command refuses.
  auto plain = Mirror({"triggers", "subscribe", "--url", "ftp://x"});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("must be https://"), std::string::npos) << plain.err;
  auto no_url = Mirror({"triggers", "subscribe"});
  EXPECT_EQ(no_url.exit_code, 2);
  EXPECT_NE(no_url.err.find("--url"), std::string::npos) << no_url.err;
}

// A filter goes to ISC with the subscription after ISC's validate-filter passed it: the events
// it keeps out are never sent, the leaver's still is; a filter ISC would never pass changes
// nothing; taking the filter out of the config takes it out of the subscription.
TEST_F(Triggers, FiltersAreCheckedByIscAndKeepOtherEventsAway) {
  constexpr std::string_view kFilter = "$.changes[?(@.attribute == 'cloudLifecycleState')]";
  filters_ = fmt::format(R"(idn:identity-attributes-changed: "{}")", kFilter);
  Start(Auth::kBearer);
  auto listed = Mirror({"triggers", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(fmt::format("filter {}", kFilter)), std::string::npos) << listed.out;

  std::string mover = Column("SELECT id FROM isc.identities ORDER BY id DESC LIMIT 1").at(0);
  Control("POST", "/__sim/identities/" + mover + "/attributes", R"({"department":"Filtered"})");
  auto filtered = [&] {
    return std::ranges::count(Sent(), std::pair<std::string, int64_t>{"filtered", 0});
  };
  for (int i = 0; i < 100 && filtered() == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(filtered(), 1) << "the department change was held back by the filter";
  ExpectALeaverHandedOff();
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.trigger_deliveries WHERE trigger_id = "
                  "'idn:identity-attributes-changed'"),
            1)
      << "only the leaver's change was sent";
  EXPECT_NE(Department(mover), "Filtered") << "the next poll, an hour away, brings it";
  // Polls finding what the filter held back is no sign of broken subscriptions.
  for (const auto& id : Column("SELECT id FROM isc.identities WHERE lifecycle_state = 'active' "
                               "ORDER BY id DESC LIMIT 3 OFFSET 1")) {
    Control("POST", "/__sim/identities/" + id + "/attributes", R"({"department":"Filtered"})");
  }
  ASSERT_EQ(Mirror({"sync-now", "identities"}).exit_code, 0);
  ASSERT_TRUE(WaitFor("SELECT count(*) FROM isc.identities WHERE department = 'Filtered'", 4, 15s));
  auto status = Mirror({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(R"("trigger_warnings":[])"), std::string::npos) << status.out;

  std::string config = testing::ReadFile(config_);
  auto resubscribe = [&](std::string_view filter) {
    std::string text = config;
    text.replace(text.find(kFilter), kFilter.size(), filter);
    testing::WriteFile(config_, text);
    return Mirror({"triggers", "subscribe", "--url", public_url_});
  };
  auto broken = resubscribe("$.changes[?(@.attribute == )]");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("idn:identity-attributes-changed is not valid JSONPath"),
            std::string::npos)
      << broken.err;
  EXPECT_NE(broken.err.find("nothing subscribed"), std::string::npos) << broken.err;
  EXPECT_EQ(broken.out, "") << "no subscription was written";
  auto absent = resubscribe("$.attributes[?(@.department == 'Sales')]");
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("names a path its payload does not have"), std::string::npos)
      << absent.err;
  EXPECT_NE(Mirror({"triggers", "list"}).out.find(kFilter), std::string::npos)
      << "the subscription kept its filter";

  std::string unfiltered = config;
  unfiltered.replace(
      unfiltered.find(", filters: {"),
      unfiltered.find("}", unfiltered.find(", filters: {")) + 1 - unfiltered.find(", filters: {"),
      "");
  testing::WriteFile(config_, unfiltered);
  auto cleared = Mirror({"triggers", "subscribe", "--url", public_url_});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_EQ(Mirror({"triggers", "list"}).out.find("filter"), std::string::npos)
      << "the replacement carries no filter";
}

// A delivery has its own loop: it is refreshed while a long scan of another resource goes on.
TEST_F(Triggers, ADeliveryDoesNotWaitForAnotherResourcesScan) {
  Start(Auth::kBearer);
  // Every accounts page now takes 3 s: a full scan of 900 accounts takes 12 s.
  Control("POST", "/__sim/faults", R"({"prefix":"/v2024/accounts","latencyMs":3000})");
  ASSERT_EQ(Mirror({"sync-now", "accounts"}).exit_code, 0);
  ASSERT_TRUE(
      WaitFor("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND "
              "status = 'running'",
              1, 10s));
  std::string leaver = Leaver();
  auto asked = std::chrono::steady_clock::now();
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Quality"})");
  ASSERT_TRUE(WaitForDepartment(leaver, "Quality", 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 2s);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND "
                  "status = 'running'"),
            1)
      << "the accounts scan was still going";
  Control("DELETE", "/__sim/faults");
}

// status shows each trigger's deliveries and refusals, and warns when the polls keep finding
// changes that deliveries should have brought.
TEST_F(Triggers, StatusShowsDeliveriesAndWarnsWhenTheyStop) {
  Start(Auth::kBearer);
  std::string leaver = Leaver();
  Control("POST", "/__sim/identities/" + leaver + "/attributes", R"({"department":"Press"})");
  ASSERT_TRUE(
      WaitFor("SELECT count(*) FROM mirror.trigger_deliveries WHERE status = 'done'", 1, 10s));
  auto refused = Deliver("/triggers/sim/identity-created", "{}", "Bearer nope");
  ASSERT_TRUE(refused && refused->status == 401);
  ASSERT_TRUE(
      WaitFor("SELECT coalesce(sum(refused), 0) FROM mirror.trigger_refusals WHERE "
              "reason = 'unauthorized' AND trigger_id = 'idn:identity-created'",
              1, 10s))
      << "refusals reach the database within seconds";
  auto status = Mirror({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("trigger deliveries:"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("idn:identity-attributes-changed"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("warning:"), std::string::npos) << status.out;
  // Deliveries stop; three changes reach the mirror by polling only.
  Control("POST", "/__sim/trigger-faults", R"({"lossRate":1.0})");
  auto others = Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id DESC LIMIT 3");
  for (const auto& id : others) {
    Control("POST", "/__sim/identities/" + id + "/attributes", R"({"department":"Lost"})");
  }
  ASSERT_EQ(Mirror({"sync-now", "identities"}).exit_code, 0);
  ASSERT_TRUE(WaitFor("SELECT count(*) FROM isc.identities WHERE department = 'Lost'", 3, 15s));
  auto json = Mirror({"status", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"trigger_warnings\":[\"sim: no delivery for"), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("found 3 identity changes"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("trigger":"idn:identity-created","recorded_24h":0)"),
            std::string::npos)
      << json.out;
}

// TLS as production has it: the daemon serving HTTPS itself, or nginx with the shipped config
// in front; a leaver's delivery arrives either way, and plain HTTP to a TLS port does not.
TEST_F(Triggers, DeliversOverTlsFromTheDaemonItself) {
  Start(Auth::kBearer, Front::kDaemonTls);
  ExpectALeaverHandedOff();
  auto plain = Deliver("/triggers/sim/identity-created", "{}", std::string("Bearer ") + kToken);
  EXPECT_TRUE(!plain || plain->status >= 400) << "plain HTTP is not served on the TLS port";
}

TEST_F(Triggers, DeliversThroughTheShippedNginxConfig) {
  Start(Auth::kBearer, Front::kNginx);
  ExpectALeaverHandedOff();
  httplib::SSLClient outside("127.0.0.1", public_port_);
  outside.enable_server_certificate_verification(false);
  auto metrics = outside.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 404) << "only the receiver's path is exposed";
  auto get = outside.Get("/triggers/sim/identity-created");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 403) << "only POST";
  auto bad = outside.Post("/triggers/sim/identity-created", {{"Authorization", "Bearer wrong"}},
                          "{}", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401) << "the receiver's own answer comes through";
}

// NO_AUTH, when the config says so: deliveries with no credentials (or any) are believed.
TEST_F(Triggers, AcceptsNoAuthOnlyWhenTheConfigSaysSo) {
  Start(Auth::kNone);
  ExpectALeaverHandedOff();
  auto anyone = Deliver(
      "/triggers/sim/identity-created",
      R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"M"},"attributes":{}})",
      "");
  ASSERT_TRUE(anyone);
  EXPECT_EQ(anyone->status, 200) << anyone->body;
  auto listed = Mirror({"triggers", "list"});
  EXPECT_NE(listed.out.find("NO_AUTH"), std::string::npos) << listed.out;
}

// A copy of a delivery wakes its tenant's loop as the first did. The copy's transaction locks
// the first's row, and a refresh claiming meanwhile skips it (SKIP LOCKED): without a second
// wake the loop slept its idle second (bench/action_latency.sh's 1.1 s trials).
class TriggerRecorder : public testing::DatabaseTest {};

TEST_F(TriggerRecorder, ACopyWakesItsTenantsLoopAsTheFirstDid) {
  {
    auto connection = db::Connect(base::Secret(url_));
    auto migrations = db::LoadMigrations(ISC_MIRROR_SOURCE_DIR "/migrations");
    ASSERT_TRUE(migrations.ok());
    db::Migrate(*connection, *migrations);
  }
  std::mutex mutex;
  std::vector<std::string> woken;
  triggers::DeliveryRecorder recorder(
      {.database_url = base::Secret(url_), .on_recorded = [&](const auto& tenants) {
         std::lock_guard lock(mutex);
         woken.insert(woken.end(), tenants.begin(), tenants.end());
       }});
  const std::string body =
      R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"M"},)"
      R"("changes":[{"attribute":"department","oldValue":"a","newValue":"b"}]})";
  constexpr auto kKind = triggers::TriggerKind::kIdentityAttributesChanged;
  EXPECT_EQ(recorder.Record("prod", kKind, body), triggers::Recorded::kNew);
  EXPECT_EQ(recorder.Record("prod", kKind, body), triggers::Recorded::kDuplicate);
  auto wakes = [&] {
    std::lock_guard lock(mutex);
    return woken;
  };
  for (int i = 0; i < 100 && wakes().size() < 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(wakes(), (std::vector<std::string>{"prod", "prod"}));
}

}  // namespace
}  // namespace isc_mirror
