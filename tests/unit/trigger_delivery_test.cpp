// Event Trigger deliveries: payload validation, the trigger told from the shape, the reads a
// set of deliveries leads to, and the receiver's auth check.
#include <gtest/gtest.h>

#include "triggers/auth.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::triggers {
namespace {

constexpr const char* kIdentity =
    R"("identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"})";
constexpr const char* kSource =
    R"("source":{"type":"SOURCE","id":"2c9180835d191a86015d28455b4b232a","name":"HR Active Directory"})";
constexpr const char* kAccount =
    R"("account":{"type":"ACCOUNT","id":"52170a74ca8911ea87d00242ac130003","uuid":null,"name":"john.doe","nativeIdentity":"cn=john.doe"})";

std::string Body(std::initializer_list<std::string> parts) {
  std::string out = "{";
  for (const auto& p : parts) {
    if (out.size() > 1) out += ',';
    out += p;
  }
  return out + "}";
}

TEST(TriggerDelivery, TellsEachTriggerFromItsShape) {
  struct Case {
    std::string body;
    TriggerKind kind;
  };
  const Case cases[] = {
      {Body({kIdentity, R"("changes":[{"attribute":"department","oldValue":"a","newValue":"b"}])"}),
       TriggerKind::kIdentityAttributesChanged},
      {Body({kIdentity, R"("attributes":{"firstname":"John"})"}), TriggerKind::kIdentityCreated},
      {Body({kIdentity, kSource, kAccount,
             R"("changes":[{"attribute":"sn","oldValue":null,"newValue":"doe"}])"}),
       TriggerKind::kAccountAttributesChanged},
      {Body({kIdentity, kSource, kAccount, R"("attributes":{"sn":"doe"},"entitlementCount":0)"}),
       TriggerKind::kAccountCorrelated},
      {Body({kIdentity, kSource, kAccount}), TriggerKind::kAccountUncorrelated},
      {Body({kSource, R"("status":"Success","started":"2020-06-29T22:01:50.474Z")",
             R"("completed":"2020-06-29T22:02:04.090Z","errors":null,"warnings":[])",
             R"("stats":{"scanned":200,"unchanged":190,"changed":6,"added":4,"removed":3})"}),
       TriggerKind::kAccountAggregationCompleted},
      {R"({"certification":{"id":"2c91808576f6","name":"Manager review","created":"2020-02-16T03:04:45.815Z"}})",
       TriggerKind::kCertificationSignedOff},
  };
  for (const auto& c : cases) {
    auto d = ParseDelivery(c.body);
    ASSERT_TRUE(d) << c.body << ": " << d.error();
    EXPECT_EQ(d->kind, c.kind) << c.body;
  }
}

TEST(TriggerDelivery, RefusesWhatItsSchemaDoesNotAllowAndSaysWhat) {
  struct Case {
    std::string body;
    std::optional<TriggerKind> claimed;
    std::string error;
  };
  const Case cases[] = {
      {"not json", std::nullopt, "not JSON"},
      {"[1]", std::nullopt, "not a JSON object"},
      {R"({"hello":1})", std::nullopt, "not the payload of a trigger"},
      {R"({"identity":{"type":"IDENTITY","name":"x"},"changes":[]})", std::nullopt,
       "/identity/id is missing"},
      {R"({"identity":{"type":"IDENTITY","id":"","name":"x"},"changes":[]})", std::nullopt,
       "/identity/id is empty"},
      {R"({"identity":{"type":"ACCOUNT","id":"a","name":"x"},"changes":[]})", std::nullopt,
       "/identity/type is not \"IDENTITY\""},
      {R"({"identity":{"type":"IDENTITY","id":"a","name":"x"},"changes":{}})", std::nullopt,
       "/changes is not an array"},
      {R"({"identity":{"type":"IDENTITY","id":"a","name":"x"},"changes":[{"oldValue":1}]})",
       std::nullopt, "/changes/0/attribute is missing"},
      {Body({kIdentity, kSource, kAccount, R"("changes":[{"attribute":"sn","newValue":"x"}])"}),
       std::nullopt, "/changes/0/oldValue is missing"},
      // The path names the trigger: a payload of another is refused.
      {Body({kIdentity, R"("attributes":{})"}), TriggerKind::kCertificationSignedOff,
       "idn:certification-signed-off payload (TriggerCertificationSignedOff): /certification/id"},
      {Body(
           {kSource, R"("status":"Success","started":"a","completed":"b","errors":null)",
            R"("warnings":null,"stats":{"scanned":-1,"unchanged":0,"changed":0,"added":0,"removed":0})"}),
       std::nullopt, "/stats/scanned is not a whole number"},
  };
  for (const auto& c : cases) {
    auto d = ParseDelivery(c.body, c.claimed);
    ASSERT_FALSE(d) << c.body;
    EXPECT_NE(d.error().find(c.error), std::string::npos) << c.body << " -> " << d.error();
  }
}

TEST(TriggerDelivery, ALifecycleChangeAlsoReadsTheIdentitysAccounts) {
  auto plain = ParseDelivery(
      Body({kIdentity, R"("changes":[{"attribute":"department","oldValue":"a","newValue":"b"}])"}));
  auto leaver = ParseDelivery(Body(
      {kIdentity,
       R"("changes":[{"attribute":"cloudLifecycleState","oldValue":"active","newValue":"terminated"}])"}));
  ASSERT_TRUE(plain && leaver);
  EXPECT_FALSE(plain->lifecycle_changed);
  EXPECT_TRUE(leaver->lifecycle_changed);
  auto plan = PlanReads({*leaver});
  ASSERT_EQ(plan.reads.size(), 2u);
  EXPECT_EQ(plan.reads[0].resource, "identities");
  EXPECT_EQ(plan.reads[1].resource, "accounts");
  EXPECT_EQ(plan.reads[1].request.field, "identityId");
  EXPECT_EQ(plan.reads[1].request.values,
            std::vector<std::string>{"2c7180a46faadee4016fb4e018c20642"});
}

TEST(TriggerDelivery, DeliveriesForOneObjectAreReadOnceWhateverTheirOrder) {
  Delivery a{.kind = TriggerKind::kIdentityAttributesChanged, .identity_id = "i1"};
  Delivery b{.kind = TriggerKind::kIdentityAttributesChanged, .identity_id = "i2"};
  Delivery gone{.kind = TriggerKind::kIdentityDeleted, .identity_id = "i3"};
  Delivery acct{.kind = TriggerKind::kAccountCorrelated, .account_id = "a1"};
  Delivery agg{.kind = TriggerKind::kAccountAggregationCompleted, .source_id = "s"};
  Delivery cert{.kind = TriggerKind::kCertificationSignedOff, .certification_id = "c1"};
  auto plan = PlanReads({b, a, acct, b, gone, a, agg, cert, agg, acct});
  ASSERT_EQ(plan.reads.size(), 6u);
  EXPECT_EQ(plan.reads[0].resource, "identities");
  EXPECT_EQ(plan.reads[0].request.values, (std::vector<std::string>{"i2", "i1"}));
  EXPECT_FALSE(plan.reads[0].request.retire_absent);
  EXPECT_EQ(plan.reads[1].request.values, std::vector<std::string>{"a1"});
  // Only a deletion is confirmed by a read that finds nothing.
  EXPECT_EQ(plan.reads[2].request.values, std::vector<std::string>{"i3"});
  EXPECT_TRUE(plan.reads[2].request.retire_absent);
  EXPECT_EQ(plan.reads[3].resource, "certifications");
  EXPECT_EQ(plan.reads[4].resource, "certification_reviewers");
  EXPECT_EQ(plan.reads[4].request.parent, "c1");
  EXPECT_TRUE(plan.reads[4].request.values.empty());
  EXPECT_EQ(plan.reads[5].resource, "access_review_items");
  EXPECT_EQ(plan.sync_now, std::vector<std::string>{"accounts"});
}

TEST(TriggerDelivery, ACopyHasTheSameDigestAndAnotherTriggerOrTenantDoesNot) {
  std::string body = Body({kIdentity, R"("attributes":{})"});
  auto digest = DeliveryDigest("prod", TriggerKind::kIdentityCreated, body);
  EXPECT_EQ(digest, DeliveryDigest("prod", TriggerKind::kIdentityCreated, body));
  EXPECT_NE(digest, DeliveryDigest("prod", TriggerKind::kIdentityDeleted, body));
  EXPECT_NE(digest, DeliveryDigest("test", TriggerKind::kIdentityCreated, body));
  EXPECT_NE(digest, DeliveryDigest("prod", TriggerKind::kIdentityCreated, body + " "));
}

TEST(TriggerDelivery, FindsATriggerByIdOrName) {
  ASSERT_NE(FindTrigger("idn:identity-deleted"), nullptr);
  EXPECT_EQ(FindTrigger("identity-deleted")->kind, TriggerKind::kIdentityDeleted);
  EXPECT_EQ(FindTrigger("identity"), nullptr);
  EXPECT_EQ(TriggerSpecs().size(), 8u);
}

TEST(TriggerAuth, AcceptsOnlyTheSubscriptionsCredentials) {
  TriggerAuth bearer{.scheme = AuthScheme::kBearer, .token = base::Secret("s3cret-token")};
  EXPECT_TRUE(Authorized(bearer, "Bearer s3cret-token"));
  EXPECT_TRUE(Authorized(bearer, "bearer s3cret-token"));
  EXPECT_FALSE(Authorized(bearer, "Bearer s3cret-token "));
  EXPECT_FALSE(Authorized(bearer, "Bearer s3cret-toke"));
  EXPECT_FALSE(Authorized(bearer, "Basic s3cret-token"));
  EXPECT_FALSE(Authorized(bearer, ""));
  // "user:pa:ss" in base64.
  TriggerAuth basic{
      .scheme = AuthScheme::kBasic, .user = "user", .password = base::Secret("pa:ss")};
  EXPECT_TRUE(Authorized(basic, "Basic dXNlcjpwYTpzcw=="));
  EXPECT_FALSE(Authorized(basic, "Basic dXNlcjpwYXNz"));  // user:pass
  EXPECT_FALSE(Authorized(basic, "Bearer dXNlcjpwYTpzcw=="));
  EXPECT_TRUE(Authorized(TriggerAuth{.scheme = AuthScheme::kNone}, ""));
  // A scheme without its secret accepts nothing.
  EXPECT_FALSE(Authorized(TriggerAuth{.scheme = AuthScheme::kBearer}, "Bearer "));
}

}  // namespace
}  // namespace isc_mirror::triggers
