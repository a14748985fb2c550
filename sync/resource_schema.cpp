#include "sync/resource_schema.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <stdexcept>

#include "base/duration.hpp"
#include "base/json_writer.hpp"
#include "sync/search_rows.hpp"

namespace isc_mirror::sync {

const std::vector<std::pair<std::string_view, std::string_view>>& SchemaFiles();

namespace {

// Resource order (parents first), which is also the order resources are listed to operators.
constexpr std::array<std::string_view, 21> kOrder = {"identities",
                                                     "accounts",
                                                     "task_statuses",
                                                     "certifications",
                                                     "certification_reviewers",
                                                     "access_review_items",
                                                     "certification_tasks",
                                                     "das_applications",
                                                     "das_tasks",
                                                     "das_schedules",
                                                     "das_identity_collectors",
                                                     "das_resource_owners",
                                                     "sources",
                                                     "entitlements",
                                                     "access_profiles",
                                                     "roles",
                                                     "identity_profiles",
                                                     "lifecycle_states",
                                                     "governance_groups",
                                                     "governance_group_members",
                                                     "identity_access"};

struct TypeName {
  std::string_view name;
  ColumnType type;
  std::string_view sql;
};
constexpr std::array<TypeName, 7> kTypes = {
    {{"text", ColumnType::kText, "text"},
     {"boolean", ColumnType::kBoolean, "boolean"},
     {"integer", ColumnType::kInteger, "integer"},
     {"bigint", ColumnType::kBigint, "bigint"},
     {"timestamptz", ColumnType::kTimestamptz, "timestamptz"},
     {"epoch_seconds", ColumnType::kEpochSeconds, "timestamptz"},
     {"identity_id", ColumnType::kIdentityId, "text"}}};

bool IsSnakeCase(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class Reader {
 public:
  Reader(const YAML::Node& root, std::string_view file) : root_(root), file_(file) {}

  std::string Fail(const YAML::Node& at, std::string_view message) const {
    int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    return fmt::format("{}:{}: {}", file_, line, message);
  }

  base::Expected<std::string> Text(const YAML::Node& map, std::string_view key,
                                   bool required) const {
    const YAML::Node& node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) {
      if (required) return base::Error{Fail(map, fmt::format("{} is required", key))};
      return std::string();
    }
    if (!node.IsScalar()) return base::Error{Fail(node, fmt::format("{} must be a string", key))};
    return node.Scalar();
  }

  base::Expected<std::optional<std::chrono::milliseconds>> Dur(std::string_view key) const {
    auto text = Text(root_, key, false);
    if (!text) return base::Error{text.error()};
    if (text->empty()) return std::optional<std::chrono::milliseconds>{};
    auto value = base::ParseDuration(*text);
    if (!value || value->count() <= 0) {
      return base::Error{
          Fail(root_[std::string(key)], fmt::format("{} '{}' is not a duration", key, *text))};
    }
    return std::optional<std::chrono::milliseconds>{*value};
  }

 private:
  const YAML::Node& root_;
  std::string_view file_;
};

}  // namespace

std::string_view SqlType(ColumnType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.sql;
  }
  return "text";
}

