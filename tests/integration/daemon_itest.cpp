// isc-mirror run as systemd runs it: a notify socket played by the test, signals, sync-now.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "sync/resource_schema.hpp"
#include "tests/harness/mirror_compare.hpp"
#include "tests/harness/postgres_environment.hpp"
#include "tests/harness/sim_connection.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror {
namespace {

// Every built-in resource: what a whole sync of the tenant runs.
const long long kResources = static_cast<long long>(sync::BuiltinSchemas().size());

using testing::SimClient;

using namespace std::chrono_literals;

// The datagram socket systemd listens on for sd_notify messages. Like systemd, it reads them
// as they come (a full socket would block the daemon's sd_notify).
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("cannot bind the notify socket " + path.string());
    }
    reader_ = std::thread([this] {
      while (!done_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char buffer[4096];
        auto n = recv(fd_, buffer, sizeof(buffer), 0);
        if (n <= 0) continue;
        std::lock_guard lock(mutex_);
        messages_.emplace_back(buffer, static_cast<size_t>(n));
      }
    });
  }
  ~NotifySocket() {
    done_ = true;
    reader_.join();
    close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Whether a message containing `wanted` arrives (or arrived since Clear) within the time.
  bool WaitFor(const std::string& wanted, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      {
        std::lock_guard lock(mutex_);
        for (const auto& m : messages_) {
          if (m.find(wanted) != std::string::npos) return true;
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
  }
  void Clear() {
    std::lock_guard lock(mutex_);
    messages_.clear();
  }

 private:
  int fd_ = -1;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::vector<std::string> messages_;
  std::thread reader_;
};

// Whether the server closes a connection whose request headers never finish (a slowloris).
bool SlowRequestIsCut(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return false;
  }
  std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  send(fd, start.data(), start.size(), MSG_NOSIGNAL);
  // Nothing more: a server without a read timeout waits for the rest for ever.
  pollfd p{fd, POLLIN, 0};
  bool cut = false;
  if (poll(&p, 1, 4'000) > 0) {  // httplib's own default is 5 s
    char buffer[256];
    auto n = recv(fd, buffer, sizeof(buffer), 0);
    // Closed, or answered with a client error.
    cut = n <= 0 || std::string_view(buffer, static_cast<size_t>(n)).starts_with("HTTP/1.1 4");
    if (!cut) fprintf(stderr, "%.*s\n", static_cast<int>(n), buffer);
  }
  close(fd);
  return cut;
}

class Daemon : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    sim_ = std::make_unique<testing::SimProcess>(
        std::vector<std::string>{"--identities", "100", "--accounts-per-identity", "2"});
    config_ = dir_.path() / "config.yaml";
    WriteConfig("1h");
    ASSERT_EQ(testing::RunProcess({{ISC_MIRROR_BINARY, "-c", config_.string(), "migrate"},
                                   testing::MinimalEnvironment(),
                                   std::nullopt,
                                   false})
                  .exit_code,
              0);
    notify_ = std::make_unique<NotifySocket>(dir_.path() / "notify");
  }

  // Every resource at `interval`, accounts at `accounts_interval` if given.
  void WriteConfig(const std::string& interval,
                   const std::string& http = "http: { listen: \"\" }\n",
                   const std::string& accounts_interval = "") {
    std::string resources = "resources:\n";
    for (const auto& schema : sync::BuiltinSchemas()) {
      const std::string& r = schema.name;
      bool accounts = r == "accounts" && !accounts_interval.empty();
      resources +=
          fmt::format("  {}: {{ interval: {} }}\n", r, accounts ? accounts_interval : interval);
    }
    testing::WriteFile(
        config_,
        testing::MirrorConfig(*sim_, url_, "{ attempts: 3, base_delay: 10ms }", resources + http));
  }

  testing::Subprocess Start(const std::string& watchdog_usec = "400000") {
    return testing::Subprocess(
        {{ISC_MIRROR_BINARY, "-c", config_.string(), "run"},
         testing::MinimalEnvironment({"NOTIFY_SOCKET=" + (dir_.path() / "notify").string(),
                                      "WATCHDOG_USEC=" + watchdog_usec}),
         std::nullopt,
         false});
  }

  int64_t Count(const std::string& sql) { return testing::QueryCount(url_, sql); }

  // A tenant of `identities` with three accounts each, every page of accounts `latency_ms` late.
  void SlowAccounts(const std::string& identities, int latency_ms) {
    sim_ = std::make_unique<testing::SimProcess>(
        std::vector<std::string>{"--identities", identities, "--accounts-per-identity", "3"});
    WriteConfig("1h");
    SimClient control(sim_->port());
    auto body = fmt::format(R"({{"prefix":"/v2024/accounts","latencyMs":{}}})", latency_ms);
    ASSERT_EQ(control.Control("POST", "/__sim/faults", body)->status, 200);
  }

  bool WaitForCount(const std::string& sql, long long at_least, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Count(sql) >= at_least) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::SimProcess> sim_;
  std::filesystem::path config_;
  std::unique_ptr<NotifySocket> notify_;
};

