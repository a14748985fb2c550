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

}  // namespace
}  // namespace isc_mirror::daemon
