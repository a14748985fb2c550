#include "tests/harness/mirror_compare.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <functional>

#include "isc/pager.hpp"
#include "sync/canonical.hpp"
#include "sync/row.hpp"
#include "sync/search_rows.hpp"
#include "sync/writer.hpp"

namespace isc_mirror::testing {
namespace {

using ObjectFn = std::function<void(const std::string& id, const std::string& canonical)>;

std::string Canon(std::string_view json, const sync::IgnoreSet& ignore) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc = parser.iterate(padded);
  simdjson::ondemand::value value = doc.get_value();
  auto canonical = sync::CanonicalJson(value, ignore);
  if (!canonical) throw std::runtime_error(canonical.error());
  return *canonical;
}

sync::IgnoreSet IgnoreOf(const sync::ResourceSchema& schema) {
  return {schema.ignore_paths.begin(), schema.ignore_paths.end()};
}

// Calls `each` with every object the tenant serves for the resource, canonical and whole.
void ForEachTenantObject(isc::IscClient& client, const sync::ResourceSchema& schema,
                         std::set<std::string>* parents_read, const ObjectFn& each) {
  std::vector<std::pair<std::string, std::optional<std::string>>> targets;
  if (!schema.parent) {
    targets.emplace_back(schema.path, std::nullopt);
  } else {
    const auto* parent = sync::FindSchema(schema.parent->resource);
    ForEachTenantObject(client, *parent, nullptr,
                        [&](const std::string& key, const std::string& json) {
                          if (schema.parent->open_when_path) {
                            simdjson::dom::parser parser;
                            simdjson::dom::element doc = parser.parse(json);
                            simdjson::dom::element value;
                            if (doc.at_pointer(*schema.parent->open_when_path).get(value) ||
                                simdjson::minify(value) != *schema.parent->open_when_equals) {
                              return;
                            }
                          }
                          std::string path = schema.path;
                          path.replace(path.find("{id}"), 4, key);
                          targets.emplace_back(path, key);
                          if (parents_read) parents_read->insert(key);
                        });
  }
  isc::RequestStats stats;
  for (const auto& [path, parent] : targets) {
    std::string query = schema.query;
    if (!schema.sort.empty()) query += (query.empty() ? "" : "&") + ("sorters=" + schema.sort);
    auto scan = isc::Scan(
        client, path, query, schema.Pages(), stats,
        sync::ConsumeRowsOf(schema, [&](std::string_view body) -> base::Expected<int64_t> {
          simdjson::dom::parser parser;
          simdjson::dom::element doc;
          if (parser.parse(body).get(doc)) return base::Error{"not JSON"};
          int64_t n = 0;
          for (auto item : doc.get_array()) {
            std::string canonical = Canon(simdjson::minify(item), {});
            auto row = sync::BuildRow(schema, canonical, parent);
            if (!row) throw std::runtime_error(row.error());
            each(row->object_id, canonical);
            ++n;
          }
          return n;
        }));
    // A parent whose children ISC refuses to list (a certification reviewed by a governance
    // group answers 400) has none to compare.
    if (!scan && parent && scan.failure().status == 400) continue;
    if (!scan) throw std::runtime_error(path + ": " + scan.error());
  }
}

}  // namespace

ObjectHashes TenantObjects(isc::IscClient& client, const sync::ResourceSchema& schema,
                           std::set<std::string>* parents_read) {
  auto ignore = IgnoreOf(schema);
  ObjectHashes objects;
  ForEachTenantObject(
      client, schema, parents_read, [&](const std::string& id, const std::string& canonical) {
        objects[id] = sync::ContentHash(ignore.empty() ? canonical : Canon(canonical, ignore));
      });
  return objects;
}

ObjectHashes MirrorObjects(pqxx::connection& connection, std::string_view tenant,
                           const sync::ResourceSchema& schema,
                           const std::set<std::string>* parents_read) {
  auto ignore = IgnoreOf(schema);
  sync::Writer writer(std::string(tenant), schema, ignore);
  pqxx::work tx(connection);
  tx.exec(fmt::format(
      "DECLARE rows NO SCROLL CURSOR FOR SELECT {}, raw::text FROM {} t WHERE tenant = {} AND "
      "deleted_at IS NULL",
      writer.ObjectIdSql(), schema.table, tx.quote(std::string(tenant))));
  ObjectHashes objects;
  for (;;) {
    auto rows = tx.exec("FETCH 10000 FROM rows");
    if (rows.empty()) break;
    for (const auto& row : rows) {
      std::string id = row[0].c_str();
      if (schema.parent && parents_read && !parents_read->contains(id.substr(0, id.find('/')))) {
        continue;
      }
      objects[id] = sync::ContentHash(Canon(row[1].c_str(), ignore));
    }
  }
  return objects;
}

std::string ObjectHash(const sync::ResourceSchema& schema, std::string_view raw) {
  return sync::ContentHash(Canon(raw, IgnoreOf(schema)));
}

std::string Difference(const ObjectHashes& expected, const ObjectHashes& actual, bool allow_extra) {
  std::string out;
  int count = 0;
  auto note = [&](std::string_view what, const std::string& id) {
    if (count++ < 3) out += fmt::format("{} {}; ", what, id);
  };
  for (const auto& [id, hash] : expected) {
    auto it = actual.find(id);
    if (it == actual.end()) {
      note("missing", id);
    } else if (it->second != hash) {
      note("differs", id);
    }
  }
  if (!allow_extra) {
    for (const auto& [id, hash] : actual) {
      if (!expected.contains(id)) note("extra", id);
    }
  }
  if (count > 3) out += fmt::format("({} differences)", count);
  return out;
}

}  // namespace isc_mirror::testing
