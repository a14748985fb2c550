#include "sync/writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "sync/copy.hpp"
#include "sync/sql.hpp"

namespace isc_mirror::sync {
namespace {

std::string Join(const std::vector<std::string>& items, std::string_view separator,
                 const std::function<std::string(const std::string&)>& each) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += each(items[i]);
  }
  return out;
}

}  // namespace

std::string KeyText(const std::vector<std::string>& key, std::string_view prefix) {
  return "concat_ws('/', " +
         Join(key, ", ",
              [&](const std::string& k) { return fmt::format("{}{}::text", prefix, k); }) +
         ")";
}

std::string TextArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Writer::Writer(std::string tenant, const ResourceSchema& schema, IgnoreSet ignore)
    : tenant_(std::move(tenant)),
      schema_(schema),
      ignore_(std::move(ignore)),
      row_columns_(RowColumns(schema)),
      stage_("stage_" + schema.name),
      table_statistics_{schema.table} {
  auto ident = [](const std::string& c) { return c; };
  std::string keys = Join(schema.key, ", ", ident);
  std::string join = Join(schema.key, " AND ",
                          [](const std::string& k) { return fmt::format("t.{0} = s.{0}", k); });
  std::string columns = Join(row_columns_, ", ", ident);
  std::string updates = Join(row_columns_, ", ", [](const std::string& c) {
    return fmt::format("{0} = EXCLUDED.{0}", c);
  });
  // One statement per batch: find what changed against the table, copy the versions it
  // supersedes into history, upsert it, and return it with its previous version. Unchanged
  // objects are not written at all. A deleted object's last version ended at its deletion.
  changes_sql_ = fmt::format(
      "WITH cur AS (SELECT s.*, t.content_hash AS old_hash, t.raw AS old_raw, "
      "t.deleted_at AS old_deleted, t.valid_from AS old_from, t.tenant IS NULL AS is_new "
      "FROM {stage} s LEFT JOIN {table} t ON t.tenant = s.tenant AND {join}), "
      "chg AS (SELECT * FROM cur WHERE is_new OR old_hash IS DISTINCT FROM content_hash "
      "OR old_deleted IS NOT NULL), "
      "past AS (INSERT INTO mirror.past_versions (tenant, resource, object_id, valid_from, "
      "valid_to, raw) SELECT tenant, {resource}, {key_text}, old_from, "
      "coalesce(old_deleted, now()), old_raw FROM chg WHERE NOT is_new RETURNING 1), "
      "up AS (INSERT INTO {table} (tenant, {columns}, raw, content_hash) "
      "SELECT tenant, {columns}, raw, content_hash FROM chg "
      "ON CONFLICT (tenant, {keys}) DO UPDATE SET {updates}, raw = EXCLUDED.raw, "
      "content_hash = EXCLUDED.content_hash, last_seen = now(), last_changed = now(), "
      "valid_from = now(), deleted_at = NULL RETURNING 1) "
      "SELECT {key_text}, is_new OR old_deleted IS NOT NULL, old_raw::text, old_from::text, "
      "(SELECT count(*) FROM up) FROM chg",
      fmt::arg("stage", stage_), fmt::arg("table", schema.table), fmt::arg("join", join),
      fmt::arg("resource", "'" + schema.name + "'"), fmt::arg("columns", columns),
      fmt::arg("keys", keys), fmt::arg("updates", updates),
      fmt::arg("key_text", KeyText(schema.key, "")));
  copy_columns_ = {"tenant"};
  copy_columns_.insert(copy_columns_.end(), row_columns_.begin(), row_columns_.end());
  copy_columns_.push_back("raw");
  copy_columns_.push_back("content_hash");
  if (schema.key.size() == 1) {
    auto column = std::find_if(schema.columns.begin(), schema.columns.end(),
                               [&](const Column& c) { return c.name == schema.key[0]; });
    std::string type(SqlType(column == schema.columns.end() ? ColumnType::kText : column->type));
    known_sql_ = fmt::format(
        "SELECT {key}::text, content_hash, deleted_at IS NOT NULL FROM {table} "
        "WHERE tenant = $1 AND {key} = ANY($2::{type}[])",
        fmt::arg("key", schema.key[0]), fmt::arg("table", schema.table), fmt::arg("type", type));
  }
}

Writer::Differences Writer::Differing(pqxx::work& tx, const std::vector<ObjectRow>& rows) {
  Differences out;
  if (known_sql_.empty()) {
    for (const auto& row : rows) out.staged.push_back(&row);
    return out;
  }
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.object_id);
  // object_id -> hash of a present row, nullopt for a deleted one
  std::unordered_map<std::string, std::optional<std::string>> stored;
  stored.reserve(rows.size());
  for (const auto& r : tx.exec_params(known_sql_, tenant_, TextArrayLiteral(ids))) {
    std::optional<std::string> hash;
    if (!r[2].as<bool>()) hash = r[1].as<std::string>();
    stored.emplace(r[0].as<std::string>(), std::move(hash));
  }
  for (const auto& row : rows) {
    auto it = stored.find(row.object_id);
    if (it == stored.end()) {
      out.fresh.push_back(&row);
    } else if (it->second != row.hash) {
      out.staged.push_back(&row);
    }
  }
  return out;
}

