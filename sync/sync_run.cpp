#include "sync/sync_run.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <unordered_set>

#include "base/log.hpp"
#include "sync/canonical.hpp"
#include "sync/pager.hpp"
#include "sync/row.hpp"
#include "sync/writer.hpp"

namespace isc_mirror::sync {
namespace {

base::Expected<std::string> CanonicalOf(std::string_view json, const IgnoreSet& ignore) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return base::Error{simdjson::error_message(e)};
  simdjson::ondemand::value value;
  if (auto e = doc.get_value().get(value)) return base::Error{simdjson::error_message(e)};
  return CanonicalJson(value, ignore);
}

}  // namespace

RunOutcome RunFullScan(pqxx::connection& connection, IscClient& client,
                       const ResourceSchema& schema, const RunSettings& settings) {
  RunOutcome out;
  bool baseline = true;
  {
    pqxx::work tx(connection);
    out.run_id = tx.exec_params1(
                       "INSERT INTO mirror.sync_runs (tenant, resource, mode) VALUES ($1, $2, "
                       "'full') RETURNING id",
                       settings.tenant, schema.name)[0]
                     .as<int64_t>();
    auto state = tx.exec_params(
        "SELECT baseline_done FROM mirror.stream_state WHERE tenant = $1 AND resource = $2",
        settings.tenant, schema.name);
    baseline = state.empty() || !state[0][0].as<bool>();
    tx.commit();
  }
  IgnoreSet ignore(settings.ignore_paths.begin(), settings.ignore_paths.end());
  Writer writer(settings.tenant, schema, ignore);
  RequestStats stats;
  std::unordered_set<std::string> seen;
  std::vector<ObjectRow> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    auto counts = writer.Write(connection, batch, out.run_id, baseline);
    out.inserted += counts.inserted;
    out.updated += counts.updated;
    out.unchanged += counts.unchanged;
    batch.clear();
  };

  std::string failure;
  ScanResult scan;
  try {
    scan = Scan(
        client, schema.path, schema.sort.empty() ? "" : "sorters=" + PercentEncode(schema.sort),
        schema.paging, stats, [&](std::string_view body) -> base::Expected<int64_t> {
          simdjson::ondemand::parser parser;
          simdjson::padded_string padded(body);
          simdjson::ondemand::document doc;
          simdjson::ondemand::array items;
          if (parser.iterate(padded).get(doc) || doc.get_array().get(items)) {
            return base::Error{"the page is not a JSON array"};
          }
          // Parse the whole page before keeping anything, so a broken page adds nothing.
          std::vector<ObjectRow> rows;
          int64_t count = 0;
          for (auto element : items) {
            simdjson::ondemand::value value;
            if (element.get(value)) return base::Error{"the page is not valid JSON"};
            auto full = CanonicalJson(value, {});
            if (!full) return base::Error{full.error()};
            ++count;
            auto row = BuildRow(schema, *full, std::nullopt);
            if (!row) {
              ++out.rejected;
              log::Warn("object skipped", {{"resource", schema.name}, {"reason", row.error()}});
              continue;
            }
            if (!ignore.empty()) {
              auto hashed = CanonicalOf(*full, ignore);
              if (!hashed) return base::Error{hashed.error()};
              row->hash = ContentHash(*hashed);
            }
            rows.push_back(std::move(*row));
          }
          for (auto& row : rows) {
            // Pages that shifted during the scan repeat objects: keep the first.
            if (!seen.insert(row.object_id).second) continue;
            batch.push_back(std::move(row));
            if (batch.size() >= settings.batch_size) flush();
          }
          return count;
        });
    flush();
  } catch (const std::exception& e) {
    failure = fmt::format("writing {} failed: {}", schema.name, e.what());
  }
  if (failure.empty() && !scan.complete) failure = scan.error;
  out.pages = scan.pages;
  out.seen = static_cast<int64_t>(seen.size());
  out.status = failure.empty() ? "ok" : "failed";
  out.error = failure;

  pqxx::work tx(connection);
  tx.exec_params(
      "UPDATE mirror.sync_runs SET finished_at = now(), status = $2, pages = $3, seen = $4, "
      "inserted = $5, updated = $6, unchanged = $7, http_requests = $8, http_retries = $9, "
      "rate_limited = $10, error = NULLIF($11, '') WHERE id = $1",
      out.run_id, out.status, out.pages, out.seen, out.inserted, out.updated, out.unchanged,
      static_cast<int64_t>(stats.requests), static_cast<int64_t>(stats.retries),
      static_cast<int64_t>(stats.rate_limited), out.error);
  if (failure.empty()) {
    tx.exec_params(
        "INSERT INTO mirror.stream_state (tenant, resource, last_full_scan_at, baseline_done) "
        "VALUES ($1, $2, now(), true) ON CONFLICT (tenant, resource) DO UPDATE SET "
        "last_full_scan_at = now(), baseline_done = true, updated_at = now()",
        settings.tenant, schema.name);
  }
  tx.commit();
  return out;
}

}  // namespace isc_mirror::sync
