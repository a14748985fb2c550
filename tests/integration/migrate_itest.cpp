// Migrations against a real PostgreSQL: fresh, re-run, changed, unknown, failing, concurrent.
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "base/sha256.hpp"
#include "db/connection.hpp"
#include "db/migrations.hpp"
#include "sync/resource_schema.hpp"
#include "tests/harness/postgres_environment.hpp"

namespace isc_mirror::db {
namespace {

using isc_mirror::testing::DatabaseTest;

std::vector<Migration> Shipped() {
  auto loaded = LoadMigrations(ISC_MIRROR_SOURCE_DIR "/migrations");
  if (!loaded) throw std::runtime_error(loaded.error());
  return *loaded;
}

// The shipped migrations up to and including `version`: a database as that version left it.
std::vector<Migration> ShippedUpTo(int version) {
  auto list = Shipped();
  auto end = std::find_if(list.begin(), list.end(),
                          [&](const Migration& m) { return m.version > version; });
  list.erase(end, list.end());
  if (list.empty() || list.back().version != version) {
    throw std::runtime_error("no shipped migration " + std::to_string(version));
  }
  return list;
}

// The column of a resource's table, the parent's key column included (its type is the
// parent key's).
const sync::Column* TableColumn(const sync::ResourceSchema& schema, const std::string& name) {
  if (const auto* column = schema.FindColumn(name)) return column;
  if (!schema.parent || schema.parent->column != name) return nullptr;
  const auto* parent = sync::FindSchema(schema.parent->resource);
  return parent->FindColumn(parent->key[0]);
}

Migration Extra(int version, std::string name, std::string sql) {
  Migration m;
  m.version = version;
  m.name = name;
  m.file_name = fmt::format("{:04d}_{}.sql", version, name);
  m.checksum = base::Sha256Hex(sql);
  m.sql = std::move(sql);
  return m;
}

long long Count(pqxx::connection& c, const std::string& sql) {
  pqxx::read_transaction tx(c);
  return tx.exec1(sql)[0].as<long long>();
}

bool TableExists(pqxx::connection& c, const std::string& name) {
  pqxx::read_transaction tx(c);
  return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", name)[0].as<bool>();
}

class MigrateTest : public DatabaseTest {
 protected:
  std::unique_ptr<pqxx::connection> Open() { return Connect(base::Secret(url_)); }
};

TEST_F(MigrateTest, CreatesTheSchemasAndBookkeepingTables) {
  auto c = Open();
  EXPECT_FALSE(AppliedSchemaVersion(*c).has_value());
  auto result = Migrate(*c, Shipped());
  EXPECT_EQ(result.applied, static_cast<int>(Shipped().size()));
  EXPECT_EQ(result.already_applied, 0);
  for (const char* table : {"mirror.schema_migrations", "mirror.sync_runs", "mirror.stream_state",
                            "mirror.history", "mirror.change_events", "mirror.actions"}) {
    EXPECT_TRUE(TableExists(*c, table)) << table;
  }
  EXPECT_EQ(
      Count(*c, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('isc','mirror','report')"), 3);
  EXPECT_EQ(AppliedSchemaVersion(*c), Shipped().back().version);
  // The checks of docs/tables.md hold: an unknown status is refused by the database itself.
  pqxx::work tx(*c);
  EXPECT_THROW(tx.exec("INSERT INTO mirror.sync_runs (tenant, resource, mode, status) "
                       "VALUES ('t', 'identities', 'full', 'sideways')"),
               pqxx::check_violation);
}

// Each isc.* table matches its schema file: the typed columns with their SQL types, the
// bookkeeping columns of docs/tables.md, and the primary key (tenant, key...).
TEST_F(MigrateTest, EveryResourceTableMatchesItsSchemaFile) {
  auto c = Open();
  Migrate(*c, Shipped());
  pqxx::read_transaction tx(*c);
  for (const auto& schema : sync::BuiltinSchemas()) {
    std::vector<std::pair<std::string, std::string>> expected = {{"tenant", "text"}};
    if (schema.parent) {
      expected.emplace_back(
          schema.parent->column,
          std::string(sync::SqlType(TableColumn(schema, schema.parent->column)->type)));
    }
    for (const auto& column : schema.columns) {
      expected.emplace_back(column.name, std::string(sync::SqlType(column.type)));
    }
    for (auto [name, type] : {std::pair{"raw", "jsonb"}, std::pair{"content_hash", "text"},
                              std::pair{"first_seen", "timestamp with time zone"},
                              std::pair{"last_seen", "timestamp with time zone"},
                              std::pair{"last_changed", "timestamp with time zone"},
                              std::pair{"valid_from", "timestamp with time zone"},
                              std::pair{"deleted_at", "timestamp with time zone"}}) {
      expected.emplace_back(name, type);
    }
    for (auto& [name, type] : expected) {
      if (type == "timestamptz") type = "timestamp with time zone";
    }
    auto table = schema.table.substr(4);
    std::vector<std::pair<std::string, std::string>> actual;
    for (const auto& row :
         tx.exec_params("SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema = 'isc' AND table_name = $1 ORDER BY ordinal_position",
                        table)) {
      actual.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    }
    // Columns added by a later migration come last in the table: compare without order.
    std::sort(actual.begin(), actual.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(actual, expected) << schema.table;

    std::vector<std::string> key = {"tenant"};
    key.insert(key.end(), schema.key.begin(), schema.key.end());
    std::vector<std::string> pk;
    for (const auto& row : tx.exec_params(
             "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
             "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary "
             "ORDER BY array_position(i.indkey, a.attnum)",
             schema.table)) {
      pk.push_back(row[0].as<std::string>());
    }
    EXPECT_EQ(pk, key) << schema.table;
  }
}

// mirror.history shows each resource's rows as their current versions, named as the writer
// names them (sync::KeyText): a resource without its branch in the view would have no history.
TEST_F(MigrateTest, HistoryShowsTheCurrentRowOfEveryResource) {
  auto c = Open();
  Migrate(*c, Shipped());
  pqxx::work tx(*c);
  for (const auto& schema : sync::BuiltinSchemas()) {
    std::vector<std::string> names, values, parts;
    for (const auto& key : schema.key) {
      const auto* column = TableColumn(schema, key);
      ASSERT_NE(column, nullptr) << schema.name << "." << key;
      auto type = column->type;
      std::string value = type == sync::ColumnType::kBigint       ? "7"
                          : type == sync::ColumnType::kIdentityId ? std::string(32, 'a')
                                                                  : "k-" + key;
      names.push_back(key);
      values.push_back(tx.quote(value));
      parts.push_back(value);
    }
    tx.exec(fmt::format(
        "INSERT INTO {} (tenant, {}, raw, content_hash) VALUES ('t', {}, '{{\"r\":1}}', 'h')",
        schema.table, fmt::join(names, ", "), fmt::join(values, ", ")));
    auto row = tx.exec_params(
        "SELECT object_id, valid_to IS NULL, raw->>'r' FROM mirror.history WHERE tenant = 't' "
        "AND resource = $1",
        schema.name);
    ASSERT_EQ(row.size(), 1u) << schema.name;
    EXPECT_EQ(row[0][0].as<std::string>(), fmt::format("{}", fmt::join(parts, "/"))) << schema.name;
    EXPECT_TRUE(row[0][1].as<bool>()) << schema.name;
    EXPECT_EQ(row[0][2].as<std::string>(), "1") << schema.name;
  }
  // The view is the record, not a table to edit: the refusal says where versions live.
  try {
    tx.exec("DELETE FROM mirror.history WHERE tenant = 't'");
    ADD_FAILURE() << "a version was deleted through mirror.history";
  } catch (const pqxx::sql_error& e) {
    EXPECT_NE(std::string(e.what()).find("mirror.history cannot be changed"), std::string::npos)
        << e.what();
  }
}

// Every answer about history and events is the same after migrations 0011 (current versions
// in their rows) and 0012 (small events) as before them, on a mirror written the way 0010's
// writer wrote it: a legacy baseline event, an update, a delete, a return, a handed-on review,
// an ownership of a key of three columns, and an event whose versions history does not hold.
TEST_F(MigrateTest, HistoryAndEventsAnswerAsBeforeTheStorageMigrations) {
  auto c = Open();
  Migrate(*c, ShippedUpTo(10));
  const std::string a(32, 'a'), d(32, 'd');
  {
    pqxx::work tx(*c);
    tx.exec(fmt::format(R"sql(
      INSERT INTO mirror.stream_state (tenant, resource) VALUES ('t', 'identities');
      INSERT INTO isc.identities (tenant, id, name, raw, content_hash, first_seen, last_changed)
      VALUES ('t', '{a}', 'Ann', '{{"id":"{a}","attributes":{{"department":"HR"}}}}', 'h', '2026-01-01Z', '2026-04-01Z');
      INSERT INTO isc.accounts (tenant, id, identity_id, raw, content_hash)
      VALUES ('t', 'b', '{a}', '{{"id":"b","disabled":true,"attributes":{{"x":{{"y":1}}}}}}', 'h');
      INSERT INTO isc.certifications (tenant, id, reviewer_id, raw, content_hash)
      VALUES ('t', 'c1', '{d}', '{{"id":"c1","reviewer":{{"id":"{d}"}}}}', 'h');
      INSERT INTO isc.das_resource_owners (tenant, application_id, resource_id, identity_id, raw,
                                           content_hash, deleted_at)
      VALUES ('t', 1, 2, '{a}', '{{"applicationId":1,"resourceId":2,"identityId":"{a}"}}', 'h', '2026-03-01Z');
      INSERT INTO mirror.history (tenant, resource, object_id, valid_from, valid_to, raw) VALUES
        ('t', 'identities', '{a}', '2026-01-01Z', '2026-02-01Z', '{{"id":"{a}","attributes":{{"department":"IT"}}}}'),
        ('t', 'identities', '{a}', '2026-02-01Z', '2026-03-01Z', '{{"id":"{a}","attributes":{{"department":"Sales"}}}}'),
        ('t', 'identities', '{a}', '2026-04-01Z', NULL, '{{"id":"{a}","attributes":{{"department":"HR"}}}}'),
        ('t', 'accounts', 'b', '2026-01-01Z', '2026-02-01Z', '{{"id":"b","disabled":false}}'),
        ('t', 'accounts', 'b', '2026-02-01Z', NULL, '{{"id":"b","disabled":true,"attributes":{{"x":{{"y":1}}}}}}'),
        ('t', 'certifications', 'c1', '2026-01-01Z', '2026-02-01Z', '{{"id":"c1","reviewer":{{"id":"{a}"}}}}'),
        ('t', 'certifications', 'c1', '2026-02-01Z', NULL, '{{"id":"c1","reviewer":{{"id":"{d}"}}}}'),
        ('t', 'das_resource_owners', '1/2/{a}', '2026-01-01Z', '2026-03-01Z', '{{"applicationId":1,"resourceId":2,"identityId":"{a}"}}');
      INSERT INTO mirror.change_events (tenant, resource, object_id, op, changed_paths, before, after,
                                        baseline, observed_at)
      SELECT 't', h.resource, h.object_id, 'insert', '{{}}', NULL, h.raw,
             h.resource = 'identities' AND h.valid_from = '2026-01-01Z',
             h.valid_from
        FROM mirror.history h WHERE h.valid_from = '2026-01-01Z' OR h.valid_from = '2026-04-01Z';
      INSERT INTO mirror.change_events (tenant, resource, object_id, op, changed_paths, before, after, observed_at)
      SELECT 't', o.resource, o.object_id, 'update', p.paths, o.raw, n.raw, n.valid_from
        FROM mirror.history o JOIN mirror.history n USING (resource, object_id)
        JOIN (VALUES ('identities', '{{/attributes/department}}'::text[]),
                     ('accounts', '{{/disabled,/attributes}}'), ('certifications', '{{/reviewer/id}}'))
             AS p(resource, paths) USING (resource)
       WHERE n.valid_from = o.valid_to AND n.valid_from = '2026-02-01Z';
      INSERT INTO mirror.change_events (tenant, resource, object_id, op, before, observed_at)
      SELECT 't', resource, object_id, 'delete', raw, valid_to FROM mirror.history
       WHERE valid_to = '2026-03-01Z';
      -- Written by an early version whose versions history does not hold.
      INSERT INTO mirror.change_events (tenant, resource, object_id, op, changed_paths, before, after, observed_at)
      VALUES ('t', 'accounts', 'b', 'update', '{{/locked}}', '{{"locked":false}}', '{{"locked":true}}', '2026-05-01Z');
    )sql",
                        fmt::arg("a", a), fmt::arg("d", d)));
    tx.commit();
  }
  auto answers = [&] {
    std::vector<std::string> queries = {
        "SELECT tenant, resource, object_id, valid_from, valid_to, raw FROM mirror.history "
        "ORDER BY resource, object_id, valid_from",
        "SELECT event_id, tenant, resource, object_id, op, changed_paths, before, after, baseline, "
        "sync_run_id, observed_at FROM mirror.change_events ORDER BY event_id",
        "SELECT * FROM report.jml_activity ORDER BY event_id",
        fmt::format("SELECT * FROM report.identity_changes('{}', '-infinity')", a),
        fmt::format("SELECT * FROM report.object_versions('identities', '{}')", a),
        "SELECT * FROM report.object_versions('accounts', 'b')",
        "SELECT * FROM report.object_versions('certifications', 'c1')",
        fmt::format("SELECT * FROM report.object_versions('das_resource_owners', '1/2/{}')", a)};
    for (const char* at :
         {"2025-12-31Z", "2026-01-15Z", "2026-02-01Z", "2026-03-15Z", "2026-04-02Z"}) {
      queries.push_back(
          fmt::format("SELECT * FROM report.object_at('identities', '{}', '{}')", a, at));
      queries.push_back(fmt::format(
          "SELECT * FROM report.object_at('das_resource_owners', '1/2/{}', '{}')", a, at));
    }
    std::vector<std::string> out;
    pqxx::read_transaction tx(*c);
    for (const auto& q : queries) {
      out.push_back(q + " -> " +
                    tx.exec1("SELECT coalesce(json_agg(q)::text, '[]') FROM (" + q + ") q")[0]
                        .as<std::string>());
    }
    return out;
  };
  auto before = answers();
  for (const auto& answer : before) {
    if (answer.find("object_at") == std::string::npos) {
      ASSERT_EQ(answer.find("-> []"), std::string::npos) << "the setup answers: " << answer;
    }
  }
  Migrate(*c, Shipped());
  auto after = answers();
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], before[i]);
  // The events are small now, but the one whose versions were never kept.
  EXPECT_EQ(Count(*c,
                  "SELECT count(*) FROM mirror.events WHERE before IS NOT NULL OR after IS "
                  "NOT NULL"),
            1);
  EXPECT_EQ(Count(*c,
                  "SELECT count(*) FROM mirror.events WHERE diff = "
                  "'{\"/attributes/department\": [\"IT\", \"Sales\"]}'"),
            1);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM mirror.past_versions"), 4);
}

TEST_F(MigrateTest, JsonPointersBecomePathsWithTheirEscapesUndone) {
  auto c = Open();
  Migrate(*c, Shipped());
  pqxx::read_transaction tx(*c);
  auto path = [&](const std::string& pointer) {
    return tx.exec_params1("SELECT report.pointer_path($1)::text", pointer)[0].as<std::string>();
  };
  EXPECT_EQ(path("/lifecycleState/stateName"), "{lifecycleState,stateName}");
  EXPECT_EQ(path("/a~1b/c~0d/~01/0"), "{a/b,c~d,~1,0}");
  EXPECT_EQ(path(""), "{}");
  EXPECT_EQ(path("/"), "{\"\"}");
  EXPECT_EQ(tx.exec1("SELECT '{\"a/b\": [1, {\"c~d\": 2}]}'::jsonb #> "
                     "report.pointer_path('/a~1b/1/c~0d')")[0]
                .as<std::string>(),
            "2");
}

// Actions an earlier version planned as the ISC-login call (identities-accounts/disable) with
// per-account fallbacks become per-account actions; one without any account is cancelled.
TEST_F(MigrateTest, PendingAccountDisablesBecomeCallsPerSourceAccount) {
  auto c = Open();
  Migrate(*c, ShippedUpTo(6));
  {
    pqxx::work tx(*c);
    auto legacy = [&](const std::string& key, const std::string& calls) {
      tx.exec_params(
          "INSERT INTO mirror.actions (tenant, rule, action, params, idempotency_key) VALUES "
          "('t', 'r', 'accounts_disable', $1::jsonb, $2)",
          R"({"kind":"isc","summary":"s","step":0,"calls":[)" + calls + "]}", key);
    };
    std::string bulk =
        R"({"method":"POST","path":"/v2024/identities-accounts/disable","body":"{}","content_type":"application/json","experimental":true})";
    auto one = [](const std::string& id) {
      return R"({"method":"POST","path":"/v2024/accounts/)" + id +
             R"(/disable","body":"{}","content_type":"application/json","experimental":false})";
    };
    legacy("with-accounts", bulk + "," + one("a1") + "," + one("a2"));
    legacy("without", bulk);
    tx.commit();
  }
  Migrate(*c, Shipped());
  pqxx::read_transaction tx(*c);
  auto row = tx.exec1(
      "SELECT status, params->>'each', jsonb_array_length(params->'calls'), "
      "params->'calls'->1->>'path', params->'calls'->1->>'object', params->'calls'->0->>'expect' "
      "FROM mirror.actions WHERE idempotency_key = 'with-accounts'");
  EXPECT_EQ(row[0].as<std::string>(), "pending");
  EXPECT_EQ(row[1].as<std::string>(), "true");
  EXPECT_EQ(row[2].as<int>(), 2);
  EXPECT_EQ(row[3].as<std::string>(), "/v2024/accounts/a2/disable");
  EXPECT_EQ(row[4].as<std::string>(), "a2");
  EXPECT_EQ(row[5].as<std::string>(), "task");
  auto cancelled =
      tx.exec1("SELECT status, error FROM mirror.actions WHERE idempotency_key = 'without'");
  EXPECT_EQ(cancelled[0].as<std::string>(), "cancelled");
  EXPECT_NE(cancelled[1].as<std::string>().find("not source accounts"), std::string::npos);
}

