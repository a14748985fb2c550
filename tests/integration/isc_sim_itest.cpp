// isc-sim over HTTP: auth, paging, filters, rate limit, faults, control API, actions, and every
// body checked against the OpenAPI subset.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <set>
#include <thread>

#include "isc/isc_client.hpp"
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

// Every collection GET the mirror reads with its spec template; {cert} and {app} filled in later.
struct Endpoint {
  std::string path;
  std::string spec_template;
};

// Query parameter values are encoded as the mirror's client encodes them.
std::string Q(const std::string& value) {
  return isc::PercentEncode(value);
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

  // The first open certification whose reviewer is of this type (IDENTITY, GOVERNANCE_GROUP).
  std::string OpenCertification(std::string_view reviewer_type) {
    auto res = client_->Get("/v3/certifications?filters=" + Q("phase eq \"ACTIVE\""));
    simdjson::dom::parser p;
    for (element c : p.parse(res->body).get_array()) {
      if (std::string_view(c["reviewer"]["type"]) == reviewer_type) {
        return std::string(std::string_view(c["id"]));
      }
    }
    ADD_FAILURE() << "no open certification reviewed by a " << reviewer_type;
    return {};
  }

  // X-Total-Count of a collection.
  int64_t Total(const std::string& path) {
    auto sep = path.find('?') == std::string::npos ? "?" : "&";
    auto res = client_->Get(path + sep + "limit=1&count=true");
    EXPECT_EQ(res->status, 200) << path;
    return std::stoll(res->get_header_value("X-Total-Count"));
  }

  // Ids of a whole collection, read page by page.
  std::vector<std::string> AllIds(const std::string& path, const std::string& id_field = "id") {
    std::vector<std::string> ids;
    // 50 a page: the most every list takes (roles and group members take no more).
    for (int offset = 0;; offset += 50) {
      auto sep = path.find('?') == std::string::npos ? "?" : "&";
      auto res = client_->Get(path + sep + "limit=50&offset=" + std::to_string(offset));
      if (!res || res->status != 200) break;
      simdjson::dom::parser p;
      array items = p.parse(res->body).get_array();
      for (element item : items) ids.emplace_back(std::string_view(item[id_field].get_string()));
      if (items.size() < 50) break;
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
  std::string cert = OpenCertification("IDENTITY");
  std::string app = FirstId("/das/v1/applications");
  std::vector<Endpoint> endpoints = {
      {"/v2024/identities", "/v2024/identities"},
      {"/v2024/accounts", "/v2024/accounts"},
      {"/beta/task-status", "/beta/task-status"},
      {"/beta/task-status/pending-tasks", "/beta/task-status/pending-tasks"},
      {"/v2025/task-status", "/v2025/task-status"},
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
      {"/v3/sources", "/v3/sources"},
      {"/v2025/entitlements", "/v2025/entitlements"},
      {"/v3/access-profiles", "/v3/access-profiles"},
      {"/v3/roles", "/v3/roles"},
      {"/v3/identity-profiles", "/v3/identity-profiles"},
      {"/v3/identity-profiles/" + FirstId("/v3/identity-profiles") + "/lifecycle-states",
       "/v3/identity-profiles/{identity-profile-id}/lifecycle-states"},
      {"/v2025/workgroups", "/v2025/workgroups"},
      {"/v2025/workgroups/" + FirstId("/v2025/workgroups") + "/members",
       "/v2025/workgroups/{workgroupId}/members"},
  };
  for (const auto& e : endpoints) {
    element doc = GetValid(e.path, e.spec_template);
    EXPECT_GT(array(doc).size(), 0u) << e.path << " returned nothing";
  }
  std::string identity = FirstId("/v2024/identities");
  GetValid("/v2024/identities/" + identity, "/v2024/identities/{id}");
  GetValid("/v2024/accounts/" + FirstId("/v2024/accounts"), "/v2024/accounts/{id}");
  GetValid("/beta/task-status/" + FirstId("/beta/task-status"), "/beta/task-status/{id}");
  GetValid("/v2025/task-status/" + FirstId("/v2025/task-status"), "/v2025/task-status/{id}");
  auto missing = client_->Get("/v2024/identities/00000000000000000000000000000000");
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/identities/{id}", 404, missing->body).empty());
}

// Where the definitions say something inconvenient, the simulator does it.
TEST_F(SimTest, BehavesAsTheDefinitionsSayWhereItIsInconvenient) {
  // "This API does not support requests for certifications assigned to Governance Groups."
  std::string group_cert = OpenCertification("GOVERNANCE_GROUP");
  auto refused = client_->Get("/v3/certifications/" + group_cert + "/access-review-items");
  EXPECT_EQ(refused->status, 400);
  EXPECT_TRUE(Spec()
                  .ValidateResponse("GET", "/v3/certifications/{id}/access-review-items", 400,
                                    refused->body)
                  .empty());
  // The DAS lists page like every collection; there are more tasks than a page holds.
  EXPECT_EQ(Total("/das/v1/tasks"), 300);
  EXPECT_EQ(array(GetValid("/das/v1/tasks?limit=250", "/das/v1/tasks")).size(), 250u);
  EXPECT_EQ(array(GetValid("/das/v1/tasks?limit=250&offset=250", "/das/v1/tasks")).size(), 50u);
  // The owner list of an application: limit and offset "Not applicable. Do not use." The
  // whole list comes back whatever they say.
  std::string app = FirstId("/das/v1/applications");
  auto whole = client_->Get("/das/v1/owners/applications/" + app)->body;
  EXPECT_GT(array(parser_.parse(whole)).size(), 250u);
  EXPECT_EQ(client_->Get("/das/v1/owners/applications/" + app + "?limit=10&offset=250")->body,
            whole);
  // defaultFilter defaults to CORRELATED_ONLY.
  EXPECT_LT(Total("/v2024/identities"), Total("/v2024/identities?defaultFilter=NONE"));
  EXPECT_EQ(Total("/v2024/identities?defaultFilter=NONE"), 200);
  EXPECT_EQ(client_->Get("/v2024/identities?defaultFilter=SOME")->status, 400);
  // DAS assign answers 200 either way: 1 is success, anything else failure.
  auto assign =
      client_->Post("/das/v1/owners/assign", "{\"appId\":" + app +
                                                 ",\"fullPath\":\"\\\\nowhere\",\"identityId\":\"" +
                                                 FirstId("/v2024/identities") + "\"}");
  EXPECT_EQ(assign->status, 200);
  EXPECT_EQ(assign->body, "0");
  // Endpoints on their way out carry deprecation headers.
  EXPECT_TRUE(client_->Get("/v3/certification-tasks")->get_header_value("Deprecation").empty());
  ASSERT_EQ(client_->Control("POST", "/__sim/deprecate", R"({"prefix":"/v3/certification-tasks"})")
                ->status,
            200);
  auto going = client_->Get("/v3/certification-tasks");
  EXPECT_TRUE(going->get_header_value("Deprecation").starts_with("@"));
  EXPECT_FALSE(going->get_header_value("Sunset").empty());
}

// Each operation's security, from the definitions: which kind of token and which scopes.
TEST(SimSecurity, RefusesTokensWithoutTheScopeOrOfTheWrongKind) {
  SimProcess scoped({"--identities", "20", "--scopes", "idn:identity:read,das:task:read"});
  SimClient reader(scoped.port());
  ASSERT_TRUE(reader.Authenticate());
  EXPECT_EQ(reader.Get("/v2024/identities")->status, 200);
  EXPECT_EQ(reader.Get("/das/v1/tasks")->status, 200);
  auto refused = reader.Get("/v2024/accounts");
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("idn:accounts:read"), std::string::npos) << refused->body;
  EXPECT_TRUE(Spec().ValidateResponse("GET", "/v2024/accounts", 403, refused->body).empty());
  // The token is a JWT whose claims name its scopes.
  auto dot = reader.token().find('.');
  ASSERT_NE(dot, std::string::npos);
  EXPECT_EQ(std::count(reader.token().begin(), reader.token().end(), '.'), 2);

  // An API client's token (applicationAuth) cannot read identities: userAuth only.
  SimProcess api_client({"--identities", "20", "--token-kind", "application"});
  SimClient app(api_client.port());
  ASSERT_TRUE(app.Authenticate());
  EXPECT_EQ(app.Get("/v2024/accounts")->status, 200);
  auto user_only = app.Get("/v2024/identities");
  EXPECT_EQ(user_only->status, 403);
  EXPECT_NE(user_only->body.find("personal access token"), std::string::npos);

  // DAS needs an ORG_ADMIN user.
  SimProcess helpdesk({"--identities", "20", "--user-level", "HELPDESK"});
  SimClient help(helpdesk.port());
  ASSERT_TRUE(help.Authenticate());
  EXPECT_EQ(help.Get("/v2024/accounts")->status, 200);
  EXPECT_EQ(help.Get("/das/v1/tasks")->status, 403);
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
  // Roles and governance group members: "for this API the maximum value for limit is 50",
  // which is also the default.
  auto roles = client_->Get("/v3/roles?limit=51");
  EXPECT_EQ(roles->status, 400);
  EXPECT_NE(roles->body.find("50 or less"), std::string::npos) << roles->body;
  simdjson::dom::parser parser;
  EXPECT_EQ(parser.parse(client_->Get("/v3/roles")->body).get_array().size(), 50u);
  std::string group = FirstId("/v2025/workgroups?sorters=name");
  EXPECT_EQ(client_->Get("/v2025/workgroups/" + group + "/members?limit=51")->status, 400);
  EXPECT_EQ(client_->Get("/v3/sources?limit=251")->status, 400);
}

// POST /v3/search over identities: valid documents, searchAfter paging by id, offsets that end at
// 10,000 and, without a sort, pages that are not one order (the SailPoint forum, topic 99527).
TEST_F(SimTest, SearchPagesBySearchAfterAndOffsetsEndAtTenThousand) {
  const std::string search =
      R"({"indices":["identities"],"query":{"query":"*"},"sort":["id"],"queryResultFilter":)"
      R"({"includes":["id","name","accounts","access"]}})";
  auto first = client_->Post("/v3/search?limit=50&count=true", search);
  ASSERT_EQ(first->status, 200) << first->body;
  auto errors = Spec().ValidateResponse("POST", "/v3/search", 200, first->body);
  EXPECT_TRUE(errors.empty()) << Errors(errors);
  EXPECT_EQ(first->get_header_value("X-Total-Count"), "200");
  // Every identity once, 50 a page, each page after the last id of the one before.
  std::vector<std::string> ids;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    std::string body = search;
    if (!after.empty()) body.insert(body.size() - 1, R"(,"searchAfter":[")" + after + "\"]");
    auto res = client_->Post("/v3/search?limit=50", body);
    ASSERT_EQ(res->status, 200) << res->body;
    simdjson::dom::parser p;
    array docs = p.parse(res->body).get_array();
    for (element d : docs) ids.emplace_back(std::string_view(d["id"].get_string()));
    if (docs.size() < 50) break;
    after = ids.back();
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 200u);
  // Only the fields asked for.
  simdjson::dom::parser p;
  element doc = p.parse(first->body).get_array().at(0);
  element none;
  EXPECT_TRUE(doc["email"].get(none)) << "email was not asked for";
  EXPECT_FALSE(doc["access"].get(none));

  auto post = [&](const std::string& query, const std::string& body) {
    return client_->Post("/v3/search" + query, body)->status;
  };
  EXPECT_EQ(post("?limit=10000", search), 200);
  EXPECT_EQ(post("?limit=10001", search), 400);
  EXPECT_EQ(post("?limit=100&offset=9901", search), 400) << "offset + limit past 10,000";
  EXPECT_EQ(post("", R"({"indices":["people"],"query":{"query":"*"}})"), 400);
  // Unsorted, offset pages are not one order: together they repeat some and miss others.
  const std::string unsorted = R"({"indices":["identities"],"query":{"query":"*"}})";
  std::set<std::string> seen;
  for (int offset = 0; offset < 200; offset += 50) {
    simdjson::dom::parser q;
    auto res = client_->Post("/v3/search?limit=50&offset=" + std::to_string(offset), unsorted);
    for (element d : q.parse(res->body).get_array()) {
      seen.emplace(std::string_view(d["id"].get_string()));
    }
  }
  EXPECT_LT(seen.size(), 200u);
}

