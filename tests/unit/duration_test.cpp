#include "base/duration.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::base {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, AcceptsEachUnit) {
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("10s"), seconds(10));
  EXPECT_EQ(ParseDuration("15m"), minutes(15));
  EXPECT_EQ(ParseDuration("24h"), hours(24));
  EXPECT_EQ(ParseDuration("7d"), hours(24 * 7));
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDuration, AcceptsCombinations) {
  EXPECT_EQ(ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(ParseDuration("1m30s500ms"), milliseconds(90'500));
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad :
       {"", "10", "s", "10 s", "-5s", "1.5h", "10sec", "5m ", "m5", "10x", "1h30"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_FALSE(ParseDuration("99999999999999999999s").has_value());
  EXPECT_FALSE(ParseDuration("9223372036854775807d").has_value());
}

TEST(FormatDuration, RoundTrips) {
  for (const char* text : {"1m30s", "1d", "500ms", "1d2h", "0s", "15m", "1h5s"}) {
    auto parsed = ParseDuration(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(FormatDuration(*parsed), text);
  }
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(hours(24)), "1d");
}

}  // namespace
}  // namespace isc_mirror::base
