// isc-mirror sync end to end: isc-sim as the tenant, a real PostgreSQL as the mirror.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "base/json_writer.hpp"
#include "sync/resource_schema.hpp"
#include "tests/harness/mirror_compare.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_connection.hpp"
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
  void SetUp() override { DatabaseTest::SetUp(); }

  // Starts the simulator and writes a config for it; migrates the database.
  void Start(std::vector<std::string> sim_flags, const std::string& extra_config = "") {
    sim_ = std::make_unique<SimProcess>(std::move(sim_flags));
    control_ = std::make_unique<SimClient>(sim_->port());
    config_ = (dir_.path() / "config.yaml").string();
    testing::WriteFile(
        config_,
        testing::MirrorConfig(*sim_, url_, "{ attempts: 10, base_delay: 20ms, max_delay: 200ms }",
                              extra_config));
    auto migrated = Mirror({"migrate"});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  }

  std::vector<std::string> Argv(std::vector<std::string> args) {
    args.insert(args.begin(), {ISC_MIRROR_BINARY, "-c", config_});
    return args;
  }

  ProcessResult Mirror(std::vector<std::string> args) {
    return testing::RunProcess(
        {Argv(std::move(args)), testing::MinimalEnvironment(), std::nullopt, false},
        std::chrono::seconds(120));
  }

  void Control(const std::string& method, const std::string& path, const std::string& body = "") {
    auto r = control_->Control(method, path, body);
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  }

  int64_t Count(const std::string& sql) { return testing::QueryCount(url_, sql); }
  std::vector<std::string> Column(const std::string& sql) {
    return testing::QueryColumn(url_, sql);
  }

  void ExpectExactMirror(const std::vector<std::string>& resources = {}, bool allow_extra = false) {
    for (const auto& schema : sync::BuiltinSchemas()) {
      if (!resources.empty() &&
          std::find(resources.begin(), resources.end(), schema.name) == resources.end()) {
        continue;
      }
      testing::SimConnection tenant(*sim_);
      std::set<std::string> parents;
      auto expected = testing::TenantObjects(*tenant.client, schema, &parents);
      pqxx::connection c(url_);
      auto actual = testing::MirrorObjects(c, "sim", schema, &parents);
      EXPECT_EQ(testing::Difference(expected, actual, allow_extra), "") << schema.name;
      EXPECT_GT(expected.size(), 0u) << schema.name << ": the simulator serves none";
    }
  }

  // A fingerprint of every row written to the mirror's tables: unchanged means nothing written.
  std::string WriteFingerprint() {
    std::string out;
    for (const auto& schema : sync::BuiltinSchemas()) {
      out += Column(fmt::format("SELECT count(*)::text || ':' || coalesce(sum(xmin::text::bigint), "
                                "0)::text FROM {}",
                                schema.table))[0] +
             " ";
    }
    out += Column("SELECT count(*)::text FROM mirror.history")[0] + " ";
    out += Column("SELECT count(*)::text FROM mirror.change_events")[0];
    return out;
  }

  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<SimClient> control_;
  std::string config_;
};

