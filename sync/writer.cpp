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

constexpr std::string_view kNextEventId =
    "coalesce(c.event_id, nextval(pg_get_serial_sequence('mirror.change_events', 'event_id')))";

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
  // One statement per batch: find what changed against the table, upsert it, and return it
  // with its previous version. Unchanged objects are not written at all.
  changes_sql_ = fmt::format(
      "WITH cur AS (SELECT s.*, t.content_hash AS old_hash, t.raw AS old_raw, "
      "t.deleted_at AS old_deleted, t.tenant IS NULL AS is_new FROM {stage} s "
      "LEFT JOIN {table} t ON t.tenant = s.tenant AND {join}), "
      "chg AS (SELECT * FROM cur WHERE is_new OR old_hash IS DISTINCT FROM content_hash "
      "OR old_deleted IS NOT NULL), "
      "up AS (INSERT INTO {table} (tenant, {columns}, raw, content_hash) "
      "SELECT tenant, {columns}, raw, content_hash FROM chg "
      "ON CONFLICT (tenant, {keys}) DO UPDATE SET {updates}, raw = EXCLUDED.raw, "
      "content_hash = EXCLUDED.content_hash, last_seen = now(), last_changed = now(), "
      "deleted_at = NULL RETURNING 1) "
      "SELECT {key_text}, is_new OR old_deleted IS NOT NULL, old_raw::text, "
      "(SELECT count(*) FROM up) FROM chg",
      fmt::arg("stage", stage_), fmt::arg("table", schema.table), fmt::arg("join", join),
      fmt::arg("columns", columns), fmt::arg("keys", keys), fmt::arg("updates", updates),
      fmt::arg("key_text", KeyText(schema.key, "")));
  history_sql_ = fmt::format(
      "INSERT INTO mirror.history (tenant, resource, object_id, valid_from, raw) "
      "SELECT s.tenant, $1, c.object_id, $2::timestamptz, s.raw FROM {stage} s "
      "JOIN unnest($3::text[]) AS c(object_id) ON {key_text} = c.object_id",
      fmt::arg("stage", stage_), fmt::arg("key_text", KeyText(schema.key, "s.")));
  // Events of staged rows take `after` from the stage, already jsonb: a COPY would parse
  // every object once more. Ids are given when rules need them in this transaction; otherwise
  // the sequence numbers them, after the sort, so events keep batch order either way.
  events_sql_ = fmt::format(
      "INSERT INTO mirror.change_events (event_id, tenant, resource, object_id, op, "
      "changed_paths, before, after, sync_run_id) "
      "SELECT {next_id}, s.tenant, $1, c.object_id, c.op, c.paths::text[], "
      "NULLIF(c.before, '')::jsonb, s.raw, $2::bigint "
      "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) "
      "WITH ORDINALITY AS c(object_id, op, paths, before, event_id, n) "
      "JOIN {stage} s ON {key_text} = c.object_id ORDER BY c.n",
      fmt::arg("next_id", kNextEventId), fmt::arg("stage", stage_),
      fmt::arg("key_text", KeyText(schema.key, "s.")));
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
    fresh_history_sql_ = fmt::format(
        "INSERT INTO mirror.history (tenant, resource, object_id, valid_from, raw) "
        "SELECT t.tenant, $2, t.{key}::text, $3::timestamptz, t.raw FROM {table} t "
        "WHERE t.tenant = $1 AND t.{key} = ANY($4::{type}[])",
        fmt::arg("key", schema.key[0]), fmt::arg("table", schema.table), fmt::arg("type", type));
    fresh_events_sql_ = fmt::format(
        "INSERT INTO mirror.change_events (event_id, tenant, resource, object_id, op, "
        "changed_paths, before, after, sync_run_id) "
        "SELECT {next_id}, t.tenant, $2, c.object_id, 'insert', '{{}}', NULL, t.raw, "
        "$3::bigint FROM unnest($4::text[], $5::bigint[]) WITH ORDINALITY "
        "AS c(object_id, event_id, n) JOIN {table} t ON t.tenant = $1 AND "
        "t.{key} = c.object_id::{type} ORDER BY c.n",
        fmt::arg("next_id", kNextEventId), fmt::arg("key", schema.key[0]),
        fmt::arg("table", schema.table), fmt::arg("type", type));
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

