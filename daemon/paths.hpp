// Where the binary looks for the files it ships with (migrations), in order.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "db/migrations.hpp"

namespace isc_mirror::daemon {

// --migrations-dir, then database.migrations_dir, then beside the binary (build tree), then
// ../share/isc-mirror/migrations relative to the binary (installed under a prefix).
std::vector<std::filesystem::path> MigrationsCandidates(const std::optional<std::string>& flag,
                                                        const std::string& configured,
                                                        const std::filesystem::path& executable);

// The shipped migrations from the first candidate folder that exists, or an error naming every
// folder tried, with a hint.
base::Expected<std::vector<db::Migration>> FindMigrations(const std::optional<std::string>& flag,
                                                          const std::string& configured);

// The running binary, from /proc/self/exe.
std::filesystem::path ExecutablePath();

}  // namespace isc_mirror::daemon
