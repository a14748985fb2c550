// The isc-mirror binary end to end: check-config, migrate and status as an operator runs them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <filesystem>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <thread>

#include "sync/resource_schema.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

using testing::DatabaseTest;
using testing::ProcessResult;
using testing::TempDir;

constexpr const char* kFixtures = ISC_MIRROR_SOURCE_DIR "/tests/fixtures/config/";

ProcessResult Mirror(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), ISC_MIRROR_BINARY);
  return testing::RunProcess({args, testing::MinimalEnvironment(env), std::nullopt, false});
}

std::string Output(const ProcessResult& r) {
  return "stdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// A valid config pointing at the test's database.
std::string WriteConfig(const TempDir& dir, const std::string& db_url,
                        const std::string& extra = "") {
  auto path = dir.path() / "config.yaml";
  testing::WriteFile(path,
                     "tenants:\n"
                     "  - name: prod\n"
                     "    base_url: https://acme.api.identitynow.com\n"
                     "    client_id: client-1\n"
                     "    client_secret: CLIENT-SECRET-VALUE\n"
                     "database:\n"
                     "  url: " +
                         db_url + "\n" + extra);
  return path.string();
}

int64_t Count(const std::string& url, const std::string& sql) {
  return testing::QueryCount(url, sql);
}

size_t ShippedMigrations() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(ISC_MIRROR_SOURCE_DIR "/migrations")) {
    n += e.path().extension() == ".sql" ? 1 : 0;
  }
  return n;
}

TEST(CheckConfigCommand, PrintsEachOfTheThreeErrorsWithItsLine) {
  auto r = Mirror({"check-config", "-c", std::string(kFixtures) + "three_errors.yaml"},
                  {"TEST_CLIENT_SECRET=x"});
  EXPECT_EQ(r.exit_code, 78) << Output(r);
  std::regex line_re(R"(three_errors\.yaml:(\d+):\d+: (\S+): .+)");
  std::vector<std::pair<int, std::string>> found;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, line_re)) found.emplace_back(std::stoi(m[1]), m[2]);
  }
  ASSERT_EQ(found.size(), 3u) << Output(r);
  EXPECT_EQ(found[0], (std::pair<int, std::string>{3, "tenants[0].client_id"}));
  EXPECT_EQ(found[1], (std::pair<int, std::string>{6, "tenants[0].rate_limit.requests"}));
  EXPECT_EQ(found[2], (std::pair<int, std::string>{10, "resources.identities.colour"}));
}

TEST(CheckConfigCommand, AcceptsTheGoodFileAndKeepsItsSecret) {
  auto r =
      Mirror({"check-config", "-c", std::string(kFixtures) + "good.yaml", "--log-level", "trace"},
             {"TEST_CLIENT_ID=id", "TEST_CLIENT_SECRET=GOOD-SECRET-VALUE",
              "TEST_DATABASE_URL=postgresql://u:DB-PASSWORD@h/d"});
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_NE(
      r.out.find(fmt::format("ok (1 tenant, {} of {} resources enabled, 1 rule)",
                             sync::BuiltinSchemas().size() - 1, sync::BuiltinSchemas().size())),
      std::string::npos)
      << Output(r);
  EXPECT_EQ(Output(r).find("GOOD-SECRET-VALUE"), std::string::npos);
  EXPECT_EQ(Output(r).find("DB-PASSWORD"), std::string::npos);
}

