// `isc-mirror run`: the daemon loop, and `sync-now`, which asks running daemons for a sync.
#pragma once

#include <string_view>

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

// The channel `sync-now` notifies; the payload is RESOURCE or TENANT/RESOURCE.
inline constexpr std::string_view kSyncNowChannel = "isc_mirror_sync_now";

int Run(const CommandLine& line, Config config);
int SyncNow(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