Writer::Staged Writer::WriteStaged(pqxx::work& tx, const std::vector<const ObjectRow*>& rows,
                                   const std::string& now, bool watch, BatchCounts& counts,
                                   std::vector<Event>& watched) {
  Staged out;
  auto& [changed, ops, paths_of, befores] = out;
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
  std::vector<std::string> closed;
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
      closed.push_back(object_id);
      for (auto& p : ChangedPaths(*before, row.canonical)) {
        if (!ignore_.contains(p)) paths.push_back(std::move(p));
      }
    }
    inserted ? ++counts.inserted : ++counts.updated;
    if (watch) {
      watched.push_back({.resource = schema_.name,
                         .object_id = object_id,
                         .op = inserted ? EventOp::kInsert : EventOp::kUpdate,
                         .changed_paths = paths,
                         .before = inserted ? std::nullopt : before,
                         .after = row.canonical});
    }
    ops.emplace_back(EventOpName(inserted ? EventOp::kInsert : EventOp::kUpdate));
    paths_of.push_back(TextArrayLiteral(paths));
    befores.push_back(inserted || !before ? std::string() : std::move(*before));
    changed.push_back(object_id);
  }
  if (!closed.empty()) {
    tx.exec_params(std::string(sql::kCloseHistoryVersions), tenant_, schema_.name, now,
                   TextArrayLiteral(closed));
  }
  return out;
}

