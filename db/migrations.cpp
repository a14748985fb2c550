#include "db/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "base/log.hpp"
#include "base/sha256.hpp"
#include "db/sql.hpp"

namespace isc_mirror::db {
namespace {

// "isc-mirr" as a bigint: the session advisory lock that serialises migrations.
constexpr long long kMigrateLockKey = 0x6973632d6d697272LL;

// Holds the session advisory lock for its lifetime.
class AdvisoryLock {
 public:
  AdvisoryLock(pqxx::connection& connection, long long key) : connection_(connection), key_(key) {
    pqxx::nontransaction tx(connection_);
    if (tx.exec_params1(std::string(sql::kTryMigrateLock), key_)[0].as<bool>()) return;
    base::log::Info("waiting for another instance to finish migrating");
    tx.exec_params(std::string(sql::kMigrateLock), key_);
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction(connection_).exec_params(std::string(sql::kMigrateUnlock), key_);
    } catch (const std::exception&) {
      // The lock goes with the session; a broken connection has already released it.
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection& connection_;
  long long key_;
};

struct AppliedMigration {
  std::string name;
  std::string checksum;
};

std::map<int, AppliedMigration> ReadApplied(pqxx::connection& connection) {
  std::map<int, AppliedMigration> applied;
  pqxx::read_transaction tx(connection);
  for (const auto& row : tx.exec(std::string(sql::kAppliedMigrations))) {
    applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
  }
  return applied;
}

void VerifyApplied(const std::map<int, AppliedMigration>& applied,
                   const std::vector<Migration>& migrations) {
  std::map<int, const Migration*> by_version;
  for (const auto& m : migrations) by_version[m.version] = &m;
  for (const auto& [version, record] : applied) {
    auto it = by_version.find(version);
    if (it == by_version.end()) {
      throw MigrationError(
          fmt::format("the database has migration {:04d}_{} which this isc-mirror does not have "
                      "(hint: the database was migrated by a newer isc-mirror; run that version)",
                      version, record.name));
    }
    if (it->second->checksum != record.checksum) {
      throw MigrationError(fmt::format(
          "migration {} was changed after it was applied (checksum {} recorded, {} on disk); "
          "applied migrations must never change (hint: restore the file and add a new migration)",
          it->second->file_name, record.checksum.substr(0, 12),
          it->second->checksum.substr(0, 12)));
    }
  }
  if (applied.empty()) return;
  int highest = applied.rbegin()->first;
  for (const auto& m : migrations) {
    if (m.version < highest && !applied.contains(m.version)) {
      throw MigrationError(fmt::format(
          "migration {} is numbered below the applied version {:04d} but was never applied "
          "(hint: renumber it above {:04d})",
          m.file_name, highest, highest));
    }
  }
}

}  // namespace

std::optional<MigrationFileName> ParseMigrationFileName(std::string_view file_name) {
  constexpr std::string_view kSuffix = ".sql";
  if (file_name.size() < 4 + 1 + 1 + kSuffix.size() || !file_name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  int version = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (file_name[i] < '0' || file_name[i] > '9') return std::nullopt;
    version = version * 10 + (file_name[i] - '0');
  }
  if (file_name[4] != '_' || version == 0) return std::nullopt;
  std::string_view name = file_name.substr(5, file_name.size() - 5 - kSuffix.size());
  if (name.empty()) return std::nullopt;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return std::nullopt;
  }
  return MigrationFileName{version, std::string(name)};
}

base::Expected<std::vector<Migration>> LoadMigrations(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return base::Error{
        fmt::format("cannot read migrations folder {}: {}", dir.string(), ec.message())};
  }
  std::vector<Migration> migrations;
  for (const auto& entry : it) {
    std::string file_name = entry.path().filename().string();
    if (!file_name.ends_with(".sql")) continue;
    auto parsed = ParseMigrationFileName(file_name);
    if (!parsed) {
      return base::Error{fmt::format(
          "migration file {} in {} is not named NNNN_name.sql (four digits, an underscore, "
          "lowercase letters, digits or underscores)",
          file_name, dir.string())};
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in) {
      return base::Error{fmt::format("cannot read migration file {}", entry.path().string())};
    }
    Migration m;
    m.version = parsed->version;
    m.name = parsed->name;
    m.file_name = file_name;
    m.sql = content.str();
    m.checksum = base::Sha256Hex(m.sql);
    migrations.push_back(std::move(m));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      return base::Error{fmt::format("migrations {} and {} share version {:04d}",
                                     migrations[i - 1].file_name, migrations[i].file_name,
                                     migrations[i].version)};
    }
  }
  if (migrations.empty()) {
    return base::Error{fmt::format("no migration files (NNNN_name.sql) in {}", dir.string())};
  }
  return migrations;
}

MigrateResult Migrate(pqxx::connection& connection, const std::vector<Migration>& migrations) {
  AdvisoryLock lock(connection, kMigrateLockKey);
  {
    pqxx::work tx(connection);
    tx.exec(std::string(sql::kBootstrapMigrations));
    tx.commit();
  }
  auto applied = ReadApplied(connection);
  VerifyApplied(applied, migrations);

  MigrateResult result;
  result.already_applied = static_cast<int>(applied.size());
  for (const auto& m : migrations) {
    if (applied.contains(m.version)) continue;
    auto started = std::chrono::steady_clock::now();
    pqxx::work tx(connection);
    try {
      tx.exec(m.sql);
    } catch (const pqxx::sql_error& e) {
      throw MigrationError(
          fmt::format("migration {} failed and was rolled back: {}", m.file_name, e.what()));
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    tx.exec_params(std::string(sql::kRecordMigration), m.version, m.name, m.checksum,
                   static_cast<int>(ms));
    tx.commit();
    ++result.applied;
    base::log::Info("applied migration", {{"version", m.version}, {"name", m.name}, {"ms", ms}});
  }
  result.schema_version = migrations.empty() ? 0 : migrations.back().version;
  if (!applied.empty())
    result.schema_version = std::max(result.schema_version, applied.rbegin()->first);
  return result;
}

std::optional<int> AppliedSchemaVersion(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  auto exists = tx.exec1(std::string(sql::kMigrationsTableExists))[0].as<bool>();
  if (!exists) return std::nullopt;
  auto row = tx.exec1(std::string(sql::kSchemaVersion));
  return row[0].as<int>();
}

}  // namespace isc_mirror::db
