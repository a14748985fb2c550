// isc-sim over HTTP: auth, paging, filters, rate limit, faults, control API, actions, and every
// body checked against the OpenAPI subset.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <set>
#include <thread>

#include "sync/isc_client.hpp"
#include "tests/harness/openapi_validator.hpp"
#include "tests/harness/sim_process.hpp"

namespace isc_mirror::testing {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

OpenApiValidator& Spec() {
  static OpenApiValidator validator(ISC_OPENAPI_FILE);
  return validator;
}

// Every collection GET of DESIGN §2 with its spec template; {cert} and {app} filled in later.
struct Endpoint {
  std::string path;
  std::string spec_template;
};

// Query parameter values are encoded as the mirror's client encodes them.
std::string Q(const std::string& value) {
  return sync::PercentEncode(value);
}

std::string Errors(const std::vector<std::string>& errors) {
  std::string out;
  for (size_t i = 0; i < errors.size() && i < 10; ++i) out += errors[i] + "\n";
  return out;
}

class SimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = new SimProcess({"--identities", "200", "--accounts-per-identity", "3", "--seed", "7"});
  }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
  }
  void SetUp() override {
    client_ = std::make_unique<SimClient>(sim_->port());
    ASSERT_TRUE(client_->Authenticate());
  }

  // GET, expect 200, validate against the spec, return the parsed body.
  element GetValid(const std::string& path, const std::string& spec_template) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return element();
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    auto errors = Spec().ValidateResponse("GET", spec_template, res->status, res->body);
    EXPECT_TRUE(errors.empty()) << path << "\n" << Errors(errors);
    bodies_.push_back(res->body);
    element doc;
    EXPECT_FALSE(parser_.parse(bodies_.back()).get(doc)) << path;
    return doc;
  }

  // Ids of a whole collection, read page by page.
  std::vector<std::string> AllIds(const std::string& path, const std::string& id_field = "id") {
    std::vector<std::string> ids;
    for (int offset = 0;; offset += 100) {
      auto sep = path.find('?') == std::string::npos ? "?" : "&";
      auto res = client_->Get(path + sep + "limit=100&offset=" + std::to_string(offset));
      if (!res || res->status != 200) break;
      simdjson::dom::parser p;
      array items = p.parse(res->body).get_array();
      for (element item : items) ids.emplace_back(std::string_view(item[id_field].get_string()));
      if (items.size() < 100) break;
    }
    return ids;
  }

  std::string FirstId(const std::string& path, const std::string& field = "id") {
    auto res = client_->Get(path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=1");
    simdjson::dom::parser p;
    element first = p.parse(res->body).get_array().at(0);
    if (first[field].is_int64()) return std::to_string(int64_t(first[field]));
    return std::string(std::string_view(first[field]));
  }

  static SimProcess* sim_;
  std::unique_ptr<SimClient> client_;
  simdjson::dom::parser parser_;
  std::vector<std::string> bodies_;
};

SimProcess* SimTest::sim_ = nullptr;

