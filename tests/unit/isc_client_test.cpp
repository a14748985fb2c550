// The client's decisions, with a scripted transport and no real waiting.
#include "isc/isc_client.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <set>

#include "base/base64.hpp"
#include "isc/pager.hpp"

namespace isc_mirror::isc {
namespace {

using std::chrono::milliseconds;

HttpResponse Answer(int status, std::string body = "{}",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpResponse Failure(TransportFailure failure) {
  HttpResponse r;
  r.failure = failure;
  r.error = "simulated";
  return r;
}

// Answers from a script and remembers what it was asked.
class ScriptedTransport : public HttpTransport {
 public:
  explicit ScriptedTransport(std::deque<HttpResponse> script) : script_(std::move(script)) {}
  HttpResponse Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (script_.empty()) return Answer(200, "[]");
    HttpResponse next = script_.front();
    script_.pop_front();
    return next;
  }
  std::vector<HttpRequest> requests;

 private:
  std::deque<HttpResponse> script_;
};

constexpr const char* kGrant = R"({"access_token":"tok-1","token_type":"bearer","expires_in":749})";

struct Rig {
  ClientOptions options;
  ScriptedTransport* token_transport;
  ScriptedTransport* api;
  std::unique_ptr<TokenSource> tokens;
  RateBudget budget{1000, milliseconds(1000), 1.0, std::chrono::steady_clock::now,
                    [](milliseconds) {}};
  std::vector<milliseconds> sleeps;
  std::unique_ptr<IscClient> client;
  RequestStats stats;

