// isc-mirror sync end to end: isc-sim as the tenant, a real PostgreSQL as the mirror.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

using testing::DatabaseTest;
using testing::ProcessResult;
using testing::SimClient;
using testing::SimProcess;
using testing::TempDir;

class SyncCommand : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    sim_ = std::make_unique<SimProcess>(
        std::vector<std::string>{"--identities", "300", "--accounts-per-identity", "3"});
    config_ = (dir_.path() / "config.yaml").string();
    testing::WriteFile(config_, fmt::format("tenants:\n"
                                            "  - name: sim\n"
                                            "    base_url: {}\n"
                                            "    client_id: sim-client\n"
                                            "    client_secret: sim-secret\n"
                                            "database:\n"
                                            "  url: {}\n",
                                            sim_->base_url(), url_));
    auto migrated = Mirror({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  }

  ProcessResult Mirror(std::vector<std::string> args) {
    args.insert(args.begin(), {ISC_MIRROR_BINARY, "-c", config_});
    return testing::RunProcess({args, testing::MinimalEnvironment(), std::nullopt, false});
  }

  long long Count(const std::string& sql) {
    pqxx::connection c(url_);
    pqxx::read_transaction tx(c);
    return tx.exec1(sql)[0].as<long long>();
  }

  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::string config_;
};

TEST_F(SyncCommand, MirrorsTheTenantThenWritesNothingOnAnUnchangedCycle) {
  auto first = Mirror({"sync", "identities", "accounts", "das_tasks"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE tenant = 'sim'"), 300);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts"), 900);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.das_tasks"), 40);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), 300 + 900 + 40);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'ok' AND seen > 0"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.stream_state WHERE baseline_done"), 3);
  // Every account's identity is mirrored, by the normalised id.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts a LEFT JOIN isc.identities i "
                  "ON i.tenant = a.tenant AND i.id = a.identity_id WHERE i.id IS NULL"),
            0);

  auto xmin = Count("SELECT sum(xmin::text::bigint) FROM isc.accounts");
  auto events = Count("SELECT count(*) FROM mirror.change_events");
  auto second = Mirror({"sync", "identities", "accounts", "das_tasks"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), events);
  EXPECT_EQ(Count("SELECT sum(xmin::text::bigint) FROM isc.accounts"), xmin);
  EXPECT_EQ(Count("SELECT sum(unchanged) FROM mirror.sync_runs WHERE id > 3"), 300 + 900 + 40);
}

TEST_F(SyncCommand, RecordsExactlyTheEventsOfAChange) {
  ASSERT_EQ(Mirror({"sync", "identities", "accounts"}).exit_code, 0);
  SimClient control(sim_->port());
  std::string id;
  {
    pqxx::connection c(url_);
    pqxx::read_transaction tx(c);
    id = tx.exec1(
               "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")
             [0]
                 .as<std::string>();
  }
  ASSERT_EQ(
      control
          .Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})")
          ->status,
      200);
  ASSERT_EQ(control.Control("POST", "/__sim/refresh")->status, 200);  // volatile only: no event
  auto after = Mirror({"sync", "identities", "accounts"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline AND resource = "
                  "'identities'"),
            1);
  EXPECT_EQ(Count(fmt::format(
                "SELECT count(*) FROM mirror.change_events WHERE NOT baseline AND op = 'update' "
                "AND object_id = '{}' AND changed_paths @> "
                "'{{/lifecycleState/stateName,/attributes/cloudLifecycleState}}'",
                id)),
            1);
  // Its three accounts carry the lifecycle state too.
  EXPECT_EQ(
      Count(
          "SELECT count(*) FROM mirror.change_events WHERE NOT baseline AND resource = 'accounts'"),
      3);
  EXPECT_EQ(
      Count(fmt::format(
          "SELECT count(*) FROM isc.identities WHERE id = '{}' AND lifecycle_state = 'terminated'",
          id)),
      1);
}

TEST_F(SyncCommand, FailsTheRunAndExitsNonZeroWhenTheApiFails) {
  SimClient control(sim_->port());
  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024/accounts","errorRate":1.0,"errorCodes":[503]})")
                ->status,
            200);
  auto r = Mirror({"sync", "accounts"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("sync failed"), std::string::npos) << r.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'failed' AND error LIKE "
                  "'%HTTP 503%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.stream_state"), 0)
      << "no baseline from a failed scan";
}

TEST_F(SyncCommand, RefusesUnknownAndChildResources) {
  auto unknown = Mirror({"sync", "acounts"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown resource 'acounts'"), std::string::npos);
  EXPECT_EQ(Mirror({"sync", "das_resource_owners"}).exit_code, 2);
}

}  // namespace
}  // namespace isc_mirror
