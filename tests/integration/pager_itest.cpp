// Scans against isc-sim: the end of a collection, shifting pages, broken pages, failures.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <set>

#include "isc/pager.hpp"
#include "tests/harness/sim_connection.hpp"

namespace isc_mirror::isc {
namespace {

using isc_mirror::testing::SimClient;
using isc_mirror::testing::SimProcess;
using std::chrono::milliseconds;

struct Scanner : isc_mirror::testing::SimConnection {
  explicit Scanner(const SimProcess& sim)
      : SimConnection(sim, {.retry = {3, milliseconds(10), milliseconds(50)}}) {}

  std::set<std::string> ids;
  int64_t duplicates = 0;

  ScanResult Run(std::string_view path, std::string_view query, const PageShape& paging,
                 std::string_view id_field = "id") {
    return Scan(*client, path, query, paging, stats,
                [&](std::string_view body) -> base::Expected<int64_t> {
                  simdjson::ondemand::parser parser;
                  simdjson::padded_string padded(body);
                  simdjson::ondemand::document doc;
                  if (parser.iterate(padded).get(doc)) return base::Error{"not JSON"};
                  int64_t n = 0;
                  std::vector<std::string> page_ids;
                  simdjson::ondemand::array array;
                  if (doc.get_array().get(array)) return base::Error{"not an array"};
                  for (auto element : array) {
                    simdjson::ondemand::object object;
                    if (element.get_object().get(object)) return base::Error{"not an object"};
                    simdjson::ondemand::value id;
                    if (object[id_field].get(id)) return base::Error{"no id"};
                    std::string text;
                    std::string_view s;
                    int64_t i = 0;
                    if (!id.get_string().get(s)) {
                      text = std::string(s);
                    } else if (!id.get_int64().get(i)) {
                      text = std::to_string(i);
                    } else {
                      return base::Error{"bad id"};
                    }
                    page_ids.push_back(text);
                    ++n;
                  }
                  // Only a page that parsed whole counts.
                  for (auto& id : page_ids) duplicates += ids.insert(id).second ? 0 : 1;
                  return n;
                });
  }
};

// A search pages by searchAfter: 37 identities at 10 a page are four requests, each once, and
// under faults (5xx, cut and broken answers) still every identity once.
TEST(Search, PagesBySearchAfterOnceEachThroughFaults) {
  SimProcess sim({"--identities", "37", "--accounts-per-identity", "1"});
  const std::string search =
      R"({"indices":["identities"],"query":{"query":"*"},"sort":["id"],"queryResultFilter":)"
      R"({"includes":["id"]}})";
  Scanner scan(sim);
  auto result = scan.Run("/v3/search", "", PageShape(Paging::kSearch, 10, search));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->pages, 4);
  EXPECT_EQ(result->total, 37);
  EXPECT_EQ(scan.ids.size(), 37u);
  EXPECT_EQ(scan.duplicates, 0);
  EXPECT_EQ(scan.stats.requests, 4);

  SimClient control(sim.port());
  control.Control("POST", "/__sim/faults",
                  R"({"prefix":"/v3/search","errorRate":0.3,"errorCodes":[500,503],)"
                  R"("truncateRate":0.2,"malformedRate":0.2})");
  Scanner faulty(sim);
  auto again = faulty.Run("/v3/search", "", PageShape(Paging::kSearch, 10, search));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(faulty.ids, scan.ids);
  EXPECT_EQ(faulty.duplicates, 0);
  EXPECT_GT(faulty.stats.retries, 0) << "the faults were met";
}

TEST(Scan, EndsOnTheOffsetQuirkAfterAFullLastPage) {
  SimProcess sim({"--identities", "1000", "--accounts-per-identity", "2"});
  Scanner s(sim);
  auto result = s.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->pages, 8);
  EXPECT_EQ(result->objects, 2000);
  EXPECT_EQ(result->total, 2000);
  EXPECT_EQ(s.ids.size(), 2000u);
  // Pages asked for ahead, while the one before is parsed, add no request: 8 pages and the
  // request that meets the end.
  EXPECT_EQ(s.stats.requests, 9);
}