  Rig(std::deque<HttpResponse> api_script, std::deque<HttpResponse> token_script = {}) {
    options.base_url = "https://acme.api.identitynow.com";
    options.token_url = "https://acme.api.identitynow.com/oauth/token";
    options.client_id = "client-1";
    options.client_secret = base::Secret("SECRET-VALUE");
    options.retry = {4, milliseconds(100), milliseconds(1000)};
    if (token_script.empty())
      token_script = {Answer(200, kGrant), Answer(200, kGrant), Answer(200, kGrant)};
    auto t = std::make_unique<ScriptedTransport>(std::move(token_script));
    token_transport = t.get();
    tokens = std::make_unique<TokenSource>(options, std::move(t));
    auto a = std::make_unique<ScriptedTransport>(std::move(api_script));
    api = a.get();
    client = std::make_unique<IscClient>(
        options, *tokens, budget, std::move(a), [this](milliseconds d) { sleeps.push_back(d); },
        42);
  }
};

TEST(Classify, SortsAnswersIntoWhatToDo) {
  EXPECT_EQ(Classify(Answer(200)), Outcome::kSuccess);
  EXPECT_EQ(Classify(Answer(204)), Outcome::kSuccess);
  EXPECT_EQ(Classify(Answer(429)), Outcome::kRetryAfter);
  EXPECT_EQ(Classify(Answer(401)), Outcome::kRefreshToken);
  EXPECT_EQ(Classify(Answer(500)), Outcome::kTransient);
  EXPECT_EQ(Classify(Answer(503)), Outcome::kTransient);
  EXPECT_EQ(Classify(Answer(400)), Outcome::kPermanent);
  EXPECT_EQ(Classify(Answer(403)), Outcome::kPermanent);
  EXPECT_EQ(Classify(Answer(404)), Outcome::kPermanent);
  EXPECT_EQ(Classify(Failure(TransportFailure::kTimeout)), Outcome::kTransient);
  EXPECT_EQ(Classify(Failure(TransportFailure::kTruncated)), Outcome::kTransient);
  EXPECT_EQ(Classify(Failure(TransportFailure::kReset)), Outcome::kTransient);
  EXPECT_EQ(Classify(Failure(TransportFailure::kTooLarge)), Outcome::kPermanent);
  EXPECT_EQ(Classify(Failure(TransportFailure::kTls)), Outcome::kPermanent);
}

TEST(BackoffDelay, GrowsExponentiallyUnderItsCapWithJitter) {
  RetryPolicy p{6, milliseconds(500), milliseconds(30'000)};
  EXPECT_EQ(BackoffDelay(0, p, 1.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(3, p, 1.0), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(10, p, 1.0), milliseconds(30'000));
  EXPECT_EQ(BackoffDelay(3, p, 0.5), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(3, p, 0.0), milliseconds(0));
}

TEST(RetryAfter, ReadsSecondsOnly) {
  EXPECT_EQ(RetryAfter(Answer(429, "", {{"retry-after", "7"}})), milliseconds(7000));
  EXPECT_FALSE(RetryAfter(Answer(429)).has_value());
  EXPECT_FALSE(
      RetryAfter(Answer(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}})).has_value());
  EXPECT_EQ(RetryAfter(Answer(429, "", {{"retry-after", "999999"}})), milliseconds(3'600'000));
}

TEST(FormEncode, EscapesWhatFormsNeed) {
  EXPECT_EQ(FormEncode("abc-_.~XYZ09"), "abc-_.~XYZ09");
  EXPECT_EQ(FormEncode("a b&c=d+e/é"), "a+b%26c%3Dd%2Be%2F%C3%A9");
  EXPECT_EQ(PercentEncode(R"(id in ("a b"))"), "id%20in%20%28%22a%20b%22%29");
}

TEST(ParseTokenResponse, ReadsTheGrantAndNeverQuotesTheBody) {
  auto grant = ParseTokenResponse(kGrant);
  ASSERT_TRUE(grant.ok());
  EXPECT_EQ(grant->access_token, "tok-1");
  EXPECT_EQ(grant->expires_in, std::chrono::seconds(749));
  auto bad = ParseTokenResponse(R"({"access_token":"LEAKED","expires_in":"soon"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().find("LEAKED"), std::string::npos);
  EXPECT_FALSE(ParseTokenResponse("<html>").ok());
}

TEST(TokenBucket, BurstsThenQueuesAtTheRate) {
  auto t0 = std::chrono::steady_clock::time_point{};
  TokenBucket bucket(3, 0.01, t0);  // 3 requests, refilling 10 per second
  EXPECT_EQ(bucket.Reserve(t0), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(t0), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(t0), milliseconds(0));
  EXPECT_EQ(bucket.Reserve(t0), milliseconds(100));
  EXPECT_EQ(bucket.Reserve(t0), milliseconds(200)) << "the next caller queues behind the first";
  EXPECT_EQ(bucket.Reserve(t0 + milliseconds(1000)), milliseconds(0)) << "refilled";
  bucket.PauseUntil(t0 + milliseconds(5000));
  EXPECT_EQ(bucket.Reserve(t0 + milliseconds(1000)), milliseconds(4100));
}

TEST(ApiVersion, IsTheFirstPathSegment) {
  EXPECT_EQ(ApiVersion("/v2024/accounts?limit=250"), "v2024");
  EXPECT_EQ(ApiVersion("/beta/task-status"), "beta");
  EXPECT_EQ(ApiVersion("/das/v1/tasks"), "das");
  EXPECT_EQ(ApiVersion("/v3"), "v3");
}

TEST(IscClient, SendsTheTokenAndReusesIt) {
  Rig rig({Answer(200, "[1]", {{"x-total-count", "1"}}), Answer(200, "[2]")});
  auto first = rig.client->Get("/v2024/accounts?limit=250&count=true", rig.stats);
  auto second = rig.client->Get("/v2024/accounts?limit=250&offset=250", rig.stats);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first->body, "[1]");
  EXPECT_EQ(first->total_count, "1");
  EXPECT_EQ(second->body, "[2]");
  EXPECT_EQ(rig.tokens->fetched(), 1);
  EXPECT_EQ(rig.api->requests[0].url,
            "https://acme.api.identitynow.com/v2024/accounts?limit=250&count=true");
  EXPECT_EQ(rig.api->requests[0].headers[0], "Authorization: Bearer tok-1");
  EXPECT_EQ(rig.token_transport->requests[0].body,
            "grant_type=client_credentials&client_id=client-1&client_secret=SECRET-VALUE");
  EXPECT_EQ(rig.stats.requests, 2);
}

TEST(IscClient, RefreshesTheTokenOnceOnA401) {
  Rig once({Answer(401), Answer(200, "[]")});
  EXPECT_TRUE(once.client->Get("/v3/certifications", once.stats).ok());
  EXPECT_EQ(once.tokens->fetched(), 2);

  Rig twice({Answer(401), Answer(401), Answer(200, "[]")});
  auto result = twice.client->Get("/v3/certifications", twice.stats);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.failure().status, 401);
  EXPECT_EQ(twice.api->requests.size(), 2u) << "no third call after a fresh token was refused";
}

TEST(IscClient, RetriesTransientFailuresWithBackoff) {
  Rig rig({Answer(503), Failure(TransportFailure::kTimeout), Failure(TransportFailure::kTruncated),
           Answer(200, "[]")});
  auto result = rig.client->Get("/beta/task-status", rig.stats);
  EXPECT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(rig.stats.retries, 3);
  ASSERT_EQ(rig.sleeps.size(), 3u);
  for (size_t i = 0; i < rig.sleeps.size(); ++i) {
    EXPECT_LE(rig.sleeps[i], milliseconds(100 << i)) << "attempt " << i;
  }
}

TEST(IscClient, RepeatsACallThatChangesTheTenantOnlyWhereIscDidNotCarryItOut) {
  Rig refused({Answer(429, "", {{"retry-after", "0"}}), Answer(401), Answer(200, "1")});
  auto done = refused.client->Send("POST", "/das/v1/owners/a/reassign/b", "", "", refused.stats);
  EXPECT_TRUE(done.ok()) << done.error();
  EXPECT_EQ(refused.api->requests.size(), 3u);

  for (auto answer :
       {Answer(503), Failure(TransportFailure::kTimeout), Failure(TransportFailure::kTruncated)}) {
    Rig maybe({answer, Answer(200, "1")});
    auto result = maybe.client->Send("POST", "/v2024/identities-accounts/disable", "{}",
                                     "application/json", maybe.stats);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(maybe.api->requests.size(), 1u) << "it may have been done: the caller looks first";
  }
}

// A search is a POST that changes nothing: after a 503, a timeout or a cut answer it is asked
// again, as a GET would be, with its body and a JSON content type.
TEST(IscClient, RepeatsASearchLikeARead) {
  for (auto answer :
       {Answer(503), Failure(TransportFailure::kTimeout), Failure(TransportFailure::kTruncated)}) {
    Rig rig({answer, Answer(200, "[]")});
    auto result =
        rig.client->Query("/v3/search?limit=1000", R"({"indices":["identities"]})", rig.stats);
    EXPECT_TRUE(result.ok()) << result.error();
    ASSERT_EQ(rig.api->requests.size(), 2u);
    EXPECT_EQ(rig.api->requests[1].method, "POST");
    EXPECT_EQ(rig.api->requests[1].body, R"({"indices":["identities"]})");
    EXPECT_NE(std::find(rig.api->requests[1].headers.begin(), rig.api->requests[1].headers.end(),
                        "Content-Type: application/json"),
              rig.api->requests[1].headers.end());
  }
}

TEST(IscClient, GivesUpAfterTheAttemptLimitWithTheCause) {
  Rig rig({Answer(500, R"({"messages":[{"text":"An internal fault occurred."}]})"), Answer(500),
           Answer(500), Answer(502, R"({"messages":[{"text":"Bad gateway"}]})"), Answer(200)});
  auto result = rig.client->Get("/v2024/identities?limit=250", rig.stats);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(rig.api->requests.size(), 4u);
  EXPECT_EQ(result.error(), "GET /v2024/identities failed: HTTP 502: Bad gateway");
}

TEST(IscClient, DoesNotRetryPermanentErrors) {
  Rig rig({Answer(400, R"({"messages":[{"text":"Specified offset is invalid"}]})")});
  auto result = rig.client->Get("/v2024/accounts?offset=1000", rig.stats);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure().status, 400);
  EXPECT_EQ(result.error(), "GET /v2024/accounts failed: HTTP 400: Specified offset is invalid");
  EXPECT_EQ(rig.api->requests.size(), 1u);
}

TEST(IscClient, HonoursRetryAfterThroughTheBudget) {
  Rig rig({Answer(429, R"({"message":" Rate Limit Exceeded "})", {{"retry-after", "2"}}),
           Answer(200, "[]")});
  auto result = rig.client->Get("/das/v1/tasks", rig.stats);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(rig.stats.rate_limited, 1);
  EXPECT_GE(rig.stats.rate_wait_ms, 1900) << "the second call waited for the pause";
}

TEST(IscClient, ExplainsTokenFailuresWithoutTheSecret) {
  Rig rig({}, {Answer(401, R"({"error":"invalid_client","error_description":"Bad credentials"})")});
  auto result = rig.client->Get("/v2024/identities", rig.stats);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(),
            "token request to https://acme.api.identitynow.com/oauth/token failed: HTTP 401: Bad "
            "credentials (hint: check client_id and the client secret)");
  EXPECT_EQ(result.error().find("SECRET-VALUE"), std::string::npos);
  EXPECT_TRUE(rig.api->requests.empty());
}

TEST(IscClient, MarksExperimentalCalls) {
  Rig rig({Answer(207, "[]")});
  auto result =
      rig.client->Send("POST", "/v2024/identities-accounts/disable", R"({"identityIds":[]})",
                       "application/json", rig.stats, /*experimental=*/true);
  EXPECT_TRUE(result.ok());
  const auto& headers = rig.api->requests[0].headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(), "X-SailPoint-Experimental: true"),
            headers.end());
  EXPECT_NE(std::find(headers.begin(), headers.end(), "Content-Type: application/json"),
            headers.end());
  EXPECT_EQ(rig.api->requests[0].method, "POST");
}

