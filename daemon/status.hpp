// `isc-mirror status`: per tenant and resource the last run, next run and lag; the actions
// that wait for something. A table for people, JSON (--json) for scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

struct LastRun {
  int64_t id = 0;
  std::string mode;
  std::string started_at;  // YYYY-MM-DD HH24:MI:SS, the database's time zone
  std::string status;
  int64_t seen = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t deleted = 0;
  std::optional<std::string> error;
};

struct ResourceStatus {
  std::string tenant;
  std::string resource;
  bool enabled = true;
  double interval_s = 0;
  std::optional<LastRun> last;
  std::optional<double> since_ok_s;  // seconds since the last good run ended
};

struct WaitingAction {
  int64_t id = 0;
  std::string status;
  std::string rule;
  std::string action;
  std::string summary;
  std::string error;
};

struct StatusReport {
  int64_t schema_version = 0;
  std::string database;     // the connection string without its password
  std::string schema_note;  // " (up to date)", " (2 pending: ...)" or ""
  std::vector<ResourceStatus> resources;
  std::vector<std::pair<std::string, int64_t>> action_counts;  // by status
  std::vector<WaitingAction> waiting;
};

// The report's rows from the database, one per configured tenant and resource.
StatusReport ReadStatus(pqxx::transaction_base& tx, const Config& config);

// Pure renderers. The text quotes ISC (errors, summaries), so no control character is left in.
std::string RenderStatusText(const StatusReport& report);
std::string RenderStatusJson(const StatusReport& report);

int Status(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
