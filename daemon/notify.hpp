// The systemd notification protocol (sd_notify): READY, STATUS, WATCHDOG, RELOADING, STOPPING.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace isc_mirror::daemon {

// Does nothing when the service was not started with NOTIFY_SOCKET (not under systemd).
class Notifier {
 public:
  void Ready() const;
  void Status(std::string_view text) const;
  void Watchdog() const;
  void Reloading() const;
  void Stopping() const;
  // Half of WatchdogSec= when systemd expects pings, as sd_watchdog_enabled advises.
  std::optional<std::chrono::microseconds> WatchdogInterval() const;

 private:
  void Send(std::string_view state) const;
};

}  // namespace isc_mirror::daemon
