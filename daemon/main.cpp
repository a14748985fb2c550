// isc-mirror: keeps a PostgreSQL mirror of SailPoint ISC tenants. This file only wires up.
#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "daemon/cli.hpp"
#include "daemon/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto line = isc_mirror::daemon::ParseCommandLine(args);
  if (!line) {
    fmt::print(stderr, "isc-mirror: {}\n\n{}", line.error(), isc_mirror::daemon::UsageText());
    return isc_mirror::daemon::kExitUsage;
  }
  return isc_mirror::daemon::RunCommand(*line);
}
