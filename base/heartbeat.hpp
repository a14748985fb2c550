// A loop's sign of life: it beats as it makes progress; the watchdog reads when it last did.
#pragma once

#include <atomic>
#include <chrono>

namespace isc_mirror::base {

class Heartbeat {
 public:
  using Clock = std::chrono::steady_clock;
  Heartbeat() { Beat(); }
  void Beat() { last_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
  Clock::time_point Last() const {
    return Clock::time_point(Clock::duration(last_.load(std::memory_order_relaxed)));
  }

 private:
  std::atomic<Clock::rep> last_{0};
};

}  // namespace isc_mirror::base
