// check-config --online: what the configured credentials may read and do in each tenant,
// asked of ISC itself, so a missing scope shows on day one rather than at 3 a.m.
#pragma once

#include <string>
#include <vector>

#include "daemon/config.hpp"

namespace isc_mirror::daemon {

struct Probe {
  std::string tenant;
  std::string check;    // token, resource NAME or action NAME
  std::string request;  // what was asked of ISC
  bool ok = false;
  std::string detail;  // HTTP status, or why it is refused
};

// The probes as a table, one line each; pure, for tests.
std::string RenderProbes(const std::vector<Probe>& probes);

// Gets a token for every tenant, reads one page of every enabled resource and makes each
// configured action's read-only check and scope check. Prints the table; returns the exit code
// (non-zero when anything enabled is refused or fails).
int CheckOnline(const Config& config);

}  // namespace isc_mirror::daemon