std::string Page(int first, int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i)
    out += fmt::format("{}{{\"id\":\"{}\"}}", i ? "," : "", first + i);
  return out + "]";
}

TEST(Scan, StopsWhenAServerServesMoreThanItsCount) {
  // Distinct full pages whatever the offset, and a count of 300: the first count is passed,
  // asked for again, and still passed.
  std::vector<std::pair<std::string, std::string>> counted = {{"x-total-count", "300"}};
  Rig rig({Answer(200, Page(0, 250), counted), Answer(200, Page(250, 250)),
           Answer(200, Page(500, 250), counted), Answer(200, Page(750, 250), counted)});
  auto scan = Scan(*rig.client, "/das/v1/tasks", "", Paging::kOffset, rig.stats,
                   [](std::string_view) -> base::Expected<int64_t> { return 250; });
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.error(),
            "GET /das/v1/tasks served 750 objects, more than its X-Total-Count of 300: the "
            "endpoint does not page as asked");
  ASSERT_EQ(rig.api->requests.size(), 3u);
  EXPECT_NE(rig.api->requests[2].url.find("&count=true"), std::string::npos)
      << "the count is asked for again before giving up: objects may have been added";
  EXPECT_EQ(rig.api->requests[1].url.find("count=true"), std::string::npos);
}

