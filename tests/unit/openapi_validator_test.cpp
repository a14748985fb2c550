// The OpenAPI validator must catch wrong bodies, or the simulator's conformance tests prove
// nothing.
#include "tests/harness/openapi_validator.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::testing {
namespace {

OpenApiValidator& Spec() {
  static OpenApiValidator validator(ISC_OPENAPI_FILE);
  return validator;
}

bool Mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kGoodTask = R"({"id":"a","type":"REASSIGN","targetType":"CERTIFICATION",
  "targetId":"b","status":"QUEUED","errors":[],"created":"2026-11-23T00:00:00.000Z"})";

TEST(OpenApiValidator, AcceptsAConformingBody) {
  EXPECT_TRUE(Spec()
                  .ValidateResponse("GET", "/v3/certification-tasks", 200,
                                    std::string("[") + kGoodTask + "]")
                  .empty());
  EXPECT_TRUE(Spec().ValidateSchema("CertificationTask", kGoodTask).empty());
}

TEST(OpenApiValidator, RejectsWrongTypesEnumsFormatsAndNulls) {
  auto wrong_type = Spec().ValidateSchema("CertificationTask", R"({"id": 5})");
  EXPECT_TRUE(Mentions(wrong_type, "$.id: expected string, got integer")) << wrong_type.size();
  auto bad_enum = Spec().ValidateSchema("CertificationTask", R"({"status": "DONE"})");
  EXPECT_TRUE(Mentions(bad_enum, "$.status: \"DONE\" is not one of the enum values"));
  auto bad_date = Spec().ValidateSchema("CertificationTask", R"({"created": "yesterday"})");
  EXPECT_TRUE(Mentions(bad_date, "is not a date-time"));
  auto null_field = Spec().ValidateSchema("CertificationTask", R"({"targetId": null})");
  EXPECT_TRUE(Mentions(null_field, "$.targetId: null where string is required"));
}

TEST(OpenApiValidator, RejectsMissingRequiredPropertiesThroughAllOf) {
  // Account's schema is an allOf whose parts require sourceId, disabled and more.
  auto errors =
      Spec().ValidateResponse("GET", "/v2024/accounts", 200, R"([{"id":"x","name":"n"}])");
  EXPECT_TRUE(Mentions(errors, "$[0]: required property 'sourceId' is missing"));
  EXPECT_TRUE(Mentions(errors, "required property 'disabled' is missing"));
}

TEST(OpenApiValidator, ChecksUuidAndResponseShapes) {
  auto not_uuid = Spec().ValidateResponse("GET", "/das/v1/owners/applications/{appId}", 200,
                                          R"([{"identityId":"2c9180835d2e5168015d32f890ca1581"}])");
  EXPECT_TRUE(Mentions(not_uuid, "is not a uuid"));
  EXPECT_FALSE(Spec().ValidateResponse("GET", "/v2024/identities", 200, "{}").empty());
  EXPECT_FALSE(Spec().ValidateResponse("GET", "/v2024/identities", 200, "[").empty());
  EXPECT_FALSE(Spec().ValidateResponse("GET", "/nope", 200, "[]").empty());
  EXPECT_TRUE(Spec().ValidateResponse("POST", "/das/v1/tasks/rerun/{id}", 204, "").empty());
}

}  // namespace
}  // namespace isc_mirror::testing