// Webhook URLs written into the outbox by earlier versions keep only their host.
TEST_F(MigrateTest, WebhookUrlsInTheOutboxKeepOnlyTheirHost) {
  auto c = Open();
  Migrate(*c, ShippedUpTo(7));
  {
    pqxx::work tx(*c);
    tx.exec(
        R"(INSERT INTO mirror.actions (tenant, rule, action, params, idempotency_key, request, error)
           VALUES ('t', 'r', 'webhook', '{"kind":"webhook","target":"https://hooks.slack.com/services/T0/B0/XSECRETX?x=1","summary":"post to https://hooks.slack.com/services/T0/B0/XSECRETX?x=1 about rule r","step":0}',
                   'k', 'POST https://hooks.slack.com/services/T0/B0/XSECRETX?x=1',
                   'https://u:pw@hooks.example/XSECRETX: timeout'))");
    tx.commit();
  }
  Migrate(*c, Shipped());
  pqxx::read_transaction tx(*c);
  auto row =
      tx.exec1("SELECT params->>'target', params->>'summary', request, error FROM mirror.actions");
  EXPECT_EQ(row[0].as<std::string>(), "https://hooks.slack.com/[redacted]");
  EXPECT_EQ(row[1].as<std::string>(), "post to https://hooks.slack.com/[redacted] about rule r");
  EXPECT_EQ(row[2].as<std::string>(), "POST https://hooks.slack.com/[redacted]");
  EXPECT_EQ(row[3].as<std::string>().find("XSECRETX"), std::string::npos)
      << row[3].as<std::string>();
  EXPECT_EQ(row[3].as<std::string>().find("pw"), std::string::npos) << row[3].as<std::string>();
}

