#include "daemon/metrics.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::daemon {
namespace {

// Parents skipped (children ISC refuses to list) and deprecated endpoints reach /metrics.
TEST(Metrics, CountsSkippedParentsAndDeprecatedEndpoints) {
  auto now = std::chrono::system_clock::now();
  Metrics metrics(now);
  sync::RunOutcome outcome;
  outcome.status = sync::RunStatus::kOk;
  outcome.parents_skipped = 2;
  metrics.RecordRun("prod", "access_review_items", outcome, 1.5, now);
  metrics.RecordRun("prod", "access_review_items", outcome, 1.5, now);
  metrics.RecordResponse("prod", 200, "/beta/task-status/{id}");
  metrics.RecordResponse("prod", 200, "/beta/task-status/{id}");
  metrics.RecordResponse("prod", 200);
  auto text = metrics.Render({}, {}, now);
  EXPECT_NE(text.find("isc_mirror_parents_skipped_total{tenant=\"prod\",resource=\"access_review_"
                      "items\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("isc_mirror_deprecated_responses_total{tenant=\"prod\",path=\"/beta/"
                      "task-status/{id}\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("isc_mirror_http_responses_total{tenant=\"prod\",status=\"200\"} 3\n"),
            std::string::npos);
}

// The last run's result as a state set, failures in a row, and the tenant's budget.
TEST(Metrics, ShowsTheLastRunsResultFailuresInARowAndTheBudget) {
  auto now = std::chrono::system_clock::now();
  Metrics metrics(now);
  auto run = [&](sync::RunStatus status) {
    metrics.RecordRun("prod", "accounts", sync::RunOutcome{.status = status}, 1.0, now);
  };
  auto has = [&](std::string_view line) {
    return metrics.Render({}, {}, now).find(line) != std::string::npos;
  };
  EXPECT_FALSE(has("isc_mirror_last_run_result{"));  // nothing before a first run
  run(sync::RunStatus::kFailed);
  run(sync::RunStatus::kFailed);
  EXPECT_TRUE(has("isc_mirror_failed_runs_in_a_row{tenant=\"prod\",resource=\"accounts\"} 2\n"));
  EXPECT_TRUE(has(
      "isc_mirror_last_run_result{tenant=\"prod\",resource=\"accounts\",result=\"failed\"} 1\n"));
  EXPECT_TRUE(
      has("isc_mirror_last_run_result{tenant=\"prod\",resource=\"accounts\",result=\"ok\"} 0\n"));
  run(sync::RunStatus::kHeld);
  EXPECT_TRUE(has("isc_mirror_failed_runs_in_a_row{tenant=\"prod\",resource=\"accounts\"} 0\n"));
  EXPECT_TRUE(
      has("isc_mirror_last_run_result{tenant=\"prod\",resource=\"accounts\",result=\"held\"} 1\n"));
  EXPECT_TRUE(has(
      "isc_mirror_last_run_result{tenant=\"prod\",resource=\"accounts\",result=\"failed\"} 0\n"));
  metrics.SetRateBudget("prod", 10);
  EXPECT_TRUE(has("isc_mirror_rate_limit_requests_per_second{tenant=\"prod\"} 10\n"));
}

}  // namespace
}  // namespace isc_mirror::daemon
