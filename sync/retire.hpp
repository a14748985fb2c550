// What becomes of the objects a complete scan did not return: delete, expire, or keep. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isc_mirror::sync {

// An object the mirror holds live that the scan did not return.
struct MissingObject {
  std::string id;
  std::optional<double> age;  // its retention column, epoch seconds; none without one
  bool parent_gone = false;   // its parent is deleted in the mirror: nothing to ask ISC
};

struct RetireFacts {
  int64_t live = 0;                   // live objects in the mirror before the scan
  double now = 0;                     // the database's clock, epoch seconds
  std::optional<double> oldest_seen;  // the oldest retention value the scan returned
  std::optional<std::chrono::milliseconds> retention;  // ISC's window, if it has one
};

// The guard on deletes; its defaults are those of the config's guards section.
struct DeleteGuard {
  double max_delete_share = 0.10;  // a scan deleting more of a table is held
  int64_t delete_floor = 10;       // this many deletes are never held, whatever the share
  bool allow_deletes = false;      // apply deletes beyond the guard (sync --allow-deletes)
};

enum class GuardVerdict {
  kWithin,   // the deletes are within the guard
  kHeld,     // beyond it: nothing is deleted and the run is held
  kAllowed,  // beyond it, applied because the operator allowed it
};

struct RetirePlan {
  std::vector<std::string> remove;   // vanished: re-checked by key, then deleted
  std::vector<std::string> orphans;  // their parent is gone: deleted without asking
  std::vector<std::string> expire;   // aged out of ISC's window
  GuardVerdict guard = GuardVerdict::kWithin;
};

// ISC returns a window of the newest objects (by the retention column); what vanished at its
// old end aged out: anything older than the oldest object still returned, or older than the
// window itself, is an expiry. The rest is deleted, guarded by share: orphans follow a parent
// whose own delete passed the guard, so only `remove` counts.
RetirePlan PlanRetire(std::vector<MissingObject> missing, const RetireFacts& facts,
                      const DeleteGuard& guard);

// Why a run was held, with the hint to apply the deletes.
std::string HeldMessage(size_t deletes, int64_t live, const std::string& resource,
                        double max_delete_share);

}  // namespace isc_mirror::sync