const Column* ResourceSchema::FindColumn(std::string_view column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

namespace {

using Done = base::Expected<void>;

// `limit`: at most 250 a page of a list, 10,000 of a search.
Done ReadLimit(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  auto limit = r.Text(root, "limit", false);
  if (!limit) return base::Error{limit.error()};
  if (limit->empty()) return {};
  bool search = s.paging == isc::Paging::kSearch;
  int most = search ? isc::kSearchPageMax : isc::kPageSize;
  int value = 0;
  auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
  if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > most ||
      s.paging == isc::Paging::kNone) {
    return base::Error{r.Fail(root["limit"], fmt::format("limit must be 1 to {} on a {}", most,
                                                         search ? "search" : "paged list"))};
  }
  s.page_size = value;
  return {};
}

// `search: {index, includes}` of a search resource, and `rows:`, what turns its pages into rows.
Done ReadSearch(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  const YAML::Node& search = root["search"];
  if (search.IsDefined() != (s.paging == isc::Paging::kSearch)) {
    return base::Error{r.Fail(root, "paging: search and search: {index, includes} go together")};
  }
  auto rows = r.Text(root, "rows", false);
  if (!rows) return base::Error{rows.error()};
  if (!rows->empty() && FindRows(*rows) == nullptr) {
    return base::Error{r.Fail(root["rows"], fmt::format("rows {} is not known", *rows))};
  }
  s.rows = *rows;
  if (!search.IsDefined()) return {};
  auto index = r.Text(search, "index", true);
  if (!index) return base::Error{index.error()};
  const YAML::Node& includes = search["includes"];
  if (!includes.IsSequence() || includes.size() == 0) {
    return base::Error{r.Fail(search, "search.includes must list the fields to read")};
  }
  // Sorted by id, so that searchAfter continues where a page ended; nested objects included.
  base::JsonWriter w(s.search_body);
  w.BeginObject().Key("indices").BeginArray().String(*index).EndArray();
  w.Key("query").BeginObject().Field("query", "*").EndObject();
  w.Key("sort").BeginArray().String("id").EndArray().Field("includeNested", true);
  w.Key("queryResultFilter").BeginObject().Key("includes").BeginArray();
  for (const auto& field : includes) w.String(field.Scalar());
  w.EndArray().EndObject().EndObject();
  return {};
}

// name, path, table, sort, paging, the durations and the plain texts.
Done ReadScalars(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  for (auto [key, target] :
       {std::pair{"name", &s.name}, std::pair{"path", &s.path}, std::pair{"table", &s.table}}) {
    auto value = r.Text(root, key, true);
    if (!value) return base::Error{value.error()};
    *target = *value;
  }
  if (!IsSnakeCase(s.name)) return base::Error{r.Fail(root["name"], "name must be snake_case")};
  if (!s.path.starts_with('/')) return base::Error{r.Fail(root["path"], "path must start with /")};
  if (!s.table.starts_with("isc.") || !IsSnakeCase(s.table.substr(4))) {
    return base::Error{r.Fail(root["table"], "table must be isc.<snake_case>")};
  }
  auto sort = r.Text(root, "sort", false);
  if (!sort) return base::Error{sort.error()};
  s.sort = *sort;
  auto paging = r.Text(root, "paging", false);
  if (!paging) return base::Error{paging.error()};
  if (*paging == "none") {
    s.paging = isc::Paging::kNone;
  } else if (*paging == "search") {
    s.paging = isc::Paging::kSearch;
  } else if (!paging->empty() && *paging != "offset") {
    return base::Error{r.Fail(root["paging"], "paging must be offset, none or search")};
  }
  if (auto limit = ReadLimit(r, root, s); !limit) return base::Error{limit.error()};
  auto interval = r.Dur("interval");
  if (!interval) return base::Error{interval.error()};
  if (!*interval) return base::Error{r.Fail(root, "interval is required")};
  s.interval = **interval;
  auto full_every = r.Dur("full_every");
  if (!full_every) return base::Error{full_every.error()};
  s.full_every = *full_every;
  auto retention = r.Dur("retention");
  if (!retention) return base::Error{retention.error()};
  s.retention = *retention;
  for (auto [key, target] :
       {std::pair{"retention_column", &s.retention_column},
        std::pair{"recheck_filter", &s.recheck_filter}, std::pair{"query", &s.query}}) {
    auto value = r.Text(root, key, false);
    if (!value) return base::Error{value.error()};
    *target = *value;
  }
  if (s.retention.has_value() != !s.retention_column.empty()) {
    return base::Error{r.Fail(root, "retention and retention_column go together")};
  }

  return {};
}

Done ReadIncremental(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  if (const YAML::Node& inc = root["incremental"]; inc.IsDefined()) {
    if (!inc.IsMap()) return base::Error{r.Fail(inc, "incremental must be a mapping")};
    auto field = r.Text(inc, "field", true);
    if (!field) return base::Error{field.error()};
    auto sorters = r.Text(inc, "sorters", true);
    if (!sorters) return base::Error{sorters.error()};
    s.incremental = Incremental{*field, *sorters};
    if (!s.full_every) return base::Error{r.Fail(inc, "an incremental resource needs full_every")};
  }
  return {};
}

Done ReadIgnorePaths(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  if (const YAML::Node& paths = root["ignore_paths"]; paths.IsDefined()) {
    if (!paths.IsSequence()) return base::Error{r.Fail(paths, "ignore_paths must be a list")};
    for (const auto& p : paths) {
      if (!p.IsScalar() || !p.Scalar().starts_with('/')) {
        return base::Error{r.Fail(p, "ignore_paths holds JSON pointers starting with /")};
      }
      s.ignore_paths.push_back(p.Scalar());
    }
  }
  return {};
}

Done ReadParent(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  if (const YAML::Node& parent = root["parent"]; parent.IsDefined()) {
    if (!parent.IsMap()) return base::Error{r.Fail(parent, "parent must be a mapping")};
    ParentRef ref;
    auto resource = r.Text(parent, "resource", true);
    if (!resource) return base::Error{resource.error()};
    auto column = r.Text(parent, "column", true);
    if (!column) return base::Error{column.error()};
    ref.resource = *resource;
    ref.column = *column;
    if (const YAML::Node& when = parent["open_when"]; when.IsDefined()) {
      auto path = r.Text(when, "path", true);
      if (!path) return base::Error{path.error()};
      auto equals = r.Text(when, "equals", true);
      if (!equals) return base::Error{equals.error()};
      ref.open_when_path = *path;
      ref.open_when_equals = *equals;
    }
    if (s.path.find("{id}") == std::string::npos) {
      return base::Error{
          r.Fail(root["path"], "a child resource's path needs {id} for the parent's key")};
    }
    s.parent = ref;
  }
  return {};
}

base::Expected<Column> ReadColumn(const Reader& r, const YAML::Node& c, const ResourceSchema& s) {
  if (!c.IsMap()) return base::Error{r.Fail(c, "each column is { name, path, type }")};
  Column column;
  auto name = r.Text(c, "name", true);
  if (!name) return base::Error{name.error()};
  auto path = r.Text(c, "path", true);
  if (!path) return base::Error{path.error()};
  auto type = r.Text(c, "type", true);
  if (!type) return base::Error{type.error()};
  column.name = *name;
  column.path = *path;
  if (!IsSnakeCase(column.name))
    return base::Error{r.Fail(c, fmt::format("column {} is not snake_case", column.name))};
  if (!column.path.starts_with('/'))
    return base::Error{
        r.Fail(c, fmt::format("column {}: path must be a JSON pointer", column.name))};
  auto t = std::find_if(kTypes.begin(), kTypes.end(),
                        [&](const TypeName& n) { return n.name == *type; });
  if (t == kTypes.end())
    return base::Error{r.Fail(c, fmt::format("column {}: unknown type {}", column.name, *type))};
  column.type = t->type;
  if (s.FindColumn(column.name) != nullptr || (s.parent && s.parent->column == column.name)) {
    return base::Error{r.Fail(c, fmt::format("column {} is declared twice", column.name))};
  }
  return column;
}

Done ReadColumnsAndKey(const Reader& r, const YAML::Node& root, ResourceSchema& s) {
  const YAML::Node& columns = root["columns"];
  if (!columns.IsDefined() || !columns.IsSequence() || columns.size() == 0) {
    return base::Error{r.Fail(root, "columns must be a non-empty list")};
  }
  for (const auto& c : columns) {
    auto column = ReadColumn(r, c, s);
    if (!column) return base::Error{column.error()};
    s.columns.push_back(std::move(*column));
  }
  const YAML::Node& key = root["key"];
  if (!key.IsDefined() || !key.IsSequence() || key.size() == 0) {
    return base::Error{r.Fail(root, "key must be a non-empty list of columns")};
  }
  for (const auto& k : key) {
    std::string name = k.Scalar();
    bool known = s.FindColumn(name) != nullptr || (s.parent && s.parent->column == name);
    if (!known) return base::Error{r.Fail(k, fmt::format("key column {} is not a column", name))};
    s.key.push_back(name);
  }
  if (!s.retention_column.empty()) {
    const Column* c = s.FindColumn(s.retention_column);
    if (c == nullptr ||
        (c->type != ColumnType::kTimestamptz && c->type != ColumnType::kEpochSeconds)) {
      return base::Error{
          r.Fail(root["retention_column"], "retention_column must name a timestamp column")};
    }
  }
  if (s.parent && s.key.front() != s.parent->column) {
    return base::Error{
        r.Fail(key, fmt::format("a child resource's key starts with {}", s.parent->column))};
  }
  return {};
}

}  // namespace