TEST_F(Daemon, ReportsReadyPingsTheWatchdogSyncsAndStopsCleanly) {
  auto daemon = Start();
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  EXPECT_TRUE(notify_->WaitFor("STATUS=syncing 1 tenant", 5s));
  EXPECT_TRUE(notify_->WaitFor("WATCHDOG=1", 2s));
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = "
                   "'ok'",
                   kResources, 30s))
      << "every resource synced once";
  EXPECT_EQ(Count("SELECT count(*) FROM isc.identities"), 100);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs"), kResources)
      << "one run each: the interval is an hour";

  // Sync on demand.
  auto now =
      testing::RunProcess({{ISC_MIRROR_BINARY, "-c", config_.string(), "sync-now", "das_tasks"},
                           testing::MinimalEnvironment(),
                           std::nullopt,
                           false});
  ASSERT_EQ(now.exit_code, 0) << now.err;
  EXPECT_TRUE(
      WaitForCount("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'das_tasks'", 2, 10s));

  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(15s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(result.timed_out);
  EXPECT_TRUE(notify_->WaitFor("STOPPING=1", 1s));
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'running'"), 0);
}

// A tenant loop hung in a database read (here: a table locked by someone else) stops the
// watchdog pings, so systemd restarts the service; they resume once the loop moves again.
TEST_F(Daemon, TheWatchdogIsPingedOnlyWhileEveryLoopMakesProgress) {
  auto daemon = Start("2000000");  // WatchdogSec=2s: pings every second
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = 'ok'",
                   kResources, 30s));
  EXPECT_TRUE(notify_->WaitFor("WATCHDOG=1", 3s));
  pqxx::connection locker(url_);
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE mirror.actions IN ACCESS EXCLUSIVE MODE");
  std::this_thread::sleep_for(4s);  // the loop's next claim waits on the lock
  notify_->Clear();
  std::this_thread::sleep_for(3s);
  EXPECT_FALSE(notify_->WaitFor("WATCHDOG=1", 0ms)) << "no pings while a loop is stuck";
  lock.abort();
  EXPECT_TRUE(notify_->WaitFor("WATCHDOG=1", 5s)) << "pings resume with the loop";
  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(15s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("loop=\"tenant sim\""), std::string::npos) << result.err;
}

// ISC may ask for an hour's wait (Retry-After: 3600); SIGTERM does not wait for it.
TEST_F(Daemon, SigtermDuringAnHourLongRetryAfterStopsAtOnce) {
  SimClient control(sim_->port());
  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024/identities","errorRate":1.0,"errorCodes":[429],)"
                         R"("retryAfterSeconds":3600})")
                ->status,
            200);
  auto daemon = Start();
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         control.Control("GET", "/__sim/stats")->body.find("\"429\"") == std::string::npos) {
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(1s);  // well into the wait
  auto asked = std::chrono::steady_clock::now();
  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(30s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 10s);
}