TEST(CheckConfigCommand, ReportsAMissingFile) {
  auto r = Mirror({"check-config", "-c", "/nonexistent/config.yaml"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find("/nonexistent/config.yaml"), std::string::npos) << Output(r);
  EXPECT_NE(r.err.find("-c FILE"), std::string::npos) << Output(r);
}

TEST(CommandLine, RejectsUnknownCommandsAndLevels) {
  auto unknown = Mirror({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
  auto level = Mirror({"status", "--log-level", "loud"});
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_NE(level.err.find("unknown log level 'loud'"), std::string::npos);
  auto version = Mirror({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("isc-mirror ", 0), 0u) << version.out;
}

class MigrateCommand : public DatabaseTest {
 protected:
  TempDir dir_;
};

TEST_F(MigrateCommand, TwiceLeavesOneSchemaAndSucceedsEachTime) {
  auto config = WriteConfig(dir_, url_);
  // No --migrations-dir: the binary finds the migrations beside itself in the build tree.
  auto first = Mirror({"migrate", "-c", config});
  ASSERT_EQ(first.exit_code, 0) << Output(first);
  EXPECT_NE(first.err.find("applied migration version=1 name=init"), std::string::npos)
      << Output(first);
  auto second = Mirror({"migrate", "-c", config});
  ASSERT_EQ(second.exit_code, 0) << Output(second);
  EXPECT_NE(second.err.find("database is up to date"), std::string::npos) << Output(second);
  EXPECT_NE(second.err.find("applied=0"), std::string::npos) << Output(second);
  EXPECT_EQ(Count(url_, "SELECT count(*) FROM mirror.schema_migrations"),
            static_cast<long long>(ShippedMigrations()));
}

TEST_F(MigrateCommand, TwoProcessesAtOnceBothSucceed) {
  // A slow extra migration makes the two runs overlap for certain.
  std::filesystem::copy(ISC_MIRROR_SOURCE_DIR "/migrations", dir_.path() / "migrations");
  testing::WriteFile(dir_.path() / "migrations" / "0999_slow.sql",
                     "SELECT pg_sleep(0.5);\nCREATE TABLE mirror.only_once (a int);\n");
  auto config = WriteConfig(dir_, url_);
  std::vector<std::string> argv = {ISC_MIRROR_BINARY,
                                   "migrate",
                                   "-c",
                                   config,
                                   "--migrations-dir",
                                   (dir_.path() / "migrations").string()};
  testing::Subprocess a({argv, testing::MinimalEnvironment(), std::nullopt, false});
  testing::Subprocess b({argv, testing::MinimalEnvironment(), std::nullopt, false});
  auto ra = a.Wait(std::chrono::seconds(60));
  auto rb = b.Wait(std::chrono::seconds(60));
  EXPECT_EQ(ra.exit_code, 0) << Output(ra);
  EXPECT_EQ(rb.exit_code, 0) << Output(rb);
  EXPECT_NE((ra.err + rb.err).find("waiting for another instance"), std::string::npos)
      << "the runs did not overlap: " << Output(ra) << Output(rb);
  EXPECT_EQ(Count(url_, "SELECT count(*) FROM mirror.schema_migrations"),
            static_cast<long long>(ShippedMigrations() + 1));
  EXPECT_EQ(Count(url_, "SELECT count(*) FROM mirror.only_once"), 0);
}

TEST_F(MigrateCommand, RefusesABadConfigAndTouchesNothing) {
  auto config = WriteConfig(dir_, url_, "colour: blue\n");
  auto r = Mirror({"migrate", "-c", config});
  EXPECT_EQ(r.exit_code, 78) << Output(r);
  EXPECT_NE(r.err.find("colour: unknown key"), std::string::npos) << Output(r);
  EXPECT_NE(r.err.find("refusing to start"), std::string::npos) << Output(r);
  EXPECT_EQ(Count(url_, "SELECT count(*) FROM pg_namespace WHERE nspname = 'mirror'"), 0);
}

TEST_F(MigrateCommand, RunAndSyncAlsoRefuseABadConfig) {
  auto config = WriteConfig(dir_, url_, "resources:\n  identities: { interval: soon }\n");
  for (const char* command : {"run", "sync", "status"}) {
    auto r = Mirror({command, "-c", config});
    EXPECT_EQ(r.exit_code, 78) << command << "\n" << Output(r);
    EXPECT_NE(r.err.find("resources.identities.interval: expected a duration"), std::string::npos)
        << Output(r);
  }
}

TEST_F(MigrateCommand, RefusesAMigrationChangedAfterItWasApplied) {
  std::filesystem::copy(ISC_MIRROR_SOURCE_DIR "/migrations", dir_.path() / "migrations");
  auto config =
      WriteConfig(dir_, url_, "  migrations_dir: " + (dir_.path() / "migrations").string() + "\n");
  ASSERT_EQ(Mirror({"migrate", "-c", config}).exit_code, 0);
  auto file = dir_.path() / "migrations" / "0001_init.sql";
  testing::WriteFile(file, testing::ReadFile(file) + "\n-- edited\n");
  auto r = Mirror({"migrate", "-c", config});
  EXPECT_EQ(r.exit_code, 1) << Output(r);
  EXPECT_NE(r.err.find("0001_init.sql was changed after it was applied"), std::string::npos)
      << Output(r);
}

TEST_F(MigrateCommand, NamesAMissingMigrationsFolder) {
  auto config = WriteConfig(dir_, url_);
  auto r = Mirror({"migrate", "-c", config, "--migrations-dir", "/nonexistent/migrations"});
  EXPECT_EQ(r.exit_code, 1) << Output(r);
  EXPECT_NE(r.err.find("/nonexistent/migrations"), std::string::npos) << Output(r);
}

TEST_F(MigrateCommand, NeverShowsTheDatabasePassword) {
  // Trust authentication ignores the password, so the URL works and still carries one.
  std::string with_password = url_;
  with_password.replace(with_password.find("postgres@"), 9, "postgres:DB-HUNTER2@");
  auto config = WriteConfig(dir_, with_password);
  auto ok = Mirror({"migrate", "-c", config, "--log-level", "trace"});
  EXPECT_EQ(ok.exit_code, 0) << Output(ok);
  EXPECT_NE(ok.err.find("connecting to the database target=\"user=postgres password=[redacted]"),
            std::string::npos)
      << Output(ok);
  EXPECT_EQ(Output(ok).find("DB-HUNTER2"), std::string::npos) << Output(ok);

  auto unreachable = WriteConfig(dir_, "postgresql://postgres:DB-HUNTER2@127.0.0.1:1/nowhere");
  auto failed = Mirror({"migrate", "-c", unreachable});
  EXPECT_EQ(failed.exit_code, 1) << Output(failed);
  EXPECT_NE(failed.err.find("cannot connect to the database"), std::string::npos) << Output(failed);
  EXPECT_NE(failed.err.find("user=postgres password=[redacted] dbname=nowhere host=127.0.0.1 "
                            "port=1"),
            std::string::npos)
      << Output(failed);
  EXPECT_EQ(Output(failed).find("DB-HUNTER2"), std::string::npos) << Output(failed);
  EXPECT_EQ(Output(failed).find("CLIENT-SECRET-VALUE"), std::string::npos);
}

class StatusCommand : public DatabaseTest {
 protected:
  TempDir dir_;
};

TEST_F(StatusCommand, AsksForMigrateOnAnEmptyDatabase) {
  auto r = Mirror({"status", "-c", WriteConfig(dir_, url_)});
  EXPECT_EQ(r.exit_code, 1) << Output(r);
  EXPECT_NE(r.err.find("run isc-mirror migrate"), std::string::npos) << Output(r);
}

// status --watch redraws every 2 s; through a pipe each report follows the last, and a
// database that goes away mid-watch is shown, not fatal. SIGTERM ends it with 0.
TEST_F(StatusCommand, WatchShowsTheReportAgainUntilStopped) {
  auto config = WriteConfig(dir_, url_);
  ASSERT_EQ(Mirror({"migrate", "-c", config}).exit_code, 0);
  testing::Subprocess watch({{ISC_MIRROR_BINARY, "-c", config, "status", "--watch"},
                             testing::MinimalEnvironment({"TERM=xterm"}),
                             std::nullopt,
                             false});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto frames = [&] {
    std::string out = watch.OutputSoFar();
    size_t n = 0;
    for (size_t at = out.find("isc-mirror status, every 2s"); at != std::string::npos;
         at = out.find("isc-mirror status, every 2s", at + 1)) {
      ++n;
    }
    return n;
  };
  while (frames() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  watch.Signal(SIGTERM);
  auto r = watch.Wait(std::chrono::seconds(5));
  EXPECT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_GE(frames(), 2u) << r.out;
  std::regex identities(R"(prod\s+identities\s+5m\s+never)");
  EXPECT_TRUE(std::regex_search(r.out, identities)) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "no escape sequences into a pipe";
  EXPECT_FALSE(Mirror({"status", "--watch", "--json", "-c", config}).exit_code == 0);

  TempDir elsewhere;
  testing::Subprocess unreachable(
      {{ISC_MIRROR_BINARY, "-c", WriteConfig(elsewhere, "postgresql://postgres@127.0.0.1:1/none"),
        "status", "--watch"},
       testing::MinimalEnvironment(),
       std::nullopt,
       false});
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (unreachable.OutputSoFar().find("database unreachable, trying again") ==
             std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  unreachable.Signal(SIGTERM);
  auto gone = unreachable.Wait(std::chrono::seconds(5));
  EXPECT_EQ(gone.exit_code, 0) << Output(gone);
  EXPECT_NE(gone.out.find("database unreachable, trying again"), std::string::npos) << gone.out;
}

TEST_F(StatusCommand, ShowsEveryResourceAndTheLastRun) {
  auto config = WriteConfig(dir_, url_, "resources:\n  das_schedules: { enabled: false }\n");
  ASSERT_EQ(Mirror({"migrate", "-c", config}).exit_code, 0);
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    tx.exec(
        "INSERT INTO mirror.sync_runs (tenant, resource, mode, status, finished_at, seen, "
        "inserted) VALUES ('prod', 'identities', 'full', 'ok', now(), 1200, 1200)");
    tx.exec(
        "INSERT INTO mirror.actions (tenant, rule, action, idempotency_key, status) "
        "VALUES ('prod', 'r', 'notify', 'k1', 'held')");
    tx.commit();
  }
  auto r = Mirror({"status", "-c", config});
  ASSERT_EQ(r.exit_code, 0) << Output(r);
  EXPECT_NE(r.out.find(fmt::format("schema version {} (up to date)", ShippedMigrations())),
            std::string::npos)
      << r.out;
  std::regex identities(R"(prod\s+identities\s+5m\s+\S+ \S+\s+ok\s+1200\s+1200\s+0\s+0)");
  EXPECT_TRUE(std::regex_search(r.out, identities)) << r.out;
  std::regex accounts(R"(prod\s+accounts\s+15m\s+never)");
  EXPECT_TRUE(std::regex_search(r.out, accounts)) << r.out;
  std::regex disabled(R"(prod\s+das_schedules\s+off\s+never)");
  EXPECT_TRUE(std::regex_search(r.out, disabled)) << r.out;
  EXPECT_NE(r.out.find("actions: held 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LAG"), std::string::npos) << r.out;

  auto json = Mirror({"status", "--json", "-c", config});
  ASSERT_EQ(json.exit_code, 0) << Output(json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json.out).get(doc)) << json.out;
  EXPECT_EQ(doc["actions"]["held"].get_int64().value(), 1);
  bool found = false;
  for (auto item : doc["resources"].get_array()) {
    if (std::string_view(item["resource"].get_string().value()) != "identities") continue;
    found = true;
    EXPECT_EQ(std::string_view(item["last_run"]["status"].get_string().value()), "ok");
    EXPECT_EQ(item["last_run"]["seen"].get_int64().value(), 1200);
    EXPECT_EQ(item["interval_seconds"].get_int64().value(), 300);
    EXPECT_LE(item["lag_seconds"].get_int64().value(), 60);
  }
  EXPECT_TRUE(found) << json.out;
}

}  // namespace
}  // namespace isc_mirror