base::Expected<ResourceSchema> ParseResourceSchema(std::string_view yaml, std::string_view file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return base::Error{fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg)};
  }
  if (!root.IsMap()) return base::Error{fmt::format("{}: expected a mapping", file)};
  Reader r(root, file);
  static const std::set<std::string> kKeys = {"name",
                                              "path",
                                              "table",
                                              "key",
                                              "sort",
                                              "paging",
                                              "interval",
                                              "full_every",
                                              "retention",
                                              "incremental",
                                              "ignore_paths",
                                              "parent",
                                              "columns",
                                              "retention_column",
                                              "recheck_filter",
                                              "query",
                                              "limit",
                                              "search",
                                              "rows"};
  for (const auto& item : root) {
    if (!kKeys.contains(item.first.Scalar())) {
      return base::Error{r.Fail(item.first, fmt::format("unknown key {}", item.first.Scalar()))};
    }
  }
  ResourceSchema s;
  for (auto read :
       {ReadScalars, ReadSearch, ReadIncremental, ReadIgnorePaths, ReadParent, ReadColumnsAndKey}) {
    if (auto done = read(r, root, s); !done) return base::Error{done.error()};
  }
  // A search is read whole, by searchAfter: no filters for an incremental scan or a re-check,
  // no parent's path to fill in.
  if (s.paging == isc::Paging::kSearch &&
      (s.incremental || s.parent || !s.recheck_filter.empty())) {
    return base::Error{
        r.Fail(root["search"], "a search takes no incremental, parent or recheck_filter")};
  }
  return s;
}