TEST_F(SimTest, IssuesTokensForFormAndMultipartBodies) {
  httplib::Client http("127.0.0.1", sim_->port());
  auto form = http.Post("/oauth/token", httplib::Params{{"grant_type", "client_credentials"},
                                                        {"client_id", "sim-client"},
                                                        {"client_secret", "sim-secret"}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("\"token_type\":\"bearer\""), std::string::npos);
  EXPECT_NE(form->body.find("\"expires_in\":749"), std::string::npos);
  httplib::MultipartFormDataItems multipart = {{"grant_type", "client_credentials", "", ""},
                                               {"client_id", "sim-client", "", ""},
                                               {"client_secret", "sim-secret", "", ""}};
  auto mp = http.Post("/oauth/token", multipart);
  ASSERT_TRUE(mp);
  EXPECT_EQ(mp->status, 200) << mp->body;
}

TEST_F(SimTest, RefusesBadCredentialsAndTokens) {
  httplib::Client http("127.0.0.1", sim_->port());
  auto wrong = http.Post("/oauth/token", httplib::Params{{"grant_type", "client_credentials"},
                                                         {"client_id", "sim-client"},
                                                         {"client_secret", "nope"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(wrong->body.find("invalid_client"), std::string::npos);
  auto grant = http.Post("/oauth/token", httplib::Params{{"grant_type", "password"}});
  EXPECT_EQ(grant->status, 400);

  auto none = http.Get("/v2024/identities");
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->body.find("JWT is missing"), std::string::npos);
  auto unknown = http.Get("/v2024/identities", {{"Authorization", "Bearer made-up"}});
  EXPECT_EQ(unknown->status, 401);
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/identities", 401, unknown->body).empty());
}

TEST(SimTokens, ExpireAfterTheirLifetimeAndOnDemand) {
  SimProcess sim({"--identities", "20", "--token-ttl", "1"});
  SimClient client(sim.port());
  ASSERT_TRUE(client.Authenticate());
  EXPECT_EQ(client.Get("/v2024/identities")->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto expired = client.Get("/v2024/identities");
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->body.find("JWT is expired"), std::string::npos);

  ASSERT_TRUE(client.Authenticate());
  EXPECT_EQ(client.Get("/v2024/identities")->status, 200);
  EXPECT_EQ(client.Control("POST", "/__sim/tokens/expire")->status, 200);
  EXPECT_EQ(client.Get("/v2024/identities")->status, 401);
}

TEST_F(SimTest, EveryCollectionValidatesAgainstTheSpec) {
  std::string cert = FirstId("/v3/certifications?filters=" + Q("phase eq \"ACTIVE\""));
  std::string app = FirstId("/das/v1/applications");
  std::vector<Endpoint> endpoints = {
      {"/v2024/identities", "/v2024/identities"},
      {"/v2024/accounts", "/v2024/accounts"},
      {"/beta/task-status", "/beta/task-status"},
      {"/beta/task-status/pending-tasks", "/beta/task-status/pending-tasks"},
      {"/v3/certifications", "/v3/certifications"},
      {"/v3/certifications/" + cert + "/reviewers", "/v3/certifications/{id}/reviewers"},
      {"/v3/certifications/" + cert + "/access-review-items",
       "/v3/certifications/{id}/access-review-items"},
      {"/v3/certification-tasks", "/v3/certification-tasks"},
      {"/das/v1/applications", "/das/v1/applications"},
      {"/das/v1/tasks", "/das/v1/tasks"},
      {"/das/v1/tasks/schedules", "/das/v1/tasks/schedules"},
      {"/das/identity-collectors/v1", "/das/identity-collectors/v1"},
      {"/das/v1/owners/applications/" + app, "/das/v1/owners/applications/{appId}"},
  };
  for (const auto& e : endpoints) {
    element doc = GetValid(e.path, e.spec_template);
    EXPECT_GT(array(doc).size(), 0u) << e.path << " returned nothing";
  }
  std::string identity = FirstId("/v2024/identities");
  GetValid("/v2024/identities/" + identity, "/v2024/identities/{id}");
  GetValid("/v2024/accounts/" + FirstId("/v2024/accounts"), "/v2024/accounts/{id}");
  GetValid("/beta/task-status/" + FirstId("/beta/task-status"), "/beta/task-status/{id}");
  auto missing = client_->Get("/v2024/identities/00000000000000000000000000000000");
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/identities/{id}", 404, missing->body).empty());
}

TEST_F(SimTest, PagesCoverTheCollectionOnceInIdOrder) {
  auto ids = AllIds("/v2024/accounts?sorters=id");
  EXPECT_EQ(ids.size(), 600u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  auto res = client_->Get("/v2024/accounts?limit=10&count=true");
  EXPECT_EQ(res->get_header_value("X-Total-Count"), "600");
  EXPECT_FALSE(client_->Get("/v2024/accounts?limit=10")->has_header("X-Total-Count"));
  // The default order is the same id order, so an unsorted scan is stable too.
  EXPECT_EQ(AllIds("/v2024/accounts"), ids);
}

TEST_F(SimTest, EnforcesLimitsAndTheOffsetQuirk) {
  auto too_big = client_->Get("/v2024/accounts?limit=251");
  EXPECT_EQ(too_big->status, 400);
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/accounts", 400, too_big->body).empty())
      << too_big->body;
  EXPECT_NE(too_big->body.find("250"), std::string::npos);
  EXPECT_EQ(client_->Get("/v2024/accounts?limit=abc")->status, 400);
  EXPECT_EQ(client_->Get("/v2024/accounts?offset=-1")->status, 400);
  // 600 accounts: offset 600 with limit 200 (an exact multiple) is refused, as ISC does...
  auto quirk = client_->Get("/v2024/accounts?limit=200&offset=600");
  EXPECT_EQ(quirk->status, 400);
  EXPECT_NE(quirk->body.find("Specified offset is invalid"), std::string::npos);
  // ...but past the end otherwise, or when the size is not a multiple, it is an empty page.
  auto past = client_->Get("/v2024/accounts?limit=250&offset=600");
  EXPECT_EQ(past->status, 200);
  EXPECT_EQ(past->body, "[]");
  EXPECT_EQ(client_->Get("/v2024/accounts?limit=200&offset=800")->body, "[]");
}

TEST_F(SimTest, FiltersAndSortersFollowTheSpec) {
  auto ids = AllIds("/v2024/accounts");
  std::string in = "id in (\"" + ids[3] + "\",\"" + ids[5] + "\")";
  auto res = client_->Get("/v2024/accounts?filters=" + Q(in));
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(array(parser_.parse(res->body)).size(), 2u);
  auto eq = client_->Get("/v2024/accounts?filters=" + Q("id eq \"" + ids[7] + "\""));
  EXPECT_NE(eq->body.find(ids[7]), std::string::npos);

  // Incremental reads: modified since a time, newest first.
  auto recent = client_->Get("/v2024/accounts?sorters=-modified&filters=" +
                             Q("modified ge \"2000-01-01T00:00:00Z\""));
  ASSERT_EQ(recent->status, 200) << recent->body;
  std::vector<std::string> modified;
  for (element a : array(parser_.parse(recent->body)))
    modified.emplace_back(std::string_view(a["modified"]));
  EXPECT_TRUE(std::is_sorted(modified.rbegin(), modified.rend()));

  for (const char* bad :
       {"colour eq \"red\"", "uncorrelated gt true", "id eq unquoted", "id eq \"x\" and"}) {
    auto r = client_->Get("/v2024/accounts?filters=" + Q(bad));
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/accounts", 400, r->body).empty());
  }
  // '+' in a query string is a space, as ISC's servlet stack reads it.
  auto plus = client_->Get("/v2024/accounts?filters=id+eq+%22" + ids[7] + "%22");
  ASSERT_EQ(plus->status, 200) << plus->body;
  EXPECT_NE(plus->body.find(ids[7]), std::string::npos);
  EXPECT_EQ(client_->Get("/v2024/identities?sorters=id")->status, 400)
      << "identities cannot sort by id";
  EXPECT_EQ(client_->Get("/v2024/identities?sorters=name")->status, 200);
  EXPECT_EQ(client_->Get("/beta/task-status?sorters=created")->status, 200);

  // Pending tasks, and the filter that replaces the deprecated endpoint.
  auto pending = client_->Get("/beta/task-status/pending-tasks");
  auto isnull = client_->Get("/beta/task-status?filters=" + Q("completionStatus isnull"));
  ASSERT_EQ(isnull->status, 200);
  EXPECT_EQ(array(parser_.parse(pending->body)).size(), 5u);
  EXPECT_EQ(array(parser_.parse(isnull->body)).size(), 5u);
}

TEST_F(SimTest, HidesTaskStatusesOlderThanNinetyDays) {
  std::string id = FirstId("/beta/task-status");
  size_t before = AllIds("/beta/task-status").size();
  ASSERT_EQ(client_->Control("POST", "/__sim/clock", R"({"advanceSeconds": 5184000})")->status,
            200);  // 60 days
  size_t after = AllIds("/beta/task-status").size();
  EXPECT_LT(after, before) << "advancing the clock should expire old task statuses";
  EXPECT_GT(after, 0u);
}

TEST(SimRateLimit, AnswersTooManyRequestsPerClientAndVersion) {
  SimProcess sim({"--identities", "20", "--rate-limit", "5/2s"});
  SimClient client(sim.port());
  ASSERT_TRUE(client.Authenticate());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Get("/v2024/identities")->status, 200) << i;
  auto limited = client.Get("/v2024/identities");
  EXPECT_EQ(limited->status, 429);
  int retry_after = std::stoi(limited->get_header_value("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/identities", 429, limited->body).empty());
  // Another API version has its own budget; another token of the same client does not.
  EXPECT_EQ(client.Get("/das/v1/tasks")->status, 200);
  SimClient second(sim.port());
  ASSERT_TRUE(second.Authenticate());
  EXPECT_EQ(second.Get("/v2024/identities")->status, 429);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(client.Get("/v2024/identities")->status, 200) << "the budget refills over time";
}

TEST_F(SimTest, InjectsEachFault) {
  auto set = [&](const std::string& json) {
    ASSERT_EQ(client_->Control("POST", "/__sim/faults", json)->status, 200);
  };
  set(R"({"prefix": "/v2024/accounts", "errorRate": 1.0, "errorCodes": [502]})");
  EXPECT_EQ(client_->Get("/v2024/accounts")->status, 502);
  EXPECT_EQ(client_->Get("/v2024/identities")->status, 200) << "faults stay within their prefix";

  set(R"({"prefix": "/v2024/accounts", "malformedRate": 1.0})");
  auto malformed = client_->Get("/v2024/accounts?limit=5");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 200);
  element ignored;
  EXPECT_TRUE(parser_.parse(malformed->body).get(ignored)) << "the body should not parse";

  set(R"({"prefix": "/v2024/accounts", "truncateRate": 1.0})");
  auto truncated = client_->Get("/v2024/accounts?limit=50");
  EXPECT_FALSE(truncated && truncated->status == 200 && !parser_.parse(truncated->body).error())
      << "a truncated body must not arrive whole";

  set(R"({"prefix": "/v2024/accounts", "latencyMs": 300})");
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(client_->Get("/v2024/accounts?limit=1")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));

  set(R"({"prefix": "/v2024", "expireRate": 1.0})");
  EXPECT_EQ(client_->Get("/v2024/identities?limit=1")->status, 401);
  ASSERT_EQ(client_->Control("DELETE", "/__sim/faults")->status, 200);
  ASSERT_TRUE(client_->Authenticate());
  EXPECT_EQ(client_->Get("/v2024/accounts?limit=1")->status, 200);
}

TEST_F(SimTest, ControlChangesShowInTheApi) {
  std::string identity = FirstId("/v2024/identities");
  std::string manager = AllIds("/v2024/identities")[1];
  auto before = client_->Get("/v2024/identities/" + identity)->body;

  ASSERT_EQ(client_
                ->Control("POST", "/__sim/identities/" + identity + "/lifecycle",
                          R"({"state":"terminated"})")
                ->status,
            200);
  element after = GetValid("/v2024/identities/" + identity, "/v2024/identities/{id}");
  EXPECT_EQ(std::string_view(after["lifecycleState"]["stateName"]), "terminated");
  EXPECT_NE(std::string_view(after["modified"]), "");
  auto accounts =
      client_->Get("/v2024/accounts?filters=" + Q("identityId eq \"" + identity + "\""));
  for (element a : array(parser_.parse(accounts->body))) {
    EXPECT_EQ(std::string_view(a["cloudLifecycleState"]), "terminated");
  }

  ASSERT_EQ(client_
                ->Control("POST", "/__sim/identities/" + identity + "/manager",
                          "{\"managerId\":\"" + manager + "\"}")
                ->status,
            200);
  ASSERT_EQ(client_
                ->Control("POST", "/__sim/identities/" + identity + "/attributes",
                          R"({"department":"Skunkworks","nickname":"Zed \"the\" 😀"})")
                ->status,
            200);
  element changed = GetValid("/v2024/identities/" + identity, "/v2024/identities/{id}");
  EXPECT_EQ(std::string_view(changed["managerRef"]["id"]), manager);
  EXPECT_EQ(std::string_view(changed["attributes"]["department"]), "Skunkworks");
  EXPECT_EQ(std::string_view(changed["attributes"]["nickname"]), "Zed \"the\" 😀");

  // Accounts: create, modify, delete.
  auto created =
      client_->Control("POST", "/__sim/accounts", "{\"identityId\":\"" + identity + "\"}");
  ASSERT_EQ(created->status, 200) << created->body;
  std::string account(std::string_view(parser_.parse(created->body)["id"]));
  EXPECT_EQ(client_->Get("/v2024/accounts/" + account)->status, 200);
  ASSERT_EQ(client_->Control("PATCH", "/__sim/accounts/" + account, R"({"locked":true})")->status,
            200);
  EXPECT_NE(client_->Get("/v2024/accounts/" + account)->body.find("\"locked\":true"),
            std::string::npos);
  ASSERT_EQ(client_->Control("DELETE", "/__sim/accounts/" + account)->status, 200);
  EXPECT_EQ(client_->Get("/v2024/accounts/" + account)->status, 404);

  // Task statuses: a new pending one, then it fails.
  auto task = client_->Control("POST", "/__sim/task-statuses", "{}");
  std::string task_id(std::string_view(parser_.parse(task->body)["id"]));
  EXPECT_NE(client_->Get("/beta/task-status/pending-tasks")->body.find(task_id), std::string::npos);
  ASSERT_EQ(
      client_->Control("POST", "/__sim/task-statuses/" + task_id, R"({"completionStatus":"ERROR"})")
          ->status,
      200);
  element failed = GetValid("/beta/task-status/" + task_id, "/beta/task-status/{id}");
  EXPECT_EQ(std::string_view(failed["completionStatus"]), "ERROR");

  std::string das_task = FirstId("/das/v1/tasks", "taskId");
  ASSERT_EQ(
      client_->Control("POST", "/__sim/das-tasks/" + das_task, R"({"status":"Failed"})")->status,
      200);
  EXPECT_NE(client_->Get("/das/v1/tasks?filters=" + Q("taskIds eq " + das_task))
                ->body.find("\"status\":\"Failed\""),
            std::string::npos);

  EXPECT_EQ(
      client_->Control("POST", "/__sim/identities/nope/lifecycle", R"({"state":"x"})")->status,
      404);
  EXPECT_EQ(client_->Control("POST", "/__sim/unknown", "{}")->status, 404);
  EXPECT_EQ(client_->Control("POST", "/__sim/clock", "not json")->status, 400);
  GetValid("/v2024/identities", "/v2024/identities");
  GetValid("/v2024/accounts", "/v2024/accounts");
  GetValid("/beta/task-status", "/beta/task-status");
}

