#include "triggers/inbox.hpp"

#include <fmt/format.h>

#include <future>
#include <set>

#include "base/log.hpp"
#include "db/connection.hpp"
#include "triggers/sql.hpp"

namespace isc_mirror::triggers {
namespace {

constexpr size_t kMaxBatch = 1000;
constexpr std::chrono::seconds kRefusalFlush{5};
constexpr size_t kMaxRefusalKeys = 1000;  // unknown tenants never get here; this is a backstop

std::string IdArray(const std::vector<int64_t>& ids) {
  std::string out = "{";
  for (int64_t id : ids) {
    if (out.size() > 1) out += ',';
    out += std::to_string(id);
  }
  return out + "}";
}

}  // namespace

struct DeliveryRecorder::Item {
  std::string tenant;
  TriggerKind kind;
  std::string body;
  std::promise<Recorded> done;
};

DeliveryRecorder::DeliveryRecorder(RecorderSettings settings)
    : settings_(std::move(settings)), thread_([this] { Loop(); }) {}

DeliveryRecorder::~DeliveryRecorder() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Recorded DeliveryRecorder::Record(std::string tenant, TriggerKind kind, std::string body) {
  auto item = std::make_shared<Item>(
      Item{.tenant = std::move(tenant), .kind = kind, .body = std::move(body)});
  auto result = item->done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stop_ || queue_.size() >= settings_.max_queued) return Recorded::kFailed;
    queue_.push_back(item);
  }
  wake_.notify_one();
  if (result.wait_for(settings_.max_wait) != std::future_status::ready) return Recorded::kFailed;
  return result.get();
}

void DeliveryRecorder::Refused(const std::string& tenant, const std::string& trigger,
                               const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto key = std::tuple(tenant, trigger, reason);
  if (refusals_.size() < kMaxRefusalKeys || refusals_.contains(key)) ++refusals_[key];
}

void DeliveryRecorder::Loop() {
  auto next_flush = std::chrono::steady_clock::now() + kRefusalFlush;
  for (;;) {
    std::vector<std::shared_ptr<Item>> batch;
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_flush, [&] { return stop_ || !queue_.empty(); });
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stopping = stop_ && queue_.empty();
    }
    if (!batch.empty()) Commit(batch);
    if (stopping || std::chrono::steady_clock::now() >= next_flush) {
      FlushRefusals();
      next_flush = std::chrono::steady_clock::now() + kRefusalFlush;
    }
    if (stopping) return;
  }
}

void DeliveryRecorder::FlushRefusals() {
  decltype(refusals_) counts;
  {
    std::lock_guard lock(mutex_);
    counts.swap(refusals_);
  }
  if (counts.empty()) return;
  try {
    if (!connection_) connection_ = db::Connect(settings_.database_url);
    pqxx::work tx(*connection_);
    for (const auto& [key, n] : counts) {
      const auto& [tenant, trigger, reason] = key;
      tx.exec_params(std::string(sql::kRecordRefusals), tenant, trigger, reason, n);
    }
    tx.commit();
  } catch (const std::exception& e) {
    // Only counts are lost; the log and /metrics have them too.
    connection_.reset();
    base::log::Warn("refused deliveries could not be counted in the database",
                    {{"error", e.what()}});
  }
}

void DeliveryRecorder::Commit(std::vector<std::shared_ptr<Item>>& batch) {
  std::vector<Recorded> results;
  std::set<std::string> tenants;
  try {
    if (!connection_) connection_ = db::Connect(settings_.database_url);
    pqxx::work tx(*connection_);
    for (const auto& item : batch) {
      auto row = tx.exec_params(std::string(sql::kRecordDelivery), item->tenant,
                                std::string(SpecOf(item->kind).id),
                                DeliveryDigest(item->tenant, item->kind, item->body), item->body,
                                static_cast<double>(settings_.dedup_window.count()));
      results.push_back(row.empty() ? Recorded::kDuplicate : Recorded::kNew);
      tenants.insert(item->tenant);
    }
    tx.commit();
  } catch (const std::exception& e) {
    connection_.reset();
    base::log::Error("trigger deliveries could not be recorded; they are refused (503)",
                     {{"deliveries", static_cast<int64_t>(batch.size())}, {"error", e.what()}});
    results.assign(batch.size(), Recorded::kFailed);
    tenants.clear();
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(results[i]);
  if (!tenants.empty() && settings_.on_recorded) {
    settings_.on_recorded(std::vector<std::string>(tenants.begin(), tenants.end()));
  }
}

RefreshTurn RefreshDue(
    pqxx::connection& connection, const RefreshSettings& settings,
    const std::function<sync::RefreshOutcome(const std::string&, const sync::RefreshRequest&)>&
        refresh) {
  RefreshTurn turn;
  std::vector<int64_t> ids;
  std::vector<Delivery> deliveries;
  {
    pqxx::work tx(connection);
    if (settings.prune) {
      tx.exec_params(std::string(sql::kPruneDeliveries), settings.tenant,
                     static_cast<double>(settings.keep.count()));
    }
    for (const auto& row : tx.exec_params(std::string(sql::kClaimDeliveries), settings.tenant,
                                          static_cast<double>(settings.claim.count()),
                                          static_cast<int64_t>(settings.max_claim))) {
      ids.push_back(row["id"].as<int64_t>());
      const TriggerSpec* spec = FindTrigger(row["trigger_id"].as<std::string>());
      // Recorded only once valid; a trigger this binary no longer knows is read as nothing.
      auto parsed = spec == nullptr ? base::Expected<Delivery>(base::Error{"unknown trigger"})
                                    : ParseDelivery(row["body"].as<std::string>(), spec->kind);
      if (parsed) deliveries.push_back(std::move(*parsed));
    }
    tx.commit();
  }
  turn.deliveries = static_cast<int64_t>(ids.size());
  if (ids.empty()) return turn;
  ReadPlan plan = PlanReads(deliveries);
  turn.sync_now = plan.sync_now;
  for (const Read& read : plan.reads) {
    auto outcome = refresh(read.resource, read.request);
    ++turn.reads;
    turn.changes += outcome.inserted + outcome.updated + outcome.deleted;
    if (outcome.status == sync::RunStatus::kBusy) {
      turn.busy = true;
    } else if (outcome.status == sync::RunStatus::kFailed) {
      turn.error = fmt::format("{}: {}", read.resource, outcome.error);
      break;
    }
  }
  pqxx::work tx(connection);
  if (!turn.error.empty() || turn.busy) {
    // Every read is made again: those that went through find nothing new.
    bool busy_only = turn.error.empty();
    tx.exec_params(
        std::string(sql::kReleaseDeliveries), IdArray(ids),
        static_cast<double>(busy_only ? 1 : settings.retry_delay.count()), settings.max_attempts,
        busy_only ? std::string("waiting for a sync of the resource") : turn.error, busy_only);
  } else {
    tx.exec_params(std::string(sql::kFinishDeliveries), IdArray(ids));
  }
  tx.commit();
  return turn;
}

}  // namespace isc_mirror::triggers
