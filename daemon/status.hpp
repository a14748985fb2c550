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

// One trigger of one tenant, from mirror.trigger_deliveries and mirror.trigger_refusals.
struct TriggerStatus {
  std::string tenant;
  std::string trigger;
  int64_t recorded = 0;  // in the last 24 hours
  int64_t duplicates = 0;
  int64_t waiting = 0;
  int64_t failed = 0;
  std::optional<double> last_s;  // seconds since the last delivery
  int64_t refused = 0;
  std::optional<double> refused_s;
};

// Polls that keep finding changes a delivery should have brought: the subscription is probably
// broken. Nullopt when the tenant's deliveries look alive, too few changes to tell, or a
// filter on an identity trigger holds changes back on purpose.
std::optional<std::string> TriggerWarning(pqxx::transaction_base& tx, const TenantConfig& config);

struct StatusReport {
  int64_t schema_version = 0;
  std::string database;     // the connection string without its password
  std::string schema_note;  // " (up to date)", " (2 pending: ...)" or ""
  std::vector<ResourceStatus> resources;
  std::vector<std::pair<std::string, int64_t>> action_counts;  // by status
  std::vector<WaitingAction> waiting;
  std::vector<TriggerStatus> triggers;
  std::vector<std::string> trigger_warnings;
};

// The report's rows from the database, one per configured tenant and resource.
StatusReport ReadStatus(pqxx::transaction_base& tx, const Config& config);

// Pure renderers. The text quotes ISC (errors, summaries), so no control character is left in.
std::string RenderStatusText(const StatusReport& report);
std::string RenderStatusJson(const StatusReport& report);

// One frame of status --watch: on a terminal drawn over the last (cursor home, each line
// cleared to its end, the rest of the screen cleared); elsewhere the text and a blank line.
std::string WatchFrame(std::string_view text, bool terminal);

int Status(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