BatchCounts Writer::Write(pqxx::connection& connection, const std::vector<ObjectRow>& rows,
                          std::optional<int64_t> sync_run_id, bool baseline,
                          const std::function<void(pqxx::work&)>& extra, EventSink* sink) {
  BatchCounts counts;
  pqxx::work tx(connection);
  KeepStatistics(tx, table_statistics_);
  KeepStatistics(tx, history_statistics_);
  Differences diff = Differing(tx, rows);
  if (diff.fresh.empty() && diff.staged.empty()) {
    counts.unchanged = static_cast<int64_t>(rows.size());
    if (extra) extra(tx);
    tx.commit();
    return counts;
  }
  // The transaction's own time, so that a closed version and its successor meet exactly.
  std::string now = tx.exec1(std::string(sql::kTransactionTime))[0].as<std::string>();
  std::optional<std::string> run =
      sync_run_id ? std::optional(std::to_string(*sync_run_id)) : std::nullopt;
  bool watch = sink != nullptr && !baseline;
  std::vector<Event> watched;  // fresh rows' events first, then the staged ones'

  std::vector<std::string> fresh;
  if (!diff.fresh.empty()) {
    CopyText(tx, schema_.table, copy_columns_, CopyTextOf(diff.fresh));
    for (const ObjectRow* row : diff.fresh) {
      fresh.push_back(row->object_id);
      if (watch)
        watched.push_back({.resource = schema_.name,
                           .object_id = row->object_id,
                           .op = EventOp::kInsert,
                           .after = row->canonical});
    }
    counts.inserted += static_cast<int64_t>(fresh.size());
  }

  Staged staged;
  if (!diff.staged.empty()) staged = WriteStaged(tx, diff.staged, now, watch, counts, watched);
  const auto& [changed, ops, paths_of, befores] = staged;

  // Rules need the events' ids in this transaction; otherwise the sequence gives them.
  std::string fresh_ids = "{}", changed_ids = "{}";
  if (watch) {
    auto ids = TakeEventIds(tx, watched.size());
    for (size_t i = 0; i < ids.size(); ++i) watched[i].event_id = ids[i];
    auto list = [&](size_t from, size_t to) {
      std::string out = "{";
      for (size_t i = from; i < to; ++i) out += (i > from ? "," : "") + std::to_string(ids[i]);
      return out + "}";
    };
    fresh_ids = list(0, fresh.size());
    changed_ids = list(fresh.size(), ids.size());
  }
  // A baseline writes no events: its run records it, and its objects' first versions are in
  // history. Events are what changed since.
  if (!fresh.empty()) {
    // Read back from the table, whose raw is already jsonb: a COPY would parse it once more.
    std::string list = TextArrayLiteral(fresh);
    if (!baseline) {
      tx.exec_params(fresh_events_sql_, tenant_, schema_.name, run, list, fresh_ids);
    }
    tx.exec_params(fresh_history_sql_, tenant_, schema_.name, now, list);
  }
  if (!changed.empty()) {
    if (!baseline) {
      tx.exec_params(events_sql_, schema_.name, run, TextArrayLiteral(changed),
                     TextArrayLiteral(ops), TextArrayLiteral(paths_of), TextArrayLiteral(befores),
                     changed_ids);
    }
    // From the staged rows, whose raw is already jsonb.
    tx.exec_params(history_sql_, schema_.name, now, TextArrayLiteral(changed));
  }
  counts.unchanged = static_cast<int64_t>(rows.size()) - counts.inserted - counts.updated;
  table_statistics_.grown += counts.inserted;
  history_statistics_.grown += counts.inserted + counts.updated;
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

void Writer::CopyEvents(pqxx::work& tx, std::vector<CopyRow>& events, std::vector<Event>& watched) {
  std::vector<std::string> columns = {"tenant",        "resource", "object_id", "op",
                                      "changed_paths", "before",   "after",     "sync_run_id"};
  if (!watched.empty()) {
    // Rules need the events' ids in this transaction: take them from the sequence up front.
    auto ids = TakeEventIds(tx, events.size());
    columns.push_back("event_id");
    for (size_t i = 0; i < events.size(); ++i) {
      events[i].emplace_back(std::to_string(ids[i]));
      watched[i].event_id = ids[i];
    }
  }
  CopyRows(tx, "mirror.change_events", columns, events);
}

std::string Writer::ObjectIdSql() const {
  return KeyText(schema_.key, "t.");
}

int64_t Writer::Retire(pqxx::connection& connection, const std::vector<std::string>& object_ids,
                       EventOp op, std::optional<int64_t> sync_run_id, bool baseline,
                       EventSink* sink) {
  if (object_ids.empty()) return 0;
  pqxx::work tx(connection);
  std::string now = tx.exec1(std::string(sql::kTransactionTime))[0].as<std::string>();
  // A hash join against the list: a mass delete can name many thousands of objects.
  auto gone = tx.exec_params(
      fmt::format("UPDATE {table} t SET deleted_at = now(), last_changed = now() "
                  "FROM unnest($2::text[]) AS d(object_id) WHERE t.tenant = $1 AND "
                  "t.deleted_at IS NULL AND {id} = d.object_id RETURNING d.object_id, t.raw::text",
                  fmt::arg("table", schema_.table), fmt::arg("id", ObjectIdSql())),
      tenant_, TextArrayLiteral(object_ids));
  std::vector<CopyRow> events;
  std::vector<std::string> closed;
  std::optional<std::string> run =
      sync_run_id ? std::optional(std::to_string(*sync_run_id)) : std::nullopt;
  bool watch = sink != nullptr && !baseline;
  std::vector<Event> watched;
  for (const auto& r : gone) {
    closed.push_back(r[0].as<std::string>());
    if (!baseline) {
      events.push_back({tenant_, schema_.name, closed.back(), std::string(EventOpName(op)),
                        std::string("{}"), r[1].as<std::string>(), std::nullopt, run});
    }
    if (watch) {
      watched.push_back({.resource = schema_.name,
                         .object_id = closed.back(),
                         .op = op,
                         .before = r[1].as<std::string>()});
    }
  }
  if (!closed.empty()) {
    tx.exec_params(std::string(sql::kCloseRetiredHistoryVersions), tenant_, schema_.name, now,
                   TextArrayLiteral(closed));
    CopyEvents(tx, events, watched);
  }
  if (!watched.empty()) sink->OnEvents(tx, watched);
  tx.commit();
  return static_cast<int64_t>(closed.size());
}

}  // namespace isc_mirror::sync
