#include "sync/row.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::sync {
namespace {

const ResourceSchema& Schema(std::string_view name) {
  const ResourceSchema* schema = FindSchema(name);
  if (schema == nullptr) throw std::logic_error("no schema " + std::string(name));
  return *schema;
}

std::optional<std::string> Value(const ResourceSchema& schema, const ObjectRow& row,
                                 std::string_view column) {
  auto columns = RowColumns(schema);
  return row.values.at(std::find(columns.begin(), columns.end(), column) - columns.begin());
}

TEST(BuildRow, ExtractsTypedColumnsFromPointers) {
  const auto& s = Schema("identities");
  auto row = BuildRow(s, R"({"id":"2C9180835D2E5168015D32F890CA1581","name":"ada",
    "attributes":{"department":"IT","cloudLifecycleState":"active"},"isManager":true,
    "lifecycleState":{"stateName":"active","manuallyUpdated":false},
    "managerRef":{"id":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},"created":"2024-01-15T10:30:00.123Z"})",
                      std::nullopt);
  ASSERT_TRUE(row.ok()) << row.error();
  EXPECT_EQ(row->object_id, "2c9180835d2e5168015d32f890ca1581");
  EXPECT_EQ(Value(s, *row, "id"), "2c9180835d2e5168015d32f890ca1581");
  EXPECT_EQ(Value(s, *row, "manager_id"), "aaaaaaaabbbbccccddddeeeeeeeeeeee");
  EXPECT_EQ(Value(s, *row, "department"), "IT");
  EXPECT_EQ(Value(s, *row, "lifecycle_state"), "active");
  EXPECT_EQ(Value(s, *row, "is_manager"), "t");
  EXPECT_EQ(Value(s, *row, "created"), "2024-01-15T10:30:00.123Z");
  EXPECT_EQ(Value(s, *row, "modified"), std::nullopt) << "absent is NULL";
  EXPECT_EQ(row->hash.size(), 32u);
}

TEST(BuildRow, StoresOddValuesAsNullInsteadOfRejecting) {
  const auto& s = Schema("accounts");
  auto row = BuildRow(s, R"({"id":"a1","disabled":"yes","created":"last tuesday","name":42,
    "identityId":"not-an-id","modified":null})",
                      std::nullopt);
  ASSERT_TRUE(row.ok()) << row.error();
  EXPECT_EQ(Value(s, *row, "disabled"), std::nullopt);
  EXPECT_EQ(Value(s, *row, "created"), std::nullopt);
  EXPECT_EQ(Value(s, *row, "name"), "42");
  EXPECT_EQ(Value(s, *row, "identity_id"), "not-an-id");
  EXPECT_EQ(Value(s, *row, "modified"), std::nullopt);
}

TEST(BuildRow, TakesOnlyIsoTimestampsAsTimestamps) {
  const auto& s = Schema("accounts");
  auto created = [&](std::string_view value) {
    auto row =
        BuildRow(s, R"({"id":"a1","created":")" + std::string(value) + R"("})", std::nullopt);
    EXPECT_TRUE(row.ok());
    return Value(s, *row, "created");
  };
  for (std::string_view good :
       {"2024-01-15T10:30:00Z", "2024-01-15T10:30:00.1Z", "2024-01-15T10:30:00.123456789Z",
        "2024-01-15T10:30:00+02:00", "2024-01-15T10:30:00-0530", "2024-01-15T10:30:00.5+00:00"}) {
    EXPECT_EQ(created(good), std::string(good));
  }
  for (std::string_view bad :
       {"", "2024-01-15", "2024-01-15 10:30:00Z", "2024-01-15T10:30:00", "2024-01-15T10:30:00.Z",
        "2024-01-15T10:30:00.1234567890Z", "2024-01-15T10:30:00Zjunk", "2024-1-15T10:30:00Z",
        "2024-01-15T10:30:00+2:00", "2024-01-15T10:30:00+02:00:00", "x024-01-15T10:30:00Z"}) {
    EXPECT_EQ(created(bad), std::nullopt) << bad;
  }
}

// The right shape is not enough: PostgreSQL refuses these, and one refused the whole COPY.
TEST(ValidTimestamp, RefusesMomentsThatDoNotExist) {
  for (std::string_view bad :
       {"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
        "0000-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z",
        "2024-01-01T10:00:61Z", "2024-01-01T00:00:00+99:00", "2024-01-01T00:00:00+16:00",
        "2024-01-01T00:00:00-05:75"}) {
    EXPECT_FALSE(ValidTimestamp(bad)) << bad;
  }
  for (std::string_view good :
       {"2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z", "2024-01-01T00:00:00+14:00", "2024-01-01T00:00:00-15:59"}) {
    EXPECT_TRUE(ValidTimestamp(good)) << good;
  }
}

TEST(BuildRow, OneParserServesManyObjects) {
  const auto& s = Schema("accounts");
  simdjson::dom::parser parser;
  auto big = BuildRow(s, R"({"id":"a1","name":")" + std::string(5000, 'x') + R"("})", std::nullopt,
                      parser);
  auto small = BuildRow(s, R"({"id":"b2","name":"y"})", std::nullopt, parser);
  ASSERT_TRUE(big.ok() && small.ok());
  EXPECT_EQ(Value(s, *big, "name")->size(), 5000u);
  EXPECT_EQ(small->object_id, "b2");
  EXPECT_EQ(Value(s, *small, "name"), "y");
}

TEST(BuildRow, ConvertsDasTimesAndNumbers) {
  const auto& s = Schema("das_tasks");
  auto row = BuildRow(s, R"({"taskId":5001,"startTime":1762240800,"endTime":null,"progress":1e3})",
                      std::nullopt);
  ASSERT_TRUE(row.ok()) << row.error();
  EXPECT_EQ(row->object_id, "5001");
  EXPECT_EQ(Value(s, *row, "start_time"), "2025-11-04T07:20:00Z");
  EXPECT_EQ(Value(s, *row, "end_time"), std::nullopt);
  EXPECT_EQ(Value(s, *row, "progress"), std::nullopt) << "1e3 is not an integer token";
}

TEST(BuildRow, PutsTheParentKeyFirstForChildren) {
  const auto& s = Schema("das_resource_owners");
  auto row = BuildRow(
      s,
      R"({"identityId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","resourceId":7,"fullPath":"\\\\fs\\x"})",
      std::string("1001"));
  ASSERT_TRUE(row.ok()) << row.error();
  EXPECT_EQ(row->object_id, "1001/7/aaaaaaaabbbbccccddddeeeeeeeeeeee");
  EXPECT_EQ(Value(s, *row, "full_path"), "\\\\fs\\x");
  EXPECT_FALSE(BuildRow(s, R"({"resourceId":7})", std::nullopt).ok()) << "no parent key";
}

TEST(BuildRow, RefusesObjectsWithoutAKey) {
  auto missing = BuildRow(Schema("accounts"), R"({"name":"x"})", std::nullopt);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "the object has no id (its key); it cannot be mirrored");
  EXPECT_FALSE(BuildRow(Schema("accounts"), R"({"id":null})", std::nullopt).ok());
  EXPECT_FALSE(BuildRow(Schema("accounts"), "[1]", std::nullopt).ok());
}

}  // namespace
}  // namespace isc_mirror::sync
