// The tenant's request budget, shared by every poller and action worker: one for every API
// version by default, or one per version when the config says so.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "base/heartbeat.hpp"

namespace isc_mirror::isc {

using SteadyTime = std::chrono::steady_clock::time_point;

// How long one caller may wait: not past `deadline` (an action's lease), and not once `cancel`
// is set (the daemon stopping). An hour-long Retry-After must not outlive either.
// A wait on purpose is progress: it beats `heartbeat` as it goes, so the watchdog tells a
// loop waiting out a Retry-After from one hung in a read.
struct WaitBounds {
  std::optional<SteadyTime> deadline;
  const std::atomic<bool>* cancel = nullptr;
  base::Heartbeat* heartbeat = nullptr;
  bool cancelled() const { return cancel != nullptr && cancel->load(); }
  void Beat() const {
    if (heartbeat != nullptr) heartbeat->Beat();
  }
};

using Sleep = std::function<void(std::chrono::milliseconds)>;

// Sleeps `duration` in short slices, beating the heartbeat, returning early (false) once the
// bounds are cancelled.
bool SleepUnlessCancelled(const Sleep& sleep, std::chrono::milliseconds duration,
                          const WaitBounds& bounds);

// Token-bucket arithmetic with no clock of its own, so it is tested with made-up times.
class TokenBucket {
 public:
  TokenBucket(double capacity, double tokens_per_ms, SteadyTime now);
  // Takes one token, going into debt if there is none; returns how long the caller must wait
  // before using it. Debt makes concurrent callers queue up in order instead of all waiting
  // the same time and then bursting.
  std::chrono::milliseconds Reserve(SteadyTime now);
  // Gives back a reserved token that was not used.
  void Unreserve() { tokens_ += 1.0; }
  // No token before `until` (after a 429 with Retry-After).
  void PauseUntil(SteadyTime until);

 private:
  void Refill(SteadyTime now);

  double capacity_;
  double tokens_per_ms_;
  double tokens_;
  SteadyTime updated_;
};

class RateBudget {
 public:
  using Clock = std::function<SteadyTime()>;
  using Sleep = isc::Sleep;

  // `share` below 1 keeps both the burst and the rate a little under the server's, so clock
  // and latency differences do not turn into 429s.
  // SailPoint's pages say both "per client id and API version" and "per client id, whatever
  // the version": one budget for every version is safe under either reading, so it is the
  // default; `per_version` opts in to one bucket per version.
  RateBudget(int requests, std::chrono::milliseconds per, double share = 0.97,
             Clock clock = std::chrono::steady_clock::now, Sleep sleep = nullptr,
             bool per_version = false);

  // Waits until a request to `version` (v2024, beta, v3, das, ...) may go; returns the wait.
  // A wait past the bounds' deadline is not begun (the token is given back), and a wait ends
  // when they are cancelled: both are errors.
  base::Expected<std::chrono::milliseconds> Acquire(std::string_view version,
                                                    const WaitBounds& bounds = {});
  void Pause(std::string_view version, std::chrono::milliseconds retry_after);

 private:
  TokenBucket& BucketFor(std::string_view version);

  bool per_version_;
  double capacity_;
  double tokens_per_ms_;
  Clock clock_;
  Sleep sleep_;
  std::mutex mutex_;
  std::map<std::string, TokenBucket, std::less<>> buckets_;
};

// The API version a path is counted under: its first segment (/v2024/accounts -> v2024).
std::string_view ApiVersion(std::string_view path);

}  // namespace isc_mirror::isc
