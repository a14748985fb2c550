// One sync run of one resource of one tenant: scan, write what changed, record the run.
#pragma once

#include <pqxx/pqxx>
#include <string>

#include "sync/isc_client.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::sync {

struct RunOutcome {
  int64_t run_id = 0;
  std::string status;  // ok or failed
  std::string error;
  int64_t pages = 0;
  int64_t seen = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;  // objects without a key, logged and skipped
};

struct RunSettings {
  std::string tenant;
  std::vector<std::string> ignore_paths;  // the configured list for this resource
  size_t batch_size = 1000;
};

// A full scan of a top-level resource. Every batch commits with its events; the run row in
// mirror.sync_runs holds the counts and, on failure, the error. The first complete scan is the
// baseline: its events are marked so, and mirror.stream_state records it.
RunOutcome RunFullScan(pqxx::connection& connection, IscClient& client,
                       const ResourceSchema& schema, const RunSettings& settings);

}  // namespace isc_mirror::sync
