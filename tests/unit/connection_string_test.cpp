#include <gtest/gtest.h>

#include "db/connection.hpp"

namespace isc_mirror::db {
namespace {

// Every spelling libpq accepts: what libpq takes as the password is what is hidden.
TEST(RedactConnectionString, HidesThePasswordHoweverItIsSpelled) {
  for (const char* conninfo : {
           "postgresql://mirror:s3cret@db.example:5432/isc",
           "postgres://mirror:s3%40cret@db.example:5432/isc",
           "postgresql://db.example:5432/isc?user=mirror&password=s3cret&sslmode=require",
           "host=db.example port=5432 password=s3cret dbname=isc",
           "host=db.example port=5432 password = s3cret dbname=isc",
           "host=db.example port=5432 password= s3cret dbname=isc",
           "host=db.example port=5432\npassword=s3cret dbname=isc",
           "host=db.example port=5432 password='s3 cret\\'' dbname=isc",
           "postgresql://mirror:s3c?ret@db.example:5432/isc",
           "postgresql://mirror:s3c#ret@db.example:5432/isc",
           "postgresql://mirror:s3c%2Fret@db.example:5432/isc",
       }) {
    std::string shown = RedactConnectionString(conninfo);
    EXPECT_EQ(shown.find("s3"), std::string::npos) << conninfo << " -> " << shown;
    EXPECT_EQ(shown.find("cret"), std::string::npos) << conninfo << " -> " << shown;
    EXPECT_NE(shown.find("password=[redacted]"), std::string::npos) << conninfo << " -> " << shown;
    EXPECT_NE(shown.find("host=db.example"), std::string::npos) << conninfo << " -> " << shown;
  }
}

// A raw / in a URI's password makes libpq read half of it as the port and the rest as the
// database: refused, with the hint, quoting nothing.
TEST(RedactConnectionString, RefusesAUriWhosePasswordBreaksItsShape) {
  auto parsed = ParseConnectionString("postgresql://mirror:s3c/ret@db.example:5432/isc");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().find("%2F"), std::string::npos) << parsed.error();
  EXPECT_EQ(parsed.error().find("s3c"), std::string::npos) << parsed.error();
  EXPECT_EQ(RedactConnectionString("postgresql://mirror:s3c/ret@db.example:5432/isc").find("ret"),
            std::string::npos);
  EXPECT_EQ(RedactConnectionString("host=h pass word=s3cret"),
            "[a connection string libpq cannot read]");
}

TEST(ParseConnectionString, AddsKeepalivesAndATimeoutUnlessGiven) {
  auto parsed = ParseConnectionString("host=h dbname=d keepalives_idle=5");
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_NE(parsed->connect.find(" keepalives=1"), std::string::npos) << parsed->connect;
  EXPECT_NE(parsed->connect.find("keepalives_idle='5'"), std::string::npos) << parsed->connect;
  EXPECT_EQ(parsed->connect.find("keepalives_idle=60"), std::string::npos) << parsed->connect;
  EXPECT_NE(parsed->connect.find("connect_timeout=10"), std::string::npos) << parsed->connect;
  EXPECT_EQ(parsed->display, "dbname=d host=h keepalives_idle=5");
}

TEST(RedactConnectionString, ShowsWhatHasNoPassword) {
  EXPECT_EQ(RedactConnectionString("postgresql:///isc_mirror"), "dbname=isc_mirror");
  EXPECT_EQ(RedactConnectionString("postgresql://mirror@db/isc"), "user=mirror dbname=isc host=db");
  EXPECT_EQ(RedactConnectionString("host=/run/postgresql dbname=isc"),
            "dbname=isc host=/run/postgresql");
  EXPECT_EQ(RedactConnectionString(""), "(from PG* environment)");
}

}  // namespace
}  // namespace isc_mirror::db