std::string Writer::CopyTextOf(const std::vector<const ObjectRow*>& rows) const {
  size_t size = 0;
  for (const ObjectRow* row : rows) size += row->canonical.size() + 256;
  std::string text;
  text.reserve(size);
  for (const ObjectRow* row : rows) {
    AppendCopyField(text, tenant_);
    for (const auto& value : row->values) {
      text.push_back('\t');
      AppendCopyValue(text, value);
    }
    text.push_back('\t');
    AppendCopyField(text, row->canonical);
    text.push_back('\t');
    AppendCopyField(text, row->hash);
    text.push_back('\n');
  }
  return text;
}

void Writer::KeepStatistics(pqxx::work& tx, Statistics& statistics) {
  auto planned = [&] {
    return tx.exec_params1(std::string(sql::kPlannedRows), statistics.table)[0].as<double>();
  };
  // Small tables are cheap to read whatever the plan; past that, analyse at each doubling.
  constexpr double kSmallTable = 10000;
  bool now = false;
  if (!statistics.read) {
    statistics.read = true;
    statistics.planned_rows = planned();
    // Never analysed but holding rows: a first load cut off, say.
    now = statistics.planned_rows < 0 &&
          !tx.exec(fmt::format("SELECT 1 FROM {} LIMIT 1", statistics.table)).empty();
  }
  double known = std::max(statistics.planned_rows, 0.0);
  if (!now && static_cast<double>(statistics.grown) < std::max(known, kSmallTable)) return;
  // Another session (a baseline's second, autovacuum) may have analysed it meanwhile.
  if (double fresh = planned(); !now && fresh > statistics.planned_rows) {
    statistics.planned_rows = fresh;
    statistics.grown = 0;
    return;
  }
  tx.exec("ANALYZE " + statistics.table);
  statistics.planned_rows = planned();
  statistics.grown = 0;
}

void Writer::EventRows::Add(const std::string& object_id, EventOp op,
                            const std::vector<std::string>& paths, std::string diff,
                            std::string before_from) {
  object_ids.push_back(object_id);
  ops.emplace_back(EventOpName(op));
  changed_paths.push_back(TextArrayLiteral(paths));
  diffs.push_back(std::move(diff));
  before_froms.push_back(std::move(before_from));
}

void Writer::WriteStaged(pqxx::work& tx, const std::vector<const ObjectRow*>& rows, bool watch,
                         BatchCounts& counts, EventRows* events, std::vector<Event>& watched) {
  tx.exec(
      fmt::format("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) "
                  "ON COMMIT DELETE ROWS",
                  stage_, schema_.table));
  CopyText(tx, stage_, copy_columns_, CopyTextOf(rows));
  // A temporary table has no statistics until analysed; without them the batch statements
  // are planned blind.
  tx.exec("ANALYZE " + stage_);

  std::unordered_map<std::string, const ObjectRow*> by_id;
  by_id.reserve(rows.size());
  for (const ObjectRow* row : rows) by_id.emplace(row->object_id, row);
  for (const auto& r : tx.exec(changes_sql_)) {
    std::string object_id = r[0].as<std::string>();
    bool inserted = r[1].as<bool>();
    auto it = by_id.find(object_id);
    if (it == by_id.end()) {
      throw std::logic_error("changed row " + object_id + " was not staged");
    }
    const ObjectRow& row = *it->second;
    std::optional<std::string> before;
    std::vector<std::string> paths;
    if (!r[2].is_null()) {
      before = r[2].as<std::string>();
      for (auto& p : ChangedPaths(*before, row.canonical)) {
        if (!ignore_.contains(p)) paths.push_back(std::move(p));
      }
    }
    inserted ? ++counts.inserted : ++counts.updated;
    EventOp op = inserted ? EventOp::kInsert : EventOp::kUpdate;
    if (events) {
      // The event holds the changed values; the versions on either side are in history.
      events->Add(object_id, op, paths,
                  inserted ? std::string() : ChangeDiff(*before, row.canonical, paths),
                  inserted ? std::string() : r[3].as<std::string>());
    }
    if (watch) {
      watched.push_back({.resource = schema_.name,
                         .object_id = object_id,
                         .op = op,
                         .changed_paths = std::move(paths),
                         .before = inserted ? std::nullopt : std::move(before),
                         .after = row.canonical});
    }
  }
}

