#include "sync/canonical.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::sync {
namespace {

// Canonical bytes of every object in a JSON array, as a page is read.
std::vector<std::string> CanonicalPage(const std::string& page, const IgnoreSet& ignore = {}) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(page);
  auto doc = parser.iterate(padded);
  std::vector<std::string> out;
  for (auto element : doc.get_array()) {
    simdjson::ondemand::value value = element.value();
    auto canonical = CanonicalJson(value, ignore);
    if (!canonical.ok()) break;
    out.push_back(*canonical);
  }
  return out;
}

std::string Canonical(const std::string& object, const IgnoreSet& ignore = {}) {
  auto page = CanonicalPage("[" + object + "]", ignore);
  return page.empty() ? std::string("(error)") : page[0];
}

TEST(CanonicalJson, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(Canonical(R"({ "b": 1, "a": { "d": [1, 2, {"z": null, "y": true}], "c": "x" } })"),
            R"({"a":{"c":"x","d":[1,2,{"y":true,"z":null}]},"b":1})");
  EXPECT_EQ(Canonical(R"({"b":1,"a":2})"), Canonical(R"({"a":2,"b":1})"));
}

TEST(CanonicalJson, EscapesStringsOneWayAndKeepsNumbersAsWritten) {
  EXPECT_EQ(Canonical(R"({"s":"\u00e9\t\"\\\/"})"), "{\"s\":\"é\\t\\\"\\\\/\"}");
  EXPECT_EQ(Canonical(R"({"n":12345678901234567890123, "d": 1.50, "e": -2e10})"),
            R"({"d":1.50,"e":-2e10,"n":12345678901234567890123})");
  // Right-to-left override (U+202E) arrives JSON-escaped and is kept as its UTF-8 bytes.
  EXPECT_EQ(Canonical(R"({"emoji":"\ud83d\ude00 \u202ertl","nul":"a\u0000b"})"),
            "{\"emoji\":\"\xf0\x9f\x98\x80 \xe2\x80\xaertl\",\"nul\":\"a\xef\xbf\xbd"
            "b\"}")
      << "U+0000 becomes U+FFFD: PostgreSQL cannot store it";
}

TEST(CanonicalJson, RefusesMalformedNumbers) {
  for (const char* bad : {"01", "1.", "-", "1e", ".5", "+1"}) {
    EXPECT_EQ(CanonicalPage(std::string(R"([{"n":)") + bad + "}]").size(), 0u) << bad;
  }
}

// PostgreSQL 15's numeric (and so jsonb) holds 131,072 digits before the point and 16,383
// after; one number beyond them failed a whole COPY.
TEST(CanonicalJson, RefusesWhatPostgresqlCannotStore) {
  for (const char* bad : {"1e999999", "1e131072", "12e131071", "0.1e131073", "1e-16384",
                          "123456789e-16390", "1e99999999999999999999999"}) {
    EXPECT_EQ(Canonical(std::string(R"({"n":)") + bad + "}"), "(error)") << bad;
  }
  for (const char* good : {"1e131071", "1.5e131071", "1e-16383", "0e999999", "0.000e5"}) {
    EXPECT_NE(Canonical(std::string(R"({"n":)") + good + "}"), "(error)") << good;
  }
  EXPECT_EQ(Canonical(R"({"s":"a lone \ud800 surrogate"})"), "(error)");
  EXPECT_EQ(Canonical(R"({"s":"\udc00"})"), "(error)");
  EXPECT_EQ(Canonical(std::string(600, '[') + std::string(600, ']')), "(error)") << "too deep";
  EXPECT_NE(Canonical(std::string(500, '[') + std::string(500, ']')), "(error)");
}

TEST(SplitJsonArray, FindsEachElementWithoutParsingIt) {
  auto parts = SplitJsonArray(R"( [ {"a":"x],\"y"}, [1,[2]] ,"s,]" , 1e999999,{"b":"\ud800"}] )");
  ASSERT_TRUE(parts) << parts.error();
  EXPECT_EQ(*parts, (std::vector<std::string_view>{R"({"a":"x],\"y"})", "[1,[2]]", R"("s,]")",
                                                   "1e999999", R"({"b":"\ud800"})"}));
  EXPECT_TRUE(SplitJsonArray("[]")->empty());
  EXPECT_TRUE(SplitJsonArray(" [ ] ")->empty());
  EXPECT_FALSE(SplitJsonArray(R"([{"a":1})"));
  EXPECT_FALSE(SplitJsonArray(R"({"a":1})"));
}

TEST(CanonicalJson, LeavesOutIgnoredPaths) {
  IgnoreSet ignore = {"/lastRefresh", "/attributes/updated", "/a~1b"};
  EXPECT_EQ(
      Canonical(
          R"({"id":"1","lastRefresh":"2026-11-23","attributes":{"updated":{"x":[1]},"dept":"IT"},"a/b":0})",
          ignore),
      R"({"attributes":{"dept":"IT"},"id":"1"})");
}

