// isc-mirror-man DIR: writes isc-mirror.1 and isc-mirror.yaml.5 into DIR at build time.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "base/version.hpp"
#include "daemon/man_pages.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: isc-mirror-man DIR\n");
    return 2;
  }
  std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  const std::pair<const char*, std::string> pages[] = {
      {"isc-mirror.1", isc_mirror::daemon::RenderCommandManPage(isc_mirror::base::kVersion)},
      {"isc-mirror.yaml.5", isc_mirror::daemon::RenderConfigManPage(isc_mirror::base::kVersion)},
  };
  for (const auto& [name, text] : pages) {
    std::ofstream out(dir / name);
    out << text;
    if (!out) {
      fmt::print(stderr, "isc-mirror-man: cannot write {}\n", (dir / name).string());
      return 1;
    }
  }
  return 0;
}
