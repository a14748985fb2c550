// isc-sim as a child process of a test, and a small client that holds its bearer token.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/harness/subprocess.hpp"

namespace isc_mirror::testing {

// Starts isc-sim on a free port with the given extra flags; SIGTERM on destruction.
class SimProcess {
 public:
  explicit SimProcess(std::vector<std::string> flags = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

// An isc-mirror config for one tenant named "sim" served by `sim`: its retry settings (a YAML
// flow mapping), the database, then `rest` (rules, actions...) as given; `tenant` adds lines to
// the tenant's mapping (each indented by four spaces).
std::string MirrorConfig(const SimProcess& sim, const std::string& database_url,
                         const std::string& retry, const std::string& rest = "",
                         const std::string& tenant = "");

// The production example's leaver rule: the leaver's DAS ownership and open reviews to the
// manager (else `fallback`), its accounts disabled.
std::string LeaverHandoffRule(const std::string& fallback);

// An HTTP client for the simulator that fetches and sends a bearer token like an ISC client.
class SimClient {
 public:
  explicit SimClient(int port, std::string client_id = "sim-client",
                     std::string client_secret = "sim-secret");

  // Fetches a new token; false if the simulator refused.
  bool Authenticate();
  const std::string& token() const { return token_; }

  httplib::Result Get(const std::string& path, httplib::Headers extra = {});
  httplib::Result Post(const std::string& path, const std::string& body,
                       httplib::Headers extra = {},
                       const std::string& content_type = "application/json");
  httplib::Result Patch(const std::string& path, const std::string& body,
                        const std::string& content_type);
  // Control API calls carry no token.
  httplib::Result Control(const std::string& method, const std::string& path,
                          const std::string& body = "{}");
  httplib::Client& raw() { return http_; }

 private:
  httplib::Headers WithToken(httplib::Headers extra) const;

  httplib::Client http_;
  std::string client_id_;
  std::string client_secret_;
  std::string token_;
};

}  // namespace isc_mirror::testing
