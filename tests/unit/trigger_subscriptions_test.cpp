// The subscriptions triggers subscribe makes: their names, URLs and bodies, and the plan from
// what ISC lists.
#include <gtest/gtest.h>

#include "triggers/subscriptions.hpp"

namespace isc_mirror::triggers {
namespace {

TEST(TriggerSubscriptions, NameUrlAndBodySayWhatTheReceiverChecks) {
  const TriggerSpec& spec = *FindTrigger("idn:identity-deleted");
  EXPECT_EQ(SubscriptionName("prod", spec), "isc-mirror prod identity-deleted");
  EXPECT_EQ(DeliveryUrl("https://mirror.example.com/", "prod", spec),
            "https://mirror.example.com/triggers/prod/identity-deleted");
  TriggerAuth bearer{.scheme = AuthScheme::kBearer, .token = base::Secret("t0ken")};
  std::string body = SubscriptionBody("prod", spec, "https://m", bearer, true);
  EXPECT_NE(body.find(R"("triggerId":"idn:identity-deleted")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("httpAuthenticationType":"BEARER_TOKEN")"), std::string::npos);
  EXPECT_NE(body.find(R"("bearerTokenAuthConfig":{"bearerToken":"t0ken"})"), std::string::npos);
  EXPECT_NE(body.find(R"("httpDispatchMode":"SYNC")"), std::string::npos);
  // triggerId is immutable: a PUT leaves it out.
  EXPECT_EQ(SubscriptionBody("prod", spec, "https://m", bearer, false).find("triggerId"),
            std::string::npos);
  TriggerAuth basic{.scheme = AuthScheme::kBasic, .user = "isc", .password = base::Secret("pw")};
  EXPECT_NE(SubscriptionBody("prod", spec, "https://m", basic, true)
                .find(R"("basicAuthConfig":{"userName":"isc","password":"pw"})"),
            std::string::npos);
}

TEST(TriggerSubscriptions, PlansCreatesForTheMissingReplacesForTheRestAndDropsCopies) {
  auto listed = ParseSubscriptions(
      R"([{"id":"a","name":"isc-mirror prod identity-created","triggerId":"idn:identity-created",)"
      R"("httpConfig":{"url":"https://m/triggers/prod/identity-created","httpAuthenticationType":"BEARER_TOKEN"},"enabled":true},)"
      R"({"id":"b","name":"isc-mirror prod identity-created","triggerId":"idn:identity-created","enabled":false},)"
      R"({"id":"c","name":"workflow","triggerId":"idn:identity-deleted","enabled":true},)"
      R"({"id":"d","name":"isc-mirror test identity-deleted","triggerId":"idn:identity-deleted"}])");
  ASSERT_TRUE(listed) << listed.error();
  ASSERT_EQ(listed->size(), 4u);
  EXPECT_FALSE((*listed)[1].enabled);
  auto plan = PlanSubscribe("prod", *listed);
  ASSERT_EQ(plan.replace.size(), 1u);
  EXPECT_EQ(plan.replace[0].first, "a");
  EXPECT_EQ(plan.remove, std::vector<std::string>{"b"});
  EXPECT_EQ(plan.create.size(), TriggerSpecs().size() - 1) << "c and d are not prod's";
  EXPECT_FALSE(ParseSubscriptions(R"({"id":"a"})"));
  EXPECT_FALSE(ParseSubscriptions(R"([{"name":"no id"}])"));
}

}  // namespace
}  // namespace isc_mirror::triggers