// What a real tenant serves, per SailPoint's definitions (issue 15): each of these was misread
// before, by the client and the simulator alike.
TEST_F(SyncCommand, ReadsWhatTheDefinitionsSayATenantServes) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_TRUE(control_->Authenticate());
  auto total = [&](const std::string& path) {
    auto sep = path.find('?') == std::string::npos ? "?" : "&";
    return std::stoll(
        control_->Get(path + sep + "limit=1&count=true")->get_header_value("X-Total-Count"));
  };
  auto first = Mirror({"sync"});
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // Tasks in progress: only /v2025/task-status lists them.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.task_statuses WHERE completion_status IS NULL"),
            total("/v2025/task-status?filters=completionStatus%20isnull"));
  EXPECT_EQ(Count("SELECT count(*) FROM isc.task_statuses"), total("/v2025/task-status"));
  // The DAS lists page: all 300 tasks, not the first 250.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.das_tasks"), 300);
  // An owner list read whole in one request, though it holds more than a page.
  auto owners = control_->Get("/das/v1/owners/applications/1001");
  simdjson::dom::parser parser;
  EXPECT_EQ(Count("SELECT count(*) FROM isc.das_resource_owners WHERE application_id = 1001"),
            static_cast<long long>(parser.parse(owners->body).get_array().size()));
  EXPECT_GT(Count("SELECT count(*) FROM isc.das_resource_owners WHERE application_id = 1001"), 250);
  // Lists of at most 50 a page: every role, and every member of a group larger than a page.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.roles"), total("/v3/roles"));
  EXPECT_EQ(Count("SELECT count(*) FROM isc.roles"), 60);
  EXPECT_EQ(Count("SELECT max(n) FROM (SELECT count(*) AS n FROM isc.governance_group_members "
                  "GROUP BY governance_group_id) m"),
            60);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.governance_groups g WHERE member_count <> (SELECT "
                  "count(*) FROM isc.governance_group_members m WHERE m.governance_group_id = "
                  "g.id)"),
            0);
  // A certification reviewed by a governance group names one the mirror holds.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.certifications c JOIN isc.governance_groups g ON "
                  "g.id = c.reviewer_id WHERE c.reviewer_type = 'GOVERNANCE_GROUP'"),
            1);
  // Every identity, correlated or not.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities"), 300);
  EXPECT_LT(total("/v2024/identities"), 300) << "the default, CORRELATED_ONLY, lists fewer";
  // A certification reviewed by a governance group: mirrored as such; its review items,
  // which ISC refuses to list, are skipped with a warning and the run goes on.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.certifications WHERE reviewer_type = "
                  "'GOVERNANCE_GROUP'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.access_review_items it JOIN isc.certifications c ON "
                  "c.id = it.certification_id WHERE c.reviewer_type = 'GOVERNANCE_GROUP'"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status <> 'ok'"), 0);
  EXPECT_NE(first.err.find("children of a parent skipped: isc refuses to list them"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("parents_skipped=1"), std::string::npos) << first.err;

  // An identity that loses its authoritative account stays: it is not a delete.
  auto correlated = Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")[0];
  Control("POST", "/__sim/identities/" + correlated + "/correlation", R"({"correlated":false})");
  auto again = Mirror({"sync", "identities"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE deleted_at IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 0);

  // Incremental accounts: the date goes unquoted, as ISC takes it.
  auto account = Column("SELECT id FROM isc.accounts ORDER BY id LIMIT 1")[0];
  Control("PATCH", "/__sim/accounts/" + account, R"({"locked":true})");
  auto incremental = Mirror({"sync", "accounts"});
  ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
  EXPECT_EQ(Column("SELECT mode || ' ' || status || ' ' || updated FROM mirror.sync_runs WHERE "
                   "resource = 'accounts' ORDER BY id DESC LIMIT 1")[0],
            "incremental ok 1");

  // An endpoint on its way out: one warning a run, naming it.
  Control("POST", "/__sim/deprecate", R"({"prefix":"/v3/certification-tasks"})");
  auto deprecated = Mirror({"sync", "certification_tasks"});
  ASSERT_EQ(deprecated.exit_code, 0) << deprecated.err;
  size_t warnings = testing::Occurrences(deprecated.err, "endpoint the mirror calls is deprecated");
  EXPECT_EQ(warnings, 1u) << deprecated.err;
  EXPECT_NE(deprecated.err.find("path=/v3/certification-tasks"), std::string::npos);
}

// One account dated far in the future must not freeze incremental sync: the watermark is
// clamped to the scan's start plus a skew, so later changes are still read (issue 16).
TEST_F(SyncCommand, AFutureTimestampDoesNotFreezeIncrementalSync) {
  Start({"--identities", "100", "--accounts-per-identity", "2"});
  ASSERT_EQ(Mirror({"sync"}).exit_code, 0);
  auto accounts = Column("SELECT id FROM isc.accounts ORDER BY id LIMIT 2");
  Control("PATCH", "/__sim/accounts/" + accounts[0],
          R"({"fields":{"modified":"9999-12-31T00:00:00.000Z"}})");
  ASSERT_EQ(Mirror({"sync", "accounts"}).exit_code, 0);
  EXPECT_EQ(
      Column("SELECT modified::text FROM isc.accounts WHERE id = '" + accounts[0] + "'")[0].substr(
          0, 4),
      "9999");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.stream_state WHERE resource = 'accounts' AND "
                  "watermark < now() + interval '1 hour'"),
            1)
      << "the watermark stays near now";
  Control("PATCH", "/__sim/accounts/" + accounts[1], R"({"locked":true})");
  auto later = Mirror({"sync", "accounts"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  EXPECT_EQ(Column("SELECT mode || ' ' || updated FROM mirror.sync_runs WHERE resource = "
                   "'accounts' ORDER BY id DESC LIMIT 1")[0],
            "incremental 1");
  EXPECT_EQ(Column("SELECT locked::text FROM isc.accounts WHERE id = '" + accounts[1] + "'")[0],
            "true");
}

TEST_F(SyncCommand, MirrorsEveryResourceExactlyThenWritesNothingOnUnchangedCycles) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  auto first = Mirror({"sync"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ExpectExactMirror();
  // The baseline is recorded on its runs, not as an event per object.
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'ok'"),
            static_cast<long long>(sync::BuiltinSchemas().size()));
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE baseline"),
            static_cast<long long>(sync::BuiltinSchemas().size()));
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.stream_state WHERE baseline_done"),
            static_cast<long long>(sync::BuiltinSchemas().size()));
  // One history version per object, and it is the current one.
  std::string objects;
  for (const auto& schema : sync::BuiltinSchemas()) {
    objects +=
        (objects.empty() ? "" : " + ") + fmt::format("(SELECT count(*) FROM {})", schema.table);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history"), Count("SELECT " + objects));
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history WHERE valid_to IS NULL"),
            Count("SELECT " + objects));
  // Every account's identity is mirrored, by the normalised id; DAS owners join identities too.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts a LEFT JOIN isc.identities i "
                  "ON i.tenant = a.tenant AND i.id = a.identity_id WHERE i.id IS NULL"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.das_resource_owners o LEFT JOIN isc.identities i "
                  "ON i.tenant = o.tenant AND i.id = o.identity_id WHERE i.id IS NULL"),
            0);

  auto before = WriteFingerprint();
  auto full = Mirror({"sync", "--full"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(WriteFingerprint(), before) << "an unchanged full cycle writes nothing";
  auto incremental = Mirror({"sync"});
  ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
  EXPECT_EQ(WriteFingerprint(), before) << "an unchanged incremental cycle writes nothing";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND mode = "
                  "'incremental' AND status = 'ok'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status <> 'ok'"), 0);
}

