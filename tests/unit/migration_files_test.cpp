#include <gtest/gtest.h>

#include "base/sha256.hpp"
#include "db/migrations.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::db {
namespace {

using isc_mirror::testing::TempDir;
using isc_mirror::testing::WriteFile;

TEST(ParseMigrationFileName, AcceptsTheConvention) {
  auto parsed = ParseMigrationFileName("0001_init.sql");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->version, 1);
  EXPECT_EQ(parsed->name, "init");
  EXPECT_EQ(ParseMigrationFileName("0120_report_views_2.sql")->version, 120);
}

TEST(ParseMigrationFileName, RejectsOtherNames) {
  for (const char* bad :
       {"1_init.sql", "0001-init.sql", "0001_.sql", "0001_Init.sql", "0001_init.SQL", "0001_init",
        "0000_zero.sql", "abcd_x.sql", "0001_in it.sql"}) {
    EXPECT_FALSE(ParseMigrationFileName(bad).has_value()) << bad;
  }
}

TEST(LoadMigrations, SortsByVersionAndChecksumsTheBytes) {
  TempDir dir;
  WriteFile(dir.path() / "0002_second.sql", "SELECT 2;");
  WriteFile(dir.path() / "0001_first.sql", "SELECT 1;");
  WriteFile(dir.path() / "README.md", "not a migration");
  auto loaded = LoadMigrations(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].file_name, "0001_first.sql");
  EXPECT_EQ((*loaded)[0].sql, "SELECT 1;");
  EXPECT_EQ((*loaded)[0].checksum, base::Sha256Hex("SELECT 1;"));
  EXPECT_EQ((*loaded)[1].version, 2);
}

TEST(LoadMigrations, RefusesMisnamedAndDuplicateFiles) {
  TempDir misnamed;
  WriteFile(misnamed.path() / "0001_init.sql", "SELECT 1;");
  WriteFile(misnamed.path() / "2_oops.sql", "SELECT 2;");
  auto a = LoadMigrations(misnamed.path());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("2_oops.sql"), std::string::npos) << a.error();

  TempDir duplicate;
  WriteFile(duplicate.path() / "0001_a.sql", "SELECT 1;");
  WriteFile(duplicate.path() / "0001_b.sql", "SELECT 1;");
  auto b = LoadMigrations(duplicate.path());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().find("share version 0001"), std::string::npos) << b.error();

  TempDir empty;
  EXPECT_FALSE(LoadMigrations(empty.path()).ok());
  EXPECT_FALSE(LoadMigrations(empty.path() / "missing").ok());
}

TEST(LoadMigrations, ReadsTheShippedMigrations) {
  auto loaded = LoadMigrations(ISC_MIRROR_SOURCE_DIR "/migrations");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->front().file_name, "0001_init.sql");
  for (size_t i = 0; i < loaded->size(); ++i) {
    EXPECT_EQ((*loaded)[i].version, static_cast<int>(i + 1)) << "versions must have no gaps";
  }
}

TEST(Sha256Hex, MatchesTheKnownVector) {
  EXPECT_EQ(base::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace isc_mirror::db
