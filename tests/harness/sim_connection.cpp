#include "tests/harness/sim_connection.hpp"

namespace isc_mirror::testing {

SimConnection::SimConnection(const std::string& base_url, const Options& o) {
  static const isc::CurlGlobal curl;
  options.base_url = base_url;
  options.token_url = base_url + "/oauth/token";
  options.client_id = "sim-client";
  options.client_secret = base::Secret(o.secret);
  options.retry = o.retry;
  options.request_timeout = std::chrono::milliseconds(10'000);
  options.transport.allow_http = true;  // the simulator speaks plain http
  tokens = std::make_unique<isc::TokenSource>(
      options, std::make_unique<isc::CurlTransport>(options.transport));
  budget = std::make_unique<isc::RateBudget>(
      o.requests, o.per, 0.97, std::chrono::steady_clock::now, nullptr, o.per_version);
  client = std::make_unique<isc::IscClient>(
      options, *tokens, *budget,
      std::make_unique<isc::CurlTransport>(
          isc::TransportOptions{.allow_http = true, .max_response_bytes = o.max_response_bytes}));
}

}  // namespace isc_mirror::testing