TEST_F(Daemon, ReloadsAGoodConfigOnSighupAndKeepsTheOldOneWhenTheNewOneIsBad) {
  auto daemon = Start();
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  testing::WriteFile(config_, "tenants: [\n");  // broken
  daemon.Signal(SIGHUP);
  EXPECT_TRUE(notify_->WaitFor("config reload refused", 5s));
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = "
                   "'ok'",
                   kResources, 30s))
      << "still syncing with the old config";

  WriteConfig("2h");
  notify_->Clear();
  daemon.Signal(SIGHUP);
  EXPECT_TRUE(notify_->WaitFor("RELOADING=1", 5s));
  EXPECT_TRUE(notify_->WaitFor("READY=1", 10s));
  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(15s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("config reload refused; the running config stays"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("daemon restarted with the new config"), std::string::npos);
}

// Any role that can connect may NOTIFY. A flood of junk and of repeats neither fills the log
// nor queues a sync per request.
TEST_F(Daemon, AFloodOfSyncNowNotificationsIsBoundedAndJunkIsRefusedQuietly) {
  auto daemon = Start();
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  // Every baseline first: the valid request then finds a worker free within the 3 s below.
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = 'ok'",
                   kResources, 60s));
  long long before = Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts'");
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    for (int i = 0; i < 500; ++i) {
      tx.exec_params("SELECT pg_notify('isc_mirror_sync_now', $1)", fmt::format("junk-{}", i));
      tx.exec_params("SELECT pg_notify('isc_mirror_sync_now', $1)",
                     fmt::format("nobody/accounts{}", i));
      tx.exec("SELECT pg_notify('isc_mirror_sync_now', 'sim/accounts')");
    }
    tx.commit();
  }
  std::this_thread::sleep_for(3s);
  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(15s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  long long runs =
      Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts'") - before;
  EXPECT_GE(runs, 1) << "the valid request was served";
  EXPECT_LE(runs, 2) << "one pending request per resource, not 500";
  EXPECT_EQ(testing::Occurrences(result.err, "sync-now requests refused"), 1u)
      << "1,000 refusals told once a minute";
  EXPECT_EQ(result.err.find("junk-1"), std::string::npos) << "payloads are not echoed";
}

TEST_F(Daemon, TwoDaemonsShareTheWorkAndOneTakesOverWhenTheOtherIsKilled) {
  WriteConfig("1s");
  auto first = Start();
  auto second = Start();
  ASSERT_TRUE(WaitForCount("SELECT count(*) FROM mirror.sync_runs WHERE status = 'ok'", 40, 30s));
  auto overlapping = [&] {
    return Count(
        "SELECT count(*) FROM mirror.sync_runs a JOIN mirror.sync_runs b ON a.tenant = b.tenant "
        "AND a.resource = b.resource AND a.id < b.id AND b.started_at < coalesce(a.finished_at, "
        "now()) AND a.started_at < coalesce(b.finished_at, now())");
  };
  EXPECT_EQ(overlapping(), 0) << "never two runs of one resource at once";
  first.Signal(SIGKILL);
  first.Wait(5s);
  auto before = Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'ok'");
  // The survivor carries on with every resource, the killed one's included.
  EXPECT_TRUE(WaitForCount(
      fmt::format("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = 'ok' AND "
                  "id > (SELECT max(id) FROM mirror.sync_runs WHERE id <= {})",
                  before),
      kResources, 30s));
  EXPECT_EQ(overlapping(), 0);
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(15s).exit_code, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE status = 'running'"), 0)
      << "the killed daemon's run was closed by the survivor, or finished before the kill";
}

TEST_F(Daemon, SigtermDuringASyncStopsSoonAndLeavesAConsistentMirror) {
  ASSERT_NO_FATAL_FAILURE(SlowAccounts("10000", 30));
  auto daemon = Start();
  ASSERT_TRUE(
      WaitForCount("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND "
                   "status = 'running' AND seen > 0",
                   1, 30s));
  auto stopping = std::chrono::steady_clock::now();
  daemon.Signal(SIGTERM);
  auto result = daemon.Wait(15s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s) << "a page, not the whole scan";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND status = "
                  "'failed' AND error LIKE 'stopped%'"),
            1);
  EXPECT_GT(Count("SELECT count(*) FROM isc.accounts"), 0) << "the batches written stay";
  EXPECT_LT(Count("SELECT count(*) FROM isc.accounts"), 30000);

  ASSERT_EQ(SimClient(sim_->port()).Control("DELETE", "/__sim/faults")->status, 200);
  // 30,000 accounts: slow under the sanitizers, hence the generous limit.
  auto again = testing::RunProcess({{ISC_MIRROR_BINARY, "-c", config_.string(), "sync", "accounts"},
                                    testing::MinimalEnvironment(),
                                    std::nullopt,
                                    false},
                                   300s);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  testing::SimConnection tenant(*sim_);
  pqxx::connection c(url_);
  const auto& schema = *sync::FindSchema("accounts");
  EXPECT_EQ(testing::Difference(testing::TenantObjects(*tenant.client, schema),
                                testing::MirrorObjects(c, "sim", schema)),
            "");
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.history WHERE resource = 'accounts'"), 30000)
      << "one version per account, none twice";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.change_events WHERE resource = 'accounts'"), 0)
      << "the baseline writes no events";
}

