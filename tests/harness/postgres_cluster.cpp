#include "tests/harness/postgres_cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <pqxx/pqxx>
#include <stdexcept>

namespace isc_mirror::testing {
namespace {

bool RunningAsRoot() {
  return geteuid() == 0;
}

std::filesystem::path FindPostgresBinDir() {
  if (const char* dir = std::getenv("PG_BINDIR")) return dir;
  std::filesystem::path best;
  int best_version = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server binaries under /usr/lib/postgresql (hint: apt-get install "
        "postgresql-15, or set PG_BINDIR)");
  }
  return best;
}

// Runs a PostgreSQL tool, as the postgres user when we are root (initdb refuses root).
ProcessResult RunAsPostgres(std::vector<std::string> argv) {
  if (RunningAsRoot()) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return RunProcess({argv, MinimalEnvironment({"LC_ALL=C"}), std::nullopt, false},
                    std::chrono::seconds(120));
}

void Check(const ProcessResult& result, const std::string& what, const std::filesystem::path& log) {
  if (result.exit_code == 0) return;
  std::string server_log = log.empty() ? "" : ReadFile(log);
  throw std::runtime_error(what + " failed (exit " + std::to_string(result.exit_code) +
                           "): " + result.out + result.err + server_log);
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::unique_ptr<PostgresCluster> PostgresCluster::Start() {
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
  cluster->bindir_ = FindPostgresBinDir();
  std::string pattern = (std::filesystem::temp_directory_path() / "isc-mirror-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  cluster->dir_ = pattern;
  if (RunningAsRoot()) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root but there is no postgres user");
    if (chown(cluster->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot chown the cluster directory to postgres");
    }
  }
  cluster->Launch();
  return cluster;
}

void PostgresCluster::Launch() {
  // The watchdog first, so that even a failed initdb leaves nothing behind.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::string data = (dir_ / "data").string();
  std::string pg_ctl = (bindir_ / "pg_ctl").string();
  std::string as_postgres = RunningAsRoot() ? "runuser -u postgres -- " : "";
  std::string script = "cat >/dev/null; " + as_postgres + "'" + pg_ctl + "' -D '" + data +
                       "' -m immediate -w stop >/dev/null 2>&1; rm -rf '" + dir_.string() + "'";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  int rc =
      posix_spawn(&watchdog_pid_, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    throw std::runtime_error("cannot start the cluster watchdog");
  }
  watchdog_fd_ = fds[1];

  Check(RunAsPostgres({(bindir_ / "initdb").string(), "-D", data, "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--locale=C", "--no-sync"}),
        "initdb", {});
  auto log = dir_ / "server.log";
  // A port can be taken between FreePort() and the server's bind: try a few.
  for (int attempt = 0;; ++attempt) {
    port_ = FreePort();
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                          " -c listen_addresses=127.0.0.1 -c fsync=off"
                          " -c synchronous_commit=off -c full_page_writes=off"
                          " -c max_connections=200 -c shared_buffers=256MB";
    auto result = RunAsPostgres(
        {pg_ctl, "-D", data, "-l", log.string(), "-w", "-t", "60", "-o", options, "start"});
    if (result.exit_code == 0) break;
    if (attempt == 4) Check(result, "pg_ctl start", log);
  }
}

PostgresCluster::~PostgresCluster() {
  // Closing the pipe is what tells the watchdog to stop the server and remove the directory.
  if (watchdog_fd_ >= 0) close(watchdog_fd_);
  if (watchdog_pid_ > 0) waitpid(watchdog_pid_, nullptr, 0);
}

std::string PostgresCluster::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresCluster::CreateDatabase() {
  std::string name = "test_" + std::to_string(getpid()) + "_" + std::to_string(next_database_++);
  pqxx::connection connection(Url("postgres"));
  pqxx::nontransaction(connection).exec("CREATE DATABASE " + name);
  return Url(name);
}

void PostgresCluster::Restart() {
  Check(RunAsPostgres({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "fast",
                       "-w", "-t", "60", "-l", (dir_ / "server.log").string(), "restart"}),
        "pg_ctl restart", dir_ / "server.log");
}

std::vector<std::string> QueryColumn(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  std::vector<std::string> out;
  for (const auto& row : tx.exec(sql)) out.push_back(row[0].is_null() ? "NULL" : row[0].c_str());
  return out;
}

int64_t QueryCount(const std::string& url, const std::string& sql) {
  return std::stoll(QueryColumn(url, sql).at(0));
}

}  // namespace isc_mirror::testing