// A daemon shutting down stops a scan between pages: the client's bounds are cancelled.
TEST(Scan, StopsBetweenPagesOnceCancelled) {
  SimProcess sim({"--identities", "1000", "--accounts-per-identity", "2"});
  Scanner s(sim);
  std::atomic<bool> stop{false};
  s.client->Bound({.cancel = &stop});
  int pages = 0;
  auto result = Scan(*s.client, "/v2024/accounts", "sorters=id", Paging::kOffset, s.stats,
                     [&](std::string_view) -> base::Expected<int64_t> {
                       if (++pages == 3) stop = true;
                       return kPageSize;
                     });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), kScanStopped);
  EXPECT_EQ(pages, 3);
}

TEST(Scan, EndsOnAShortPageAndReadsUnpagedListsInOneCall) {
  SimProcess sim({"--identities", "101", "--accounts-per-identity", "3", "--das-tasks", "300"});
  Scanner s(sim);
  auto accounts = s.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_TRUE(accounts.ok()) << accounts.error();
  EXPECT_EQ(accounts->objects, 303);
  EXPECT_EQ(accounts->pages, 2);
  EXPECT_EQ(s.stats.requests, 2) << "nothing is asked for beyond the count";
  // The DAS lists page like every collection: 300 tasks are two pages, not one.
  int64_t before = s.stats.requests;
  auto tasks = s.Run("/das/v1/tasks", "", Paging::kOffset, "taskId");
  ASSERT_TRUE(tasks.ok()) << tasks.error();
  EXPECT_EQ(tasks->objects, 300);
  EXPECT_EQ(tasks->pages, 2);
  // An owner list takes no limit or offset: one request reads it whole, beyond 250.
  before = s.stats.requests;
  auto owners = s.Run("/das/v1/owners/applications/1001", "", Paging::kNone, "identityId");
  ASSERT_TRUE(owners.ok()) << owners.error();
  EXPECT_GT(owners->objects, 250);
  EXPECT_EQ(s.stats.requests - before, 1);
}

// The owner lists ignore limit and offset ("Not applicable for this endpoint. Do not use."):
// a pager that asks for page after page gets the same whole list each time, and stops.
TEST(Scan, StopsAgainstAListThatIgnoresOffset) {
  SimProcess sim({"--identities", "101"});
  Scanner s(sim);
  auto owners = s.Run("/das/v1/owners/applications/1001", "", Paging::kOffset, "identityId");
  ASSERT_FALSE(owners.ok());
  EXPECT_NE(owners.error().find("ignores offset"), std::string::npos) << owners.error();
  EXPECT_EQ(s.stats.requests, 2);
}

TEST(Scan, SeesShiftedObjectsTwiceAndLetsTheConsumerDeduplicate) {
  SimProcess sim({"--identities", "1000", "--accounts-per-identity", "2"});
  SimClient control(sim.port());
  ASSERT_EQ(
      control
          .Control("POST", "/__sim/shift", R"({"resource":"accounts","afterRequests":2,"count":5})")
          ->status,
      200);
  Scanner s(sim);
  auto result = s.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(s.duplicates, 5) << "five objects moved one page down and arrived twice";
  EXPECT_EQ(s.ids.size(), 2000u) << "every object present before the scan was seen";
}

TEST(Scan, FetchesBrokenPagesAgainAndFailsWhenTheyStayBroken) {
  SimProcess sim({"--identities", "500", "--accounts-per-identity", "2", "--seed", "11"});
  SimClient control(sim.port());
  ASSERT_EQ(
      control
          .Control("POST", "/__sim/faults", R"({"prefix":"/v2024/accounts","malformedRate":0.3})")
          ->status,
      200);
  Scanner s(sim);
  auto flaky = s.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_TRUE(flaky.ok()) << flaky.error();
  EXPECT_EQ(s.ids.size(), 1000u);

  ASSERT_EQ(
      control
          .Control("POST", "/__sim/faults", R"({"prefix":"/v2024/accounts","malformedRate":1.0})")
          ->status,
      200);
  Scanner broken(sim);
  auto failed = broken.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("GET /v2024/accounts at offset 0"), std::string::npos)
      << failed.error();
}

TEST(Scan, IsIncompleteWhenAPageCannotBeFetched) {
  SimProcess sim({"--identities", "500", "--accounts-per-identity", "2"});
  SimClient control(sim.port());
  Scanner s(sim);
  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024/accounts","errorRate":1.0,"errorCodes":[503]})")
                ->status,
            200);
  auto result = s.Run("/v2024/accounts", "sorters=id", Paging::kOffset);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("HTTP 503"), std::string::npos) << result.error();
  EXPECT_EQ(result.failure().status, 503);
  EXPECT_TRUE(s.ids.empty());
}

}  // namespace
}  // namespace isc_mirror::isc
