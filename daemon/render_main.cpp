// isc-mirror-render DIR: writes the manual pages (DIR/man) and the bash completion
// (DIR/completion) at build time, from the tables `help` and docs/ come from.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "base/version.hpp"
#include "daemon/completion.hpp"
#include "daemon/man_pages.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: isc-mirror-render DIR\n");
    return 2;
  }
  namespace daemon = isc_mirror::daemon;
  std::filesystem::path dir(argv[1]);
  const std::pair<const char*, std::string> files[] = {
      {"man/isc-mirror.1", daemon::RenderCommandManPage(isc_mirror::base::kVersion)},
      {"man/isc-mirror.yaml.5", daemon::RenderConfigManPage(isc_mirror::base::kVersion)},
      {"completion/isc-mirror", daemon::RenderBashCompletion(isc_mirror::base::kVersion)},
  };
  for (const auto& [name, text] : files) {
    std::filesystem::create_directories((dir / name).parent_path());
    std::ofstream out(dir / name);
    out << text;
    if (!out) {
      fmt::print(stderr, "isc-mirror-render: cannot write {}\n", (dir / name).string());
      return 1;
    }
  }
  return 0;
}
