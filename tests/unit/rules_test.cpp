#include "automation/rules.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::automation {
namespace {

sync::Event IdentityUpdate(std::string before, std::string after, std::vector<std::string> paths) {
  return {7,
          "identities",
          "a1",
          sync::EventOp::kUpdate,
          std::move(paths),
          std::move(before),
          std::move(after)};
}

TEST(LifecycleEvents, DerivesJoinerLeaverRehireAndMover) {
  Lifecycle lifecycle;
  sync::Event joiner{
      1, "identities", "a1", sync::EventOp::kInsert, {}, std::nullopt, R"({"id":"a1"})"};
  EXPECT_EQ(LifecycleEvents(joiner, lifecycle), std::vector<std::string>{"joiner"});

  auto leaver = IdentityUpdate(R"({"lifecycleState":{"stateName":"active"}})",
                               R"({"lifecycleState":{"stateName":"terminated"}})",
                               {"/lifecycleState/stateName"});
  EXPECT_EQ(LifecycleEvents(leaver, lifecycle), std::vector<std::string>{"leaver"});
  auto rehire =
      IdentityUpdate(R"({"lifecycleState":{"stateName":"inactive"}})",
                     R"({"lifecycleState":{"stateName":"active"}})", {"/lifecycleState/stateName"});
  EXPECT_EQ(LifecycleEvents(rehire, lifecycle), std::vector<std::string>{"rehire"});
  // From one leaver state to another is neither.
  auto still = IdentityUpdate(R"({"lifecycleState":{"stateName":"inactive"}})",
                              R"({"lifecycleState":{"stateName":"terminated"}})",
                              {"/lifecycleState/stateName"});
  EXPECT_TRUE(LifecycleEvents(still, lifecycle).empty());

  auto mover = IdentityUpdate(R"({"managerRef":{"id":"m1"},"attributes":{"department":"x"}})",
                              R"({"managerRef":{"id":"m2"},"attributes":{"department":"x"}})",
                              {"/managerRef/id"});
  EXPECT_EQ(LifecycleEvents(mover, lifecycle), std::vector<std::string>{"mover"});
  auto quiet = IdentityUpdate(R"({"attributes":{"phone":"1"}})", R"({"attributes":{"phone":"2"}})",
                              {"/attributes/phone"});
  EXPECT_TRUE(LifecycleEvents(quiet, lifecycle).empty());

  sync::Event account{
      2, "accounts", "c1", sync::EventOp::kInsert, {}, std::nullopt, R"({"id":"c1"})"};
  EXPECT_TRUE(LifecycleEvents(account, lifecycle).empty()) << "only identities have a lifecycle";
}

TEST(Matches, ChangeRulesMatchResourceOpPathAndValues) {
  Rule rule;
  rule.on = "change";
  rule.match = ChangeMatch{
      "task_statuses", sync::EventOp::kUpdate, "/completionStatus", std::nullopt, "ERROR",
      std::nullopt};
  sync::Event failed{3,
                     "task_statuses",
                     "t1",
                     sync::EventOp::kUpdate,
                     {"/completionStatus", "/completed"},
                     R"({"completionStatus":null})",
                     R"({"completionStatus":"ERROR"})"};
  EXPECT_TRUE(Matches(rule, failed, {}));
  sync::Event ok = failed;
  ok.after = R"({"completionStatus":"SUCCESS"})";
  EXPECT_FALSE(Matches(rule, ok, {}));
  sync::Event other = failed;
  other.changed_paths = {"/percentComplete"};
  EXPECT_FALSE(Matches(rule, other, {})) << "the path did not change";
  sync::Event wrong_resource = failed;
  wrong_resource.resource = "das_tasks";
  EXPECT_FALSE(Matches(rule, wrong_resource, {}));

  rule.match->from = "null";
  EXPECT_TRUE(Matches(rule, failed, {})) << "null matches a null or absent value";
  rule.match->from = "SUCCESS";
  EXPECT_FALSE(Matches(rule, failed, {}));

  Rule leaver;
  leaver.on = "leaver";
  EXPECT_TRUE(Matches(leaver, failed, {"leaver"}));
  EXPECT_FALSE(Matches(leaver, failed, {"mover"}));

  Rule state = rule;
  state.match->from.reset();
  state.match->older_than = std::chrono::hours(1);
  EXPECT_FALSE(Matches(state, failed, {})) << "state rules never fire on an event";
  EXPECT_TRUE(InState(*state.match, R"({"completionStatus":"ERROR"})"));
  EXPECT_FALSE(InState(*state.match, R"({"completionStatus":null})"));
}

TEST(ExpandTemplate, FillsEventFieldsAndNamesWhatIsMissing) {
  sync::Event e{42,
                "identities",
                "a1",
                sync::EventOp::kUpdate,
                {},
                R"({"managerRef":{"id":"m0"}})",
                R"({"managerRef":{"id":"m1"},"n":3})"};
  EXPECT_EQ(*ExpandTemplate("to {{after.managerRef.id}} from {{ before.managerRef.id }}", e),
            "to m1 from m0");
  EXPECT_EQ(*ExpandTemplate("{{event.object_id}}/{{event.event_id}}/{{after.n}}", e), "a1/42/3");
  auto missing = ExpandTemplate("{{after.department}}", e);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "the event has no after.department");
  EXPECT_TRUE(CheckTemplate("{{aftr.x}}").error().starts_with("unknown field '{{aftr.x}}' (use"));
  EXPECT_EQ(CheckTemplate("{{after.x").error(), "an unclosed {{ in '{{after.x'");
  EXPECT_TRUE(CheckTemplate("plain text").ok());
}

TEST(EventOp, NamesAreTheStoredWordsBothWays) {
  for (auto op : {sync::EventOp::kInsert, sync::EventOp::kUpdate, sync::EventOp::kDelete,
                  sync::EventOp::kExpire}) {
    EXPECT_EQ(sync::EventOpOf(sync::EventOpName(op)), op) << sync::EventOpName(op);
  }
  EXPECT_EQ(sync::EventOpName(sync::EventOp::kExpire), "expire");
  EXPECT_THROW(sync::EventOpOf("upsert"), std::logic_error) << "the table's CHECK admits no other";
}

}  // namespace
}  // namespace isc_mirror::automation