// On a terminal, sync draws a line per resource (its total from X-Total-Count) and ends with
// a summary table; through pipes its output is the log lines, without an escape sequence.
TEST_F(Daemon, SyncShowsProgressAndASummaryOnATerminalAndTheLogLinesElsewhere) {
  // Two pages of accounts, each slow enough for the line to be drawn between them.
  ASSERT_NO_FATAL_FAILURE(SlowAccounts("100", 300));
  std::string command =
      fmt::format("{} -c {} sync identities accounts", ISC_MIRROR_BINARY, config_.string());
  // script(1) runs the command on a pseudo-terminal and copies what it wrote to its stdout.
  auto tty = testing::RunProcess({{"script", "-qec", command, "/dev/null"},
                                  testing::MinimalEnvironment({"TERM=xterm"}),
                                  std::nullopt,
                                  false},
                                 120s);
  ASSERT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_NE(tty.out.find("\x1b[2Ksim/accounts  250 / 300 objects  83%"), std::string::npos)
      << tty.out;
  EXPECT_NE(tty.out.find("sim/accounts  ok  300 objects in "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("sim/identities  ok  100 objects in "), std::string::npos) << tty.out;
  EXPECT_TRUE(std::regex_search(
      tty.out,
      std::regex("tenant +resource +result +mode +seen +inserted +updated +deleted +time")))
      << tty.out;
  EXPECT_TRUE(std::regex_search(tty.out, std::regex("sim +accounts +ok +full +300 +300 +0 +0 ")))
      << tty.out;
  EXPECT_EQ(tty.out.find("sync finished"), std::string::npos) << "the lines replace info logs";

  auto piped = testing::RunProcess(
      {{ISC_MIRROR_BINARY, "-c", config_.string(), "sync", "identities", "accounts"},
       testing::MinimalEnvironment({"TERM=xterm"}),
       std::nullopt,
       false},
      120s);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.err.find("sync finished"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.out, "") << "no table without a terminal";
}

TEST_F(Daemon, TwoDaemonsRunEachActionOnce) {
  std::string resources = "resources:\n  identities: { interval: 1s }\n";
  testing::WriteFile(
      config_,
      testing::MirrorConfig(*sim_, url_, "{ attempts: 3, base_delay: 10ms }", resources + R"(rules:
  - name: disable-leavers
    on: leaver
    do:
      - identity_disable: {}
http: { listen: "" }
)"));
  auto first = Start();
  auto second = Start();
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = "
                   "'ok'",
                   kResources, 30s));
  SimClient control(sim_->port());
  ASSERT_EQ(control.Control("DELETE", "/__sim/actions")->status, 200);
  std::vector<std::string> leavers;
  {
    pqxx::connection c(url_);
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT id FROM isc.identities WHERE lifecycle_state = 'active' "
                                   "ORDER BY id LIMIT 5")) {
      leavers.push_back(row[0].c_str());
    }
  }
  for (const auto& id : leavers) {
    ASSERT_EQ(
        control
            .Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})")
            ->status,
        200);
  }
  ASSERT_TRUE(
      WaitForCount("SELECT count(*) FROM mirror.actions WHERE status = 'succeeded'", 5, 30s));
  std::this_thread::sleep_for(1500ms);  // time for a second claim, were one possible
  auto log = control.Control("GET", "/__sim/actions")->body;
  EXPECT_EQ(testing::Occurrences(log, "/v2024/identities-accounts/disable"), 5u)
      << "one call per leaver, whichever daemon made it";
  EXPECT_EQ(Count("SELECT count(*) FROM mirror.actions"), 5);
  EXPECT_EQ(Count("SELECT max(attempts) FROM mirror.actions"), 1);
  first.Signal(SIGTERM);
  second.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(15s).exit_code, 0);
  EXPECT_EQ(second.Wait(15s).exit_code, 0);
}

