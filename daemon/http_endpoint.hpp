// The daemon's HTTP endpoint on http.listen: /metrics (Prometheus text) and /healthz.
#pragma once

#include <memory>
#include <thread>

#include "daemon/config.hpp"
#include "daemon/metrics.hpp"

namespace httplib {
class Server;
}

namespace isc_mirror::daemon {

class HttpEndpoint {
 public:
  // Listens at once; throws std::runtime_error naming the address when it cannot.
  HttpEndpoint(const Config& config, const Metrics& metrics);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace isc_mirror::daemon