TEST(SimControl, CreatesDeletesAndRefreshesIdentities) {
  SimProcess sim({"--identities", "50", "--accounts-per-identity", "2"});
  SimClient client(sim.port());
  ASSERT_TRUE(client.Authenticate());
  simdjson::dom::parser parser;
  auto count = [&](const std::string& path) {
    return client.Get(path + "?limit=1&count=true")->get_header_value("X-Total-Count");
  };

  // A joiner: a new identity appears; deleting it removes it and its accounts.
  auto created = client.Control("POST", "/__sim/identities", R"({"department":"Research"})");
  ASSERT_EQ(created->status, 200) << created->body;
  std::string id(std::string_view(parser.parse(created->body)["id"]));
  EXPECT_EQ(count("/v2024/identities"), "51");
  EXPECT_EQ(client.Get("/v2024/identities/" + id)->status, 200);
  ASSERT_EQ(client.Control("POST", "/__sim/accounts", "{\"identityId\":\"" + id + "\"}")->status,
            200);
  EXPECT_EQ(count("/v2024/accounts"), "101");
  ASSERT_EQ(client.Control("DELETE", "/__sim/identities/" + id)->status, 200);
  EXPECT_EQ(count("/v2024/identities"), "50");
  EXPECT_EQ(count("/v2024/accounts"), "100");

  // A mass disappearance, for the delete guard.
  ASSERT_EQ(client.Control("POST", "/__sim/accounts/delete-many", R"({"count":30})")->status, 200);
  EXPECT_EQ(count("/v2024/accounts"), "70");

  // A refresh changes lastRefresh only: the volatile field the mirror ignores.
  auto before = client.Get("/v2024/identities?limit=1")->body;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(client.Control("POST", "/__sim/refresh")->status, 200);
  auto after = client.Get("/v2024/identities?limit=1")->body;
  std::string before_refresh(
      std::string_view(parser.parse(before).get_array().at(0)["lastRefresh"]));
  simdjson::dom::parser second;
  element changed = second.parse(after).get_array().at(0);
  EXPECT_NE(std::string_view(changed["lastRefresh"]), before_refresh);
  std::string before_modified(std::string_view(parser.parse(before).get_array().at(0)["modified"]));
  EXPECT_EQ(std::string_view(changed["modified"]), before_modified);
}