TEST_F(MigrateTest, SecondRunChangesNothing) {
  auto c = Open();
  Migrate(*c, Shipped());
  auto before = Count(*c, "SELECT sum(xmin::text::bigint) FROM mirror.schema_migrations");
  auto again = Migrate(*c, Shipped());
  EXPECT_EQ(again.applied, 0);
  EXPECT_EQ(again.already_applied, static_cast<int>(Shipped().size()));
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM mirror.schema_migrations"),
            static_cast<long long>(Shipped().size()));
  EXPECT_EQ(Count(*c, "SELECT sum(xmin::text::bigint) FROM mirror.schema_migrations"), before);
}

TEST_F(MigrateTest, RefusesAFileChangedAfterItWasApplied) {
  auto c = Open();
  Migrate(*c, Shipped());
  auto changed = Shipped();
  changed[0].sql += "\n-- an innocent-looking edit\n";
  changed[0].checksum = base::Sha256Hex(changed[0].sql);
  try {
    Migrate(*c, changed);
    FAIL() << "a changed migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_NE(
        std::string(e.what()).find("migration 0001_init.sql was changed after it was applied"),
        std::string::npos)
        << e.what();
  }
}

TEST_F(MigrateTest, RefusesADatabaseFromANewerVersion) {
  auto c = Open();
  auto newer = Shipped();
  newer.push_back(Extra(newer.back().version + 1, "from_the_future", "SELECT 1;"));
  Migrate(*c, newer);
  try {
    Migrate(*c, Shipped());
    FAIL() << "an unknown applied migration was accepted";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("from_the_future"), std::string::npos) << e.what();
  }
}