TEST(Scan, StopsWhenAFullPageRepeatsThePageBefore) {
  Rig rig({Answer(200, Page(0, 250)), Answer(200, Page(0, 250))});
  auto scan = Scan(*rig.client, "/das/v1/owners/applications/1", "", Paging::kOffset, rig.stats,
                   [](std::string_view) -> base::Expected<int64_t> { return 250; });
  ASSERT_FALSE(scan.ok());
  EXPECT_NE(scan.error().find("answered the same 250 objects as the page before: the endpoint "
                              "ignores offset"),
            std::string::npos)
      << scan.error();
  EXPECT_EQ(rig.api->requests.size(), 2u);
}

TEST(PathTemplate, NamesAnEndpointNotAnObject) {
  EXPECT_EQ(PathTemplate("/v2024/accounts/2c9180835d2e5168015d32f890ca1581/disable"),
            "/v2024/accounts/{id}/disable");
  EXPECT_EQ(PathTemplate("/das/v1/owners/0a1b2c3d-0000-1111-2222-333344445555/resources?x=1"),
            "/das/v1/owners/{id}/resources");
  EXPECT_EQ(PathTemplate("/das/v1/tasks/rerun/5001"), "/das/v1/tasks/rerun/{id}");
  EXPECT_EQ(PathTemplate("/v3/certification-tasks?limit=250"), "/v3/certification-tasks");
}

