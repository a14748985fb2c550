#include "sync/row.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <ctime>

#include "sync/canonical.hpp"

namespace isc_mirror::sync {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

int DaysIn(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

bool ValidTimestamp(std::string_view text) {
  size_t at = 0;
  // `count` digits, then `then` (if not 0); the digits' value goes to `value`.
  auto digits = [&](size_t count, char then, int* value = nullptr) {
    int v = 0;
    for (size_t i = 0; i < count; ++i, ++at) {
      if (at >= text.size() || text[at] < '0' || text[at] > '9') return false;
      v = v * 10 + (text[at] - '0');
    }
    if (value != nullptr) *value = v;
    if (then == 0) return true;
    if (at >= text.size() || text[at] != then) return false;
    ++at;
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(4, '-', &year) || !digits(2, '-', &month) || !digits(2, 'T', &day) ||
      !digits(2, ':', &hour) || !digits(2, ':', &minute) || !digits(2, 0, &second)) {
    return false;
  }
  // Right shape but no such moment (2024-02-30, year 0000, 25:00): PostgreSQL would refuse the
  // whole COPY for it.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysIn(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  if (at < text.size() && text[at] == '.') {
    size_t start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == start || at - start > 9) return false;
  }
  if (at < text.size() && text[at] == 'Z') return at + 1 == text.size();
  if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return false;
  ++at;
  int offset_hours = 0, offset_minutes = 0;
  if (!digits(2, 0, &offset_hours)) return false;
  if (at < text.size() && text[at] == ':') ++at;
  // PostgreSQL takes offsets up to 15:59.
  return digits(2, 0, &offset_minutes) && at == text.size() && offset_hours <= 15 &&
         offset_minutes <= 59;
}

namespace {

std::optional<std::string> Convert(element value, ColumnType type) {
  if (value.is_null()) return std::nullopt;
  switch (type) {
    case ColumnType::kText:
      if (value.is_string()) return std::string(std::string_view(value));
      return simdjson::minify(value);  // numbers, booleans, objects as JSON text
    case ColumnType::kBoolean:
      if (value.is_bool()) return bool(value) ? "t" : "f";
      return std::nullopt;
    case ColumnType::kInteger: {
      int64_t v = 0;
      if (value.get(v) || v < INT32_MIN || v > INT32_MAX) return std::nullopt;
      return std::to_string(v);
    }
    case ColumnType::kBigint: {
      int64_t v = 0;
      if (value.get(v)) return std::nullopt;
      return std::to_string(v);
    }
    case ColumnType::kTimestamptz: {
      std::string_view text;
      if (value.get(text) || !ValidTimestamp(text)) return std::nullopt;
      return std::string(text);
    }
    case ColumnType::kEpochSeconds: {
      int64_t v = 0;
      if (value.get(v) || v < 0 || v > 253'402'300'799) return std::nullopt;  // up to year 9999
      return EpochSecondsToTimestamp(v);
    }
    case ColumnType::kIdentityId: {
      std::string_view text;
      if (value.get(text)) return std::nullopt;
      auto normalized = NormalizeIdentityId(text);
      // An id in another form is still an id: keep it rather than lose the join entirely.
      return normalized ? *normalized : std::string(text);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string EpochSecondsToTimestamp(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::vector<std::string> RowColumns(const ResourceSchema& schema) {
  std::vector<std::string> columns;
  if (schema.parent) columns.push_back(schema.parent->column);
  for (const auto& c : schema.columns) columns.push_back(c.name);
  return columns;
}

base::Expected<ObjectRow> BuildRow(const ResourceSchema& schema, std::string_view canonical,
                                   const std::optional<std::string>& parent_key) {
  simdjson::dom::parser parser;
  return BuildRow(schema, canonical, parent_key, parser);
}

base::Expected<ObjectRow> BuildRow(const ResourceSchema& schema, std::string_view canonical,
                                   const std::optional<std::string>& parent_key,
                                   simdjson::dom::parser& parser) {
  element doc;
  if (parser.parse(canonical.data(), canonical.size()).get(doc) || !doc.is_object()) {
    return base::Error{"the object is not a JSON object"};
  }
  ObjectRow row;
  row.values.reserve(schema.columns.size() + 1);
  if (schema.parent) {
    if (!parent_key) return base::Error{fmt::format("{} needs its parent's key", schema.name)};
    row.values.push_back(*parent_key);
  }
  for (const auto& column : schema.columns) {
    element value;
    if (doc.at_pointer(column.path).get(value)) {
      row.values.push_back(std::nullopt);  // absent field
      continue;
    }
    row.values.push_back(Convert(value, column.type));
  }
  for (const auto& key : schema.key) {
    // The key's place among the row's columns (RowColumns' order), found without building it.
    size_t index = 0;
    if (!schema.parent || schema.parent->column != key) {
      auto it = std::find_if(schema.columns.begin(), schema.columns.end(),
                             [&](const Column& c) { return c.name == key; });
      index = static_cast<size_t>(it - schema.columns.begin()) + (schema.parent ? 1 : 0);
    }
    const auto& value = index < row.values.size() ? row.values[index] : std::nullopt;
    if (!value || value->empty()) {
      return base::Error{fmt::format("the object has no {} (its key); it cannot be mirrored", key)};
    }
    if (!row.object_id.empty()) row.object_id.push_back('/');
    row.object_id += *value;
  }
  row.canonical = std::string(canonical);
  row.hash = ContentHash(canonical);
  return row;
}

}  // namespace isc_mirror::sync
