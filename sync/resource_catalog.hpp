// The resources the mirror knows (DESIGN §2) and their default schedules.
#pragma once

#include <chrono>
#include <span>
#include <string_view>

namespace isc_mirror::sync {

struct ResourceInfo {
  std::string_view name;
  std::chrono::seconds default_interval;
  // Resources that can read only what changed since a watermark alternate incremental
  // cycles with a full reconciliation every default_full_every; zero for full-scan-only ones.
  std::chrono::seconds default_full_every{0};
  std::span<const std::string_view> default_ignore_paths{};
  bool incremental() const { return default_full_every.count() > 0; }
};

// In DESIGN §2 order. Issue 4 moves the per-resource facts into schema/ files.
std::span<const ResourceInfo> Resources();

const ResourceInfo* FindResource(std::string_view name);

}  // namespace isc_mirror::sync
