// The writer against PostgreSQL: only changes are written, with history and events, atomically.
#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "sync/writer.hpp"
#include "tests/harness/postgres_environment.hpp"

namespace isc_mirror::sync {
namespace {

using isc_mirror::testing::DatabaseTest;

class WriterTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    connection_ = db::Connect(base::Secret(url_));
    auto migrations = db::LoadMigrations(ISC_MIRROR_SOURCE_DIR "/migrations");
    ASSERT_TRUE(migrations.ok());
    db::Migrate(*connection_, *migrations);
  }

  const ResourceSchema& schema_ = *FindSchema("identities");
  IgnoreSet ignore_{schema_.ignore_paths.begin(), schema_.ignore_paths.end()};

  ObjectRow Row(const std::string& json) {
    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document doc = parser.iterate(padded);
    simdjson::ondemand::value value = doc.get_value();
    auto canonical = CanonicalJson(value, {});
    EXPECT_TRUE(canonical.ok());
    // The hash leaves out the ignored paths; raw keeps them.
    simdjson::padded_string again(json);
    simdjson::ondemand::document doc2 = parser.iterate(again);
    simdjson::ondemand::value value2 = doc2.get_value();
    auto hashed = CanonicalJson(value2, ignore_);
    auto row = BuildRow(schema_, *canonical, std::nullopt);
    EXPECT_TRUE(row.ok()) << (row.ok() ? "" : row.error());
    row->hash = ContentHash(*hashed);
    return *row;
  }

  std::string Identity(const std::string& id, const std::string& department,
                       const std::string& refreshed = "2026-11-01T00:00:00Z") {
    return R"({"id":")" + id + R"(","name":"ada","lastRefresh":")" + refreshed +
           R"(","attributes":{"department":")" + department +
           R"("},"lifecycleState":{"stateName":"active","manuallyUpdated":false}})";
  }

  long long Count(const std::string& sql) {
    pqxx::read_transaction tx(*connection_);
    return tx.exec1(sql)[0].as<long long>();
  }

  std::unique_ptr<pqxx::connection> connection_;
};

constexpr const char* kA = "2c9180835d2e5168015d32f890ca15a1";
constexpr const char* kB = "2c9180835d2e5168015d32f890ca15b2";

TEST_F(WriterTest, WritesNewObjectsWithHistoryAndABaselineWithoutEvents) {
  Writer writer("prod", schema_, ignore_);
  auto counts = writer.Write(*connection_, {Row(Identity(kA, "IT")), Row(Identity(kB, "HR"))},
                             std::nullopt, /*baseline=*/true);
  EXPECT_EQ(counts.inserted, 2);
  EXPECT_EQ(counts.updated, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE tenant = 'prod'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE department = 'IT' AND lifecycle_state "
                  "= 'active'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history WHERE valid_to IS NULL"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history WHERE valid_to IS NULL AND raw->>'name' = "
                  "'ada'"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), 0)
      << "a baseline is recorded on its run, not as an event per object";
}

TEST_F(WriterTest, WritesNothingForUnchangedObjects) {
  Writer writer("prod", schema_, ignore_);
  writer.Write(*connection_, {Row(Identity(kA, "IT")), Row(Identity(kB, "HR"))}, std::nullopt,
               true);
  auto xmin = Count("SELECT sum(xmin::text::bigint) FROM isc.identities");
  auto events = Count("SELECT count(*) FROM mirror.change_events");
  auto history = Count("SELECT count(*) FROM mirror.history");
  // Same content, and a change to the volatile lastRefresh only.
  auto counts = writer.Write(
      *connection_, {Row(Identity(kA, "IT", "2026-11-23T00:00:00Z")), Row(Identity(kB, "HR"))},
      std::nullopt, false);
  EXPECT_EQ(counts.unchanged, 2);
  EXPECT_EQ(counts.inserted + counts.updated, 0);
  EXPECT_EQ(Count("SELECT sum(xmin::text::bigint) FROM isc.identities"), xmin)
      << "no row rewritten";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), events);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history"), history);
}

TEST_F(WriterTest, RecordsAChangeWithItsPathsAndANewVersion) {
  Writer writer("prod", schema_, ignore_);
  writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, true);
  auto counts = writer.Write(*connection_, {Row(Identity(kA, "Sales", "2026-11-23T00:00:00Z"))},
                             std::nullopt, false);
  EXPECT_EQ(counts.updated, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE department = 'Sales'"), 1);
  pqxx::read_transaction tx(*connection_);
  auto event = tx.exec1(
      "SELECT op, changed_paths::text, before->'attributes'->>'department', "
      "after->'attributes'->>'department', baseline FROM mirror.change_events ORDER BY event_id "
      "DESC LIMIT 1");
  EXPECT_EQ(event[0].as<std::string>(), "update");
  EXPECT_EQ(event[1].as<std::string>(), "{/attributes/department}") << "lastRefresh is ignored";
  EXPECT_EQ(event[2].as<std::string>(), "IT");
  EXPECT_EQ(event[3].as<std::string>(), "Sales");
  EXPECT_FALSE(event[4].as<bool>());
  auto versions = tx.exec(
      "SELECT raw->'attributes'->>'department', valid_to IS NULL FROM mirror.history "
      "WHERE object_id = '2c9180835d2e5168015d32f890ca15a1' ORDER BY valid_from");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0][0].as<std::string>(), "IT");
  EXPECT_FALSE(versions[0][1].as<bool>());
  EXPECT_EQ(versions[1][0].as<std::string>(), "Sales");
  EXPECT_TRUE(versions[1][1].as<bool>());
}