TEST(CanonicalJson, ReadsEveryObjectOfAPageAndRejectsBrokenJson) {
  auto page = CanonicalPage(R"([{"id":"1"},{"id":"2","x":[]}])");
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1], R"({"id":"2","x":[]})");
  simdjson::ondemand::parser parser;
  simdjson::padded_string broken(std::string(R"([{"id":"1","x":tru}])"));
  auto doc = parser.iterate(broken);
  simdjson::ondemand::value first = doc.get_array().at(0);
  EXPECT_FALSE(CanonicalJson(first, {}).ok());
}

TEST(ContentHash, IsStableAndSensitive) {
  EXPECT_EQ(ContentHash(R"({"a":1})"), ContentHash(R"({"a":1})"));
  EXPECT_NE(ContentHash(R"({"a":1})"), ContentHash(R"({"a":2})"));
  EXPECT_EQ(ContentHash("x").size(), 32u);
}

TEST(ChangedPaths, NamesTheLeavesThatDiffer) {
  auto before = Canonical(R"({"id":"1","attributes":{"department":"IT","location":"Austin"},
    "lifecycleState":{"stateName":"active"},"managerRef":{"id":"m1"},"tags":["a","b"],"gone":1})");
  auto after = Canonical(R"({"id":"1","attributes":{"department":"Sales","location":"Austin"},
    "lifecycleState":{"stateName":"terminated"},"managerRef":null,"tags":["a"],"added":{"x":1}})");
  EXPECT_EQ(ChangedPaths(before, after),
            (std::vector<std::string>{"/added", "/attributes/department", "/gone",
                                      "/lifecycleState/stateName", "/managerRef", "/tags"}));
  EXPECT_TRUE(ChangedPaths(before, before).empty());
  EXPECT_EQ(ChangedPaths(R"({"a~b/c":1})", R"({"a~b/c":2})"), std::vector<std::string>{"/a~0b~1c"});
}

TEST(ChangedPaths, IgnoresKeyOrderOnEitherSide) {
  // jsonb::text orders keys by length first; the canonical form orders them alphabetically.
  std::string jsonb_text =
      R"({"id": "1", "tags": [{"zz": 1, "a": 2}], "attributes": {"location": "X", "dept": "IT"}})";
  std::string canonical =
      R"({"attributes":{"dept":"IT","location":"X"},"id":"1","tags":[{"a":2,"zz":1}]})";
  EXPECT_TRUE(ChangedPaths(jsonb_text, canonical).empty());
  EXPECT_EQ(ChangedPaths(
                jsonb_text,
                R"({"attributes":{"dept":"HR","location":"X"},"id":"1","tags":[{"a":2,"zz":1}]})"),
            std::vector<std::string>{"/attributes/dept"});
}

TEST(ChangeDiff, HoldsEachChangedValueOnEitherSideAsWritten) {
  // The old side as jsonb::text writes it (spaces, its own key order), the new one canonical.
  std::string before =
      R"({"id": "1", "gone": 1, "tags": ["a", "b"], "a~b/c": 1.50, "managerRef": {"id": "m1"}, )"
      R"("attributes": {"department": "IT"}})";
  std::string after =
      R"({"a~b/c":2,"added":{"x":[1,2]},"attributes":{"department":"Sales"},"id":"1",)"
      R"("managerRef":null,"tags":["a"]})";
  auto paths = ChangedPaths(before, after);
  ASSERT_EQ(paths, (std::vector<std::string>{"/added", "/attributes/department", "/a~0b~1c",
                                             "/gone", "/managerRef", "/tags"}));
  EXPECT_EQ(ChangeDiff(before, after, paths),
            R"({"/added":[null,{"x":[1,2]}],"/attributes/department":["IT","Sales"],)"
            R"("/a~0b~1c":[1.50,2],"/gone":[1,null],)"
            R"("/managerRef":[{"id": "m1"},null],"/tags":[["a", "b"],["a"]]})");
  EXPECT_EQ(ChangeDiff(before, after, {}), "");
  // "/" is the key "" (RFC 6901), as PostgreSQL's #> reads it through report.pointer_path.
  EXPECT_EQ(ChangeDiff(R"({"": 1})", R"({"x":1})", {"/"}), R"({"/":[1,null]})");
}

TEST(NormalizeIdentityId, AcceptsBothFormsAndRefusesTheRest) {
  EXPECT_EQ(NormalizeIdentityId("2c9180835d2e5168015d32f890ca1581"),
            "2c9180835d2e5168015d32f890ca1581");
  EXPECT_EQ(NormalizeIdentityId("2C918083-5D2E-5168-015D-32F890CA1581"),
            "2c9180835d2e5168015d32f890ca1581");
  EXPECT_FALSE(NormalizeIdentityId("2c9180835d2e5168015d32f890ca158").has_value());
  EXPECT_FALSE(NormalizeIdentityId("2c9180835d2e-5168-015d-32f890ca1581").has_value());
  EXPECT_FALSE(NormalizeIdentityId("zz9180835d2e5168015d32f890ca1581").has_value());
  EXPECT_FALSE(NormalizeIdentityId("").has_value());
}

}  // namespace
}  // namespace isc_mirror::sync
