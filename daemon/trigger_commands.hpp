// triggers subscribe|list|unsubscribe: the tenant's Event Trigger subscriptions in ISC.
#pragma once

#include "daemon/cli.hpp"
#include "daemon/config.hpp"

namespace isc_mirror::daemon {

int TriggersCommand(const CommandLine& line, const Config& config);

}  // namespace isc_mirror::daemon
