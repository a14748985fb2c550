#include "sync/search_rows.hpp"

#include <simdjson.h>

#include <array>
#include <vector>

#include "base/json_writer.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::sync {
namespace {

using simdjson::dom::element;

std::string_view TextAt(element object, std::string_view pointer) {
  std::string_view text;
  if (object.at_pointer(pointer).get(text)) return {};
  return text;
}

// Whether an account's entitlementAttributes hold `value` under `attribute` (a value or a
// list of values).
bool Holds(element account, std::string_view attribute, std::string_view value) {
  element held;
  if (account["entitlementAttributes"][attribute].get(held)) return false;
  if (held.is_string()) return std::string_view(held.get_string().value()) == value;
  simdjson::dom::array values;
  if (held.get(values)) return false;
  for (element v : values) {
    std::string_view text;
    if (!v.get(text) && text == value) return true;
  }
  return false;
}

// The accounts that hold an entitlement: by its value, else the only one on its source.
std::vector<element> HoldingAccounts(const std::vector<element>& accounts, element item) {
  std::string_view source = TextAt(item, "/source/id");
  std::string_view attribute = TextAt(item, "/attribute");
  std::string_view value = TextAt(item, "/value");
  std::vector<element> on_source, holding;
  for (element account : accounts) {
    if (TextAt(account, "/source/id") != source || source.empty()) continue;
    on_source.push_back(account);
    if (Holds(account, attribute, value)) holding.push_back(account);
  }
  if (holding.empty() && on_source.size() == 1) return on_source;
  return holding;
}

void WriteRow(base::JsonWriter& w, element document, element entry,
              const std::vector<element>& accounts) {
  simdjson::dom::object item = entry.get_object().value_unsafe();
  w.BeginObject();
  w.Key("identity")
      .BeginObject()
      .Field("id", TextAt(document, "/id"))
      .Field("name", TextAt(document, "/name"))
      .EndObject();
  for (auto field : item) {
    if (field.key == "identity" || field.key == "accounts") continue;
    w.Key(field.key).Raw(simdjson::minify(field.value));
  }
  if (TextAt(entry, "/type") == "ENTITLEMENT") {
    w.Key("accounts").BeginArray();
    for (element account : HoldingAccounts(accounts, entry)) {
      w.BeginObject()
          .Field("id", TextAt(account, "/id"))
          .Field("name", TextAt(account, "/name"))
          .EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

base::Expected<std::string> IdentityAccessRows(std::string_view page) {
  simdjson::dom::parser parser;
  simdjson::dom::array documents;
  if (parser.parse(page.data(), page.size()).get(documents)) {
    return base::Error{"the search page is not a JSON array"};
  }
  std::string out;
  out.reserve(page.size());
  base::JsonWriter w(out);
  w.BeginArray();
  for (element document : documents) {
    simdjson::dom::array access, listed;
    if (document["access"].get(access)) continue;  // holds nothing
    std::vector<element> accounts;
    if (!document["accounts"].get(listed)) accounts.assign(listed.begin(), listed.end());
    for (element entry : access) {
      if (entry.is_object()) WriteRow(w, document, entry, accounts);
    }
  }
  w.EndArray();
  return out;
}

RowsOfPage FindRows(std::string_view name) {
  struct Entry {
    std::string_view name;
    RowsOfPage rows;
  };
  static constexpr std::array<Entry, 1> kRows = {{{"identity_access", &IdentityAccessRows}}};
  for (const auto& e : kRows) {
    if (e.name == name) return e.rows;
  }
  return nullptr;
}

isc::PageConsumer ConsumeRowsOf(const ResourceSchema& schema, isc::PageConsumer consume) {
  RowsOfPage rows = schema.rows.empty() ? nullptr : FindRows(schema.rows);
  if (rows == nullptr) return consume;
  return [rows, consume = std::move(consume)](std::string_view page) -> base::Expected<int64_t> {
    auto table = rows(page);
    if (!table) return base::Error{table.error()};
    return consume(*table);
  };
}

}  // namespace isc_mirror::sync
