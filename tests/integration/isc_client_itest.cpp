// The ISC client over libcurl against isc-sim: tokens, paging, rate limits and faults.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <thread>

#include "isc/pager.hpp"
#include "tests/harness/sim_connection.hpp"

namespace isc_mirror::isc {
namespace {

using isc_mirror::testing::SimClient;
using isc_mirror::testing::SimProcess;
using std::chrono::milliseconds;

struct Connected : isc_mirror::testing::SimConnection {
  using isc_mirror::testing::SimConnection::SimConnection;

  // Every page of a collection through the pager; the objects read, or -1 on failure.
  int64_t ReadAll(const std::string& path, const std::string& query = "") {
    simdjson::dom::parser parser;
    auto result = Scan(*client, path, query, Paging::kOffset, stats,
                       [&](std::string_view body) -> base::Expected<int64_t> {
                         simdjson::dom::array items;
                         if (parser.parse(body.data(), body.size()).get(items)) {
                           return base::Error{"not a JSON array"};
                         }
                         return static_cast<int64_t>(items.size());
                       });
    if (!result) ADD_FAILURE() << result.error();
    return result ? result->objects : -1;
  }
};

TEST(IscClientAgainstSim, PagesThroughACollectionOnOneToken) {
  SimProcess sim({"--identities", "1000", "--accounts-per-identity", "2"});
  Connected c(sim);
  EXPECT_EQ(c.ReadAll("/v2024/accounts"), 2000);
  EXPECT_EQ(c.ReadAll("/v2024/identities", "defaultFilter=NONE"), 1000);
  EXPECT_EQ(c.tokens->fetched(), 1);
  EXPECT_EQ(c.stats.requests, 9 + 5) << "8 and 4 full pages, each followed by the quirk's 400";
  EXPECT_EQ(c.stats.retries, 0);
  // Without defaultFilter=NONE, ISC leaves out identities without a correlated authoritative
  // account (the parameter's default is CORRELATED_ONLY).
  int64_t correlated = c.ReadAll("/v2024/identities");
  EXPECT_LT(correlated, 1000);
  EXPECT_GT(correlated, 900);
}

TEST(IscClientAgainstSim, FetchesANewTokenWhenTheOldOneIsRefused) {
  SimProcess sim({"--identities", "50"});
  Connected c(sim);
  ASSERT_TRUE(c.client->Get("/v2024/identities", c.stats).ok());
  SimClient control(sim.port());
  ASSERT_EQ(control.Control("POST", "/__sim/tokens/expire")->status, 200);
  auto after = c.client->Get("/v2024/identities", c.stats);
  EXPECT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(c.tokens->fetched(), 2);
}

TEST(IscClientAgainstSim, NamesBadCredentialsWithoutTheSecret) {
  SimProcess sim({"--identities", "10"});
  Connected c(sim, {.secret = "WRONG-SECRET-VALUE"});
  auto result = c.client->Get("/v2024/identities", c.stats);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find(
                "HTTP 401: Bad credentials (hint: check client_id and the client secret)"),
            std::string::npos)
      << result.error();
  EXPECT_EQ(result.error().find("WRONG-SECRET-VALUE"), std::string::npos);
}

TEST(IscClientAgainstSim, RecoversFromRateLimitingAndStaysUnderAMatchedBudget) {
  SimProcess sim({"--identities", "10", "--rate-limit", "20/2s"});
  {
    // A budget larger than the server's: 429s happen, Retry-After is honoured, nothing fails.
    Connected greedy(sim, {.requests = 60, .per = milliseconds(2000)});
    for (int i = 0; i < 30; ++i)
      ASSERT_TRUE(greedy.client->Get("/v2024/identities", greedy.stats).ok()) << i;
    EXPECT_GT(greedy.stats.rate_limited, 0);
  }
  // The server's budget is one per client whatever the version: let it refill first.
  std::this_thread::sleep_for(milliseconds(2100));
  // A budget matching the server's, on another API version: the client waits instead of
  // being refused.
  Connected matched(sim, {.requests = 20, .per = milliseconds(2000)});
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(matched.client->Get("/das/v1/tasks", matched.stats).ok()) << i;
  EXPECT_EQ(matched.stats.rate_limited, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(1900))
      << "40 requests at 20 per 2 s take at least one refill period";
}

// SailPoint's pages disagree on whether each API version has its own budget. One budget for
// every version is safe against a tenant that counts per client id; one per version is not.
TEST(IscClientAgainstSim, OneBudgetForEveryVersionStaysUnderALimitPerClient) {
  SimProcess sim({"--identities", "10", "--rate-limit", "20/2s"});
  auto alternate = [](Connected& c) {
    for (int i = 0; i < 40; ++i) {
      const char* path = i % 2 == 0 ? "/v2024/identities" : "/das/v1/tasks";
      EXPECT_TRUE(c.client->Get(path, c.stats).ok()) << i;
    }
  };
  {
    Connected shared(sim, {.requests = 20, .per = milliseconds(2000)});
    alternate(shared);
    EXPECT_EQ(shared.stats.rate_limited, 0) << "the default: one budget for v2024 and das";
  }
  std::this_thread::sleep_for(milliseconds(2100));
  Connected per_version(sim, {.requests = 20, .per = milliseconds(2000), .per_version = true});
  alternate(per_version);
  EXPECT_GT(per_version.stats.rate_limited, 0) << "a budget per version sends twice the limit";
}

TEST(IscClientAgainstSim, RetriesThroughServerErrorsAndTruncatedBodies) {
  SimProcess sim({"--identities", "500", "--accounts-per-identity", "2", "--seed", "3"});
  SimClient control(sim.port());
  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024","errorRate":0.3,"truncateRate":0.2})")
                ->status,
            200);
  Connected c(sim);
  EXPECT_EQ(c.ReadAll("/v2024/accounts"), 1000);
  EXPECT_GT(c.stats.retries, 0);

  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024","errorRate":1.0,"errorCodes":[503]})")
                ->status,
            200);
  auto failed = c.client->Get("/v2024/identities", c.stats);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.failure().status, 503);
  EXPECT_NE(failed.error().find("GET /v2024/identities failed: HTTP 503"), std::string::npos)
      << failed.error();
}

TEST(IscClientAgainstSim, BoundsResponseSizeAndReportsUnreachableHosts) {
  SimProcess sim({"--identities", "100"});
  Connected small(sim, {.max_response_bytes = 1000});
  auto big = small.client->Get("/v2024/accounts?limit=250", small.stats);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().find("response too large"), std::string::npos) << big.error();
  EXPECT_EQ(small.stats.requests, 1) << "a size overrun is not retried";

  ClientOptions nowhere;
  nowhere.base_url = "http://127.0.0.1:1";
  nowhere.token_url = "http://127.0.0.1:1/oauth/token";
  nowhere.client_id = "x";
  nowhere.client_secret = base::Secret("y");
  TokenSource tokens(nowhere,
                     std::make_unique<CurlTransport>(TransportOptions{.allow_http = true}));
  auto token = tokens.Token();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().find("could not connect"), std::string::npos) << token.error();
}

}  // namespace
}  // namespace isc_mirror::isc
