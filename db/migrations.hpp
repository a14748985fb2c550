// Schema migrations: numbered SQL files applied in order, once, under an advisory lock.
#pragma once

#include <filesystem>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace isc_mirror::db {

struct Migration {
  int version = 0;
  std::string name;       // the part after NNNN_, without .sql
  std::string file_name;  // NNNN_name.sql
  std::string sql;
  std::string checksum;  // sha-256 of the file's bytes
};

struct MigrationFileName {
  int version = 0;
  std::string name;
};

// Parses `NNNN_name.sql` (four digits, then lowercase letters, digits and underscores).
std::optional<MigrationFileName> ParseMigrationFileName(std::string_view file_name);

// Reads every *.sql file of the folder, sorted by version. A .sql file with a malformed
// name or a repeated version is an error rather than silently skipped.
base::Expected<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir);

// A migration could not be applied, or the database disagrees with the files.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrateResult {
  int applied = 0;  // applied by this call
  int already_applied = 0;
  int schema_version = 0;  // highest version in the database afterwards
};

// Applies the pending migrations, each in its own transaction, while holding a session
// advisory lock so that concurrent instances take turns. Throws MigrationError if an applied
// file has changed, is missing, or a new file is numbered below an applied one.
MigrateResult Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations);

// The highest applied version, or nullopt when the database was never migrated.
std::optional<int> AppliedSchemaVersion(pqxx::connection& connection);

}  // namespace isc_mirror::db
