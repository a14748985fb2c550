#include "daemon/sync_progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace isc_mirror::daemon {
namespace {

TEST(SyncProgress, ALineHasTheTotalShareRateAndTimeLeftWhenISCSentACount) {
  sync::RunProgress progress{.pages = 40, .done = 10000, .total = 40000, .unit = "objects"};
  EXPECT_EQ(ProgressLine("prod/accounts", progress, 8.0),
            "prod/accounts  10000 / 40000 objects  25%  1250/s  24s left");
  progress.total.reset();
  EXPECT_EQ(ProgressLine("prod/accounts", progress, 8.0), "prod/accounts  10000 objects  1250/s");
  // A count passed by a growing tenant is not a negative time left.
  sync::RunProgress grown{.pages = 2, .done = 510, .total = 500, .unit = "objects"};
  EXPECT_EQ(ProgressLine("prod/accounts", grown, 1.0),
            "prod/accounts  510 / 510 objects  100%  510/s");
  sync::RunProgress parents{.pages = 3, .done = 1, .total = 4, .unit = "parents"};
  EXPECT_EQ(ProgressLine("prod/access_review_items", parents, 0.0),
            "prod/access_review_items  1 / 4 parents  25%  0/s");
}

TEST(SyncProgress, TheSummaryAlignsItsColumnsAndGivesEachFailureItsReason) {
  std::vector<SummaryRow> rows = {
      {.tenant = "prod",
       .resource = "identities",
       .outcome = {.mode = "full", .status = sync::RunStatus::kOk, .seen = 12000, .inserted = 3},
       .seconds = 75},
      {.tenant = "prod",
       .resource = "accounts",
       .outcome = {.mode = "full", .status = sync::RunStatus::kFailed, .error = "GET 503"},
       .seconds = 2.5},
  };
  EXPECT_EQ(SummaryTable(rows),
            "tenant  resource    result  mode   seen  inserted  updated  deleted  time\n"
            "prod    identities  ok      full  12000         3        0        0  1m15s\n"
            "prod    accounts    failed  full      0         0        0        0  2.5s\n"
            "prod/accounts failed: GET 503\n");
}

TEST(SyncProgress, TheViewRedrawsTheRunningLinesInPlaceAndKeepsFinishedOnesAbove) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    TerminalProgress view(out, 40);
    view.Start("prod/identities");
    view.WriteLog("a warning\n");
    view.Finish("prod/identities", {.status = sync::RunStatus::kOk, .seen = 7}, 1.0);
    view.Start("prod/a-resource-with-a-name-longer-than-the-terminal");
  }
  std::rewind(out);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  EXPECT_EQ(text,
            "\x1b[2Kprod/identities  starting\n"
            "\x1b[1F\x1b[Ja warning\n\x1b[2Kprod/identities  starting\n"
            "\x1b[1F\x1b[Jprod/identities  ok  7 objects in 1.0s\n"
            "\x1b[2Kprod/a-resource-with-a-name-longer-than\n");
}

}  // namespace
}  // namespace isc_mirror::daemon
