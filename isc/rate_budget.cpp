#include "isc/rate_budget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <thread>

namespace isc_mirror::isc {

TokenBucket::TokenBucket(double capacity, double tokens_per_ms, SteadyTime now)
    : capacity_(capacity), tokens_per_ms_(tokens_per_ms), tokens_(capacity), updated_(now) {}

void TokenBucket::Refill(SteadyTime now) {
  if (now <= updated_) return;
  double elapsed_ms = std::chrono::duration<double, std::milli>(now - updated_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed_ms * tokens_per_ms_);
  updated_ = now;
}

std::chrono::milliseconds TokenBucket::Reserve(SteadyTime now) {
  Refill(now);
  tokens_ -= 1.0;
  double wait_ms = 0;
  if (updated_ > now) wait_ms = std::chrono::duration<double, std::milli>(updated_ - now).count();
  if (tokens_ < 0) wait_ms += -tokens_ / tokens_per_ms_;
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(wait_ms)));
}

void TokenBucket::PauseUntil(SteadyTime until) {
  if (until <= updated_) return;
  tokens_ = std::min(tokens_, 0.0);
  updated_ = until;
}

RateBudget::RateBudget(int requests, std::chrono::milliseconds per, double share, Clock clock,
                       Sleep sleep, bool per_version)
    // The margin applies to the burst too: this bucket starts when a request is sent, the
    // server's when it arrives, so under load ours runs a little ahead of the server's.
    : per_version_(per_version),
      capacity_(std::max(1.0, requests * share)),
      tokens_per_ms_(requests * share / static_cast<double>(std::max<int64_t>(1, per.count()))),
      clock_(std::move(clock)),
      sleep_(sleep ? std::move(sleep)
                   : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

TokenBucket& RateBudget::BucketFor(std::string_view version) {
  if (!per_version_) version = {};  // one bucket for every version
  auto it = buckets_.find(version);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(version), TokenBucket(capacity_, tokens_per_ms_, clock_()))
             .first;
  }
  return it->second;
}

base::Expected<std::chrono::milliseconds> RateBudget::Acquire(std::string_view version,
                                                              const WaitBounds& bounds) {
  std::chrono::milliseconds wait;
  {
    std::lock_guard lock(mutex_);
    SteadyTime now = clock_();
    auto& bucket = BucketFor(version);
    wait = bucket.Reserve(now);
    if (bounds.deadline && now + wait > *bounds.deadline) {
      bucket.Unreserve();
      return base::Error{fmt::format(
          "the rate budget asks for a wait of {} s, longer than the {} s this call may still take",
          (wait.count() + 999) / 1000,
          std::max<int64_t>(
              0,
              std::chrono::duration_cast<std::chrono::seconds>(*bounds.deadline - now).count()))};
    }
  }
  if (wait.count() > 0 && !SleepUnlessCancelled(sleep_, wait, bounds)) {
    return base::Error{"stopped while waiting for the rate budget"};
  }
  return wait;
}

bool SleepUnlessCancelled(const Sleep& sleep, std::chrono::milliseconds duration,
                          const WaitBounds& bounds) {
  constexpr std::chrono::milliseconds kSlice{200};  // how soon a stop is noticed
  if (bounds.cancel == nullptr && bounds.heartbeat == nullptr) {
    sleep(duration);
    return true;
  }
  while (duration.count() > 0) {
    if (bounds.cancelled()) return false;
    bounds.Beat();
    auto slice = std::min(duration, kSlice);
    sleep(slice);
    duration -= slice;
  }
  bounds.Beat();
  return !bounds.cancelled();
}

void RateBudget::Pause(std::string_view version, std::chrono::milliseconds retry_after) {
  std::lock_guard lock(mutex_);
  BucketFor(version).PauseUntil(clock_() + retry_after);
}

std::string_view ApiVersion(std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  return path.substr(0, path.find_first_of("/?"));
}

}  // namespace isc_mirror::isc
