#include <gtest/gtest.h>

#include "db/connection.hpp"

namespace isc_mirror::db {
namespace {

TEST(RedactConnectionString, HidesTheUriPassword) {
  EXPECT_EQ(RedactConnectionString("postgresql://mirror:s3cret@db.example:5432/isc"),
            "postgresql://mirror:[redacted]@db.example:5432/isc");
  EXPECT_EQ(RedactConnectionString("postgres://u:p%40ss@h/d"), "postgres://u:[redacted]@h/d");
}

TEST(RedactConnectionString, HidesQueryAndKeywordPasswords) {
  EXPECT_EQ(RedactConnectionString("postgresql://h/d?user=u&password=pw&sslmode=require"),
            "postgresql://h/d?user=u&password=[redacted]&sslmode=require");
  EXPECT_EQ(RedactConnectionString("host=h password=pw dbname=d"),
            "host=h password=[redacted] dbname=d");
  EXPECT_EQ(RedactConnectionString("host=h password='a b\\' c' dbname=d"),
            "host=h password=[redacted] dbname=d");
}

TEST(RedactConnectionString, LeavesPasswordlessStringsAlone) {
  EXPECT_EQ(RedactConnectionString("postgresql:///isc_mirror"), "postgresql:///isc_mirror");
  EXPECT_EQ(RedactConnectionString("postgresql://mirror@db/isc"), "postgresql://mirror@db/isc");
  EXPECT_EQ(RedactConnectionString("host=/run/postgresql dbname=isc"),
            "host=/run/postgresql dbname=isc");
  EXPECT_EQ(RedactConnectionString("dbname=mypassword=x"), "dbname=mypassword=x");
}

}  // namespace
}  // namespace isc_mirror::db
