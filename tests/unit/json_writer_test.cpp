#include "base/json_writer.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::base {
namespace {

TEST(JsonWriter, WritesNestedValuesWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Field("id", "a1")
      .Field("n", int64_t{-42})
      .Field("ok", true)
      .NullField("none")
      .Key("list")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .String("x")
      .EndArray()
      .Key("raw")
      .Raw(R"({"a":[1]})")
      .EndObject();
  EXPECT_EQ(out,
            R"({"id":"a1","n":-42,"ok":true,"none":null,"list":[1,{},[],"x"],"raw":{"a":[1]}})");
}

TEST(JsonWriter, EscapesStrings) {
  std::string out;
  JsonWriter(out).String(std::string("q\"b\\n\n\t\x01\x1f/é😀", 16));
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f/é😀\"");
}

TEST(JsonWriter, WritesDoublesAndRefusesNonFinite) {
  std::string out;
  JsonWriter(out).BeginArray().Double(0.1).Double(1e300).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(out, "[0.1,1e+300,null]");
}

}  // namespace
}  // namespace isc_mirror::base
