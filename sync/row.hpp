// A mirrored object as a table row: its key, its typed columns and its canonical bytes.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::sync {

struct ObjectRow {
  std::string object_id;  // the key values joined with '/', as mirror.history and events name it
  // One value per schema column (parent column first for child resources), as PostgreSQL
  // text; nullopt is NULL.
  std::vector<std::optional<std::string>> values;
  std::string canonical;
  std::string hash;
};

// Extracts the typed columns of one canonical object. A value that does not fit its column's
// type is stored as NULL there (the raw object keeps it), so an odd object is never rejected;
// only a missing or null key is an error, because the row could not be told apart.
base::Expected<ObjectRow> BuildRow(const ResourceSchema& schema, std::string_view canonical,
                                   const std::optional<std::string>& parent_key);
// The same with the caller's parser, whose buffers then serve every object of a scan.
base::Expected<ObjectRow> BuildRow(const ResourceSchema& schema, std::string_view canonical,
                                   const std::optional<std::string>& parent_key,
                                   simdjson::dom::parser& parser);

// The table's columns in row order: the parent column (children only), then the schema's.
std::vector<std::string> RowColumns(const ResourceSchema& schema);

// An ISO-8601 timestamp as ISC sends it (2024-01-15T10:30:00Z, optional fractions and offset)
// that names a real moment PostgreSQL's timestamptz can hold.
bool ValidTimestamp(std::string_view text);

// ISO-8601 UTC text for epoch seconds, as PostgreSQL reads it.
std::string EpochSecondsToTimestamp(int64_t seconds);

}  // namespace isc_mirror::sync
