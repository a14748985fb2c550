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
  auto fields = [&](const TriggerAuth& auth, bool create, std::string_view filter = "") {
    return SubscriptionFields{.tenant = "prod",
                              .public_url = "https://m",
                              .auth = auth,
                              .filter = filter,
                              .create = create};
  };
  std::string body = SubscriptionBody(spec, fields(bearer, true));
  EXPECT_NE(body.find(R"("triggerId":"idn:identity-deleted")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("httpAuthenticationType":"BEARER_TOKEN")"), std::string::npos);
  EXPECT_NE(body.find(R"("bearerTokenAuthConfig":{"bearerToken":"t0ken"})"), std::string::npos);
  EXPECT_NE(body.find(R"("httpDispatchMode":"SYNC")"), std::string::npos);
  // triggerId is immutable: a PUT leaves it out.
  EXPECT_EQ(SubscriptionBody(spec, fields(bearer, false)).find("triggerId"), std::string::npos);
  EXPECT_EQ(body.find("filter"), std::string::npos);
  EXPECT_NE(SubscriptionBody(spec, fields(bearer, false, "$[?($.identity.name == \"a\")]"))
                .find(R"("filter":"$[?($.identity.name == \"a\")]")"),
            std::string::npos);
  TriggerAuth basic{.scheme = AuthScheme::kBasic, .user = "isc", .password = base::Secret("pw")};
  EXPECT_NE(SubscriptionBody(spec, fields(basic, true))
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

TEST(TriggerSubscriptions, ReadsEachTriggersExampleAndAsksWithIt) {
  auto examples = ParseTriggerExamples(
      R"([{"id":"idn:identity-created","name":"Identity Created","type":"FIRE_AND_FORGET",)"
      R"("inputSchema":"{}","exampleInput":{"identity":{"id":"x"} }}])");
  ASSERT_TRUE(examples) << examples.error();
  ASSERT_EQ(examples->size(), 1u);
  EXPECT_EQ((*examples)[0].first, "idn:identity-created");
  EXPECT_EQ((*examples)[0].second, R"({"identity":{"id":"x"}})");
  EXPECT_EQ(ValidateFilterBody("$.identity[?(@.id == 'x')]", (*examples)[0].second),
            R"({"input":{"identity":{"id":"x"}},"filter":"$.identity[?(@.id == 'x')]"})");
  EXPECT_FALSE(ParseTriggerExamples(R"([{"id":"idn:identity-created"}])"));
  EXPECT_FALSE(ParseTriggerExamples("{}"));
}

TEST(TriggerSubscriptions, AFilterIscWouldNeverPassIsRefused) {
  constexpr std::string_view kFilter = "$.changes[?(@.attribute == 'manager')]";
  auto fine = JudgeFilter("idn:identity-attributes-changed", kFilter,
                          R"({"isValid":false,"isValidJSONPath":true,"isPathExist":true})");
  ASSERT_TRUE(fine) << fine.error();
  EXPECT_EQ(*fine, "ISC's example event does not pass it");
  EXPECT_EQ(*JudgeFilter("idn:identity-attributes-changed", kFilter,
                         R"({"isValid":true,"isValidJSONPath":true,"isPathExist":true})"),
            "ISC's example event passes it");
  auto broken = JudgeFilter("idn:identity-attributes-changed", "$.changes[?(",
                            R"({"isValid":false,"isValidJSONPath":false,"isPathExist":false})");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("idn:identity-attributes-changed is not valid JSONPath"),
            std::string::npos)
      << broken.error();
  auto absent = JudgeFilter("idn:identity-created", "$.nothing",
                            R"({"isValid":false,"isValidJSONPath":true,"isPathExist":false})");
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().find("names a path its payload does not have"), std::string::npos);
  EXPECT_FALSE(JudgeFilter("idn:identity-created", "$.x", R"({"isValid":true})"));
}

}  // namespace
}  // namespace isc_mirror::triggers
