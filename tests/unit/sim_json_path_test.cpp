// isc-sim's trigger filters: SailPoint's documented filter shapes match as ISC says they do.
#include <gtest/gtest.h>

#include "tests/isc_sim/json_path.hpp"

namespace isc_mirror::sim {
namespace {

// The Identity Attributes Changed example of GET /v2025/triggers, with two changes.
constexpr std::string_view kChanged =
    R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},
        "changes":[{"attribute":"department","oldValue":"sales","newValue":"marketing"},
                   {"attribute":"cloudLifecycleState","oldValue":"active","newValue":"terminated"}],
        "count":2})";

FilterCheck Check(std::string_view filter, std::string_view input = kChanged) {
  static simdjson::dom::parser parser;
  return CheckFilter(filter, parser.parse(input.data(), input.size()).value());
}

TEST(SimJsonPath, AnElementOfAnArrayMatchesAFilter) {
  auto hit = Check("$.changes[?(@.attribute == 'cloudLifecycleState')]");
  EXPECT_TRUE(hit.valid_json_path);
  EXPECT_TRUE(hit.path_exists);
  EXPECT_TRUE(hit.matches);
  auto miss = Check(R"($.changes[?(@.attribute == "manager")])");
  EXPECT_TRUE(miss.valid_json_path);
  EXPECT_TRUE(miss.path_exists);  // changes is there; no element of it is a manager change
  EXPECT_FALSE(miss.matches);
}

TEST(SimJsonPath, AFilterOnTheRootObjectTestsTheObject) {
  EXPECT_TRUE(Check(R"($[?($.identity.name == "Michael Michaels")])").matches);
  EXPECT_FALSE(Check(R"($[?($.identity.name == "Someone Else")])").matches);
}

TEST(SimJsonPath, ConditionsCombine) {
  EXPECT_TRUE(
      Check("$.changes[?(@.attribute == 'department' && @.newValue == 'marketing')]").matches);
  EXPECT_FALSE(Check("$.changes[?(@.attribute == 'department' && @.newValue == 'sales')]").matches);
  EXPECT_TRUE(Check("$.changes[?(@.attribute == 'manager' || (@.oldValue == 'active'))]").matches);
  EXPECT_FALSE(Check("$.changes[?(!(@.attribute))]").matches);
  EXPECT_TRUE(Check("$[?($.count >= 2 && $.count < 3)]").matches);
  EXPECT_FALSE(Check("$[?($.count > 2)]").matches);
  EXPECT_FALSE(Check("$[?($.count == '2')]").matches);  // a number is not a string
}

TEST(SimJsonPath, PlainPathsMatchWhenTheySelectSomething) {
  EXPECT_TRUE(Check("$.identity.id").matches);
  EXPECT_TRUE(Check("$.changes[1].newValue").matches);
  EXPECT_TRUE(Check("$.changes[-1]").matches);
  EXPECT_TRUE(Check("$['identity']['type']").matches);
  EXPECT_TRUE(Check("$..newValue").matches);
  EXPECT_TRUE(Check("$.changes[*].attribute").matches);
  auto absent = Check("$.identity.manager");
  EXPECT_TRUE(absent.valid_json_path);
  EXPECT_FALSE(absent.path_exists);
  EXPECT_FALSE(absent.matches);
}

TEST(SimJsonPath, APathTheInputLacksIsReported) {
  auto absent = Check("$.attributes[?(@.department == 'sales')]");
  EXPECT_TRUE(absent.valid_json_path);
  EXPECT_FALSE(absent.path_exists);
  auto inner = Check("$.changes[?(@.atribute == 'manager')]");
  EXPECT_TRUE(inner.valid_json_path);
  EXPECT_FALSE(inner.path_exists);  // no change has an "atribute"
}

TEST(SimJsonPath, BrokenFiltersAreNotJsonPath) {
  for (std::string_view bad :
       {"", "changes", "$.changes[?(@.attribute == )]", "$.changes[?(@.attribute = 'x')]",
        "$.changes[?(@.attribute == 'x')", "$.changes[?(@.attribute == 'x)]", "$.", "$[?('x')]"}) {
    auto check = Check(bad);
    EXPECT_FALSE(check.valid_json_path) << bad;
    EXPECT_TRUE(check.unsupported.empty()) << bad;
  }
}

TEST(SimJsonPath, WhatIscSimDoesNotEvaluateIsSaidSo) {
  EXPECT_EQ(Check("$.changes[?(@.attribute =~ /man.*/)]").unsupported, "regular expressions");
  EXPECT_EQ(Check("$.changes[?(@.attribute in ['manager'])]").unsupported, "the operator in");
  EXPECT_EQ(Check("$.changes[0:1]").unsupported, "array slices");
  EXPECT_EQ(Check("$.changes.length()").unsupported, "functions such as length()");
}

}  // namespace
}  // namespace isc_mirror::sim
