// One sync run of one resource of one tenant: scan, write what changed, retire what is gone.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "isc/isc_client.hpp"
#include "sync/resource_schema.hpp"
#include "sync/retire.hpp"
#include "sync/writer.hpp"

namespace isc_mirror::sync {

// How a run ended, as mirror.sync_runs.status holds it (busy runs are not recorded: another
// process has the resource).
enum class RunStatus { kRunning, kOk, kHeld, kFailed, kBusy };
std::string_view RunStatusName(RunStatus status);

struct RunOutcome {
  int64_t run_id = 0;
  std::string mode;  // full or incremental
  RunStatus status = RunStatus::kRunning;
  std::string error;  // why it failed, or what the guard held back
  int64_t pages = 0;
  int64_t seen = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t deleted = 0;
  int64_t expired = 0;
  int64_t rejected = 0;  // objects without a key, logged and skipped
  // Parents whose children ISC refused to list (a certification reviewed by a governance
  // group): skipped with a warning, their children kept as they were.
  int64_t parents_skipped = 0;
  int64_t http_requests = 0;
  int64_t http_retries = 0;
  int64_t rate_limited = 0;
  int64_t rate_wait_ms = 0;  // time spent waiting for the rate budget
};

// How far a scan is, after each page: objects of a collection (with its X-Total-Count when ISC
// sent one), or parents whose children were read.
struct RunProgress {
  int64_t pages = 0;
  int64_t done = 0;
  std::optional<int64_t> total;
  std::string_view unit;  // "objects" or "parents"
};

struct RunSettings {
  std::string tenant;
  std::vector<std::string> ignore_paths;  // the configured list for this resource
  size_t batch_size = 1000;
  bool force_full = false;  // sync --full: a full scan even where an incremental one is due
  std::optional<std::chrono::milliseconds> full_every;  // overrides the schema's
  DeleteGuard guard;  // allow_deletes: apply deletes the guard would hold (an operator's call)
  // Incremental scans start this far before the watermark: clocks differ, and objects
  // modified in the same millisecond as the watermark must not be missed.
  std::chrono::seconds overlap{300};
  std::chrono::seconds progress_every{10};              // the "sync progress" log line
  std::function<void(const RunProgress&)> on_progress;  // after every page, e.g. for a terminal
  EventSink* sink = nullptr;  // rules: sees each non-baseline event in its transaction
  // How long to wait for another process's run of the same resource to end; the daemon does
  // not wait (another instance has it: high availability).
  std::chrono::milliseconds lock_wait{15'000};
  // Set from another thread to stop the run after the batch being written (a clean shutdown).
  const std::atomic<bool>* cancel = nullptr;
  // Opens another session to the mirror. A baseline then writes on two sessions at once,
  // alternating batches, so that PostgreSQL uses a second core. Only a baseline: its events
  // fire no rules and are not announced, so that they commit out of event_id order is safe.
  std::function<std::unique_ptr<pqxx::connection>()> connect;
};

// Runs one cycle of a resource: a full scan, or an incremental one where the schema allows it
// and a full reconciliation is not due. Children are read once per open parent in the mirror.
// Every batch commits with its events; after a complete full scan, objects not seen are
// re-checked by key and then soft-deleted (or expired, for resources with a retention window)
// unless the guard holds the run. The run row in mirror.sync_runs holds the counts and error.
// The first complete scan is the baseline: its events are marked so.
RunOutcome RunSync(pqxx::connection& connection, isc::IscClient& client,
                   const ResourceSchema& schema, const RunSettings& settings);

// A targeted read: the few objects an Event Trigger delivery names, read now and written as a
// poll writes them (change events, history, rules and the outbox alike).
struct RefreshRequest {
  // The filter field: the schema's recheck_filter (the key), or another the endpoint's
  // definition lists (identityId for an identity's accounts).
  std::string field;
  std::vector<std::string> values;    // empty with a parent: every child of that parent
  std::optional<std::string> parent;  // child resources: whose children are read
  // Keys (field is the recheck_filter) that ISC no longer returns are deleted: the delivery
  // said the object was deleted, and a read by key confirms it.
  bool retire_absent = false;
};

struct RefreshOutcome {
  // kOk, kBusy (a run of the resource holds it: try again soon) or kFailed.
  RunStatus status = RunStatus::kOk;
  std::string error;
  bool before_baseline = false;  // nothing written: the resource has no baseline yet
  int64_t seen = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t deleted = 0;
  int64_t http_requests = 0;
};

// Reads and writes the objects `request` names. It takes the resource's run lock without
// waiting, writes no sync_runs row (a refresh is not a cycle: lag and health stay the polls')
// and moves no watermark. Before the resource's baseline it writes nothing.
RefreshOutcome RefreshObjects(pqxx::connection& connection, isc::IscClient& client,
                              const ResourceSchema& schema, const RunSettings& settings,
                              const RefreshRequest& request);

// The filter of an incremental scan: `<field> ge <timestamp>`, the timestamp unquoted. ISC
// reads a quoted date as a string and the filter fails; unquoted ISO 8601 works (SailPoint
// developer forum, "Modified field in filter for Get All Accounts API", topic 104059).
std::string IncrementalFilter(std::string_view field, std::string_view since);

// The PostgreSQL text[] path of a JSON pointer ("/a/b" -> "{a,b}").
std::string PointerToTextPath(std::string_view pointer);

}  // namespace isc_mirror::sync
