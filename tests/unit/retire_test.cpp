#include "sync/retire.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::sync {
namespace {

using Ids = std::vector<std::string>;

std::vector<MissingObject> Missing(int n, std::optional<double> age = std::nullopt) {
  std::vector<MissingObject> out;
  for (int i = 0; i < n; ++i) out.push_back({.id = "m" + std::to_string(i), .age = age});
  return out;
}

TEST(PlanRetire, DeletesWhatVanishedWithinTheGuard) {
  auto plan = PlanRetire(Missing(3), {.live = 1000, .now = 0}, {});
  EXPECT_EQ(plan.remove, (Ids{"m0", "m1", "m2"}));
  EXPECT_TRUE(plan.expire.empty());
  EXPECT_EQ(plan.guard, GuardVerdict::kWithin);
}

TEST(PlanRetire, HoldsDeletesBeyondTheShareUnlessAllowed) {
  // 150 of 1000 is more than 10 %; the floor of 10 does not cover it.
  EXPECT_EQ(PlanRetire(Missing(150), {.live = 1000}, {}).guard, GuardVerdict::kHeld);
  EXPECT_EQ(PlanRetire(Missing(100), {.live = 1000}, {}).guard, GuardVerdict::kWithin);
  EXPECT_EQ(PlanRetire(Missing(150), {.live = 1000}, {.allow_deletes = true}).guard,
            GuardVerdict::kAllowed);
  // The floor: a small table may lose a few objects whatever the share.
  EXPECT_EQ(PlanRetire(Missing(10), {.live = 12}, {}).guard, GuardVerdict::kWithin);
  EXPECT_EQ(PlanRetire(Missing(11), {.live = 12}, {}).guard, GuardVerdict::kHeld);
}

TEST(PlanRetire, OrphansFollowTheirParentAndAreNotGuarded) {
  auto missing = Missing(50);
  for (auto& m : missing) m.parent_gone = true;
  missing.push_back({.id = "lone"});
  auto plan = PlanRetire(std::move(missing), {.live = 100}, {});
  EXPECT_EQ(plan.orphans.size(), 50u);
  EXPECT_EQ(plan.remove, (Ids{"lone"}));
  EXPECT_EQ(plan.guard, GuardVerdict::kWithin);
}

TEST(PlanRetire, ExpiresWhatAgedOutOfTheWindow) {
  const double day = 86400;
  RetireFacts facts{.live = 100,
                    .now = 100 * day,
                    .oldest_seen = 95 * day,
                    .retention = std::chrono::hours(24 * 30)};
  std::vector<MissingObject> missing = {
      {.id = "older-than-the-oldest-returned", .age = 94 * day},
      {.id = "as-old-as-the-oldest", .age = 95 * day},
      {.id = "newer-so-deleted", .age = 99 * day},
      {.id = "no-age-so-deleted"},
  };
  auto plan = PlanRetire(missing, facts, {});
  EXPECT_EQ(plan.expire, (Ids{"older-than-the-oldest-returned", "as-old-as-the-oldest"}));
  EXPECT_EQ(plan.remove, (Ids{"newer-so-deleted", "no-age-so-deleted"}));
  // With nothing returned, the window alone decides.
  facts.oldest_seen.reset();
  plan =
      PlanRetire({{.id = "beyond", .age = 60 * day}, {.id = "inside", .age = 80 * day}}, facts, {});
  EXPECT_EQ(plan.expire, (Ids{"beyond"}));
  EXPECT_EQ(plan.remove, (Ids{"inside"}));
  // Without a retention window nothing expires.
  plan = PlanRetire({{.id = "old", .age = 1}}, {.live = 100, .now = 100 * day}, {});
  EXPECT_EQ(plan.remove, (Ids{"old"}));
}

TEST(HeldMessage, NamesTheShareAndTheWayOut) {
  EXPECT_EQ(HeldMessage(150, 1000, "accounts", 0.10),
            "held: the scan would delete 150 of 1000 accounts (15.0 %, more than "
            "guards.max_delete_share 10 %); nothing was deleted (hint: check the tenant, then run "
            "isc-mirror sync --full --allow-deletes accounts)");
}

}  // namespace
}  // namespace isc_mirror::sync
