#include <gtest/gtest.h>

#include <map>

#include "tests/isc_sim/ids.hpp"
#include "tests/isc_sim/query.hpp"

namespace isc_mirror::sim {
namespace {

constexpr FilterField kFields[] = {{"id", FieldType::kString, kEq | kIn | kSw},
                                   {"done", FieldType::kBool, kEq},
                                   {"size", FieldType::kInt, kEq | kGt | kLe},
                                   {"status", FieldType::kString, kEq | kIsNull},
                                   {"modified", FieldType::kTimestamp, kGe | kLt}};
constexpr std::string_view kSorters[] = {"id", "modified"};
const EndpointSpec kSpec{kFields, kSorters, true};

bool Eval(const std::string& filter, const std::map<std::string, Value>& object) {
  auto parsed = ParseFilter(filter, kSpec);
  EXPECT_TRUE(parsed.ok()) << filter << ": " << (parsed.ok() ? "" : parsed.error());
  if (!parsed) return false;
  return Matches(*parsed, [&](std::string_view f) {
    auto it = object.find(std::string(f));
    return it == object.end() ? Value{} : it->second;
  });
}

TEST(SimFilter, EvaluatesOperatorsAndCompositions) {
  std::map<std::string, Value> o = {{"id", Value{std::string("abc")}},
                                    {"done", Value{true}},
                                    {"size", Value{int64_t{7}}},
                                    {"modified", Value{*ParseTimestamp("2026-01-02T00:00:00Z")}}};
  EXPECT_TRUE(Eval(R"(id eq "abc")", o));
  EXPECT_FALSE(Eval(R"(id eq "abd")", o));
  EXPECT_TRUE(Eval(R"(id in ("x", "abc"))", o));
  EXPECT_TRUE(Eval(R"(id sw "ab")", o));
  EXPECT_TRUE(Eval("done eq true and size gt 5", o));
  EXPECT_FALSE(Eval("done eq false or size le 6", o));
  EXPECT_TRUE(Eval("(done eq false or size le 7) and not id eq \"zzz\"", o));
  EXPECT_TRUE(Eval("status isnull", o));
  EXPECT_TRUE(Eval("modified ge 2026-01-01T23:59:59.999Z", o));
  EXPECT_FALSE(Eval("modified lt 2026-01-02T00:00:00Z", o));
}

TEST(SimFilter, RefusesWhatTheEndpointDoesNotSupport) {
  for (const char* bad : {"colour eq \"x\"", "done gt true", "id eq abc", "size eq \"7\"",
                          "done eq maybe", "id eq \"a\" and", "(id eq \"a\"", "id in \"a\"",
                          "modified ge not-a-time", "id eq \"unterminated",
                          // ISC takes dates unquoted (developer forum topic 104059).
                          "modified ge \"2026-01-01T00:00:00Z\""}) {
    EXPECT_FALSE(ParseFilter(bad, kSpec).ok()) << bad;
  }
  auto error = ParseFilter("done gt true", kSpec);
  EXPECT_EQ(error.error(), "operator gt is not supported for field 'done'");
}

TEST(SimSorters, ParsesDirectionAndRefusesUnknownFields) {
  auto keys = ParseSorters("-modified,id", kSpec);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_TRUE((*keys)[0].descending);
  EXPECT_EQ((*keys)[1].field, "id");
  EXPECT_FALSE(ParseSorters("name", kSpec).ok());
  EXPECT_FALSE(ParseSorters("id,", kSpec).ok());
}

TEST(SimPage, ValidatesLimitOffsetAndCount) {
  EXPECT_EQ(ParsePage(std::nullopt, std::nullopt, std::nullopt)->limit, 250);
  EXPECT_TRUE(ParsePage("250", "1000", "true")->count);
  EXPECT_FALSE(ParsePage("251", std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(ParsePage("-1", std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(ParsePage(std::nullopt, "x", std::nullopt).ok());
  EXPECT_FALSE(ParsePage(std::nullopt, std::nullopt, "yes").ok());
}

TEST(SimTimestamps, RoundTripAndAcceptIscForms) {
  auto ms = ParseTimestamp("2026-11-23T10:30:00.123Z");
  ASSERT_TRUE(ms.has_value());
  EXPECT_EQ(FormatTimestamp(*ms), "2026-11-23T10:30:00.123Z");
  EXPECT_EQ(ParseTimestamp("2026-11-23T10:30:00Z"), ParseTimestamp("2026-11-23T10:30:00+00:00"));
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_FALSE(ParseTimestamp("2026-11-23").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-13-23T10:30:00Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-11-23T10:30:00+02:00").has_value());
}

TEST(SimIds, ConvertBetweenHexAndUuidForms) {
  Id128 id = MakeId(7, 1, 42);
  std::string hex = Hex32(id);
  std::string uuid = Uuid(id);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(ParseId(hex), id);
  EXPECT_EQ(ParseId(uuid), id);
  EXPECT_EQ(ParseId("2C9180835D2E5168015D32F890CA1581"),
            ParseId("2c9180835d2e5168015d32f890ca1581"));
  EXPECT_FALSE(ParseId("2c9180835d2e5168015d32f890ca158").has_value());
  EXPECT_FALSE(ParseId("2c918083-5d2e-5168-015d-32f890ca15810").has_value());
  EXPECT_FALSE(ParseId("zz9180835d2e5168015d32f890ca1581").has_value());
  EXPECT_NE(MakeId(7, 1, 42), MakeId(8, 1, 42)) << "the seed changes the data";
}

}  // namespace
}  // namespace isc_mirror::sim