base::Expected<std::vector<ResourceSchema>> CheckSchemas(std::vector<ResourceSchema> schemas) {
  std::set<std::string> names;
  for (const auto& s : schemas) {
    if (!names.insert(s.name).second)
      return base::Error{fmt::format("resource {} is declared twice", s.name)};
  }
  for (const auto& s : schemas) {
    if (!s.parent) continue;
    auto parent = std::find_if(schemas.begin(), schemas.end(), [&](const ResourceSchema& p) {
      return p.name == s.parent->resource;
    });
    if (parent == schemas.end()) {
      return base::Error{
          fmt::format("{}: parent resource {} is not declared", s.name, s.parent->resource)};
    }
    if (parent->parent)
      return base::Error{fmt::format("{}: parents cannot be children themselves", s.name)};
    if (parent->key.size() != 1)
      return base::Error{fmt::format("{}: the parent needs a single-column key", s.name)};
  }
  std::stable_sort(schemas.begin(), schemas.end(),
                   [](const ResourceSchema& a, const ResourceSchema& b) {
                     auto rank = [](const std::string& n) {
                       auto it = std::find(kOrder.begin(), kOrder.end(), n);
                       return static_cast<size_t>(it - kOrder.begin());
                     };
                     return rank(a.name) < rank(b.name);
                   });
  return schemas;
}

std::span<const ResourceSchema> BuiltinSchemas() {
  static const std::vector<ResourceSchema> kSchemas = [] {
    std::vector<ResourceSchema> parsed;
    for (const auto& [file, text] : SchemaFiles()) {
      auto schema = ParseResourceSchema(text, file);
      if (!schema) throw std::logic_error("built-in schema: " + schema.error());
      parsed.push_back(std::move(schema).value());
    }
    auto checked = CheckSchemas(std::move(parsed));
    if (!checked) throw std::logic_error("built-in schemas: " + checked.error());
    return std::move(checked).value();
  }();
  return kSchemas;
}

const ResourceSchema* FindSchema(std::string_view name) {
  for (const auto& s : BuiltinSchemas()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace isc_mirror::sync
