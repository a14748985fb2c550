#include "automation/actions.hpp"

#include <gtest/gtest.h>

#include <map>

#include "base/sha256.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::automation {
namespace {

constexpr const char* kLeaver = "0123456789abcdef0123456789abcdef";
constexpr const char* kManager = "fedcba9876543210fedcba9876543210";
constexpr const char* kFallback = "11111111111111111111111111111111";

class FakeContext : public PlanContext {
 public:
  std::map<std::string, std::string> managers;
  std::vector<std::string> usable;
  std::vector<Review> reviews;
  std::vector<std::string> accounts;  // not yet in the state asked for
  std::optional<bool> toggled;        // what AccountsToToggle was asked

  std::optional<std::string> ManagerOf(const std::string& id) override {
    auto it = managers.find(id);
    if (it == managers.end()) return std::nullopt;
    return it->second;
  }
  bool Usable(const std::string& id) override {
    return std::find(usable.begin(), usable.end(), id) != usable.end();
  }
  std::vector<Review> OpenReviewsOf(const std::string&) override { return reviews; }
  std::vector<std::string> AccountsToToggle(const std::string&, bool disable) override {
    toggled = disable;
    return accounts;
  }
};

Rule LeaverRule(std::vector<ActionStep> steps) {
  Rule r;
  r.name = "leaver-handoff";
  r.on = "leaver";
  r.steps = std::move(steps);
  return r;
}

sync::Event LeaverEvent() {
  return {9,
          "identities",
          kLeaver,
          sync::EventOp::kUpdate,
          {"/lifecycleState/stateName"},
          R"({"lifecycleState":{"stateName":"active"}})",
          R"({"lifecycleState":{"stateName":"terminated"}})"};
}

TEST(PlanAction, ReassignsDasOwnershipToTheManagerInUuidForm) {
  FakeContext context;
  context.managers[kLeaver] = kManager;
  auto rule = LeaverRule({{"das_reassign_owner", {{"to", "manager"}}, 3}});
  auto planned = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_EQ(planned.size(), 1u);
  ASSERT_FALSE(planned[0].error) << *planned[0].error;
  ASSERT_EQ(planned[0].calls.size(), 1u);
  EXPECT_EQ(planned[0].calls[0].method, "POST");
  EXPECT_EQ(planned[0].calls[0].path,
            "/das/v1/owners/01234567-89ab-cdef-0123-456789abcdef/reassign/"
            "fedcba98-7654-3210-fedc-ba9876543210");
  EXPECT_NE(planned[0].summary.find("to manager " + std::string(kManager)), std::string::npos)
      << planned[0].summary;
  // A repeat first asks whether the leaver still owns anything.
  EXPECT_EQ(planned[0].done.path, "/das/v1/owners/01234567-89ab-cdef-0123-456789abcdef/resources");
  EXPECT_FALSE(planned[0].done.paged);
  EXPECT_TRUE(planned[0].done.absent.empty());
  EXPECT_TRUE(planned[0].done.every.empty());
}

TEST(PlanAction, UsesTheFallbackOrFailsWithAHint) {
  FakeContext context;  // no manager
  auto rule = LeaverRule({{"das_reassign_owner", {{"to", "manager"}}, 3}});
  auto failed = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(failed[0].error);
  EXPECT_NE(failed[0].error->find("hint: set fallback"), std::string::npos) << *failed[0].error;

  context.usable = {kFallback};
  rule.steps[0].params["fallback"] = kFallback;
  auto fallback = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_FALSE(fallback[0].error);
  EXPECT_NE(fallback[0].calls[0].path.find("/reassign/11111111-1111-1111-1111-111111111111"),
            std::string::npos);
}

TEST(PlanAction, SplitsCertificationReassignmentsIntoCallsOfAtMost500Items) {
  FakeContext context;
  context.managers[kLeaver] = kManager;
  PlanContext::Review big{"cert-big", {}};
  for (int i = 0; i < 1201; ++i) big.item_ids.push_back("item" + std::to_string(i));
  context.reviews = {{"cert-small", {"i1", "i2"}}, big};
  auto rule = LeaverRule({{"certification_reassign", {{"to", "manager"}}, 3}});
  auto planned = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_EQ(planned.size(), 4u);  // 1 + 3 chunks (500, 500, 201)
  EXPECT_EQ(planned[0].part, "cert-small/0");
  EXPECT_EQ(planned[3].part, "cert-big/2");
  EXPECT_EQ(planned[1].calls[0].path, "/v3/certifications/cert-big/reassign-async");
  auto count = [](const std::string& body) { return testing::Occurrences(body, "\"ITEM\""); };
  EXPECT_EQ(count(planned[1].calls[0].body), 500u);
  EXPECT_EQ(count(planned[3].calls[0].body), 201u);
  EXPECT_EQ(planned[3].done.path, "/v3/certifications/cert-big/access-review-items");
  ASSERT_EQ(planned[3].done.absent.size(), 201u) << "the chunk's own items";
  EXPECT_EQ(planned[3].done.absent[0], "item1000");
  EXPECT_NE(planned[0].calls[0].body.find(std::string("\"reassignTo\":\"") + kManager + "\""),
            std::string::npos)
      << planned[0].calls[0].body;
  context.reviews.clear();
  EXPECT_TRUE(PlanAction(rule, 0, LeaverEvent(), context).empty()) << "nothing to reassign";
}

// identities-accounts/disable disables the ISC login, not source accounts: accounts_disable
// calls each source account's own disable.
TEST(PlanAction, DisablesEachSourceAccountNotAlreadyDisabled) {
  FakeContext context;
  context.accounts = {"acc1", "acc2"};
  auto rule = LeaverRule({{"accounts_disable", {}, 3}});
  auto planned = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(context.toggled, true);
  EXPECT_TRUE(planned[0].each) << "every call is made, none is a fallback";
  ASSERT_EQ(planned[0].calls.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(planned[0].calls[i].path, "/v2024/accounts/" + context.accounts[i] + "/disable");
    EXPECT_EQ(planned[0].calls[i].body, "{}") << "AccountToggleRequest is required";
    EXPECT_EQ(planned[0].calls[i].expect, Expect::kTask);
    EXPECT_EQ(planned[0].calls[i].object, context.accounts[i]);
  }
  EXPECT_TRUE(planned[0].summary.starts_with("disable 2 source accounts of identity " +
                                             std::string(kLeaver)))
      << planned[0].summary;
  EXPECT_EQ(planned[0].done.path, "/v2024/accounts");
  EXPECT_EQ(planned[0].done.query, std::string("filters=identityId%20eq%20%22") + kLeaver + "%22");
  EXPECT_EQ(planned[0].done.every, "disabled");
  EXPECT_TRUE(planned[0].done.is);

  context.accounts.clear();
  EXPECT_TRUE(PlanAction(rule, 0, LeaverEvent(), context).empty()) << "all already disabled";
  auto enable = LeaverRule({{"accounts_enable", {}, 3}});
  context.accounts = {"acc1"};
  auto enabled = PlanAction(enable, 0, LeaverEvent(), context);
  EXPECT_EQ(context.toggled, false);
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(enabled[0].calls[0].path, "/v2024/accounts/acc1/enable");
  EXPECT_FALSE(enabled[0].done.is);
}

TEST(PlanAction, DisablesTheIscLoginWithItsOwnAction) {
  FakeContext context;
  auto rule = LeaverRule({{"identity_disable", {}, 3}});
  auto planned = PlanAction(rule, 0, LeaverEvent(), context);
  ASSERT_EQ(planned.size(), 1u);
  ASSERT_EQ(planned[0].calls.size(), 1u);
  EXPECT_EQ(planned[0].calls[0].path, "/v2024/identities-accounts/disable");
  EXPECT_FALSE(planned[0].calls[0].experimental) << "the definition has no experimental flag";
  EXPECT_EQ(planned[0].calls[0].body, std::string(R"({"identityIds":[")") + kLeaver + "\"]}");
  EXPECT_EQ(planned[0].calls[0].expect, Expect::kMultiStatus);
}

TEST(CheckAnswer, ReadsEachAnswerAsItsDefinitionSays) {
  auto check = [](Expect expect, int status, std::string_view body, std::string value = "") {
    Call call{.method = "POST", .path = "/x", .expect = expect, .expect_value = std::move(value)};
    auto result = CheckAnswer(call, status, body);
    switch (result.verdict) {
      case AnswerVerdict::kWorked:
        return std::string("ok");
      case AnswerVerdict::kSaysFailure:
        return result.error;
      default:
        return "unreadable: " + result.error;
    }
  };
  // DAS assign: "1 - success, otherwise failure", with 200 either way.
  EXPECT_EQ(check(Expect::kOne, 200, "1"), "ok");
  EXPECT_EQ(check(Expect::kOne, 200, "0"),
            "HTTP 200 but the answer is 0, not 1 (1 is success, anything else failure)");
  EXPECT_EQ(check(Expect::kCount, 200, "0"), "ok");
  EXPECT_NE(check(Expect::kCount, 200, "-1"), "ok");
  EXPECT_NE(check(Expect::kPositiveCount, 200, "0"), "ok");
  EXPECT_EQ(check(Expect::kTask, 202, R"({"id":"t1"})"), "ok");
  EXPECT_EQ(check(Expect::kTask, 202, "{}"),
            "unreadable: HTTP 202 but the answer names no task: {}");
  EXPECT_EQ(check(Expect::kNoContent, 204, ""), "ok");
  EXPECT_EQ(check(Expect::kCertificationTask, 200, R"({"id":"c","status":"QUEUED","errors":[]})"),
            "ok");
  EXPECT_EQ(check(Expect::kCertificationTask, 200, R"({"id":"c","status":"ERROR","errors":[]})"),
            "the reassignment task c is in ERROR");
  EXPECT_NE(check(Expect::kCertificationTask, 200,
                  R"({"id":"c","status":"QUEUED","errors":[{"text":"no"}]})"),
            "ok");
  // 207: item by item.
  EXPECT_EQ(check(Expect::kMultiStatus, 207, R"([{"id":"a","statusCode":202,"message":null}])"),
            "ok");
  EXPECT_EQ(check(Expect::kMultiStatus, 207,
                  R"([{"id":"a","statusCode":202},{"id":"b","statusCode":404,"message":"gone"}])"),
            "item b answered 404: gone");
  EXPECT_EQ(check(Expect::kAny, 207, R"([{"id":"b","statusCode":500}])"), "item b answered 500")
      << "rows stored before answers were read still read a 207";
  EXPECT_EQ(check(Expect::kTaskStatus, 200, R"({"completionStatus":"ERROR"})", "ERROR"), "ok");
  EXPECT_NE(check(Expect::kTaskStatus, 200, R"({"completionStatus":null})", "ERROR"), "ok");
  // A cut or garbled answer says nothing either way: the outcome is unknown, not a failure.
  EXPECT_EQ(check(Expect::kOne, 200, "not json"),
            "unreadable: HTTP 200 with an answer that is not JSON: not json");
  EXPECT_EQ(check(Expect::kTask, 202, R"({"id":"fd31"}]{)"),
            "unreadable: HTTP 202 with an answer that is not JSON: {\"id\":\"fd31\"}]{");
  EXPECT_EQ(check(Expect::kOne, 200, "\"1\""),
            "unreadable: HTTP 200 with an answer that is not a number: \"1\"");
  for (Expect e :
       {Expect::kAny, Expect::kNoContent, Expect::kOne, Expect::kCount, Expect::kPositiveCount,
        Expect::kTask, Expect::kCertificationTask, Expect::kMultiStatus, Expect::kTaskStatus}) {
    EXPECT_EQ(ExpectFromName(ExpectName(e)), e) << ExpectName(e);
  }
}

TEST(PageShowsDone, ItemsGoneEveryFlagSetOrNothingListed) {
  DoneCheck items{"/x", "", true, {"a", "b"}, "", true};
  EXPECT_TRUE(*PageShowsDone(items, R"([{"id":"c"},{"id":"d"}])", true));
  EXPECT_FALSE(*PageShowsDone(items, R"([{"id":"c"},{"id":"b"}])", true));
  EXPECT_FALSE(*PageShowsDone(items, R"([{"id":"c"}])", false)) << "an earlier page decided";

  DoneCheck disabled{"/x", "", true, {}, "disabled", true};
  EXPECT_TRUE(*PageShowsDone(disabled, R"([{"disabled":true},{"disabled":true}])", true));
  std::set<std::string> done_ids;
  EXPECT_FALSE(*PageShowsDone(
      disabled, R"([{"id":"a","disabled":true},{"id":"b","disabled":false}])", true, &done_ids));
  EXPECT_EQ(done_ids, std::set<std::string>{"a"}) << "the accounts already disabled";
  EXPECT_FALSE(*PageShowsDone(disabled, R"([{"disabled":true},{"disabled":false}])", true));
  DoneCheck enabled{"/x", "", true, {}, "disabled", false};
  EXPECT_TRUE(*PageShowsDone(enabled, R"([{"disabled":false}])", true));
  auto untyped = PageShowsDone(disabled, R"([{"disabled":"yes"}])", true);
  ASSERT_FALSE(untyped);
  EXPECT_EQ(untyped.error(), "a listed object has no boolean 'disabled'");

  DoneCheck nothing{"/x", "", false, {}, "", true};
  EXPECT_TRUE(*PageShowsDone(nothing, "[]", true));
  EXPECT_FALSE(*PageShowsDone(nothing, R"([{"id":1}])", true));
  EXPECT_EQ(PageShowsDone(nothing, R"({"id":1})", true).error(), "the listing is not a JSON array");
  EXPECT_EQ(PageShowsDone(nothing, "[1]", true).error(),
            "the listing holds something other than objects");
}

TEST(PlanAction, ClearsATaskStatusWithAJsonPatch) {
  FakeContext context;
  Rule rule;
  rule.name = "stuck";
  rule.on = "change";
  rule.steps = {{"task_status_clear", {}, 3}};
  sync::Event e{5, "task_statuses", "t1", sync::EventOp::kUpdate, {}, "{}", "{}"};
  auto planned = PlanAction(rule, 0, e, context);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].calls[0].method, "PATCH");
  EXPECT_EQ(planned[0].calls[0].path, "/v2025/task-status/t1");
  EXPECT_EQ(planned[0].calls[0].expect, Expect::kTaskStatus);
  EXPECT_EQ(planned[0].calls[0].expect_value, "ERROR");
  EXPECT_EQ(planned[0].calls[0].content_type, "application/json-patch+json");
  EXPECT_NE(planned[0].calls[0].body.find(
                R"({"op":"replace","path":"/completionStatus","value":"ERROR"})"),
            std::string::npos);
}

TEST(CheckStep, NamesUnknownAndMissingParameters) {
  EXPECT_EQ(CheckStep({"das_reassign_owner", {{"to", "manager"}, {"too", "x"}}, 1}).error(),
            "das_reassign_owner: unknown parameter 'too' (it takes: to, fallback, from)");
  EXPECT_EQ(CheckStep({"webhook", {{"url", "https://x"}}, 1}).error(),
            "webhook: missing parameter 'secret'");
  EXPECT_TRUE(CheckStep({"notify", {{"channel", "{{afer.x}}"}}, 1})
                  .error()
                  .starts_with("notify.channel: unknown field '{{afer.x}}'"));
  EXPECT_EQ(CheckStep({"webhook", {{"url", "http://hooks.example/T0/secret"}, {"secret", "s"}}, 1})
                .error(),
            "webhook.url: http://hooks.example/[redacted] is not an https:// URL (the payload "
            "carries identity data, and the URL itself is often a credential: plain http is "
            "refused)");
  EXPECT_TRUE(CheckStep({"accounts_disable", {}, 1}).ok());
}

TEST(HmacSha256Hex, MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(base::HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace isc_mirror::automation
