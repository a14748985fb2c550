// Writes a batch of a resource's objects to the mirror: only what changed, together with the
// versions it supersedes and its change events, in one transaction.
#pragma once

#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sync/canonical.hpp"
#include "sync/copy.hpp"
#include "sync/event.hpp"
#include "sync/resource_schema.hpp"
#include "sync/row.hpp"

namespace isc_mirror::sync {

// Sees every change event (baseline ones excepted) inside the transaction that writes it, so
// that what it decides (outbox actions) commits or rolls back with the event.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvents(pqxx::work& tx, const std::vector<Event>& events) = 0;
};

struct BatchCounts {
  int64_t inserted = 0;  // new objects, and deleted ones that came back
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// A PostgreSQL text[] literal of the given strings.
std::string TextArrayLiteral(const std::vector<std::string>& items);

// The object_id of a row in SQL: its key columns as text, joined by "/". `prefix` qualifies
// the columns ("t." for an alias), empty when they are unambiguous.
std::string KeyText(const std::vector<std::string>& key, std::string_view prefix);

class Writer {
 public:
  Writer(std::string tenant, const ResourceSchema& schema, IgnoreSet ignore);

  // `rows` hold each object once. Changed rows are upserted, the versions they supersede
  // copied into mirror.past_versions, and one change event written per change; a baseline (the
  // first complete scan, recorded on its run) writes no events. `extra` runs in the same
  // transaction before the commit (the stream checkpoint); an exception anywhere rolls everything
  // back.
  BatchCounts Write(pqxx::connection& connection, const std::vector<ObjectRow>& rows,
                    std::optional<int64_t> sync_run_id, bool baseline,
                    const std::function<void(pqxx::work&)>& extra = nullptr,
                    EventSink* sink = nullptr);

  // Soft-deletes the given objects (by object_id) that are still present: sets deleted_at
  // (which ends their current version) and, outside a baseline, writes one `op` event
  // (delete or expire) each, with the last version as `before`. Returns how many were retired.
  int64_t Retire(pqxx::connection& connection, const std::vector<std::string>& object_ids,
                 EventOp op, std::optional<int64_t> sync_run_id, bool baseline,
                 EventSink* sink = nullptr);

  // The SQL expression naming a row of the table (alias t) as its object_id.
  std::string ObjectIdSql() const;

 private:
  // A batch's change events as the columns of sync/sql/insert_events.sql, in event order; ""
  // where a column has no value.
  struct EventRows {
    std::vector<std::string> object_ids, ops, changed_paths, diffs, before_froms;
    void Add(const std::string& object_id, EventOp op, const std::vector<std::string>& paths,
             std::string diff, std::string before_from);
  };
  // Inserts the events; when some are watched (all of them, same order), gives them ids first.
  void InsertEvents(pqxx::work& tx, const EventRows& events, std::optional<int64_t> sync_run_id,
                    std::vector<Event>& watched);
  // Stages the rows, upserts those that changed (moving the versions they supersede into
  // history), and adds their events to `events` unless it is null (a baseline).
  void WriteStaged(pqxx::work& tx, const std::vector<const ObjectRow*>& rows, bool watch,
                   BatchCounts& counts, EventRows* events, std::vector<Event>& watched);
  // `count` event ids from the sequence, in order: rules need them within the transaction.
  std::vector<int64_t> TakeEventIds(pqxx::work& tx, size_t count);
  // What a batch holds that the table does not, by one indexed read of the stored hashes: an
  // unchanged object then costs nothing more. Objects the table has never seen are COPYed
  // straight in (a first load is nearly all of them); the rest are staged and compared. With
  // a key of several columns (small resources) everything is staged.
  struct Differences {
    std::vector<const ObjectRow*> fresh;
    std::vector<const ObjectRow*> staged;
  };
  Differences Differing(pqxx::work& tx, const std::vector<ObjectRow>& rows);
  // The rows as COPY text of the table's columns (copy_columns_).
  std::string CopyTextOf(const std::vector<const ObjectRow*>& rows) const;
  // What the planner knows of a table this writer adds rows to.
  struct Statistics {
    std::string table;
    double planned_rows = -1;  // its row count when last analysed (-1: never, or not read yet)
    int64_t grown = 0;         // rows this writer added since
    bool read = false;
  };
  // Analyses a table once it has grown to twice the size the planner last knew. A table this
  // writer is filling has no statistics yet, and without them every batch's lookup read the
  // whole table: a first load of 1M objects went quadratic.
  static void KeepStatistics(pqxx::work& tx, Statistics& statistics);

  std::string tenant_;
  const ResourceSchema& schema_;
  IgnoreSet ignore_;
  std::vector<std::string> row_columns_;
  std::string stage_;
  std::string changes_sql_;
  std::vector<std::string> copy_columns_;
  // Single-column keys only (empty otherwise): the stored hashes.
  std::string known_sql_;
  Statistics table_statistics_;
};

}  // namespace isc_mirror::sync
