// ISC's standard collection parameters (limit, offset, count, filters, sorters), parsed and
// evaluated against a per-endpoint spec of what the OpenAPI file says each endpoint accepts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.hpp"

namespace isc_mirror::sim {

// A field's value; timestamps are milliseconds since the epoch.
using Value = std::variant<std::monostate, std::string, int64_t, bool>;

enum class FieldType { kString, kInt, kBool, kTimestamp };

enum Op : uint32_t {
  kEq = 1 << 0,
  kNe = 1 << 1,
  kIn = 1 << 2,
  kSw = 1 << 3,
  kCo = 1 << 4,
  kGt = 1 << 5,
  kGe = 1 << 6,
  kLt = 1 << 7,
  kLe = 1 << 8,
  kIsNull = 1 << 9,
  kPr = 1 << 10,
};

struct FilterField {
  std::string_view name;
  FieldType type;
  uint32_t ops;  // bitmask of Op
};

// What one collection endpoint accepts, from its OpenAPI parameter descriptions.
struct EndpointSpec {
  std::span<const FilterField> filters;
  std::span<const std::string_view> sorters;
  bool paged = true;        // limit/offset/count are parameters of the endpoint
  int64_t max_limit = 250;  // the limit parameter's maximum
};

struct Condition {
  std::string field;
  FieldType type = FieldType::kString;
  Op op = kEq;
  std::vector<Value> values;
};

struct Filter {
  enum class Kind { kCondition, kAnd, kOr, kNot };
  Kind kind = Kind::kCondition;
  Condition condition;
  std::vector<Filter> children;
};

struct SortKey {
  std::string field;
  bool descending = false;
};

struct PageRequest {
  int64_t limit = 250;
  int64_t offset = 0;
  bool count = false;
};

base::Expected<Filter> ParseFilter(std::string_view text, const EndpointSpec& spec);
base::Expected<std::vector<SortKey>> ParseSorters(std::string_view text, const EndpointSpec& spec);
// Values as given in the query string; absent ones are nullopt.
base::Expected<PageRequest> ParsePage(const std::optional<std::string>& limit,
                                      const std::optional<std::string>& offset,
                                      const std::optional<std::string>& count,
                                      int64_t max_limit = 250);

using FieldGetter = std::function<Value(std::string_view field)>;

bool Matches(const Filter& filter, const FieldGetter& get);

// Orders values of one field: null first, then by value.
int CompareValues(const Value& a, const Value& b);

std::optional<int64_t> ParseTimestamp(std::string_view text);
std::string FormatTimestamp(int64_t epoch_ms);

}  // namespace isc_mirror::sim