TEST(SimShift, InsertsObjectsThatMoveLaterPages) {
  SimProcess sim({"--identities", "100", "--accounts-per-identity", "2"});
  SimClient client(sim.port());
  ASSERT_TRUE(client.Authenticate());
  ASSERT_EQ(
      client
          .Control("POST", "/__sim/shift", R"({"resource":"accounts","afterRequests":1,"count":3})")
          ->status,
      200);
  simdjson::dom::parser parser;
  auto first = client.Get("/v2024/accounts?limit=50&offset=0");
  std::string last_of_first(std::string_view(parser.parse(first->body).get_array().at(49)["id"]));
  auto second =
      client.Get("/v2024/accounts?limit=50&offset=50&count=true");  // the shift lands here
  EXPECT_EQ(second->get_header_value("X-Total-Count"), "203");
  // The three new accounts sort first, so the second page repeats the first page's last three.
  std::string third_of_second(std::string_view(parser.parse(second->body).get_array().at(2)["id"]));
  EXPECT_EQ(third_of_second, last_of_first);
}

TEST_F(SimTest, ActionsChangeTheTenantAndAreLogged) {
  ASSERT_EQ(client_->Control("DELETE", "/__sim/actions")->status, 200);
  auto check = [&](const httplib::Result& res, const char* method, const char* spec_template,
                   int status) {
    ASSERT_TRUE(res) << spec_template;
    EXPECT_EQ(res->status, status) << spec_template << ": " << res->body;
    auto errors = Spec().ValidateResponse(method, spec_template, res->status, res->body);
    EXPECT_TRUE(errors.empty()) << spec_template << "\n" << Errors(errors);
  };

  // DAS ownership: every resource of one owner moves to another (ids in UUID form).
  std::string app = FirstId("/das/v1/applications");
  element owners =
      GetValid("/das/v1/owners/applications/" + app, "/das/v1/owners/applications/{appId}");
  std::string from(std::string_view(array(owners).at(0)["identityId"]));
  std::string path(std::string_view(array(owners).at(0)["fullPath"]));
  std::string to = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  std::string to_hex = AllIds("/v2024/identities")[150];
  to = to_hex.substr(0, 8) + "-" + to_hex.substr(8, 4) + "-" + to_hex.substr(12, 4) + "-" +
       to_hex.substr(16, 4) + "-" + to_hex.substr(20);
  element owned_by = GetValid("/das/v1/owners/" + from + "/resources",
                              "/das/v1/owners/{ownerIdentityId}/resources");
  ASSERT_GT(array(owned_by).size(), 0u);
  EXPECT_NE(simdjson::to_string(owned_by).find(from), std::string::npos);
  check(client_->Post("/das/v1/owners/" + from + "/reassign/" + to, ""), "POST",
        "/das/v1/owners/{sourceIdentityId}/reassign/{destinationIdentityId}", 200);
  std::string after_reassign = client_->Get("/das/v1/owners/applications/" + app)->body;
  EXPECT_EQ(after_reassign.find(from), std::string::npos);
  EXPECT_NE(after_reassign.find(to), std::string::npos);
  EXPECT_EQ(client_->Get("/das/v1/owners/" + from + "/resources")->body, "[]")
      << "the old owner owns nothing after the reassignment";

  std::string assign_body =
      "{\"appId\":" + app + ",\"fullPath\":\"" + path + "\",\"identityId\":\"" + from + "\"}";
  // JSON-escape the backslashes of the Windows path.
  std::string escaped;
  for (char c : assign_body) {
    if (c == '\\')
      escaped += "\\\\";
    else
      escaped.push_back(c);
  }
  check(client_->Post("/das/v1/owners/assign", escaped), "POST", "/das/v1/owners/assign", 200);
  EXPECT_NE(client_->Get("/das/v1/owners/applications/" + app)->body.find(from), std::string::npos);
  check(client_->Post("/das/v1/owners/reelect",
                      "{\"ownerId\":\"" + to + "\",\"campaignName\":\"c\",\"reviewers\":[]}"),
        "POST", "/das/v1/owners/reelect", 200);

  // DAS tasks: rerun makes a new run, cancel stops a running one.
  size_t tasks_before = array(parser_.parse(client_->Get("/das/v1/tasks")->body)).size();
  std::string das_task = FirstId("/das/v1/tasks", "taskId");
  check(client_->Post("/das/v1/tasks/rerun/" + das_task, ""), "POST", "/das/v1/tasks/rerun/{id}",
        204);
  size_t tasks_after = array(parser_.parse(client_->Get("/das/v1/tasks")->body)).size();
  EXPECT_EQ(tasks_after, tasks_before + 1);
  check(client_->Post("/das/v1/tasks/cancel/" + das_task, ""), "POST", "/das/v1/tasks/cancel/{id}",
        204);
  EXPECT_EQ(client_->Post("/das/v1/tasks/cancel/424242", "")->status, 404);

  // Certification reassignment: one item moves to a new reviewer's certification.
  std::string cert = FirstId("/v3/certifications?filters=" + Q("phase eq \"ACTIVE\""));
  element items = GetValid("/v3/certifications/" + cert + "/access-review-items",
                           "/v3/certifications/{id}/access-review-items");
  size_t item_count = array(items).size();
  std::string item(std::string_view(array(items).at(0)["id"]));
  std::string reviewer = to_hex;
  check(client_->Post("/v3/certifications/" + cert + "/reassign-async",
                      "{\"reassign\":[{\"id\":\"" + item +
                          "\",\"type\":\"ITEM\"}],\"reassignTo\":\"" + reviewer +
                          "\",\"reason\":\"leaver\"}"),
        "POST", "/v3/certifications/{id}/reassign-async", 200);
  EXPECT_EQ(array(parser_.parse(
                      client_->Get("/v3/certifications/" + cert + "/access-review-items")->body))
                .size(),
            item_count - 1);
  auto mine = client_->Get("/v3/certifications?limit=250");
  EXPECT_NE(mine->body.find("\"reassignment\""), std::string::npos);
  EXPECT_NE(mine->body.find(reviewer), std::string::npos);
  std::string too_many = "{\"reassign\":[";
  for (int i = 0; i < 501; ++i)
    too_many += std::string(i ? "," : "") + "{\"id\":\"" + item + "\",\"type\":\"ITEM\"}";
  too_many += "],\"reassignTo\":\"" + reviewer + "\",\"reason\":\"x\"}";
  EXPECT_EQ(client_->Post("/v3/certifications/" + cert + "/reassign-async", too_many)->status, 400);

  // Accounts: the bulk call is experimental; per-account calls are not.
  std::string identity = AllIds("/v2024/identities")[60];
  std::string bulk =
      "{\"identityIds\":[\"" + identity + "\",\"ffffffffffffffffffffffffffffffff\"]}";
  EXPECT_EQ(client_->Post("/v2024/identities-accounts/disable", bulk)->status, 400);
  check(client_->Post("/v2024/identities-accounts/disable", bulk,
                      {{"X-SailPoint-Experimental", "true"}}),
        "POST", "/v2024/identities-accounts/disable", 207);
  auto owned = client_->Get("/v2024/accounts?filters=" + Q("identityId eq \"" + identity + "\""));
  for (element a : array(parser_.parse(owned->body))) EXPECT_TRUE(bool(a["disabled"]));
  std::string account =
      FirstId("/v2024/accounts?filters=" + Q("identityId eq \"" + identity + "\""));
  check(client_->Post("/v2024/accounts/" + account + "/enable", "{}"), "POST",
        "/v2024/accounts/{id}/enable", 202);
  EXPECT_NE(client_->Get("/v2024/accounts/" + account)->body.find("\"disabled\":false"),
            std::string::npos);
  check(client_->Post("/v2024/accounts/" + account + "/disable", "{}"), "POST",
        "/v2024/accounts/{id}/disable", 202);
  check(client_->Post("/v2024/accounts/" + account + "/unlock", "{}"), "POST",
        "/v2024/accounts/{id}/unlock", 202);
  check(client_->Post("/v2024/accounts/" + account + "/reload", ""), "POST",
        "/v2024/accounts/{id}/reload", 202);
  check(client_->Post("/v2024/identities-accounts/" + identity + "/enable", "",
                      {{"X-SailPoint-Experimental", "true"}}),
        "POST", "/v2024/identities-accounts/{id}/enable", 202);

  // Clearing a stuck pending task with JSON Patch.
  std::string pending = FirstId("/beta/task-status/pending-tasks");
  check(
      client_->Patch(
          "/beta/task-status/" + pending,
          R"([{"op":"replace","path":"/completionStatus","value":"TERMINATED"},{"op":"replace","path":"/completed","value":"2026-11-23T00:00:00.000Z"}])",
          "application/json-patch+json"),
      "PATCH", "/beta/task-status/{id}", 200);
  EXPECT_EQ(client_->Get("/beta/task-status/pending-tasks")->body.find(pending), std::string::npos);

  // The log holds every call with its body and answer, refused ones included.
  auto log = client_->Control("GET", "/__sim/actions");
  array entries = parser_.parse(log->body).get_array();
  EXPECT_EQ(entries.size(), 16u) << log->body.substr(0, 2000);
  int refused_for_header = 0;
  for (element e : entries) {
    refused_for_header += std::string_view(e["path"]) == "/v2024/identities-accounts/disable" &&
                          int64_t(e["status"]) == 400;
  }
  EXPECT_EQ(refused_for_header, 1);
  element first = entries.at(0);
  EXPECT_EQ(std::string_view(first["method"]), "POST");
  EXPECT_EQ(std::string_view(first["path"]), "/das/v1/owners/" + from + "/reassign/" + to);
  EXPECT_EQ(int64_t(first["status"]), 200);

  // Everything still validates after the changes.
  for (const auto& [path, tpl] : std::vector<std::pair<std::string, std::string>>{
           {"/v2024/identities", "/v2024/identities"},
           {"/v2024/accounts", "/v2024/accounts"},
           {"/v3/certifications", "/v3/certifications"},
           {"/v3/certification-tasks", "/v3/certification-tasks"},
           {"/das/v1/tasks", "/das/v1/tasks"},
           {"/beta/task-status", "/beta/task-status"}}) {
    GetValid(path, tpl);
  }
}

}  // namespace
}  // namespace isc_mirror::testing
