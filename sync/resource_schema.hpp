// A mirrored resource as declared in schema/*.yaml: the data that drives the generic pollers.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "isc/pager.hpp"

namespace isc_mirror::sync {

enum class ColumnType {
  kText,
  kBoolean,
  kInteger,
  kBigint,
  kTimestamptz,
  kEpochSeconds,  // an integer of seconds in the API, timestamptz in the table
  kIdentityId,    // an identity id in either form, stored as 32 lowercase hex characters
};

std::string_view SqlType(ColumnType type);

struct Column {
  std::string name;  // snake_case table column
  std::string path;  // JSON pointer into the API object
  ColumnType type = ColumnType::kText;
};

// A child resource is read once per object of its parent resource.
struct ParentRef {
  std::string resource;
  std::string column;  // this table's column holding the parent's key
  // Only parents whose value at path equals `equals` (as JSON text) are read, e.g. open ones.
  std::optional<std::string> open_when_path;
  std::optional<std::string> open_when_equals;
};

struct Incremental {
  std::string field;    // the API field filtered with ge, e.g. modified
  std::string sorters;  // e.g. -modified
};

struct ResourceSchema {
  std::string name;
  std::string path;   // may hold {id}, filled with the parent's key
  std::string table;  // schema-qualified, e.g. isc.accounts
  std::vector<std::string> key;
  std::string sort;  // sorters for a full scan; empty: the endpoint's default order
  // Query parameters every request of the resource carries, encoded (defaultFilter=NONE).
  std::string query;
  isc::Paging paging = isc::Paging::kOffset;
  // The limit of each page: the most the endpoint takes (`limit:` in the file).
  int page_size = isc::kPageSize;
  // A search (paging: search): the request body, built from `search: {index, includes}`.
  std::string search_body;
  // What turns a page into rows (`rows:`, sync/search_rows.hpp); empty: each object is a row.
  std::string rows;
  std::chrono::milliseconds interval{0};
  std::optional<std::chrono::milliseconds> full_every;
  // ISC drops objects whose retention_column is older than this window: their disappearance
  // is an expiry, not a delete.
  std::optional<std::chrono::milliseconds> retention;
  std::string retention_column;
  // The API field that takes `filters=<field> in (...)`: objects missing from a full scan are
  // asked for once more by key before they are deleted, because offset paging skips objects
  // when earlier ones vanish mid-scan.
  std::string recheck_filter;
  std::optional<Incremental> incremental;
  std::vector<std::string> ignore_paths;
  std::optional<ParentRef> parent;
  std::vector<Column> columns;

  const Column* FindColumn(std::string_view column) const;
  isc::PageShape Pages() const { return {paging, page_size, search_body}; }
};

// Parses one schema file; errors name the file and what is wrong.
base::Expected<ResourceSchema> ParseResourceSchema(std::string_view yaml, std::string_view file);

// The schema files compiled into this binary, parsed and cross-checked (parents exist, names
// unique), in resource order (parents first). Parsed once; a broken built-in file is a build defect
// and throws.
std::span<const ResourceSchema> BuiltinSchemas();
const ResourceSchema* FindSchema(std::string_view name);

// Cross-checks a set of schemas; used by BuiltinSchemas and its tests.
base::Expected<std::vector<ResourceSchema>> CheckSchemas(std::vector<ResourceSchema> schemas);

}  // namespace isc_mirror::sync
