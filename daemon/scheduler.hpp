// When each resource of a tenant runs next: intervals with jitter, backoff after failures,
// sync-now requests. Pure: time comes in as arguments.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace isc_mirror::daemon {

using SteadyTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Schedule {
 public:
  struct Entry {
    std::string resource;
    Millis interval{0};
    SteadyTime next{};
    int failures = 0;  // in a row; backoff grows with them
    bool running = false;
  };

  // Resources in the order given (parents before children); the first runs go in that order,
  // one after the other; later ones spread out through the jitter.
  Schedule(const std::vector<std::pair<std::string, Millis>>& resources, SteadyTime now,
           uint64_t seed);

  // The due resource that waited longest, marked running; none while one is running (a
  // tenant runs one resource at a time, so the same resource never runs twice at once).
  std::optional<std::string> TakeDue(SteadyTime now);

  // When the next resource is due (for sleeping), or nullopt while one is running.
  std::optional<SteadyTime> NextDue() const;

  // A run ended: ok runs again after its interval (plus or minus 10 % jitter); a failed one
  // after a backoff that doubles from 30 s up to its interval.
  void Finished(const std::string& resource, bool ok, SteadyTime now);

  // Runs `resource` as soon as possible (sync-now). False if it is not scheduled here.
  bool RequestNow(const std::string& resource, SteadyTime now);

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  Millis Jittered(Millis interval);

  std::vector<Entry> entries_;
  std::mt19937_64 rng_;
};

}  // namespace isc_mirror::daemon
