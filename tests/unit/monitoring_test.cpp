// The shipped dashboard and alert rules ask only for metrics the daemon serves.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "daemon/metrics.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::daemon {
namespace {

std::set<std::string> MetricNames(const std::string& text, const std::regex& pattern) {
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

// /metrics with every family holding at least one series.
std::string EveryMetric() {
  auto now = std::chrono::system_clock::now();
  Metrics metrics(now);
  metrics.RecordRun("prod", "accounts", sync::RunOutcome{.status = sync::RunStatus::kOk}, 1, now);
  metrics.RecordResponse("prod", 429, "/beta/x");
  metrics.RecordActions("prod", automation::DrainCounts{.succeeded = 1});
  metrics.RecordDatabaseError("prod");
  metrics.SetRateBudget("prod", 10);
  metrics.RecordDelivery("prod", "idn:identity-deleted", DeliveryOutcome::kRecorded, now);
  metrics.RecordRefresh("prod", triggers::RefreshTurn{.deliveries = 1});
  return metrics.Render({{"dead", 1}}, {{"accounts", 900}}, now) + Metrics::RenderDatabaseUp(true);
}

TEST(Monitoring, TheDashboardAndTheAlertsAskOnlyForMetricsTheDaemonServes) {
  std::set<std::string> served =
      MetricNames(EveryMetric(), std::regex("\n(isc_mirror_[a-z_]+)[{ ]"));
  ASSERT_GT(served.size(), 20u);
  std::regex used("(isc_mirror_[a-z_]+)");
  for (const char* file :
       {"monitoring/grafana/isc-mirror.json", "monitoring/prometheus/isc-mirror-alerts.yml",
        "monitoring/prometheus/isc-mirror-alerts.test.yml"}) {
    std::string text = testing::ReadFile(std::string(ISC_MIRROR_SOURCE_DIR) + "/" + file);
    ASSERT_FALSE(text.empty()) << file;
    for (const auto& name : MetricNames(text, used)) {
      EXPECT_TRUE(served.contains(name))
          << file << " asks for " << name << ", which /metrics lacks";
    }
  }
}

}  // namespace
}  // namespace isc_mirror::daemon