TEST_F(SyncCommand, RecordsExactlyTheEventsOfChanges) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync"}).exit_code, 0);
  auto leaver = Column(
      "SELECT id FROM isc.identities WHERE lifecycle_state = 'active' ORDER BY id LIMIT 1")[0];
  auto disabled = Column(fmt::format(
      "SELECT id FROM isc.accounts WHERE identity_id <> '{}' ORDER BY id LIMIT 1", leaver))[0];
  auto removed = Column(fmt::format(
      "SELECT id FROM isc.accounts WHERE identity_id <> '{}' ORDER BY id DESC LIMIT 1", leaver))[0];
  auto das_task = Column("SELECT task_id FROM isc.das_tasks WHERE status <> 'Failed' LIMIT 1")[0];
  auto cert =
      Column("SELECT id FROM isc.certifications WHERE NOT completed ORDER BY id LIMIT 1")[0];
  auto cert_items = Count(fmt::format(
      "SELECT count(*) FROM isc.access_review_items WHERE certification_id = '{}'", cert));
  // The removed account's entitlements go with it.
  auto removed_access = Column(fmt::format(
      "SELECT identity_id || '/' || id FROM isc.identity_access WHERE account_id = '{}'", removed));
  ASSERT_GT(cert_items, 0);

  Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  Control("POST", "/__sim/refresh");  // volatile only: no event
  Control("PATCH", "/__sim/accounts/" + disabled, R"({"disabled":true})");
  Control("DELETE", "/__sim/accounts/" + removed);
  Control("POST", "/__sim/das-tasks/" + das_task, R"({"status":"Failed"})");
  Control("POST", "/__sim/task-statuses", R"({"completionStatus":"ERROR"})");
  Control("POST", "/__sim/certifications/" + cert + "/sign");

  auto after = Mirror({"sync", "--full"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  ExpectExactMirror({"identities", "accounts", "task_statuses", "certifications", "das_tasks",
                     "access_review_items", "certification_reviewers"});
  auto events = Column(
      "SELECT resource || ' ' || op || ' ' || object_id || ' ' || array_to_string(changed_paths, "
      "',') FROM mirror.change_events WHERE NOT baseline ORDER BY resource, op, object_id");
  std::string all;
  for (const auto& e : events) all += e + "\n";
  auto has = [&](const std::string& prefix) {
    return std::count_if(events.begin(), events.end(),
                         [&](const std::string& e) { return e.starts_with(prefix); });
  };
  EXPECT_EQ(has("identities update " + leaver + " "), 1) << all;
  EXPECT_EQ(has("accounts update "), 4) << all << "three accounts of the leaver, one disabled";
  EXPECT_EQ(has("accounts update " + disabled + " /disabled"), 1) << all;
  EXPECT_EQ(has("accounts delete " + removed + " "), 1) << all;
  EXPECT_EQ(has("das_tasks update " + das_task + " /details,/status"), 1) << all;
  EXPECT_EQ(has("task_statuses insert "), 1) << all;
  EXPECT_EQ(has("certifications update " + cert + " "), 1) << all;
  // Children of a closed certification keep the state they had while it was open.
  EXPECT_EQ(has("access_review_items"), 0) << all;
  EXPECT_EQ(has("certification_reviewers"), 0) << all;
  // ISC counts a profile's identities per lifecycle state: one fewer active, one more
  // terminated.
  EXPECT_EQ(has("lifecycle_states update "), 2) << all;
  for (const auto& access : removed_access) {
    EXPECT_EQ(has("identity_access delete " + access + " "), 1) << all;
  }
  EXPECT_EQ(events.size(), 11u + removed_access.size()) << all;
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE object_id = '{}' "
                              "AND NOT baseline AND changed_paths @> "
                              "'{{/lifecycleState/stateName,/attributes/cloudLifecycleState}}'",
                              leaver)),
            1);
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM isc.access_review_items WHERE "
                              "certification_id = '{}' AND deleted_at IS NULL",
                              cert)),
            cert_items);
  // The deleted account: soft-deleted, its history closed, the event holds what it was.
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM isc.accounts WHERE id = '{}' AND deleted_at "
                              "IS NOT NULL",
                              removed)),
            1);
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.history WHERE object_id = '{}' AND "
                              "valid_to IS NULL",
                              removed)),
            0);
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE op = 'delete' AND "
                              "before->>'id' = '{}' AND after IS NULL",
                              removed)),
            1);
}