TEST(IscClient, WarnsOnceARunAboutADeprecatedEndpointAndCountsEachAnswer) {
  std::vector<std::pair<std::string, std::string>> deprecated = {
      {"deprecation", "@1767225600"}, {"sunset", "Wed, 01 Dec 2027 00:00:00 GMT"}};
  Rig rig({Answer(200, "[]", deprecated), Answer(200, "[]", deprecated), Answer(200, "[]")});
  std::vector<std::string> seen;
  rig.client->Observe([&](int, const std::string& path) { seen.push_back(path); });
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(rig.client->Get(fmt::format("/beta/task-status/{}", 1000 + i), rig.stats).ok());
  }
  EXPECT_EQ(rig.stats.deprecated, 2);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"/beta/task-status/{id}", "/beta/task-status/{id}", ""}));
  EXPECT_FALSE(rig.stats.FirstDeprecation("/beta/task-status/{id}")) << "already warned";
  EXPECT_EQ(Deprecation(Answer(200, "[]", deprecated)),
            "deprecation: @1767225600, sunset: Wed, 01 Dec 2027 00:00:00 GMT");
  EXPECT_EQ(Deprecation(Answer(200, "[]", {{"x-deprecated", "true"}})), "x-deprecated: true");
  EXPECT_FALSE(Deprecation(Answer(200)));
}

TEST(ReadTokenClaims, ReadsScopesAndTheUserOfAJwt) {
  auto jwt = [](std::string_view claims) {
    return base::Base64UrlEncode(R"({"alg":"RS256"})") + "." + base::Base64UrlEncode(claims) +
           ".signature";
  };
  auto user = ReadTokenClaims(
      jwt(R"({"user_name":"admin","authorities":["ORG_ADMIN"],"scope":["sp:scopes:all"],"x":1})"));
  EXPECT_TRUE(user.readable);
  EXPECT_TRUE(user.user);
  EXPECT_EQ(user.scopes, std::set<std::string>{"sp:scopes:all"});
  EXPECT_EQ(user.authorities, std::set<std::string>{"ORG_ADMIN"});
  auto client =
      ReadTokenClaims(jwt(R"({"client_id":"c","scope":"idn:accounts:read das:task:read"})"));
  EXPECT_FALSE(client.user);
  EXPECT_EQ(client.scopes, (std::set<std::string>{"das:task:read", "idn:accounts:read"}));
  EXPECT_FALSE(ReadTokenClaims("an-opaque-token").readable);
  EXPECT_FALSE(ReadTokenClaims("a.b.c").readable);
  for (std::string_view text : {"", "a", "ab", "abc", "{\"scope\":[\"x\"]}"}) {
    EXPECT_EQ(base::Base64UrlDecode(base::Base64UrlEncode(text)), text);
  }
  EXPECT_EQ(base::Base64UrlEncode("\xfb\xff"), "-_8") << "the url alphabet, no padding";
}

}  // namespace
}  // namespace isc_mirror::isc
