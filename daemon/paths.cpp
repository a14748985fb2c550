#include "daemon/paths.hpp"

namespace isc_mirror::daemon {

std::vector<std::filesystem::path> MigrationsCandidates(const std::optional<std::string>& flag,
                                                        const std::string& configured,
                                                        const std::filesystem::path& executable) {
  // An explicit choice is the only candidate: falling back elsewhere would hide a typo.
  if (flag) return {*flag};
  if (!configured.empty()) return {configured};
  auto bin_dir = executable.parent_path();
  return {bin_dir / "migrations",
          (bin_dir / ".." / "share" / "isc-mirror" / "migrations").lexically_normal()};
}

std::filesystem::path ExecutablePath() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : path;
}

}  // namespace isc_mirror::daemon
