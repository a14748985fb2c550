// An ISC client wired to an isc-sim the way the daemon wires one to a tenant.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "isc/isc_client.hpp"
#include "tests/harness/sim_process.hpp"

namespace isc_mirror::testing {

struct SimConnection {
  struct Options {
    int requests = 10'000;  // rate budget
    std::chrono::milliseconds per{1000};
    bool per_version = false;  // one budget per API version instead of one for all
    std::string secret = "sim-secret";
    size_t max_response_bytes = 64u << 20;
    isc::RetryPolicy retry{6, std::chrono::milliseconds(20), std::chrono::milliseconds(200)};
  };

  explicit SimConnection(const SimProcess& sim) : SimConnection(sim.base_url(), Options{}) {}
  SimConnection(const SimProcess& sim, const Options& o) : SimConnection(sim.base_url(), o) {}
  SimConnection(const std::string& base_url, const Options& o);

  isc::ClientOptions options;
  std::unique_ptr<isc::TokenSource> tokens;
  std::unique_ptr<isc::RateBudget> budget;
  std::unique_ptr<isc::IscClient> client;
  isc::RequestStats stats;
};

}  // namespace isc_mirror::testing