// The access model's changes, each exactly its events: an entitlement marked privileged
// (read by the incremental scan; its holders' rows do not change for it), a source deleted, a
// role handed to another owner, a governance group's member added and one removed, an
// entitlement granted to an identity and one revoked.
TEST_F(SyncCommand, RecordsExactlyTheEventsOfAccessModelChanges) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync"}).exit_code, 0);
  auto entitlement = Column(
      "SELECT e.id FROM isc.entitlements e WHERE NOT privileged ORDER BY (SELECT count(*) FROM "
      "isc.access_review_items it WHERE it.access_id = e.id) DESC, id LIMIT 1")[0];
  auto source = Column("SELECT id FROM isc.sources WHERE NOT authoritative ORDER BY id LIMIT 1")[0];
  auto role = Column("SELECT id FROM isc.roles ORDER BY id LIMIT 1")[0];
  auto new_owner = Column(fmt::format(
      "SELECT id FROM isc.identities WHERE id <> (SELECT owner_id FROM isc.roles WHERE id = '{}') "
      "ORDER BY id LIMIT 1",
      role))[0];
  auto group = Column("SELECT id FROM isc.governance_groups ORDER BY id LIMIT 1")[0];
  auto leaving = Column(fmt::format(
      "SELECT id FROM isc.governance_group_members WHERE governance_group_id = '{}' ORDER BY id "
      "LIMIT 1",
      group))[0];
  auto joining = Column(fmt::format(
      "SELECT id FROM isc.identities WHERE id NOT IN (SELECT id FROM "
      "isc.governance_group_members WHERE governance_group_id = '{}') ORDER BY id LIMIT 1",
      group))[0];

  // Open certifications' review items show the entitlement's flag too.
  auto reviewed = Column(
      fmt::format("SELECT it.certification_id || '/' || it.id FROM isc.access_review_items it JOIN "
                  "isc.certifications c ON c.id = it.certification_id WHERE NOT c.completed AND "
                  "it.access_id = '{}'",
                  entitlement));
  Control("POST", "/__sim/entitlements/" + entitlement, R"({"privileged":true})");
  auto incremental = Mirror({"sync", "entitlements"});
  ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
  EXPECT_EQ(Column("SELECT mode || ' ' || updated FROM mirror.sync_runs WHERE resource = "
                   "'entitlements' ORDER BY id DESC LIMIT 1")[0],
            "incremental 1");
  // One identity is granted an entitlement of a source it has an account on, and loses one.
  auto holder = Column(
      "SELECT identity_id FROM isc.identity_access WHERE type = 'ENTITLEMENT' ORDER BY "
      "identity_id LIMIT 1")[0];
  auto revoked = Column(fmt::format(
      "SELECT id FROM isc.identity_access WHERE identity_id = '{}' AND type = 'ENTITLEMENT' "
      "ORDER BY id LIMIT 1",
      holder))[0];
  auto granted = Column(fmt::format(
      "SELECT e.id FROM isc.entitlements e JOIN isc.accounts a ON a.source_id = e.source_id AND "
      "a.identity_id = '{0}' WHERE e.id NOT IN (SELECT id FROM isc.identity_access WHERE "
      "identity_id = '{0}') ORDER BY e.id LIMIT 1",
      holder))[0];
  Control("POST", "/__sim/identities/" + holder + "/access",
          fmt::format(R"({{"grant":["{}"],"revoke":["{}"]}})", granted, revoked));
  Control("DELETE", "/__sim/sources/" + source);
  Control("POST", "/__sim/roles/" + role, fmt::format(R"({{"ownerId":"{}"}})", new_owner));
  Control("POST", fmt::format("/__sim/governance-groups/{}/members", group),
          fmt::format(R"({{"add":["{}"],"remove":["{}"]}})", joining, leaving));
  auto after = Mirror({"sync", "--full"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  ExpectExactMirror({"sources", "entitlements", "roles", "governance_groups",
                     "governance_group_members", "identity_access"});

  auto events = Column(
      "SELECT resource || ' ' || op || ' ' || object_id || ' ' || array_to_string(changed_paths, "
      "',') FROM mirror.change_events ORDER BY resource, op, object_id");
  std::string all;
  for (const auto& e : events) all += e + "\n";
  std::set<std::string> got(events.begin(), events.end());
  std::set<std::string> want = {
      fmt::format("entitlements update {} /modified,/privileged", entitlement),
      fmt::format("sources delete {} ", source),
      fmt::format("roles update {} /modified,/owner/id,/owner/name", role),
      fmt::format("governance_groups update {} /modified", group),
      fmt::format("governance_group_members insert {}/{} ", group, joining),
      fmt::format("governance_group_members delete {}/{} ", group, leaving),
      fmt::format("identity_access insert {}/{} ", holder, granted),
      fmt::format("identity_access delete {}/{} ", holder, revoked)};
  for (const auto& item : reviewed) {
    want.insert(
        fmt::format("access_review_items update {} /accessSummary/entitlement/privileged", item));
  }
  EXPECT_EQ(got, want) << all;
  EXPECT_EQ(events.size(), want.size()) << all;
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM isc.entitlements WHERE id = '{}' AND "
                              "privileged",
                              entitlement)),
            1);
  EXPECT_EQ(Column(fmt::format("SELECT owner_id FROM isc.roles WHERE id = '{}'", role))[0],
            new_owner);
}

