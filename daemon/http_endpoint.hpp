// The daemon's HTTP endpoint on http.listen: /metrics (Prometheus text) and /healthz.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "daemon/config.hpp"
#include "daemon/metrics.hpp"

namespace httplib {
class Server;
}

namespace isc_mirror::daemon {

// One database session for the endpoint's reads, opened on first use and again after a
// failure; a scrape every few seconds does not open a session each time.
class ProbeSession {
 public:
  explicit ProbeSession(base::Secret url) : url_(std::move(url)) {}
  // Runs `read` on the session; false (and the session dropped) when the database failed.
  bool Read(const std::function<void(pqxx::connection&)>& read);

 private:
  base::Secret url_;
  std::mutex mutex_;
  std::unique_ptr<pqxx::connection> connection_;
};

class HttpEndpoint {
 public:
  // Listens at once; throws std::runtime_error naming the address when it cannot.
  HttpEndpoint(const Config& config, const Metrics& metrics);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

 private:
  std::shared_ptr<ProbeSession> probe_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace isc_mirror::daemon
