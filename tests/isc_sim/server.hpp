// isc-sim's HTTP face: OAuth, bearer tokens, rate limits, faults, the ISC routes and /__sim/.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "tests/isc_sim/definitions.hpp"
#include "tests/isc_sim/tenant.hpp"
#include "tests/isc_sim/triggers.hpp"

namespace isc_mirror::sim {

// Injected failures; each rate is a probability per request whose path starts with prefix.
struct Faults {
  std::string prefix;
  double error_rate = 0;  // answer one of error_codes
  std::vector<int> error_codes = {500, 502, 503};
  int latency_ms = 0;
  double truncate_rate = 0;     // declare the full length, send half, close
  double malformed_rate = 0;    // a complete response whose JSON is broken
  double expire_rate = 0;       // the caller's token expires early
  int retry_after_seconds = 0;  // the Retry-After of an injected 429 (0: none)
  // A call that changes the tenant is carried out, but its answer body is replaced by bytes
  // that are not UTF-8 (Latin-1, a NUL, binary): what a proxy or a broken receiver sends.
  double garble_rate = 0;
  bool writes_only = false;  // faults strike only calls that change the tenant (not GET)
  bool any() const {
    return error_rate > 0 || latency_ms > 0 || truncate_rate > 0 || malformed_rate > 0 ||
           expire_rate > 0 || garble_rate > 0;
  }
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string client_id = "sim-client";
  std::string client_secret = "sim-secret";
  int token_ttl_seconds = 749;
  int rate_requests = 0;  // 0: no rate limit
  std::chrono::milliseconds rate_per{10'000};
  // SailPoint's pages disagree on whether each API version has its own budget; by default one
  // budget per client id is shared by every version (the stricter reading).
  bool rate_per_version = false;
  Caller caller;  // the kind of token, scopes and user level the client's tokens carry
  std::string definitions_file = ISC_SIM_DEFINITIONS_FILE;
  Faults faults;
  uint64_t seed = 1;
};

class Server {
 public:
  Server(ServerOptions options, Tenant& tenant);
  // Binds; returns the port (useful with port 0).
  int Bind();
  // Serves until Stop().
  void Listen();
  void Stop();

 private:
  struct TokenInfo {
    std::string client_id;
    std::chrono::steady_clock::time_point expires;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };
  struct ActionRecord {
    int64_t seq;
    int64_t time_ms;
    std::string method;
    std::string path;
    std::string body;
    int status;
  };

  void Handle(const httplib::Request& req, httplib::Response& res);
  void HandleToken(const httplib::Request& req, httplib::Response& res);
  void HandleControl(const httplib::Request& req, httplib::Response& res);
  // A control call that changes the tenant, and the Event Trigger deliveries it leads to.
  Reply ChangeTenant(const httplib::Request& req);
  // The actions' POSTs; none when no route matches.
  std::optional<Reply> RoutePost(const httplib::Request& req,
                                 const std::vector<std::string_view>& p);
  // POST /v3/search.
  Reply RouteSearch(const httplib::Request& req, int64_t* total, bool* is_list);
  Reply Route(const httplib::Request& req, int64_t* total_count, bool* is_list);
  // The client id behind a valid bearer token, or the 401 to answer.
  std::optional<std::string> Authenticate(const httplib::Request& req, httplib::Response& res);
  // Seconds to wait when over budget, 0 when the request may go ahead.
  int TakeRateToken(const std::string& client_id, const std::string& version);
  double Roll();
  // The faults a request meets, rolled once under the lock.
  struct FaultDice {
    Faults faults;
    bool expire = false;  // its token is dropped and it is answered 401
    bool fail = false;
    int error_code = 500;
    bool truncate = false;
    bool malformed = false;
    bool garble = false;
  };
  FaultDice RollFaults(const httplib::Request& req);
  // The 403 to answer when the caller's token may not make this call.
  bool Forbidden(const Operation* operation, httplib::Response& res) const;
  void MarkDeprecated(const Operation* operation, const std::string& path, httplib::Response& res);
  std::string IssueToken();

  ServerOptions options_;
  Tenant& tenant_;
  Triggers triggers_;
  Definitions definitions_;
  httplib::Server http_;
  int port_ = 0;

  std::mutex mutex_;  // guards everything below
  std::map<std::string, TokenInfo> tokens_;
  std::map<std::string, Bucket> buckets_;
  Faults faults_;
  std::mt19937_64 rng_;
  std::vector<ActionRecord> actions_;
  std::map<int, int64_t> responses_by_status_;
  // Path prefixes whose answers carry deprecation headers besides the operations the
  // definitions mark deprecated (POST /__sim/deprecate).
  std::vector<std::string> deprecated_prefixes_;
  int64_t requests_ = 0;
};

}  // namespace isc_mirror::sim