// An entitlement deleted in ISC goes from the access profiles and roles that granted it and
// from every identity that held it; a joiner moves its identity profile's counts.
TEST_F(SyncCommand, AnEntitlementDeletedLeavesItsBundlesAndHolders) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync"}).exit_code, 0);
  auto gone = Column(
      "SELECT e.id FROM isc.entitlements e WHERE EXISTS (SELECT 1 FROM isc.access_profiles p "
      "WHERE p.raw -> 'entitlements' @> jsonb_build_array(jsonb_build_object('id', e.id))) AND "
      "EXISTS (SELECT 1 FROM isc.identity_access h WHERE h.id = e.id) AND NOT EXISTS (SELECT 1 "
      "FROM isc.access_review_items it WHERE it.access_id = e.id) ORDER BY e.id LIMIT 1")[0];
  auto has_it = fmt::format("raw -> 'entitlements' @> '[{{\"id\": \"{}\"}}]'", gone);
  auto profiles = Column("SELECT id FROM isc.access_profiles WHERE " + has_it + " ORDER BY id");
  auto roles = Column("SELECT id FROM isc.roles WHERE " + has_it + " ORDER BY id");
  auto holders = Column(
      fmt::format("SELECT identity_id FROM isc.identity_access WHERE id = '{}' ORDER BY 1", gone));
  Control("DELETE", "/__sim/entitlements/" + gone);
  Control("POST", "/__sim/identities", R"({"department":"Sales"})");
  auto after = Mirror({"sync", "--full"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  ExpectExactMirror({"entitlements", "access_profiles", "roles", "identity_profiles",
                     "lifecycle_states", "identity_access"});
  auto events = Column(
      "SELECT resource || ' ' || op || ' ' || object_id FROM mirror.change_events WHERE resource "
      "IN ('entitlements', 'access_profiles', 'roles', 'identity_access', 'identity_profiles', "
      "'lifecycle_states') ORDER BY 1");
  std::vector<std::string> want = {"entitlements delete " + gone};
  for (const auto& id : profiles) want.push_back("access_profiles update " + id);
  for (const auto& id : roles) want.push_back("roles update " + id);
  for (const auto& id : holders) want.push_back("identity_access delete " + id + "/" + gone);
  // The joiner: its profile counts one more identity, and one more in its lifecycle state; it
  // holds what its role gives.
  auto joiner = Column(
      "SELECT id FROM isc.identities WHERE first_seen = (SELECT max(first_seen) "
      "FROM isc.identities)")[0];
  for (const auto& row : Column(fmt::format(
           "SELECT 'identity_access insert ' || identity_id || '/' || id FROM isc.identity_access "
           "WHERE identity_id = '{}'",
           joiner))) {
    want.push_back(row);
  }
  want.push_back("identity_profiles update " +
                 Column("SELECT id FROM isc.identity_profiles WHERE name = 'Employees'")[0]);
  want.push_back("lifecycle_states update " +
                 Column("SELECT s.identity_profile_id || '/' || s.id FROM isc.lifecycle_states s "
                        "JOIN isc.identity_profiles p ON p.id = s.identity_profile_id WHERE "
                        "p.name = 'Employees' AND s.technical_name = 'active'")[0]);
  std::sort(want.begin(), want.end());
  std::string all;
  for (const auto& e : events) all += e + "\n";
  EXPECT_EQ(events, want) << all;
}

TEST_F(SyncCommand, ChildrenOfAParentThatIsGoneAreDeleted) {
  Start({"--identities", "200", "--accounts-per-identity", "1"});
  ASSERT_EQ(Mirror({"sync", "certifications", "access_review_items", "das_applications",
                    "das_resource_owners"})
                .exit_code,
            0);
  // As a full scan records a parent that disappeared from the tenant.
  auto app = Column("SELECT id::text FROM isc.das_applications ORDER BY id LIMIT 1")[0];
  auto owners = Count(
      fmt::format("SELECT count(*) FROM isc.das_resource_owners WHERE application_id = {}", app));
  ASSERT_GT(owners, 0);
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    tx.exec("UPDATE isc.das_applications SET deleted_at = now() WHERE id = " + app);
    tx.commit();
  }
  auto r = Mirror({"sync", "das_resource_owners"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE resource = "
                              "'das_resource_owners' AND op = 'delete' AND object_id LIKE '{}/%'",
                              app)),
            owners);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE resource = "
                  "'das_resource_owners' AND NOT baseline"),
            owners);
}

