// The Event Trigger receiver on triggers.listen: POST /triggers/{tenant}[/{trigger}], each
// delivery authenticated, bounded, validated and recorded before it is answered 2xx.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/metrics.hpp"
#include "daemon/sync_now.hpp"
#include "triggers/inbox.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace isc_mirror::daemon {

// The largest delivery accepted (413 beyond): ISC's payloads are a few kilobytes; an
// aggregation's error list is the longest.
inline constexpr size_t kMaxDeliveryBytes = 1024 * 1024;

class TriggerReceiver {
 public:
  // Listens at once (HTTPS when the config gives a certificate); throws naming the address when
  // it cannot. `on_recorded` is told the tenants that have new deliveries.
  TriggerReceiver(const Config& config, Metrics& metrics,
                  std::function<void(const std::vector<std::string>&)> on_recorded);
  ~TriggerReceiver();
  TriggerReceiver(const TriggerReceiver&) = delete;
  TriggerReceiver& operator=(const TriggerReceiver&) = delete;

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);
  // Logs a refused delivery, at most once a minute per reason with how many were refused.
  void Refused(DeliveryOutcome outcome, const std::string& tenant, const std::string& why);

  const Config& config_;
  Metrics& metrics_;
  std::unique_ptr<triggers::DeliveryRecorder> recorder_;
  std::mutex refusals_mutex_;
  RefusalLog unauthorized_{std::chrono::seconds(60)};
  RefusalLog invalid_{std::chrono::seconds(60)};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace isc_mirror::daemon