BatchCounts Writer::Write(pqxx::connection& connection, const std::vector<ObjectRow>& rows,
                          std::optional<int64_t> sync_run_id, bool baseline,
                          const std::function<void(pqxx::work&)>& extra, EventSink* sink) {
  BatchCounts counts;
  pqxx::work tx(connection);
  KeepStatistics(tx, table_statistics_);
  Differences diff = Differing(tx, rows);
  if (diff.fresh.empty() && diff.staged.empty()) {
    counts.unchanged = static_cast<int64_t>(rows.size());
    if (extra) extra(tx);
    tx.commit();
    return counts;
  }
  bool watch = sink != nullptr && !baseline;
  std::vector<Event> watched;  // in event order: fresh rows' first, then the staged ones'
  // A baseline writes no events: its run records it, and its objects' rows are their first
  // versions. Events are what changed since.
  EventRows events;
  EventRows* recorded = baseline ? nullptr : &events;

  if (!diff.fresh.empty()) {
    CopyText(tx, schema_.table, copy_columns_, CopyTextOf(diff.fresh));
    for (const ObjectRow* row : diff.fresh) {
      if (recorded) recorded->Add(row->object_id, EventOp::kInsert, {}, "", "");
      if (watch)
        watched.push_back({.resource = schema_.name,
                           .object_id = row->object_id,
                           .op = EventOp::kInsert,
                           .after = row->canonical});
    }
    counts.inserted += static_cast<int64_t>(diff.fresh.size());
  }
  if (!diff.staged.empty()) WriteStaged(tx, diff.staged, watch, counts, recorded, watched);
  if (recorded) InsertEvents(tx, events, sync_run_id, watched);

  counts.unchanged = static_cast<int64_t>(rows.size()) - counts.inserted - counts.updated;
  table_statistics_.grown += counts.inserted;
  if (!watched.empty()) sink->OnEvents(tx, watched);
  if (extra) extra(tx);
  tx.commit();
  return counts;
}

std::vector<int64_t> Writer::TakeEventIds(pqxx::work& tx, size_t count) {
  std::vector<int64_t> ids;
  ids.reserve(count);
  for (const auto& r :
       tx.exec_params(std::string(sql::kTakeEventIds), static_cast<int64_t>(count))) {
    ids.push_back(r[0].as<int64_t>());
  }
  return ids;
}

void Writer::InsertEvents(pqxx::work& tx, const EventRows& events,
                          std::optional<int64_t> sync_run_id, std::vector<Event>& watched) {
  if (events.object_ids.empty()) return;
  std::string ids = "{";
  if (!watched.empty()) {
    // Rules need the events' ids in this transaction: take them from the sequence up front.
    auto taken = TakeEventIds(tx, events.object_ids.size());
    for (size_t i = 0; i < taken.size(); ++i) {
      ids += (i > 0 ? "," : "") + std::to_string(taken[i]);
      watched[i].event_id = taken[i];
    }
  }
  ids += "}";
  tx.exec_params(std::string(sql::kInsertEvents), tenant_, schema_.name, sync_run_id,
                 TextArrayLiteral(events.object_ids), TextArrayLiteral(events.ops),
                 TextArrayLiteral(events.changed_paths), TextArrayLiteral(events.diffs),
                 TextArrayLiteral(events.before_froms), ids);
}

std::string Writer::ObjectIdSql() const {
  return KeyText(schema_.key, "t.");
}

int64_t Writer::Retire(pqxx::connection& connection, const std::vector<std::string>& object_ids,
                       EventOp op, std::optional<int64_t> sync_run_id, bool baseline,
                       EventSink* sink) {
  if (object_ids.empty()) return 0;
  pqxx::work tx(connection);
  bool watch = sink != nullptr && !baseline;
  // A hash join against the list: a mass delete can name many thousands of objects. The last
  // version stays where it is, ended by deleted_at; rules alone need its content.
  auto gone = tx.exec_params(
      fmt::format("UPDATE {table} t SET deleted_at = now(), last_changed = now() "
                  "FROM unnest($2::text[]) AS d(object_id) WHERE t.tenant = $1 AND "
                  "t.deleted_at IS NULL AND {id} = d.object_id "
                  "RETURNING d.object_id, t.valid_from::text, CASE WHEN $3 THEN t.raw::text END",
                  fmt::arg("table", schema_.table), fmt::arg("id", ObjectIdSql())),
      tenant_, TextArrayLiteral(object_ids), watch);
  EventRows events;
  std::vector<Event> watched;
  for (const auto& r : gone) {
    std::string object_id = r[0].as<std::string>();
    if (!baseline) events.Add(object_id, op, {}, "", r[1].as<std::string>());
    if (watch) {
      watched.push_back({.resource = schema_.name,
                         .object_id = std::move(object_id),
                         .op = op,
                         .before = r[2].as<std::string>()});
    }
  }
  InsertEvents(tx, events, sync_run_id, watched);
  if (!watched.empty()) sink->OnEvents(tx, watched);
  tx.commit();
  return static_cast<int64_t>(gone.size());
}

}  // namespace isc_mirror::sync
