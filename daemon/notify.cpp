#include "daemon/notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace isc_mirror::daemon {

void Notifier::Send(std::string_view state) const {
  // 0 keeps NOTIFY_SOCKET for the next message; a failure to notify is not worth failing for.
  sd_notify(0, std::string(state).c_str());
}

void Notifier::Ready() const {
  Send("READY=1");
}
void Notifier::Status(std::string_view text) const {
  Send("STATUS=" + std::string(text));
}
void Notifier::Watchdog() const {
  Send("WATCHDOG=1");
}
void Notifier::Reloading() const {
  Send("RELOADING=1");
}
void Notifier::Stopping() const {
  Send("STOPPING=1");
}

std::optional<std::chrono::microseconds> Notifier::WatchdogInterval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace isc_mirror::daemon
