#include "daemon/sync_now.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::daemon {
namespace {

Config TwoTenants() {
  ConfigHost host;
  host.getenv = [](const std::string&) { return std::nullopt; };
  host.read_file = [](const std::string&) -> base::Expected<std::string> {
    return base::Error{"no files"};
  };
  auto result = ParseConfig(R"(
tenants:
  - { name: prod, base_url: "https://a.example", client_id: i, client_secret: s }
  - { name: test, base_url: "https://b.example", client_id: i, client_secret: s }
resources:
  das_tasks: { enabled: false }
)",
                            "test.yaml", host);
  EXPECT_TRUE(result.ok());
  return result.config;
}

TEST(ParseSyncNow, AcceptsAResourceForEveryTenantOrOneTenantsResource) {
  Config config = TwoTenants();
  auto all = ParseSyncNow("accounts", config);
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(all->tenants, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(all->resource, "accounts");
  auto one = ParseSyncNow("test/identities", config);
  ASSERT_TRUE(one) << one.error();
  EXPECT_EQ(one->tenants, (std::vector<size_t>{1}));
}

TEST(ParseSyncNow, RefusesWhatNamesNoTenantOrNoEnabledResource) {
  Config config = TwoTenants();
  for (const std::string& payload : std::vector<std::string>{
           "", "acounts", "das_tasks", "nobody/accounts", "prod/", "/accounts", "prod/accounts/x",
           std::string(300, 'a'), std::string("accounts\0x", 10)}) {
    auto parsed = ParseSyncNow(payload, config);
    EXPECT_FALSE(parsed) << payload;
    if (!parsed && payload.size() > 2) {
      EXPECT_EQ(parsed.error().find(payload), std::string::npos) << "not echoed: " << payload;
    }
  }
}

TEST(RefusalLog, ReportsOncePerPeriodWithTheCountSinceTheLast) {
  RefusalLog log(std::chrono::seconds(60));
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(log.Refused(t0), 1);
  for (int i = 0; i < 999; ++i) EXPECT_FALSE(log.Refused(t0 + std::chrono::seconds(1)));
  EXPECT_EQ(log.Refused(t0 + std::chrono::seconds(61)), 1000);
}

}  // namespace
}  // namespace isc_mirror::daemon