TEST_F(Daemon, RefusesToRunOnASchemaBehindTheBinary) {
  {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    tx.exec(
        "DELETE FROM mirror.schema_migrations WHERE version = (SELECT max(version) FROM "
        "mirror.schema_migrations)");
    tx.commit();
  }
  auto r = testing::RunProcess({{ISC_MIRROR_BINARY, "-c", config_.string(), "run"},
                                testing::MinimalEnvironment(),
                                std::nullopt,
                                false},
                               15s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("schema is behind this binary (hint: run isc-mirror migrate)"),
            std::string::npos)
      << r.err;
}

// A port nobody listens on now.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t length = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(Daemon, ServesMetricsAndFailsHealthWhenAResourceIsOverdue) {
  int port = FreePort();
  // Only accounts are due often, so only they can be overdue however slow the machine is.
  WriteConfig("1h", fmt::format("http: {{ listen: \"127.0.0.1:{}\", overdue_factor: 3 }}\n", port),
              "1s");
  SimClient control(sim_->port());
  // Accounts never succeed: every request fails.
  ASSERT_EQ(control
                .Control("POST", "/__sim/faults",
                         R"({"prefix":"/v2024/accounts","errorRate":1.0,"errorCodes":[400]})")
                ->status,
            200);
  auto daemon = Start();
  ASSERT_TRUE(notify_->WaitFor("READY=1", 10s));
  ASSERT_TRUE(
      WaitForCount("SELECT count(DISTINCT resource) FROM mirror.sync_runs WHERE status = "
                   "'ok'",
                   11, 30s));
  httplib::Client http("127.0.0.1", port);
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  for (const char* line :
       {"isc_mirror_objects_seen_total{tenant=\"sim\",resource=\"identities\"} ",
        "isc_mirror_sync_runs_total{tenant=\"sim\",resource=\"accounts\",result=\"failed\"} ",
        "isc_mirror_http_responses_total{tenant=\"sim\",status=\"200\"} ",
        "isc_mirror_http_responses_total{tenant=\"sim\",status=\"400\"} ",
        "isc_mirror_lag_seconds{tenant=\"sim\",resource=\"accounts\"} ", "isc_mirror_database_up 1",
        "# TYPE isc_mirror_objects_inserted_total counter"}) {
    EXPECT_NE(metrics->body.find(line), std::string::npos) << line << "\n" << metrics->body;
  }

  // Scrapes share one database session; it stays open between them.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(http.Get("/metrics"));
  EXPECT_EQ(Count("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                  "'isc-mirror http endpoint'"),
            1);
  // A request larger than a scrape's, or slower to arrive, is not served.
  auto large = http.Post("/metrics", std::string(64 * 1024, 'x'), "text/plain");
  EXPECT_TRUE(!large || large->status == 413) << (large ? large->status : 0);
  EXPECT_TRUE(SlowRequestIsCut(port)) << "headers sent a byte at a time are cut off";

  // Three intervals (3 s) without a successful accounts run: unhealthy.
  std::this_thread::sleep_for(3500ms);
  auto health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(health->body.find("overdue: sim/accounts"), std::string::npos) << health->body;
  EXPECT_EQ(health->body.find("sim/identities"), std::string::npos) << health->body;

  ASSERT_EQ(control.Control("DELETE", "/__sim/faults")->status, 200);
  ASSERT_TRUE(
      WaitForCount("SELECT count(*) FROM mirror.sync_runs WHERE resource = 'accounts' AND "
                   "status = 'ok'",
                   1, 40s));
  auto healthy = http.Get("/healthz");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200) << healthy->body;
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(15s).exit_code, 0);
}

}  // namespace
}  // namespace isc_mirror