// Each access model list takes the filters and sorters its definition lists, and no others.
TEST_F(SimTest, AccessModelListsFilterAndSortAsTheirDefinitionsSay) {
  auto status = [&](const std::string& path) { return client_->Get(path)->status; };
  EXPECT_EQ(status("/v3/roles?sorters=id"), 400) << "roles sort by name, created, modified";
  EXPECT_EQ(status("/v3/roles?sorters=-modified"), 200);
  EXPECT_EQ(status("/v3/access-profiles?sorters=id"), 400);
  EXPECT_EQ(status("/v2025/entitlements?sorters=-modified"), 200);
  EXPECT_EQ(status("/v2025/entitlements?filters=" + Q("modified eq 2026-01-01T00:00:00Z")), 400)
      << "modified takes gt, lt, ge, le";
  EXPECT_EQ(status("/v3/identity-profiles/" + FirstId("/v3/identity-profiles") +
                   "/lifecycle-states?filters=" + Q("name eq \"Active\"")),
            400)
      << "lifecycle states take no filters";
  // account-id and filters exclude each other.
  EXPECT_EQ(status("/v2025/entitlements?account-id=a&filters=" + Q("id eq \"x\"")), 400);

  auto entitlements = AllIds("/v2025/entitlements?sorters=id");
  ASSERT_GT(entitlements.size(), 2u);
  std::string in = "id in (\"" + entitlements[0] + "\",\"" + entitlements[2] + "\")";
  EXPECT_EQ(AllIds("/v2025/entitlements?filters=" + Q(in)),
            (std::vector<std::string>{entitlements[0], entitlements[2]}));
  auto recent = AllIds("/v2025/entitlements?filters=" + Q("modified ge 2000-01-01T00:00:00Z"));
  EXPECT_EQ(recent.size(), entitlements.size());
  auto none = AllIds("/v2025/entitlements?filters=" + Q("modified ge 2999-01-01T00:00:00Z"));
  EXPECT_TRUE(none.empty());
  auto roles = AllIds("/v3/roles?filters=" + Q("id in (\"" + FirstId("/v3/roles") + "\")"));
  EXPECT_EQ(roles.size(), 1u);
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
                             Q("modified ge 2000-01-01T00:00:00Z"));
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

  // Pending tasks: the deprecated endpoint, and v2025's isnull filter that replaces it. The
  // beta list holds completed tasks only and takes no isnull.
  auto pending = client_->Get("/beta/task-status/pending-tasks");
  EXPECT_FALSE(pending->get_header_value("Deprecation").empty()) << "deprecated: true";
  EXPECT_FALSE(pending->get_header_value("Sunset").empty());
  auto isnull = client_->Get("/v2025/task-status?filters=" + Q("completionStatus isnull"));
  ASSERT_EQ(isnull->status, 200) << isnull->body;
  EXPECT_EQ(array(parser_.parse(pending->body)).size(), 5u);
  EXPECT_EQ(array(parser_.parse(isnull->body)).size(), 5u);
  EXPECT_EQ(client_->Get("/beta/task-status?filters=" + Q("completionStatus isnull"))->status, 400);
  for (element t : array(GetValid("/beta/task-status", "/beta/task-status"))) {
    EXPECT_FALSE(t["completionStatus"].is_null()) << "beta lists completed tasks only";
  }
  EXPECT_EQ(Total("/v2025/task-status"), Total("/beta/task-status") + 5);
  GetValid("/v2025/task-status?filters=" + Q("completionStatus isnull"), "/v2025/task-status");
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

