// A throwaway PostgreSQL cluster for integration tests, gone when the test process ends.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/harness/subprocess.hpp"

namespace isc_mirror::testing {

// A TCP port on 127.0.0.1 nobody listens on now (a server started next may take it).
int FreePort();

// initdb + pg_ctl in a temp dir on a free 127.0.0.1 port (as the postgres user when the tests
// run as root). A watchdog in its own session stops the server and deletes the directory when
// this object is destroyed or when the test process dies in any way, crashes included.
class PostgresCluster {
 public:
  static std::unique_ptr<PostgresCluster> Start();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& database) const;
  // A new empty database; returns its URL.
  std::string CreateDatabase();
  // The cluster's own psql, for tests of SQL scripts meant for psql.
  std::filesystem::path Psql() const { return bindir_ / "psql"; }
  // pg_ctl restart -m fast: for tests of reconnecting after a server restart.
  void Restart();

 private:
  PostgresCluster() = default;
  void Launch();

  std::filesystem::path dir_;
  std::filesystem::path bindir_;
  int port_ = 0;
  int watchdog_fd_ = -1;
  pid_t watchdog_pid_ = -1;
  std::atomic<int> next_database_{0};
};

// The first column of a query's rows, NULL as "NULL", read on a connection of its own.
std::vector<std::string> QueryColumn(const std::string& url, const std::string& sql);
// A query's single number (a count, a sum).
int64_t QueryCount(const std::string& url, const std::string& sql);

}  // namespace isc_mirror::testing
