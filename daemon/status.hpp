// `isc-mirror status`: per tenant and resource the last run, next run and lag; the actions
// that wait for something. A table for people, JSON (--json) for scripts.
#pragma once

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

int Status(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