TEST_F(SyncCommand, AccountsAlternateIncrementalCyclesWithFullReconciliation) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync", "accounts"}).exit_code, 0);
  auto ids = Column("SELECT id FROM isc.accounts ORDER BY id LIMIT 2");
  Control("PATCH", "/__sim/accounts/" + ids[0], R"({"locked":true})");
  Control("DELETE", "/__sim/accounts/" + ids[1]);
  Control("DELETE", "/__sim/actions");

  auto incremental = Mirror({"sync", "accounts"});
  ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
  EXPECT_EQ(Column("SELECT mode || ' ' || updated || ' ' || deleted || ' ' || pages FROM "
                   "mirror.sync_runs ORDER BY id DESC LIMIT 1")[0],
            "incremental 1 0 1")
      << "only what changed since the watermark is read; deletes wait for a full scan";
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM mirror.change_events WHERE NOT baseline AND "
                              "object_id = '{}' AND changed_paths @> '{{/locked}}'",
                              ids[0])),
            1);

  auto full = Mirror({"sync", "--full", "accounts"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(Column("SELECT mode || ' ' || updated || ' ' || deleted FROM mirror.sync_runs ORDER "
                   "BY id DESC LIMIT 1")[0],
            "full 0 1");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline"), 2);
  ExpectExactMirror({"accounts"});
}

TEST_F(SyncCommand, TaskStatusesThatAgeOutExpireInsteadOfBeingDeleted) {
  Start({"--identities", "100", "--accounts-per-identity", "1"});
  ASSERT_EQ(Mirror({"sync", "task_statuses"}).exit_code, 0);
  auto aging = Count(
      "SELECT count(*) FROM isc.task_statuses WHERE created < now() + interval '5 days' - "
      "interval '90 days'");
  ASSERT_GT(aging, 0);
  Control("POST", "/__sim/clock", R"({"advanceSeconds":432000})");
  auto r = Mirror({"sync", "task_statuses"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'expire'"), aging);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 0);
  EXPECT_EQ(Count("SELECT expired FROM mirror.sync_runs ORDER BY id DESC LIMIT 1"), aging);
  ExpectExactMirror({"task_statuses"});
}

TEST_F(SyncCommand, FaultsLeaveAnExactMirrorAndDeleteNothingWrongly) {
  Start({"--identities", "600", "--accounts-per-identity", "2"});
  ASSERT_EQ(Mirror({"sync"}).exit_code, 0);
  auto removed = Column("SELECT id FROM isc.accounts ORDER BY id DESC LIMIT 3");
  for (const auto& id : removed) Control("DELETE", "/__sim/accounts/" + id);
  // What the removed accounts held goes with them.
  auto held = Count(
      "SELECT count(*) FROM isc.identity_access WHERE account_id IN (SELECT id FROM isc.accounts "
      "ORDER BY id DESC LIMIT 3)");
  auto leaver = Column(
      "SELECT id FROM isc.identities i WHERE lifecycle_state = 'active' AND NOT EXISTS (SELECT 1 "
      "FROM (SELECT * FROM isc.accounts ORDER BY id DESC LIMIT 3) a WHERE a.identity_id = i.id) "
      "ORDER BY id LIMIT 1")[0];
  Control("POST", "/__sim/identities/" + leaver + "/lifecycle", R"({"state":"terminated"})");
  // 429 bursts, server errors, cut-off and broken bodies, and tokens expiring mid-scan.
  Control("POST", "/__sim/faults",
          R"({"prefix":"/","errorRate":0.1,"errorCodes":[429,500,502,503],"truncateRate":0.05,)"
          R"("malformedRate":0.05,"expireRate":0.05})");
  auto r = Mirror({"sync", "--full"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Control("DELETE", "/__sim/faults");
  EXPECT_GT(Count(fmt::format("SELECT sum(http_retries) FROM mirror.sync_runs WHERE id > {}",
                              sync::BuiltinSchemas().size())),
            0);
  ExpectExactMirror();
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete' AND resource = "
                  "'accounts'"),
            3);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 3 + held);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline AND resource = "
                  "'identities'"),
            1);
}

