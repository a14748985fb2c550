#include "daemon/scheduler.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::daemon {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(Schedule, RunsOneResourceAtATimeAndEachAgainAfterItsInterval) {
  SteadyTime t0{};
  Schedule s({{"identities", minutes(5)}, {"accounts", minutes(15)}}, t0, 1);
  auto now = t0 + seconds(5);
  auto first = s.TakeDue(now);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(s.TakeDue(now).has_value()) << "one at a time";
  EXPECT_FALSE(s.NextDue().has_value());
  s.Finished(*first, true, now);
  auto second = s.TakeDue(now);
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(*second, *first);
  s.Finished(*second, true, now);
  EXPECT_FALSE(s.TakeDue(now).has_value()) << "both ran; neither is due";
  auto next = s.NextDue();
  ASSERT_TRUE(next.has_value());
  EXPECT_GE(*next, now + seconds(270)) << "5 min minus 10 % jitter at most";
  EXPECT_LE(*next, now + seconds(330));
}

TEST(Schedule, BacksOffAfterFailuresAndRunsNowOnRequest) {
  SteadyTime t0{};
  Schedule s({{"accounts", minutes(15)}}, t0, 2);
  auto now = t0 + seconds(5);
  ASSERT_TRUE(s.TakeDue(now));
  s.Finished("accounts", false, now);
  EXPECT_EQ(*s.NextDue(), now + seconds(30));
  ASSERT_TRUE(s.TakeDue(now + seconds(30)));
  s.Finished("accounts", false, now + seconds(30));
  EXPECT_EQ(*s.NextDue(), now + seconds(90)) << "doubled";
  for (int i = 0; i < 10; ++i) {
    auto at = *s.NextDue();
    ASSERT_TRUE(s.TakeDue(at));
    s.Finished("accounts", false, at);
    EXPECT_LE(*s.NextDue() - at, minutes(15)) << "never longer than the interval";
  }
  EXPECT_TRUE(s.RequestNow("accounts", now));
  EXPECT_EQ(*s.NextDue(), now);
  EXPECT_FALSE(s.RequestNow("nope", now));
}

}  // namespace
}  // namespace isc_mirror::daemon
