// The subcommands (docs/command-line.md), each run from a parsed command line; returns the exit
// code.
#pragma once

#include "daemon/cli.hpp"

namespace isc_mirror::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
// EX_CONFIG from sysexits.h; the systemd unit lists it in RestartPreventExitStatus so that a
// bad config stops the service instead of restarting it in a loop.
inline constexpr int kExitConfig = 78;

int RunCommand(const CommandLine& line);

}  // namespace isc_mirror::daemon
