#include "automation/stored_action.hpp"

#include <gtest/gtest.h>

#include <set>

#include "automation/action_status.hpp"

namespace isc_mirror::automation {
namespace {

void ExpectSame(const PlannedAction& a, const PlannedAction& b) {
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.kind, b.kind);
  ASSERT_EQ(a.calls.size(), b.calls.size());
  for (size_t i = 0; i < a.calls.size(); ++i) {
    EXPECT_EQ(a.calls[i].method, b.calls[i].method);
    EXPECT_EQ(a.calls[i].path, b.calls[i].path);
    EXPECT_EQ(a.calls[i].body, b.calls[i].body);
    EXPECT_EQ(a.calls[i].content_type, b.calls[i].content_type);
    EXPECT_EQ(a.calls[i].experimental, b.calls[i].experimental);
    EXPECT_EQ(a.calls[i].expect, b.calls[i].expect);
    EXPECT_EQ(a.calls[i].expect_value, b.calls[i].expect_value);
    EXPECT_EQ(a.calls[i].object, b.calls[i].object);
  }
  EXPECT_EQ(a.each, b.each);
  EXPECT_EQ(a.done.path, b.done.path);
  EXPECT_EQ(a.done.query, b.done.query);
  EXPECT_EQ(a.done.paged, b.done.paged);
  EXPECT_EQ(a.done.absent, b.done.absent);
  EXPECT_EQ(a.done.every, b.done.every);
  EXPECT_EQ(a.done.is, b.done.is);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.payload, b.payload);
}

TEST(StoredAction, EveryFieldSurvivesTheRoundTrip) {
  StoredAction isc{.planned = {.summary = "disable 2 source accounts of \"x\"\n",
                               .kind = ActionKind::kIsc,
                               .calls = {{.method = "POST",
                                          .path = "/v2024/accounts/a%2F1/disable",
                                          .body = "{}",
                                          .experimental = true,
                                          .expect = Expect::kTask,
                                          .object = "a/1"},
                                         {.method = "PATCH",
                                          .path = "/v2025/task-status/t",
                                          .body = R"([{"op":"replace"}])",
                                          .content_type = "application/json-patch+json",
                                          .expect = Expect::kTaskStatus,
                                          .expect_value = "ERROR"}},
                               .each = true,
                               .done = {.path = "/v2024/accounts",
                                        .query = "filters=identityId%20eq%20%22x%22",
                                        .paged = false,
                                        .absent = {"i1", "i2"},
                                        .every = "disabled",
                                        .is = false}},
                   .step = 3};
  StoredAction webhook{.planned = {.summary = "post",
                                   .kind = ActionKind::kWebhook,
                                   .target = "https://hooks.example/[redacted]",
                                   .payload = R"({"rule":"r","before":null})"},
                       .step = 1};
  StoredAction notify{.planned = {.kind = ActionKind::kNotify, .target = "c", .payload = "{}"}};
  for (const auto& original : {isc, webhook, notify}) {
    auto decoded = DecodeStoredAction(EncodeStoredAction(original));
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    ExpectSame(decoded->planned, original.planned);
    EXPECT_EQ(decoded->step, original.step);
  }
}

TEST(StoredAction, ReadsTheFormsOlderVersionsWrote) {
  // Before answers were read (no expect) and before the done check had its own object.
  auto old = DecodeStoredAction(
      R"({"summary":"s","kind":"isc","step":0,"calls":[{"method":"POST","path":"/p","body":"",)"
      R"("content_type":"application/json","experimental":false}],)"
      R"("verify_path":"/v3/certifications/c/access-review-items","verify_absent":["a","b"]})");
  ASSERT_TRUE(old.ok()) << old.error();
  EXPECT_EQ(old->planned.calls.at(0).expect, Expect::kAny);
  EXPECT_EQ(old->planned.done.path, "/v3/certifications/c/access-review-items");
  EXPECT_EQ(old->planned.done.absent, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(old->planned.done.paged);
  // A path without the ids it waits for was never a check.
  auto no_check = DecodeStoredAction(R"({"kind":"isc","calls":[],"verify_path":"/x"})");
  ASSERT_TRUE(no_check.ok());
  EXPECT_TRUE(no_check->planned.done.path.empty());
}

TEST(StoredAction, NamesWhatIsWrongWithARowItCannotRead) {
  EXPECT_EQ(DecodeStoredAction("not json").error(), "the action's params are not a JSON object");
  EXPECT_EQ(DecodeStoredAction("[1]").error(), "the action's params are not a JSON object");
  EXPECT_EQ(DecodeStoredAction(R"({"kind":"fax"})").error(), "unknown action kind 'fax'");
  EXPECT_EQ(DecodeStoredAction(R"({"kind":"isc","calls":[{"method":"POST"}]})").error(),
            "a stored call has no method or path");
  EXPECT_EQ(DecodeStoredAction(R"({"kind":"isc","calls":[7]})").error(),
            "a stored call is not an object");
}

TEST(ActionRegistry, EveryActionIsRegisteredOnceAndCanPlan) {
  std::set<std::string_view> names;
  for (const auto* spec : ActionSpecs()) {
    EXPECT_TRUE(names.insert(spec->name).second) << spec->name << " is registered twice";
    EXPECT_NE(spec->plan, nullptr) << spec->name;
    EXPECT_EQ(FindActionSpec(spec->name), spec);
    for (auto required : spec->required) {
      EXPECT_NE(std::find(spec->params.begin(), spec->params.end(), required), spec->params.end())
          << spec->name << " requires " << required << " but does not take it";
    }
    // An action that calls ISC says which access it needs; one that does not, says none.
    EXPECT_EQ(spec->kind == ActionKind::kIsc, !spec->scopes.empty()) << spec->name;
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(FindActionSpec("fax"), nullptr);
}

TEST(ActionStatus, NamesAreTheDatabasesAndReadBack) {
  // mirror.actions.status's check (migration 0001) allows exactly these.
  const std::vector<std::string_view> names = {"pending", "running", "succeeded", "failed",
                                               "dead",    "dry_run", "held",      "cancelled"};
  for (auto name : names) {
    auto status = ActionStatusFromName(name);
    ASSERT_TRUE(status.has_value()) << name;
    EXPECT_EQ(ActionStatusName(*status), name);
  }
  EXPECT_FALSE(ActionStatusFromName("done").has_value());
}

}  // namespace
}  // namespace isc_mirror::automation
