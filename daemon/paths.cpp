#include "daemon/paths.hpp"

#include <fmt/format.h>

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

base::Expected<std::vector<db::Migration>> FindMigrations(const std::optional<std::string>& flag,
                                                          const std::string& configured) {
  auto candidates = MigrationsCandidates(flag, configured, ExecutablePath());
  std::string tried;
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return db::LoadMigrations(dir);
    if (!tried.empty()) tried += ", ";
    tried += dir.string();
  }
  return base::Error{fmt::format(
      "no migrations folder found (looked in {}; hint: pass --migrations-dir DIR or set "
      "database.migrations_dir)",
      tried)};
}

}  // namespace isc_mirror::daemon