TEST_F(MigrateTest, RefusesANewFileNumberedBelowTheApplied) {
  auto c = Open();
  auto list = Shipped();
  int top = list.back().version;
  list.push_back(Extra(top + 2, "later", "SELECT 1;"));
  Migrate(*c, list);
  list.insert(list.end() - 1, Extra(top + 1, "sneaked_in", "SELECT 1;"));
  EXPECT_THROW(Migrate(*c, list), MigrationError);
}

TEST_F(MigrateTest, RollsBackAFailingMigrationEntirely) {
  auto c = Open();
  auto list = Shipped();
  int top = list.back().version;
  list.push_back(Extra(top + 1, "broken",
                       "CREATE TABLE mirror.half_done (a int);\nSELECT no_such_function();"));
  try {
    Migrate(*c, list);
    FAIL() << "a failing migration was reported as applied";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("_broken.sql failed and was rolled back"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(TableExists(*c, "mirror.half_done"));
  EXPECT_EQ(AppliedSchemaVersion(*c), top);
}

// Its own cluster, where isc_mirror_reader does not exist yet: a login that may not create
// roles is stopped with the way out, and loses nothing; once the role exists it goes through.
TEST(MigrateRoles, ALoginThatMayNotCreateTheReaderRoleIsToldToRunRolesSql) {
  auto cluster = testing::PostgresCluster::Start();
  std::string db = cluster->CreateDatabase();
  std::string name = db.substr(db.rfind('/') + 1);
  {
    pqxx::connection admin(db);
    pqxx::nontransaction n(admin);
    n.exec("CREATE ROLE plain LOGIN");
    n.exec("GRANT CREATE ON DATABASE " + name + " TO plain");
  }
  std::string plain = "postgresql://plain@" + db.substr(db.find('@') + 1);
  auto c = Connect(base::Secret(plain));
  auto list = Shipped();
  try {
    Migrate(*c, list);
    FAIL() << "the migration went through without the reader role";
  } catch (const MigrationError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("role isc_mirror_reader does not exist and role plain may not create it"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("run sql/roles.sql as a superuser"), std::string::npos) << what;
  }
  EXPECT_EQ(AppliedSchemaVersion(*c), 5) << "the ones before 0006 stay applied";
  {
    pqxx::connection admin(db);
    pqxx::nontransaction(admin).exec("CREATE ROLE isc_mirror_reader NOLOGIN");
  }
  Migrate(*c, list);
  EXPECT_EQ(AppliedSchemaVersion(*c), list.back().version);
}

TEST_F(MigrateTest, ConcurrentMigratorsTakeTurns) {
  // A slow migration that fails if run twice: without the lock, racers would collide on it.
  auto list = Shipped();
  list.push_back(Extra(list.back().version + 1, "slow",
                       "SELECT pg_sleep(0.3);\nCREATE TABLE mirror.only_once (a int);"));
  constexpr int kRacers = 4;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kRacers);
  std::vector<int> applied(kRacers, -1);
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      try {
        auto c = Open();
        applied[i] = Migrate(*c, list).applied;
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  int total = 0;
  for (int i = 0; i < kRacers; ++i) {
    EXPECT_EQ(errors[i], "") << "racer " << i;
    total += applied[i];
  }
  EXPECT_EQ(total, static_cast<int>(list.size())) << "each migration applied exactly once";
  auto c = Open();
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM mirror.schema_migrations"),
            static_cast<long long>(list.size()));
}

}  // namespace
}  // namespace isc_mirror::db
