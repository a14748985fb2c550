#include "daemon/scheduler.hpp"

#include <algorithm>

namespace isc_mirror::daemon {
namespace {

constexpr Millis kFirstBackoff{30'000};

}  // namespace

Schedule::Schedule(const std::vector<std::pair<std::string, Millis>>& resources, SteadyTime now,
                   uint64_t seed)
    : rng_(seed) {
  for (const auto& [name, interval] : resources) {
    Entry e;
    e.resource = name;
    e.interval = interval;
    // In the order given, so that parents are read before their children.
    e.next = now + Millis(static_cast<int64_t>(entries_.size()));
    entries_.push_back(std::move(e));
  }
}

Millis Schedule::Jittered(Millis interval) {
  double factor = std::uniform_real_distribution<double>(0.9, 1.1)(rng_);
  return Millis(static_cast<int64_t>(static_cast<double>(interval.count()) * factor));
}

std::optional<std::string> Schedule::TakeDue(SteadyTime now) {
  Entry* best = nullptr;
  for (auto& e : entries_) {
    if (e.running) return std::nullopt;
    if (e.next <= now && (best == nullptr || e.next < best->next)) best = &e;
  }
  if (best == nullptr) return std::nullopt;
  best->running = true;
  return best->resource;
}

std::optional<SteadyTime> Schedule::NextDue() const {
  std::optional<SteadyTime> next;
  for (const auto& e : entries_) {
    if (e.running) return std::nullopt;
    if (!next || e.next < *next) next = e.next;
  }
  return next;
}

void Schedule::Finished(const std::string& resource, bool ok, SteadyTime now) {
  for (auto& e : entries_) {
    if (e.resource != resource) continue;
    e.running = false;
    if (ok) {
      e.failures = 0;
      e.next = now + Jittered(e.interval);
    } else {
      ++e.failures;
      Millis backoff = kFirstBackoff * (1LL << std::min(e.failures - 1, 16));
      e.next = now + std::min(backoff, e.interval);
    }
  }
}

bool Schedule::RequestNow(const std::string& resource, SteadyTime now) {
  for (auto& e : entries_) {
    if (e.resource == resource) {
      e.next = std::min(e.next, now);
      return true;
    }
  }
  return false;
}

}  // namespace isc_mirror::daemon