TEST(SimRateLimit, AnswersTooManyRequestsPerClient) {
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
  // One budget per client id whatever the version (the stricter of SailPoint's readings), and
  // another token of the same client does not add one.
  EXPECT_EQ(client.Get("/das/v1/tasks")->status, 429);
  SimClient second(sim.port());
  ASSERT_TRUE(second.Authenticate());
  EXPECT_EQ(second.Get("/v2024/identities")->status, 429);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(client.Get("/v2024/identities")->status, 200) << "the budget refills over time";

  // The other reading, on demand: each API version has its own budget.
  SimProcess per_version(
      {"--identities", "20", "--rate-limit", "5/2s", "--rate-limit-per-version"});
  SimClient other(per_version.port());
  ASSERT_TRUE(other.Authenticate());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(other.Get("/v2024/identities")->status, 200) << i;
  EXPECT_EQ(other.Get("/v2024/identities")->status, 429);
  EXPECT_EQ(other.Get("/das/v1/tasks")->status, 200);
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
    auto sep = path.find('?') == std::string::npos ? "?" : "&";
    return client.Get(path + sep + "limit=1&count=true")->get_header_value("X-Total-Count");
  };

  // A joiner: a new identity appears; deleting it removes it and its accounts.
  auto created = client.Control("POST", "/__sim/identities", R"({"department":"Research"})");
  ASSERT_EQ(created->status, 200) << created->body;
  std::string id(std::string_view(parser.parse(created->body)["id"]));
  EXPECT_EQ(count("/v2024/identities?defaultFilter=NONE"), "51");
  EXPECT_EQ(client.Get("/v2024/identities/" + id)->status, 200);
  ASSERT_EQ(client.Control("POST", "/__sim/accounts", "{\"identityId\":\"" + id + "\"}")->status,
            200);
  EXPECT_EQ(count("/v2024/accounts"), "101");
  ASSERT_EQ(client.Control("DELETE", "/__sim/identities/" + id)->status, 200);
  EXPECT_EQ(count("/v2024/identities?defaultFilter=NONE"), "50");
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
  int64_t tasks_before = Total("/das/v1/tasks");
  std::string das_task = FirstId("/das/v1/tasks", "taskId");
  check(client_->Post("/das/v1/tasks/rerun/" + das_task, ""), "POST", "/das/v1/tasks/rerun/{id}",
        204);
  int64_t tasks_after = Total("/das/v1/tasks");
  EXPECT_EQ(tasks_after, tasks_before + 1);
  check(client_->Post("/das/v1/tasks/cancel/" + das_task, ""), "POST", "/das/v1/tasks/cancel/{id}",
        204);
  EXPECT_EQ(client_->Post("/das/v1/tasks/cancel/424242", "")->status, 404);

  // Certification reassignment: one item moves to a new reviewer's certification.
  std::string cert;
  for (element c : array(GetValid("/v3/certifications?filters=" + Q("phase eq \"ACTIVE\""),
                                  "/v3/certifications"))) {
    if (std::string_view(c["reviewer"]["type"]) == "IDENTITY" && cert.empty()) {
      cert = std::string(std::string_view(c["id"]));
    }
  }
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

  // identities-accounts/disable turns off each identity's ISC login, not its source accounts;
  // the 207 answer says item by item what happened.
  std::string identity = AllIds("/v2024/identities")[60];
  std::string owned_path = "/v2024/accounts?filters=" + Q("identityId eq \"" + identity + "\"");
  std::string accounts_before = client_->Get(owned_path)->body;
  std::string bulk =
      "{\"identityIds\":[\"" + identity + "\",\"ffffffffffffffffffffffffffffffff\"]}";
  auto bulk_answer = client_->Post("/v2024/identities-accounts/disable", bulk);
  check(bulk_answer, "POST", "/v2024/identities-accounts/disable", 207);
  array items_answered = parser_.parse(bulk_answer->body).get_array();
  ASSERT_EQ(items_answered.size(), 2u);
  EXPECT_EQ(int64_t(items_answered.at(0)["statusCode"]), 202);
  EXPECT_EQ(int64_t(items_answered.at(1)["statusCode"]), 404);
  EXPECT_EQ(client_->Get(owned_path)->body, accounts_before) << "source accounts as they were";
  EXPECT_NE(client_->Control("GET", "/__sim/identities/" + identity + "/login")
                ->body.find("\"disabled\":true"),
            std::string::npos);
  std::string account = FirstId(owned_path);
  EXPECT_EQ(client_->Post("/v2024/accounts/" + account + "/disable", "")->status, 400)
      << "AccountToggleRequest is a required body";
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
  check(client_->Post("/v2024/identities-accounts/" + identity + "/enable", ""), "POST",
        "/v2024/identities-accounts/{id}/enable", 202);

  // Clearing a stuck pending task with JSON Patch, on v2025.
  std::string isnull = "/v2025/task-status?filters=" + Q("completionStatus isnull");
  std::string pending = FirstId(isnull);
  check(
      client_->Patch(
          "/v2025/task-status/" + pending,
          R"([{"op":"replace","path":"/completionStatus","value":"TERMINATED"},{"op":"replace","path":"/completed","value":"2026-11-23T00:00:00.000Z"}])",
          "application/json-patch+json"),
      "PATCH", "/v2025/task-status/{id}", 200);
  EXPECT_EQ(client_->Get(isnull)->body.find(pending), std::string::npos);

  // The log holds every call with its body and answer, refused ones included.
  auto log = client_->Control("GET", "/__sim/actions");
  array entries = parser_.parse(log->body).get_array();
  EXPECT_EQ(entries.size(), 16u) << log->body.substr(0, 2000);
  int refused_for_body = 0;
  for (element e : entries) {
    refused_for_body += std::string_view(e["path"]) == "/v2024/accounts/" + account + "/disable" &&
                        int64_t(e["status"]) == 400;
  }
  EXPECT_EQ(refused_for_body, 1);
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
