#include "daemon/sync_now.hpp"

namespace isc_mirror::daemon {

base::Expected<SyncNowTarget> ParseSyncNow(std::string_view payload, const Config& config) {
  constexpr size_t kLongest = 200;  // a tenant name (63) and a resource name, with room
  if (payload.empty() || payload.size() > kLongest) {
    return base::Error{"a sync-now payload must be 'resource' or 'tenant/resource'"};
  }
  SyncNowTarget target;
  auto slash = payload.find('/');
  target.resource =
      std::string(slash == std::string_view::npos ? payload : payload.substr(slash + 1));
  const ResourceConfig* resource = config.FindResource(target.resource);
  if (resource == nullptr || !resource->enabled) {
    return base::Error{"a sync-now request named no enabled resource"};
  }
  for (size_t i = 0; i < config.tenants.size(); ++i) {
    if (slash == std::string_view::npos || config.tenants[i].name == payload.substr(0, slash)) {
      target.tenants.push_back(i);
    }
  }
  if (target.tenants.empty()) return base::Error{"a sync-now request named no configured tenant"};
  return target;
}

std::optional<int64_t> RefusalLog::Refused(std::chrono::steady_clock::time_point now) {
  ++pending_;
  if (last_ && now - *last_ < every_) return std::nullopt;
  last_ = now;
  return std::exchange(pending_, 0);
}

}  // namespace isc_mirror::daemon
