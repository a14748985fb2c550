#include "sync/sync_run.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/log.hpp"
#include "base/names.hpp"
#include "base/text.hpp"
#include "isc/pager.hpp"
#include "sync/canonical.hpp"
#include "sync/pipeline.hpp"
#include "sync/retire.hpp"
#include "sync/row.hpp"
#include "sync/search_rows.hpp"
#include "sync/sql.hpp"
#include "sync/writer.hpp"

namespace isc_mirror::sync {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kRecheckChunk = 50;  // ids per `filters=id in (...)` request
constexpr int kCursorFetch = 10000;
// How far past the scan's start the tenant's clock may run: the watermark is clamped there.
constexpr std::chrono::seconds kWatermarkSkew{300};

base::Expected<std::string> CanonicalOf(std::string_view json, const IgnoreSet& ignore) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return base::Error{simdjson::error_message(e)};
  simdjson::ondemand::value value;
  if (auto e = doc.get_value().get(value)) return base::Error{simdjson::error_message(e)};
  return CanonicalJson(value, ignore);
}

std::string JoinQuery(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += '&';
    out += p;
  }
  return out;
}

// A filter value in ISC's filter grammar: double-quoted, with quotes and backslashes escaped.
std::string FilterString(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The path of one parent's children.
std::string ChildPath(const ResourceSchema& schema, std::string_view parent) {
  std::string path = schema.path;
  path.replace(path.find("{id}"), 4, isc::PercentEncode(parent));
  return path;
}

// A refusal of one parent's children that is about that parent, not the client: any 4xx
// except 401 (credentials) and 429 (rate), which the client already retried.
bool SkippableRefusal(int status) {
  return status >= 400 && status < 500 && status != 401 && status != 429 && status != 404;
}

// Where one scan reads from: the resource's path, or a child's path for one parent.
struct Target {
  std::string path;
  std::optional<std::string> parent;
};

// Releases the run's advisory lock when the run ends, however it ends.
class RunLock {
 public:
  RunLock(pqxx::connection& connection, std::string tenant, std::string resource)
      : connection_(connection), tenant_(std::move(tenant)), resource_(std::move(resource)) {}
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock() {
    if (!held_) return;
    try {
      pqxx::nontransaction tx(connection_);
      tx.exec_params(std::string(sql::kReleaseRunLock), tenant_, resource_);
    } catch (const std::exception& e) {
      base::log::Warn("could not release the sync lock", {{"error", e.what()}});
    }
  }
  void Held() { held_ = true; }

 private:
  pqxx::connection& connection_;
  std::string tenant_;
  std::string resource_;
  bool held_ = false;
};

class ResourceRun {
 public:
  ResourceRun(pqxx::connection& connection, isc::IscClient& client, const ResourceSchema& schema,
              const RunSettings& settings)
      : connection_(connection),
        client_(client),
        schema_(schema),
        settings_(settings),
        ignore_(settings.ignore_paths.begin(), settings.ignore_paths.end()),
        writer_(settings.tenant, schema, ignore_),
        lock_(connection, settings.tenant, schema.name) {}

  RunOutcome Execute();
  RefreshOutcome Refresh(const RefreshRequest& request);

 private:
  // The run's row in mirror.sync_runs; none for a refresh.
  std::optional<int64_t> RunId() const {
    return out_.run_id == 0 ? std::nullopt : std::optional(out_.run_id);
  }
  // Reads the objects of `path` whose `field` is one of `values` (in chunks), or every object
  // when there are none, into the batch.
  base::Expected<void> ReadWhere(const std::string& path, const std::optional<std::string>& parent,
                                 std::string_view field, const std::vector<std::string>& values);
  // The reads of a refresh, then its deletes.
  base::Expected<void> RefreshScan(const RefreshRequest& request, RefreshOutcome& result);
  // Takes the resource's run lock; the error says who holds it.
  base::Expected<void> Start();
  std::string ScanQuery() const;
  std::vector<Target> Targets();
  // The page again, one object at a time: those the parser refuses are refused alone.
  base::Expected<int64_t> ConsumeEachObject(std::string_view body,
                                            const std::optional<std::string>& parent);
  void Reject(std::string_view reason, std::string_view object);
  std::set<std::string> rejected_;  // hashes of the objects refused, each told once
  // Builds the object's row into `rows`; an object without its key is refused alone.
  base::Expected<void> Keep(const std::string& full, const std::optional<std::string>& parent,
                            std::vector<ObjectRow>& rows);
  // The page's rows into the batch, once the page was read whole.
  void Take(std::vector<ObjectRow>& rows);
  base::Expected<int64_t> ConsumePage(std::string_view body,
                                      const std::optional<std::string>& parent);
  // Hands the batch to the write pipeline; PostgreSQL writes it while the next pages come.
  void Flush();
  // Waits for every batch handed over to be written; its counts then join out_. Rethrows
  // a failed write. The connection is the scan thread's again afterwards.
  void Drain();
  void Progress(int64_t pages, int64_t objects, std::optional<int64_t> total,
                std::string_view unit);
  void OpenSecondSession();
  // Whether a parent's failed scan of children is passed over (the parent went away, or ISC
  // refuses to list its children) rather than failing the run.
  bool SkipParent(const Target& target, const isc::ScanFailure& scan);
  // Records where the stream stands after a run that did not fail: the watermark, the last
  // reconciliation, the baseline done.
  void SaveStreamState(pqxx::work& tx);
  // After a complete full scan: what is gone, re-checked, guarded, then retired.
  base::Expected<void> RetireMissing(const std::unordered_set<std::string>& complete_parents);
  // The live objects the scan did not return, read through a cursor; fills in `facts`.
  std::vector<MissingObject> ReadMissing(const std::unordered_set<std::string>& complete_parents,
                                         RetireFacts& facts);
  base::Expected<void> Recheck(std::vector<std::string>& candidates);
  // Every target's scan, then, after a complete full scan, the retirement of what is gone.
  base::Expected<void> ScanAll();

  pqxx::connection& connection_;
  isc::IscClient& client_;
  const ResourceSchema& schema_;
  const RunSettings& settings_;
  IgnoreSet ignore_;
  Writer writer_;
  RunLock lock_;
  isc::RequestStats stats_;
  RunOutcome out_;
  bool baseline_ = true;
  bool incremental_ = false;
  std::string since_;  // incremental scans: the filter's lower bound
  std::unordered_set<std::string> seen_;
  std::vector<ObjectRow> batch_;
  simdjson::dom::parser row_parser_;  // its buffers serve every object of the scan
  std::mutex written_mutex_;
  BatchCounts written_;  // by the pipelines' threads until Drain
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_progress_ = Clock::now();
  // A baseline's second writing session (RunSettings::connect); batches alternate.
  std::unique_ptr<pqxx::connection> second_connection_;
  std::optional<Writer> second_writer_;
  size_t batches_ = 0;
  Pipeline pipeline_;  // last: they end, and their threads with them, before the rest
  std::unique_ptr<Pipeline> second_pipeline_;
};

bool ResourceRun::SkipParent(const Target& target, const isc::ScanFailure& scan) {
  if (!target.parent) return false;
  if (scan.status == 404) {
    // The parent went away after the mirror saw it; its children go when it does.
    base::log::Info("parent not found; its children are left as they were",
                    {{"resource", schema_.name}, {"parent", *target.parent}});
    return true;
  }
  if (!SkippableRefusal(scan.status)) return false;
  // ISC will not list this parent's children (a certification reviewed by a governance group:
  // "does not support requests for certifications assigned to Governance Groups"). Its
  // children keep their last state; the rest of the run goes on.
  ++out_.parents_skipped;
  base::log::Warn("children of a parent skipped: isc refuses to list them",
                  {{"tenant", settings_.tenant},
                   {"resource", schema_.name},
                   {"parent", *target.parent},
                   {"error", scan.message}});
  return true;
}

base::Expected<void> ResourceRun::Start() {
  // One run per resource at a time; the lock ends with the session, also when it is killed.
  // The server may take a moment to notice a killed predecessor, so wait a little for it.
  bool locked = false;
  for (auto deadline = Clock::now() + settings_.lock_wait;;) {
    pqxx::nontransaction probe(connection_);
    locked = probe.exec_params1(std::string(sql::kTryRunLock), settings_.tenant, schema_.name)[0]
                 .as<bool>();
    if (locked || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!locked) {
    return base::Error{fmt::format(
        "another sync of {} for tenant {} is running (hint: wait for it, or check `isc-mirror "
        "status`)",
        schema_.name, settings_.tenant)};
  }
  lock_.Held();
  pqxx::work tx(connection_);
  // Runs still marked running were cut off: nobody else holds the lock.
  tx.exec_params(std::string(sql::kFailInterruptedRuns), settings_.tenant, schema_.name);
  auto state = tx.exec_params(
      std::string(sql::kStreamState), settings_.tenant, schema_.name,
      static_cast<double>(settings_.overlap.count()),
      static_cast<double>(
          settings_.full_every.value_or(schema_.full_every.value_or(std::chrono::milliseconds(0)))
              .count()) /
          1000.0);
  if (!state.empty()) {
    baseline_ = !state[0]["baseline_done"].as<bool>();
    bool full_fresh = !state[0]["full_fresh"].is_null() && state[0]["full_fresh"].as<bool>();
    if (schema_.incremental && !settings_.force_full && !baseline_ &&
        state[0]["has_watermark"].as<bool>() && full_fresh) {
      incremental_ = true;
      since_ = state[0]["since"].as<std::string>();
    }
  }
  out_.mode = incremental_ ? "incremental" : "full";
  out_.run_id = tx.exec_params1(std::string(sql::kStartRun), settings_.tenant, schema_.name,
                                out_.mode, baseline_)[0]
                    .as<int64_t>();
  tx.commit();
  return {};
}

std::string ResourceRun::ScanQuery() const {
  if (incremental_) {
    return JoinQuery(
        {schema_.query,
         "filters=" + isc::PercentEncode(IncrementalFilter(schema_.incremental->field, since_)),
         "sorters=" + isc::PercentEncode(schema_.incremental->sorters)});
  }
  return JoinQuery(
      {schema_.query, schema_.sort.empty() ? "" : "sorters=" + isc::PercentEncode(schema_.sort)});
}

std::vector<Target> ResourceRun::Targets() {
  if (!schema_.parent) return {{schema_.path, std::nullopt}};
  const ResourceSchema* parent = FindSchema(schema_.parent->resource);
  std::string sql = fmt::format(
      "SELECT p.{key}::text FROM {table} p WHERE p.tenant = $1 AND p.deleted_at IS NULL",
      fmt::arg("key", parent->key.front()), fmt::arg("table", parent->table));
  std::string path = "{}", equals;
  if (schema_.parent->open_when_path) {
    sql += " AND (p.raw #> $2::text[])::text = $3";
    path = PointerToTextPath(*schema_.parent->open_when_path);
    equals = *schema_.parent->open_when_equals;
  } else {
    sql += " AND $2::text IS NOT NULL AND $3::text IS NOT NULL";
  }
  pqxx::read_transaction tx(connection_);
  std::vector<Target> targets;
  for (const auto& row : tx.exec_params(sql + " ORDER BY 1", settings_.tenant, path, equals)) {
    std::string key = row[0].as<std::string>();
    targets.push_back({ChildPath(schema_, key), key});
  }
  if (targets.empty()) {
    base::log::Info(
        "no parents to read children for",
        {{"resource", schema_.name},
         {"parent", parent->name},
         {"hint", fmt::format("sync {} first, or it has no open objects", parent->name)}});
  }
  return targets;
}

base::Expected<int64_t> ResourceRun::ConsumePage(std::string_view body,
                                                 const std::optional<std::string>& parent) {
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
  const int64_t rejected = out_.rejected;
  // One object the mirror cannot store (a lone surrogate, a number beyond jsonb, too deep):
  // the page is read again object by object, and only that one is refused.
  auto again = [&] {
    out_.rejected = rejected;  // counted again by the second reading
    return ConsumeEachObject(body, parent);
  };
  for (auto element : items) {
    simdjson::ondemand::value value;
    if (element.get(value)) return again();
    auto full = CanonicalJson(value, {});
    if (!full) return again();
    ++count;
    if (auto kept = Keep(*full, parent, rows); !kept) return base::Error{kept.error()};
  }
  Take(rows);
  return count;
}

base::Expected<int64_t> ResourceRun::ConsumeEachObject(std::string_view body,
                                                       const std::optional<std::string>& parent) {
  auto elements = SplitJsonArray(body);
  if (!elements) return base::Error{"the page is not a JSON array: " + elements.error()};
  std::vector<ObjectRow> rows;
  simdjson::ondemand::parser parser;
  for (std::string_view text : *elements) {
    simdjson::padded_string padded(text);
    simdjson::ondemand::document doc;
    simdjson::ondemand::value value;
    base::Expected<std::string> full = base::Error{"not valid JSON"};
    if (!parser.iterate(padded).get(doc) && !doc.get_value().get(value)) {
      full = CanonicalJson(value, {});
    }
    if (!full) {
      Reject(full.error(), text);
      continue;
    }
    if (auto kept = Keep(*full, parent, rows); !kept) return base::Error{kept.error()};
  }
  Take(rows);
  return static_cast<int64_t>(elements->size());
}

void ResourceRun::Reject(std::string_view reason, std::string_view object) {
  // A page read twice (a recount, a check before deletes) refuses the same object again.
  if (!rejected_.insert(ContentHash(object)).second) return;
  ++out_.rejected;
  // The object's start names it for the operator (its key is often what is wrong).
  base::log::Warn("object skipped", {{"resource", schema_.name},
                                     {"reason", reason},
                                     {"object", base::StorableText(object, 160)}});
}

base::Expected<void> ResourceRun::Keep(const std::string& full,
                                       const std::optional<std::string>& parent,
                                       std::vector<ObjectRow>& rows) {
  auto row = BuildRow(schema_, full, parent, row_parser_);
  if (!row) {
    Reject(row.error(), full);
    return {};
  }
  if (!ignore_.empty()) {
    auto hashed = CanonicalOf(full, ignore_);
    if (!hashed) return base::Error{hashed.error()};
    row->hash = ContentHash(*hashed);
  }
  rows.push_back(std::move(*row));
  return {};
}

void ResourceRun::Take(std::vector<ObjectRow>& rows) {
  for (auto& row : rows) {
    // Pages that shifted during the scan repeat objects: keep the first.
    if (!seen_.insert(row.object_id).second) continue;
    batch_.push_back(std::move(row));
    if (batch_.size() >= settings_.batch_size) Flush();
  }
}

void ResourceRun::Flush() {
  if (batch_.empty()) return;
  // What the scan has read so far, as of this batch: the pipeline thread must not read the
  // scan's own counters while it goes on.
  auto batch = std::make_shared<std::vector<ObjectRow>>(std::move(batch_));
  batch_.clear();
  int64_t pages = out_.pages, seen = static_cast<int64_t>(seen_.size());
  auto requests = static_cast<int64_t>(stats_.requests);
  // A baseline writes every other batch on its second session.
  bool second = second_pipeline_ != nullptr && batches_++ % 2 == 1;
  pqxx::connection& connection = second ? *second_connection_ : connection_;
  Writer& writer = second ? *second_writer_ : writer_;
  (second ? *second_pipeline_ : pipeline_)
      .Submit([this, batch, pages, seen, requests, second, &connection, &writer] {
        BatchCounts so_far;
        {
          std::lock_guard lock(written_mutex_);
          so_far = written_;
        }
        // The run's progress commits with the batch, so the row tells how far a cut-off run got.
        // Only the first session records it: both updating the row made each wait for the
        // other's commit (7 ms a batch).
        std::function<void(pqxx::work&)> progress;
        if (!second && RunId()) {
          progress = [&](pqxx::work& tx) {
            tx.exec_params(std::string(sql::kRunProgress), out_.run_id, pages, seen,
                           so_far.inserted, so_far.updated, so_far.unchanged, requests);
          };
        }
        auto counts =
            writer.Write(connection, *batch, RunId(), baseline_, progress, settings_.sink);
        std::lock_guard lock(written_mutex_);
        written_.inserted += counts.inserted;
        written_.updated += counts.updated;
        written_.unchanged += counts.unchanged;
      });
}

void ResourceRun::Drain() {
  // Both sessions end their batches before anything is rethrown: the connections are needed.
  std::exception_ptr failure;
  for (Pipeline* pipeline : {&pipeline_, second_pipeline_.get()}) {
    if (pipeline == nullptr) continue;
    try {
      pipeline->Drain();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  out_.inserted = written_.inserted;
  out_.updated = written_.updated;
  out_.unchanged = written_.unchanged;
  if (failure) std::rethrow_exception(failure);
}

void ResourceRun::OpenSecondSession() {
  if (!baseline_ || !settings_.connect) return;
  try {
    second_connection_ = settings_.connect();
  } catch (const std::exception& e) {
    base::log::Warn("writing the baseline on one session: a second could not be opened",
                    {{"resource", schema_.name}, {"error", e.what()}});
    return;
  }
  second_writer_.emplace(settings_.tenant, schema_, ignore_);
  second_pipeline_ = std::make_unique<Pipeline>();
}

void ResourceRun::Progress(int64_t pages, int64_t objects, std::optional<int64_t> total,
                           std::string_view unit) {
  if (settings_.on_progress) {
    settings_.on_progress({.pages = pages, .done = objects, .total = total, .unit = unit});
  }
  auto now = Clock::now();
  if (now - last_progress_ < settings_.progress_every) return;
  last_progress_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  double rate = seconds > 0 ? static_cast<double>(objects) / seconds : 0.0;
  base::log::Fields fields = {{"tenant", settings_.tenant},
                              {"resource", schema_.name},
                              {"pages", pages},
                              {unit, objects},
                              {"per_second", static_cast<int64_t>(rate)}};
  if (total && *total > 0) {
    fields.emplace_back("total", *total);
    if (rate > 0 && *total > objects) {
      fields.emplace_back("eta_s", static_cast<int64_t>((*total - objects) / rate));
    }
  }
  base::log::Info("sync progress", fields);
}

base::Expected<void> ResourceRun::ReadWhere(const std::string& path,
                                            const std::optional<std::string>& parent,
                                            std::string_view field,
                                            const std::vector<std::string>& values) {
  auto read = [&](const std::string& query) -> base::Expected<void> {
    auto scan = isc::Scan(client_, path, query, schema_.Pages(), stats_,
                          [&](std::string_view body) { return ConsumePage(body, parent); });
    if (!scan) return base::Error{scan.error()};
    return {};
  };
  if (values.empty()) return read(schema_.query);
  for (size_t i = 0; i < values.size(); i += kRecheckChunk) {
    std::string list;
    for (size_t j = i; j < std::min(values.size(), i + kRecheckChunk); ++j) {
      if (!list.empty()) list += ',';
      list += FilterString(values[j]);
    }
    std::string filter = fmt::format("{} in ({})", field, list);
    if (auto done = read(JoinQuery({schema_.query, "filters=" + isc::PercentEncode(filter)}));
        !done) {
      return done;
    }
  }
  return {};
}

base::Expected<void> ResourceRun::Recheck(std::vector<std::string>& candidates) {
  if (schema_.recheck_filter.empty() || schema_.paging != isc::Paging::kOffset) return {};
  // Group by parent: a child's object_id is "<parent>/<id>".
  std::unordered_map<std::string, std::vector<std::string>> by_parent;
  for (const auto& id : candidates) {
    if (!schema_.parent) {
      by_parent[""].push_back(id);
      continue;
    }
    auto slash = id.find('/');
    by_parent[id.substr(0, slash)].push_back(id.substr(slash + 1));
  }
  for (const auto& [parent, ids] : by_parent) {
    std::optional<std::string> parent_key;
    if (schema_.parent) parent_key = parent;
    auto read = ReadWhere(schema_.parent ? ChildPath(schema_, parent) : schema_.path, parent_key,
                          schema_.recheck_filter, ids);
    if (!read) return base::Error{"re-checking missing objects failed: " + read.error()};
  }
  Flush();
  Drain();
  std::erase_if(candidates, [&](const std::string& id) { return seen_.contains(id); });
  return {};
}

std::vector<MissingObject> ResourceRun::ReadMissing(
    const std::unordered_set<std::string>& complete_parents, RetireFacts& facts) {
  const ResourceSchema* parent = schema_.parent ? FindSchema(schema_.parent->resource) : nullptr;
  std::string age = schema_.retention_column.empty()
                        ? "NULL::float8"
                        : fmt::format("extract(epoch FROM t.{})", schema_.retention_column);
  std::string parent_gone =
      parent == nullptr
          ? "false"
          : fmt::format(
                "NOT EXISTS (SELECT 1 FROM {table} p WHERE p.tenant = t.tenant AND p.{key} = "
                "t.{column} AND p.deleted_at IS NULL)",
                fmt::arg("table", parent->table), fmt::arg("key", parent->key.front()),
                fmt::arg("column", schema_.parent->column));
  std::string parent_key = parent == nullptr ? "NULL" : "t." + schema_.parent->column + "::text";
  std::vector<MissingObject> missing;
  // A cursor keeps a million-row table out of memory; only the missing ones are kept.
  pqxx::work tx(connection_);
  facts.now = tx.exec1("SELECT extract(epoch FROM now())")[0].as<double>();
  tx.exec(fmt::format(
      "DECLARE live NO SCROLL CURSOR FOR SELECT {id}, {age}, {gone}, {parent_key} FROM {table} t "
      "WHERE t.tenant = {tenant} AND t.deleted_at IS NULL",
      fmt::arg("id", writer_.ObjectIdSql()), fmt::arg("age", age), fmt::arg("gone", parent_gone),
      fmt::arg("parent_key", parent_key), fmt::arg("table", schema_.table),
      fmt::arg("tenant", tx.quote(settings_.tenant))));
  for (;;) {
    auto rows = tx.exec(fmt::format("FETCH {} FROM live", kCursorFetch));
    if (rows.empty()) break;
    for (const auto& r : rows) {
      ++facts.live;
      std::string id = r[0].as<std::string>();
      std::optional<double> when = r[1].is_null() ? std::nullopt : std::optional(r[1].as<double>());
      if (seen_.contains(id)) {
        if (when && (!facts.oldest_seen || *when < *facts.oldest_seen)) facts.oldest_seen = when;
        continue;
      }
      // Children of parents not read this run (closed ones) keep their last state.
      bool parent_gone_now = r[2].as<bool>();
      if (parent && !parent_gone_now && !complete_parents.contains(r[3].as<std::string>())) {
        continue;
      }
      missing.push_back({.id = std::move(id), .age = when, .parent_gone = parent_gone_now});
    }
  }
  tx.commit();
  return missing;
}

base::Expected<void> ResourceRun::RetireMissing(
    const std::unordered_set<std::string>& complete_parents) {
  RetireFacts facts{.retention = schema_.retention};
  auto missing = ReadMissing(complete_parents, facts);
  RetirePlan plan = PlanRetire(std::move(missing), facts, settings_.guard);
  std::vector<std::string>& remove = plan.remove;
  if (plan.guard == GuardVerdict::kHeld) {
    out_.status = RunStatus::kHeld;
    out_.error =
        HeldMessage(remove.size(), facts.live, schema_.name, settings_.guard.max_delete_share);
    base::log::Warn("deletes held", {{"tenant", settings_.tenant},
                                     {"resource", schema_.name},
                                     {"would_delete", static_cast<int64_t>(remove.size())},
                                     {"present", facts.live}});
    return {};
  }
  if (plan.guard == GuardVerdict::kAllowed) {
    base::log::Warn("deletes beyond the guard applied (--allow-deletes)",
                    {{"resource", schema_.name}, {"deletes", static_cast<int64_t>(remove.size())}});
  }
  if (auto rechecked = Recheck(remove); !rechecked) return rechecked;
  // A rejected object (no key, say) may be one of the missing: the scan did not see every
  // object, so nothing is deleted until the tenant serves it in a form that can be mirrored.
  if (out_.rejected > 0 && !remove.empty()) {
    base::log::Warn("deletes withheld: objects were rejected, so the scan is not complete",
                    {{"tenant", settings_.tenant},
                     {"resource", schema_.name},
                     {"rejected", out_.rejected},
                     {"would_delete", static_cast<int64_t>(remove.size())}});
    remove.clear();
  }
  remove.insert(remove.end(), plan.orphans.begin(), plan.orphans.end());
  out_.deleted =
      writer_.Retire(connection_, remove, EventOp::kDelete, RunId(), baseline_, settings_.sink);
  out_.expired = writer_.Retire(connection_, plan.expire, EventOp::kExpire, RunId(), baseline_,
                                settings_.sink);
  return {};
}

void ResourceRun::SaveStreamState(pqxx::work& tx) {
  // The watermark is the newest modification the mirror holds: the tenant's clock, not ours.
  // It is clamped to the scan's start plus a skew: one object dated in the future (year 9999)
  // would otherwise make every later incremental scan empty.
  std::string watermark = "(SELECT NULL::timestamptz WHERE $4::bigint IS NOT NULL)";
  if (schema_.incremental) {
    const Column* column = nullptr;
    for (const auto& c : schema_.columns) {
      if (c.path == "/" + schema_.incremental->field) column = &c;
    }
    if (column == nullptr) throw std::logic_error(schema_.name + ": no incremental column");
    watermark = fmt::format(
        "(SELECT least(max({}), (SELECT started_at FROM mirror.sync_runs WHERE id = $4) + "
        "make_interval(secs => {})) FROM {} WHERE tenant = $1)",
        column->name, kWatermarkSkew.count(), schema_.table);
  }
  // A held full scan is not a reconciliation: the next cycle scans in full again.
  bool reconciled = !incremental_ && out_.status == RunStatus::kOk;
  tx.exec_params(
      fmt::format(
          "INSERT INTO mirror.stream_state AS s (tenant, resource, watermark, last_full_scan_at, "
          "baseline_done) VALUES ($1, $2, {0}, CASE WHEN $3 THEN now() END, true) ON CONFLICT "
          "(tenant, resource) DO UPDATE SET watermark = coalesce(EXCLUDED.watermark, "
          "s.watermark), last_full_scan_at = coalesce(EXCLUDED.last_full_scan_at, "
          "s.last_full_scan_at), baseline_done = true, updated_at = now()",
          watermark),
      settings_.tenant, schema_.name, reconciled, out_.run_id);
}

base::Expected<void> ResourceRun::ScanAll() {
  OpenSecondSession();
  std::unordered_set<std::string> complete_parents;
  std::optional<std::string> failed;
  auto targets = Targets();
  int64_t done = 0;
  for (const auto& target : targets) {
    auto scan = isc::Scan(
        client_, target.path, ScanQuery(), schema_.Pages(), stats_,
        ConsumeRowsOf(schema_,
                      [&](std::string_view body) { return ConsumePage(body, target.parent); }),
        [&](const isc::ScanTally& s) {
          out_.pages += 1;
          if (schema_.parent) {
            Progress(out_.pages, done, static_cast<int64_t>(targets.size()), "parents");
          } else {
            Progress(s.pages, s.objects, s.total, "objects");
          }
        });
    ++done;
    if (scan) {
      if (target.parent) complete_parents.insert(*target.parent);
      continue;
    }
    if (SkipParent(target, scan.failure())) continue;
    failed = scan.error();
    break;
  }
  Flush();
  Drain();
  out_.status = RunStatus::kOk;
  if (failed) return base::Error{*failed};
  if (incremental_) return {};
  return RetireMissing(complete_parents);
}

RunOutcome ResourceRun::Execute() {
  if (auto started = Start(); !started) {
    out_.status = RunStatus::kBusy;
    out_.error = started.error();
    return out_;
  }
  base::Expected<void> result;
  try {
    result = ScanAll();
  } catch (const std::exception& e) {
    result = base::Error{fmt::format("writing {} failed: {}", schema_.name, e.what())};
  }
  // A scan cut short may leave a batch being written: the connection is needed back, and a
  // failed write is the run's failure.
  try {
    Drain();
  } catch (const std::exception& e) {
    if (result) result = base::Error{fmt::format("writing {} failed: {}", schema_.name, e.what())};
  }
  if (!result) {
    out_.status = RunStatus::kFailed;
    out_.error = result.error();
  }
  out_.seen = static_cast<int64_t>(seen_.size());
  out_.http_requests = stats_.requests;
  out_.http_retries = stats_.retries;
  out_.rate_limited = stats_.rate_limited;
  out_.rate_wait_ms = stats_.rate_wait_ms;

  pqxx::work tx(connection_);
  tx.exec_params(std::string(sql::kFinishRun), out_.run_id, std::string(RunStatusName(out_.status)),
                 out_.pages, out_.seen, out_.inserted, out_.updated, out_.unchanged, out_.deleted,
                 out_.expired, static_cast<int64_t>(stats_.requests),
                 static_cast<int64_t>(stats_.retries), static_cast<int64_t>(stats_.rate_limited),
                 out_.error);
  if (out_.status != RunStatus::kFailed) SaveStreamState(tx);
  tx.commit();
  return out_;
}

base::Expected<void> ResourceRun::RefreshScan(const RefreshRequest& request,
                                              RefreshOutcome& result) {
  if (schema_.parent && !request.parent) {
    return base::Error{
        fmt::format("{} is read per parent: a refresh names the parent", schema_.name)};
  }
  std::string path = request.parent ? ChildPath(schema_, *request.parent) : schema_.path;
  auto read = ReadWhere(path, request.parent, request.field, request.values);
  Flush();
  Drain();
  if (!read) return read;
  result.inserted = out_.inserted;
  result.updated = out_.updated;
  result.unchanged = out_.unchanged;
  // Only keys read by key can be confirmed gone, and only when every object came back whole:
  // a refused object is not seen, yet is there.
  if (!request.retire_absent || request.field != schema_.recheck_filter || request.parent ||
      out_.rejected > 0) {
    return {};
  }
  std::vector<std::string> absent;
  for (const auto& value : request.values) {
    if (!seen_.contains(value)) absent.push_back(value);
  }
  result.deleted = writer_.Retire(connection_, absent, EventOp::kDelete, std::nullopt,
                                  /*baseline=*/false, settings_.sink);
  return {};
}

RefreshOutcome ResourceRun::Refresh(const RefreshRequest& request) {
  RefreshOutcome result;
  {
    pqxx::nontransaction probe(connection_);
    if (!probe.exec_params1(std::string(sql::kTryRunLock), settings_.tenant, schema_.name)[0]
             .as<bool>()) {
      result.status = RunStatus::kBusy;
      result.error = fmt::format("a sync of {} is running", schema_.name);
      return result;
    }
  }
  lock_.Held();
  {
    pqxx::read_transaction tx(connection_);
    auto state =
        tx.exec_params(std::string(sql::kStreamState), settings_.tenant, schema_.name, 0.0, 0.0);
    // Before the baseline every object would look new; the baseline writes it without events.
    result.before_baseline = state.empty() || !state[0]["baseline_done"].as<bool>();
  }
  if (result.before_baseline) return result;
  baseline_ = false;
  base::Expected<void> done;
  try {
    done = RefreshScan(request, result);
  } catch (const std::exception& e) {
    done = base::Error{fmt::format("writing {} failed: {}", schema_.name, e.what())};
  }
  try {
    Drain();
  } catch (const std::exception& e) {
    if (done) done = base::Error{fmt::format("writing {} failed: {}", schema_.name, e.what())};
  }
  result.seen = static_cast<int64_t>(seen_.size());
  result.http_requests = static_cast<int64_t>(stats_.requests);
  if (!done) {
    result.status = RunStatus::kFailed;
    result.error = done.error();
  }
  return result;
}

}  // namespace

RefreshOutcome RefreshObjects(pqxx::connection& connection, isc::IscClient& client,
                              const ResourceSchema& schema, const RunSettings& settings,
                              const RefreshRequest& request) {
  return ResourceRun(connection, client, schema, settings).Refresh(request);
}

std::string IncrementalFilter(std::string_view field, std::string_view since) {
  return fmt::format("{} ge {}", field, since);
}

std::string PointerToTextPath(std::string_view pointer) {
  std::string out = "{";
  size_t start = 1;
  while (start <= pointer.size()) {
    size_t end = pointer.find('/', start);
    if (end == std::string_view::npos) end = pointer.size();
    std::string part(pointer.substr(start, end - start));
    for (size_t at; (at = part.find("~1")) != std::string::npos;) part.replace(at, 2, "/");
    for (size_t at; (at = part.find("~0")) != std::string::npos;) part.replace(at, 2, "~");
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : part) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    start = end + 1;
  }
  return out + "}";
}

std::string_view RunStatusName(RunStatus status) {
  static constexpr base::NameTable<RunStatus> kNames[] = {
      {RunStatus::kRunning, "running"}, {RunStatus::kOk, "ok"},     {RunStatus::kHeld, "held"},
      {RunStatus::kFailed, "failed"},   {RunStatus::kBusy, "busy"},
  };
  return base::NameOf(kNames, status, "failed");
}

RunOutcome RunSync(pqxx::connection& connection, isc::IscClient& client,
                   const ResourceSchema& schema, const RunSettings& settings) {
  // The pager stops between pages once `cancel` is set; it reads it from the client's bounds,
  // which are given back however the run ends.
  struct Restore {
    isc::IscClient& client;
    isc::WaitBounds outside;
    ~Restore() { client.Bound(outside); }
  } restore{client, client.bounds()};
  if (settings.cancel != nullptr) {
    isc::WaitBounds bounds = restore.outside;
    bounds.cancel = settings.cancel;
    client.Bound(bounds);
  }
  return ResourceRun(connection, client, schema, settings).Execute();
}

}  // namespace isc_mirror::sync
