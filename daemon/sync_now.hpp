// Sync-now requests (NOTIFY isc_mirror_sync_now): which are accepted, and how refusals are told.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

// Where a request goes: the tenants (indexes into config.tenants) and the resource.
struct SyncNowTarget {
  std::vector<size_t> tenants;
  std::string resource;
};

// Any role that can connect may NOTIFY, the read-only reporting role included: only
// `resource` (every tenant) or `tenant/resource` naming a configured tenant and an enabled
// resource is accepted. The error does not repeat the payload (it is anyone's text).
base::Expected<SyncNowTarget> ParseSyncNow(std::string_view payload, const Config& config);

// Tells refusals at most once per `every`, with how many were refused since the last word.
class RefusalLog {
 public:
  explicit RefusalLog(std::chrono::milliseconds every) : every_(every) {}
  // The number refused since the last report when one is due now, else nullopt.
  std::optional<int64_t> Refused(std::chrono::steady_clock::time_point now);

 private:
  std::chrono::milliseconds every_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  int64_t pending_ = 0;
};

}  // namespace isc_mirror::daemon
