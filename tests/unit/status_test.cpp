#include "daemon/status.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::daemon {
namespace {

StatusReport Sample() {
  return {
      .schema_version = 8,
      .database = "host=db user=mirror password=[redacted]",
      .schema_note = " (up to date)",
      .resources = {{.tenant = "acme",
                     .resource = "identities",
                     .interval_s = 300,
                     .last = LastRun{.id = 41,
                                     .mode = "full",
                                     .started_at = "2026-12-01 10:00:00",
                                     .status = "failed",
                                     .seen = 1200,
                                     .inserted = 3,
                                     .updated = 2,
                                     .deleted = 1,
                                     .error = "HTTP 500\x1b[31m from isc"},
                     .since_ok_s = 90},
                    {.tenant = "acme", .resource = "accounts", .enabled = false, .interval_s = 60}},
      .action_counts = {{"failed", 1}, {"succeeded", 12}},
      .waiting = {{.id = 7,
                   .status = "failed",
                   .rule = "leaver",
                   .action = "das_reassign_owner",
                   .summary = "reassign the DAS resources owned by identity x",
                   .error = "HTTP 403"}}};
}

TEST(StatusText, ShowsEachResourceTheActionsAndNoControlCharacters) {
  std::string text = RenderStatusText(Sample());
  EXPECT_TRUE(text.starts_with(
      "database host=db user=mirror password=[redacted]: schema version 8 (up to date)\n\nTENANT"));
  EXPECT_NE(text.find("acme         identities                     5m 2026-12-01 10:00:00 failed  "
                      "     1200        3        2        1    1m30s    3m30s  HTTP 500\\x1b[31m "
                      "from isc\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("acme         accounts                      off never               -      "
                      "         -        -        -        -        -        -\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nactions: failed 1, succeeded 12\n"), std::string::npos);
  EXPECT_NE(
      text.find(
          "       7 failed   leaver: reassign the DAS resources owned by identity x (HTTP 403)\n"),
      std::string::npos)
      << text;
}

TEST(StatusText, SaysNoneWithoutActions) {
  StatusReport report = Sample();
  report.action_counts.clear();
  report.waiting.clear();
  EXPECT_TRUE(RenderStatusText(report).ends_with("\nactions: none\n"));
}

TEST(StatusJson, CarriesTheSameFactsForScripts) {
  std::string json = RenderStatusJson(Sample());
  EXPECT_NE(json.find(R"("schema_version":8)"), std::string::npos);
  EXPECT_NE(
      json.find(
          R"("last_run":{"id":41,"mode":"full","started_at":"2026-12-01 10:00:00","status":"failed","seen":1200,"inserted":3,"updated":2,"deleted":1,"error":"HTTP 500\u001b[31m from isc"})"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("lag_seconds":90,"next_run_in_seconds":210)"), std::string::npos);
  EXPECT_NE(
      json.find(
          R"("enabled":false,"interval_seconds":60,"last_run":null,"lag_seconds":null,"next_run_in_seconds":null)"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("actions":{"failed":1,"succeeded":12})"), std::string::npos);
  EXPECT_TRUE(json.ends_with("}\n"));
}

}  // namespace
}  // namespace isc_mirror::daemon

namespace isc_mirror::daemon {
namespace {

TEST(WatchFrame, DrawsOverTheLastFrameOnATerminalAndAppendsElsewhere) {
  EXPECT_EQ(WatchFrame("a\nbb\n", true), "\x1b[Ha\x1b[K\nbb\x1b[K\n\x1b[J");
  EXPECT_EQ(WatchFrame("a\nbb\n", false), "a\nbb\n\n");
}

}  // namespace
}  // namespace isc_mirror::daemon