TEST_F(SyncCommand, ObjectsSkippedByShiftingPagesAreCheckedBeforeAnythingIsDeleted) {
  Start({"--identities", "2000", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync", "accounts"}).exit_code, 0);
  // Pages arrive slowly; meanwhile five accounts from the first page vanish, so every later
  // page starts five objects further on and five objects are never listed by this scan. They
  // are asked for by id before anything is deleted; the five that went after the scan read
  // them are deleted by the next full scan.
  Control("POST", "/__sim/faults", R"({"prefix":"/v2024/accounts","latencyMs":60})");
  ProcessResult result;
  std::thread sync([&] { result = Mirror({"sync", "--full", "accounts"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  Control("POST", "/__sim/accounts/delete-many", R"({"count":5})");
  sync.join();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Control("DELETE", "/__sim/faults");
  ExpectExactMirror({"accounts"}, true);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE id = 2 AND http_requests > pages"),
            1)
      << "the objects missing from the scan were asked for by id";
  auto next = Mirror({"sync", "--full", "accounts"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 5);
  ExpectExactMirror({"accounts"});

  // New objects that sort first push every later page down: objects arrive twice.
  Control("POST", "/__sim/shift", R"({"resource":"accounts","afterRequests":3,"count":7})");
  auto shifted = Mirror({"sync", "--full", "accounts"});
  ASSERT_EQ(shifted.exit_code, 0) << shifted.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 5);
  auto again = Mirror({"sync", "--full", "accounts"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ExpectExactMirror({"accounts"});
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'insert' AND NOT baseline"),
            7);
}

TEST_F(SyncCommand, AMassDisappearanceIsHeldUntilAnOperatorAllowsIt) {
  Start({"--identities", "300", "--accounts-per-identity", "3"});
  ASSERT_EQ(Mirror({"sync", "accounts"}).exit_code, 0);
  Control("POST", "/__sim/accounts/delete-many", R"({"count":200})");
  auto held = Mirror({"sync", "--full", "accounts"});
  EXPECT_EQ(held.exit_code, 0) << held.err;
  EXPECT_NE(held.err.find("deletes held"), std::string::npos) << held.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'held' AND error LIKE "
                  "'held: the scan would delete 200 of 900 accounts%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts WHERE deleted_at IS NULL"), 900);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 0);

  auto refused = Mirror({"sync", "--allow-deletes", "accounts"});
  EXPECT_EQ(refused.exit_code, 2) << "--allow-deletes needs --full";
  auto allowed = Mirror({"sync", "--full", "--allow-deletes", "accounts"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE op = 'delete'"), 200);
  ExpectExactMirror({"accounts"});
}

TEST_F(SyncCommand, KilledMidSyncThenRunAgainLosesAndDuplicatesNoEvent) {
  Start({"--identities", "2000", "--accounts-per-identity", "3"});
  Control("POST", "/__sim/faults", R"({"prefix":"/v2024/","latencyMs":15})");
  std::mt19937 random(std::random_device{}());
  std::string kills;  // reported with any failure, to reproduce it
  auto kill_runs = [&](std::vector<std::string> args) {
    for (int i = 0; i < 4; ++i) {
      int after_ms = std::uniform_int_distribution<int>(50, 1500)(random);
      testing::Subprocess child({Argv(args), testing::MinimalEnvironment(), std::nullopt, false});
      std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
      child.Signal(SIGKILL);
      child.Wait(std::chrono::seconds(10));
      kills += fmt::format("{} ms, ", after_ms);
    }
    auto r = Mirror(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  kill_runs({"sync", "identities", "accounts"});
  ExpectExactMirror({"identities", "accounts"});
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT object_id FROM mirror.history GROUP BY "
                  "resource, object_id HAVING count(*) <> 1) d"),
            0)
      << "every object has exactly one first version; killed after " << kills;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events"), 0)
      << "the baseline, however often begun, writes no events";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history"), 2000 + 6000);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'running'"), 0);

  // Leavers whose accounts are not among the two that go, so each change is counted once.
  auto leavers = Column(
      "SELECT id FROM isc.identities i WHERE lifecycle_state = 'active' AND NOT EXISTS (SELECT 1 "
      "FROM (SELECT * FROM isc.accounts ORDER BY id LIMIT 2) a WHERE a.identity_id = i.id) "
      "ORDER BY id LIMIT 3");
  for (const auto& id : leavers) {
    Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})");
  }
  Control("POST", "/__sim/accounts/delete-many", R"({"count":2})");
  kill_runs({"sync", "--full", "identities", "accounts"});
  ExpectExactMirror({"identities", "accounts"});
  EXPECT_EQ(Column("SELECT string_agg(resource || ' ' || op || ' ' || n, ', ' ORDER BY resource, "
                   "op) FROM (SELECT resource, op, count(*) n FROM mirror.change_events WHERE NOT "
                   "baseline GROUP BY 1, 2) c")[0],
            "accounts delete 2, accounts update 9, identities update 3")
      << "killed after " << kills;
}

TEST_F(SyncCommand, AdversarialValuesAreStoredFaithfullyOrRejectedAlone) {
  Start({"--identities", "100", "--accounts-per-identity", "2"});
  ASSERT_EQ(Mirror({"sync", "accounts"}).exit_code, 0);
  auto ids = Column("SELECT id FROM isc.accounts ORDER BY id LIMIT 9");
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += i % 2 ? "[" : "{\"d\":";
  deep += "1";
  for (int i = 199; i >= 0; --i) deep += i % 2 ? "]" : "}";
  std::string megabyte(1 << 20, 'x');
  const std::vector<std::string> fields = {
      // 0: quotes, backslashes, a NUL-like escape as text, control characters
      R"({"name":"O'Brien \"the \\ admin\" \\u0000 \t\n end"})",
      // 1: emoji and right-to-left text
      R"({"name":"\ud83d\ude80 rocket 👩‍💻","attributes":{"displayName":"مرحبا بالعالم","mixed":"abc \u202e cba"}})",
      // 2: a 1 MB attribute value
      R"({"attributes":{"blob":")" + megabyte + R"("}})",
      // 3: deeply nested
      R"({"attributes":{"deep":)" + deep + "}}",
      // 4: an unknown new field
      R"({"brandNewField":{"list":[1,2.5,null,true],"empty":{}}})",
      // 5: a NUL character, which PostgreSQL's jsonb cannot hold
      R"({"name":"nul \u0000 inside"})",
      // 6: a known field of the wrong type
      R"({"disabled":"yes"})",
      // 7: no key
      R"({"id":null})"};
  for (size_t i = 0; i < fields.size(); ++i) {
    Control("PATCH", "/__sim/accounts/" + ids[i], R"({"fields":)" + fields[i] + "}");
  }
  auto r = Mirror({"sync", "--full", "accounts"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.err.find(R"(object skipped resource=accounts reason="the object has no id (its key); )"
                 R"(it cannot be mirrored" object=)"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("deletes withheld"), std::string::npos) << r.err;
  // Stored faithfully: byte for byte what the simulator serves.
  EXPECT_EQ(Column("SELECT raw->>'name' FROM isc.accounts WHERE id = '" + ids[0] + "'")[0],
            "O'Brien \"the \\ admin\" \\u0000 \t\n end");
  EXPECT_EQ(Column("SELECT name FROM isc.accounts WHERE id = '" + ids[1] + "'")[0],
            "\xf0\x9f\x9a\x80 rocket 👩‍💻");
  EXPECT_EQ(Column("SELECT raw->'attributes'->>'displayName' FROM isc.accounts WHERE id = '" +
                   ids[1] + "'")[0],
            "مرحبا بالعالم");
  EXPECT_EQ(Count("SELECT length(raw->'attributes'->>'blob') FROM isc.accounts WHERE id = '" +
                  ids[2] + "'"),
            1 << 20);
  std::string path = "attributes,deep";
  for (int i = 0; i < 200; ++i) path += i % 2 ? ",0" : ",d";
  EXPECT_EQ(
      Column("SELECT raw #>> '{" + path + "}' FROM isc.accounts WHERE id = '" + ids[3] + "'")[0],
      "1");
  EXPECT_EQ(Column("SELECT raw->'brandNewField' FROM isc.accounts WHERE id = '" + ids[4] + "'")[0],
            R"({"list": [1, 2.5, null, true], "empty": {}})");
  // Rejected alone: the objects that cannot be stored keep their last good version, are not
  // deleted, and every other account is exact.
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts WHERE deleted_at IS NOT NULL"), 0);
  EXPECT_EQ(Column("SELECT raw->>'id' FROM isc.accounts WHERE id = '" + ids[7] + "'")[0], ids[7])
      << "the object without a key keeps its last good version";
  // What PostgreSQL cannot hold or type is kept as near as it can be: U+0000 becomes U+FFFD,
  // a boolean column holding "yes" is NULL while raw keeps "yes".
  EXPECT_EQ(Column("SELECT raw->>'name' FROM isc.accounts WHERE id = '" + ids[5] + "'")[0],
            "nul \xEF\xBF\xBD inside");
  EXPECT_EQ(Column("SELECT coalesce(disabled::text, 'NULL') || ' ' || (raw->>'disabled') FROM "
                   "isc.accounts WHERE id = '" +
                   ids[6] + "'")[0],
            "NULL yes");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline"), 7);
  auto again = Mirror({"sync", "--full", "accounts"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE NOT baseline"), 7)
      << "stored values read back equal: no event on the next cycle";
  // Once the tenant serves the object's key again, it is mirrored and deletes resume.
  Control("PATCH", "/__sim/accounts/" + ids[7], R"({"fields":{"id":")" + ids[7] + R"("}})");
  Control("DELETE", "/__sim/accounts/" + ids[8]);
  auto fixed = Mirror({"sync", "--full", "accounts"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(Count("SELECT count(*) FROM isc.accounts WHERE deleted_at IS NOT NULL"), 1);
  ExpectExactMirror({"accounts"});
}

// Values a parser, jsonb or timestamptz cannot take. Each used to fail its whole page (or
// batch) every cycle. Now a value only a typed column cannot take is stored with that column
// NULL (raw keeps it); an object the mirror cannot store is refused alone, named in the log,
// and holds back deletes as an object without its key does.
TEST_F(SyncCommand, PoisonedObjectsAreRefusedAloneOrStoredMadeSafe) {
  Start({"--identities", "100", "--accounts-per-identity", "1"});
  ASSERT_EQ(Mirror({"sync", "identities"}).exit_code, 0);
  auto ids = Column("SELECT id FROM isc.identities ORDER BY id LIMIT 8");
  auto raw = [&](const std::string& id, const std::string& name, const std::string& json) {
    std::string body;
    base::JsonWriter(body).BeginObject().Field("name", name).Field("raw", json).EndObject();
    Control("POST", "/__sim/identities/" + id + "/raw", body);
  };
  std::string deep(600, '[');
  deep += std::string(600, ']');
  raw(ids[0], "created", R"("2024-02-30T00:00:00Z")");
  raw(ids[1], "created", R"("0000-01-01T00:00:00Z")");
  raw(ids[2], "created", R"("2024-01-01T00:00:00+99:00")");
  raw(ids[3], "poison", R"("a lone \ud800 surrogate")");
  raw(ids[4], "poison", "1e999999");
  raw(ids[5], "poison", deep);
  raw(ids[6], "fine", R"("ok")");
  Control("DELETE", "/__sim/identities/" + ids[7]);
  auto r = Mirror({"sync", "identities"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::Occurrences(r.err, "object skipped"), 3u) << r.err;
  EXPECT_NE(r.err.find(ids[3]), std::string::npos) << "the refused object is named: " << r.err;
  EXPECT_NE(r.err.find("deletes withheld"), std::string::npos) << r.err;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Column("SELECT coalesce(created::text, 'NULL') || ' ' || (raw->>'created') FROM "
                     "isc.identities WHERE id = '" +
                     ids[i] + "'")[0]
                  .substr(0, 10),
              "NULL " + std::string(i == 1 ? "0000-" : "2024-"))
        << i;
  }
  EXPECT_EQ(Column("SELECT raw->'attributes'->>'fine' FROM isc.identities WHERE id = '" + ids[6] +
                   "'")[0],
            "ok");
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE raw->'attributes' ? 'poison'"), 0)
      << "the refused objects keep their last good version";
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE deleted_at IS NOT NULL"), 0);
  // Once the tenant serves them cleanly, they are mirrored and deletes resume.
  for (int i = 3; i < 6; ++i) raw(ids[i], "poison", R"("clean")");
  auto fixed = Mirror({"sync", "identities"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE raw->'attributes'->>'poison' = "
                  "'clean'"),
            3);
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities WHERE deleted_at IS NOT NULL"), 1);
}

TEST_F(SyncCommand, FailsTheRunAndExitsNonZeroWhenTheApiFails) {
  Start({"--identities", "100", "--accounts-per-identity", "1"});
  Control("POST", "/__sim/faults",
          R"({"prefix":"/v2024/accounts","errorRate":1.0,"errorCodes":[503]})");
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

TEST_F(SyncCommand, RefusesUnknownResources) {
  Start({"--identities", "10", "--accounts-per-identity", "1"});
  auto unknown = Mirror({"sync", "acounts"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown resource 'acounts' (did you mean 'accounts'?)"),
            std::string::npos)
      << unknown.err;
}

}  // namespace
}  // namespace isc_mirror
