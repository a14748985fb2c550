// The ISC client over libcurl against isc-sim: tokens, paging, rate limits and faults.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "sync/isc_client.hpp"
#include "tests/harness/sim_process.hpp"

namespace isc_mirror::sync {
namespace {

using isc_mirror::testing::SimClient;
using isc_mirror::testing::SimProcess;
using std::chrono::milliseconds;

const CurlGlobal& Curl() {
  static CurlGlobal global;
  return global;
}

struct Connected {
  ClientOptions options;
  std::unique_ptr<TokenSource> tokens;
  std::unique_ptr<RateBudget> budget;
  std::unique_ptr<IscClient> client;
  RequestStats stats;

  Connected(const SimProcess& sim, int requests = 10'000, milliseconds per = milliseconds(1000),
            std::string secret = "sim-secret", size_t max_bytes = 64u << 20) {
    (void)Curl();
    options.base_url = sim.base_url();
    options.token_url = sim.base_url() + "/oauth/token";
    options.client_id = "sim-client";
    options.client_secret = base::Secret(std::move(secret));
    options.retry = {6, milliseconds(20), milliseconds(200)};
    options.request_timeout = milliseconds(10'000);
    tokens = std::make_unique<TokenSource>(options, std::make_unique<CurlTransport>());
    budget = std::make_unique<RateBudget>(requests, per);
    client = std::make_unique<IscClient>(options, *tokens, *budget,
                                         std::make_unique<CurlTransport>(max_bytes));
  }

  // Every page of a collection; the number of objects read, or -1 on failure.
  int64_t ReadAll(const std::string& path) {
    int64_t objects = 0;
    simdjson::dom::parser parser;
    for (int offset = 0;; offset += 250) {
      auto page = client->Get(path + "?limit=250&offset=" + std::to_string(offset), stats);
      // ISC's answer to the offset just past a collection that fills its last page exactly.
      if (offset > 0 && page.status == 400 &&
          page.error.find("Specified offset is invalid") != std::string::npos) {
        return objects;
      }
      if (!page.ok()) {
        ADD_FAILURE() << page.error;
        return -1;
      }
      simdjson::dom::array items;
      if (parser.parse(page.body).get(items)) return -1;
      objects += static_cast<int64_t>(items.size());
      if (items.size() < 250) return objects;
    }
  }
};

TEST(IscClientAgainstSim, PagesThroughACollectionOnOneToken) {
  SimProcess sim({"--identities", "1000", "--accounts-per-identity", "2"});
  Connected c(sim);
  EXPECT_EQ(c.ReadAll("/v2024/accounts"), 2000);
  EXPECT_EQ(c.ReadAll("/v2024/identities"), 1000);
  EXPECT_EQ(c.tokens->fetched(), 1);
  EXPECT_EQ(c.stats.requests, 9 + 5) << "8 and 4 full pages, each followed by the quirk's 400";
  EXPECT_EQ(c.stats.retries, 0);
}

TEST(IscClientAgainstSim, FetchesANewTokenWhenTheOldOneIsRefused) {
  SimProcess sim({"--identities", "50"});
  Connected c(sim);
  ASSERT_TRUE(c.client->Get("/v2024/identities", c.stats).ok());
  SimClient control(sim.port());
  ASSERT_EQ(control.Control("POST", "/__sim/tokens/expire")->status, 200);
  auto after = c.client->Get("/v2024/identities", c.stats);
  EXPECT_TRUE(after.ok()) << after.error;
  EXPECT_EQ(c.tokens->fetched(), 2);
}

TEST(IscClientAgainstSim, NamesBadCredentialsWithoutTheSecret) {
  SimProcess sim({"--identities", "10"});
  Connected c(sim, 10'000, milliseconds(1000), "WRONG-SECRET-VALUE");
  auto result = c.client->Get("/v2024/identities", c.stats);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(
      result.error.find("HTTP 401: Bad credentials (hint: check client_id and the client secret)"),
      std::string::npos)
      << result.error;
  EXPECT_EQ(result.error.find("WRONG-SECRET-VALUE"), std::string::npos);
}

TEST(IscClientAgainstSim, RecoversFromRateLimitingAndStaysUnderAMatchedBudget) {
  SimProcess sim({"--identities", "10", "--rate-limit", "20/2s"});
  {
    // A budget larger than the server's: 429s happen, Retry-After is honoured, nothing fails.
    Connected greedy(sim, 60, milliseconds(2000));
    for (int i = 0; i < 30; ++i)
      ASSERT_TRUE(greedy.client->Get("/v2024/identities", greedy.stats).ok()) << i;
    EXPECT_GT(greedy.stats.rate_limited, 0);
  }
  // A budget matching the server's, for another API version (its own server bucket): the
  // client waits instead of being refused.
  Connected matched(sim, 20, milliseconds(2000));
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(matched.client->Get("/das/v1/tasks", matched.stats).ok()) << i;
  EXPECT_EQ(matched.stats.rate_limited, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(1900))
      << "40 requests at 20 per 2 s take at least one refill period";
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
  EXPECT_EQ(failed.status, 503);
  EXPECT_NE(failed.error.find("GET /v2024/identities failed: HTTP 503"), std::string::npos)
      << failed.error;
}

TEST(IscClientAgainstSim, BoundsResponseSizeAndReportsUnreachableHosts) {
  SimProcess sim({"--identities", "100"});
  Connected small(sim, 10'000, milliseconds(1000), "sim-secret", 1000);
  auto big = small.client->Get("/v2024/accounts?limit=250", small.stats);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error.find("response too large"), std::string::npos) << big.error;
  EXPECT_EQ(small.stats.requests, 1) << "a size overrun is not retried";

  ClientOptions nowhere;
  nowhere.base_url = "http://127.0.0.1:1";
  nowhere.token_url = "http://127.0.0.1:1/oauth/token";
  nowhere.client_id = "x";
  nowhere.client_secret = base::Secret("y");
  TokenSource tokens(nowhere, std::make_unique<CurlTransport>());
  auto token = tokens.Token();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().find("could not connect"), std::string::npos) << token.error();
}

}  // namespace
}  // namespace isc_mirror::sync