// An event stores the changed values and names the versions on either side; the object is
// written once, in its row, and the version it replaced once, in mirror.past_versions.
TEST_F(WriterTest, StoresAChangeAsItsDiffAndTheVersionsOnEitherSide) {
  Writer writer("prod", schema_, ignore_);
  writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, true);
  writer.Write(*connection_, {Row(Identity(kA, "Sales"))}, std::nullopt, false);
  writer.Retire(*connection_, {kA}, sync::EventOp::kDelete, std::nullopt, false);
  pqxx::read_transaction tx(*connection_);
  auto update = tx.exec1(
      "SELECT e.diff::text, e.before IS NULL AND e.after IS NULL, "
      "e.before_from = p.valid_from, e.after_from = i.valid_from "
      "FROM mirror.events e, mirror.past_versions p, isc.identities i WHERE e.op = 'update'");
  EXPECT_EQ(update[0].as<std::string>(), R"({"/attributes/department": ["IT", "Sales"]})");
  EXPECT_TRUE(update[1].as<bool>());
  EXPECT_TRUE(update[2].as<bool>());
  EXPECT_TRUE(update[3].as<bool>());
  auto gone = tx.exec1(
      "SELECT e.before_from = i.valid_from, e.after_from IS NULL, e.diff IS NULL "
      "FROM mirror.events e, isc.identities i WHERE e.op = 'delete'");
  EXPECT_TRUE(gone[0].as<bool>());
  EXPECT_TRUE(gone[1].as<bool>());
  EXPECT_TRUE(gone[2].as<bool>());
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM mirror.past_versions")[0].as<int>(), 1);
}

TEST_F(WriterTest, BringsBackADeletedObjectWithAnInsert) {
  Writer writer("prod", schema_, ignore_);
  writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, true);
  {
    pqxx::work tx(*connection_);
    tx.exec("UPDATE isc.identities SET deleted_at = now()");
    tx.commit();
  }
  auto counts = writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, false);
  EXPECT_EQ(counts.inserted, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE deleted_at IS NULL"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'insert' AND NOT baseline"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history WHERE valid_to IS NULL"), 1);
}

// Records what a batch hands to the rules.
class RecordingSink : public EventSink {
 public:
  void OnEvents(pqxx::work&, const std::vector<Event>& events) override {
    seen.insert(seen.end(), events.begin(), events.end());
  }
  std::vector<Event> seen;
};

TEST_F(WriterTest, GivesRulesTheStoredEventsOfNewAndChangedObjectsInOneBatch) {
  Writer writer("prod", schema_, ignore_);
  writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, true);
  // One batch: kB is new (COPYed straight in), kA changed (staged and compared).
  RecordingSink sink;
  auto counts = writer.Write(*connection_, {Row(Identity(kA, "HR")), Row(Identity(kB, "IT"))},
                             std::nullopt, false, nullptr, &sink);
  EXPECT_EQ(counts.inserted, 1);
  EXPECT_EQ(counts.updated, 1);
  ASSERT_EQ(sink.seen.size(), 2u);
  pqxx::read_transaction tx(*connection_);
  for (const auto& event : sink.seen) {
    auto stored = tx.exec_params1(
        "SELECT object_id, op, after->'attributes'->>'department', before IS NULL FROM "
        "mirror.change_events WHERE event_id = $1",
        event.event_id);
    EXPECT_EQ(stored[0].as<std::string>(), event.object_id);
    EXPECT_EQ(stored[1].as<std::string>(), sync::EventOpName(event.op));
    EXPECT_EQ(stored[2].as<std::string>(), event.object_id == kA ? "HR" : "IT");
    EXPECT_EQ(stored[3].as<bool>(), event.op == sync::EventOp::kInsert);
  }
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM mirror.history WHERE valid_to IS NULL")[0].as<int>(), 2);
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM isc.identities WHERE first_seen IS NOT NULL")[0].as<int>(), 2);
}

TEST_F(WriterTest, RollsBackTheWholeBatchOnFailure) {
  Writer writer("prod", schema_, ignore_);
  EXPECT_THROW(writer.Write(*connection_, {Row(Identity(kA, "IT"))}, std::nullopt, true,
                            [](pqxx::work&) { throw std::runtime_error("checkpoint failed"); }),
               std::runtime_error);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history"), 0);
}

TEST_F(WriterTest, StoresAdversarialStringsExactly) {
  Writer writer("prod", schema_, ignore_);
  std::string nasty = R"(tab\there \"quoted\" back\\slash new\nline nul\u0000 emoji😀 rtl\u202e)";
  auto json = R"({"id":")" + std::string(kA) + R"(","name":")" + nasty + R"("})";
  writer.Write(*connection_, {Row(json)}, std::nullopt, true);
  pqxx::read_transaction tx(*connection_);
  auto row = tx.exec1("SELECT name, raw->>'name' FROM isc.identities");
  std::string expected = "tab\there \"quoted\" back\\slash new\nline nul";
  EXPECT_EQ(row[0].as<std::string>().substr(0, expected.size()), expected);
  EXPECT_NE(row[1].as<std::string>().find("emoji😀"), std::string::npos);
  EXPECT_NE(row[1].as<std::string>().find("nul\xef\xbf\xbd emoji"), std::string::npos);
}

}  // namespace
}  // namespace isc_mirror::sync
