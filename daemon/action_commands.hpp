// `actions list|approve|retry|cancel` and `plan`: the operator's view of the outbox.
#pragma once

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

int Actions(const CommandLine& line, const Config& config);
int Plan(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
