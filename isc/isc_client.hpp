// The ISC API client: client-credentials tokens, the shared rate budget, retries with backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "base/secret.hpp"
#include "isc/http_transport.hpp"
#include "isc/rate_budget.hpp"

namespace isc_mirror::isc {

struct RetryPolicy {
  int max_attempts = 6;  // first try included
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
};

// What the client does with an answer.
enum class Outcome { kSuccess, kRetryAfter, kRefreshToken, kTransient, kPermanent };

Outcome Classify(const HttpResponse& response);

// Exponential backoff with full jitter: a uniform draw from [0, min(max, base * 2^attempt)].
// `unit` is a uniform draw from [0, 1).
std::chrono::milliseconds BackoffDelay(int attempt, const RetryPolicy& policy, double unit);

// Retry-After in seconds (ISC's form) or an HTTP date is not supported: absent or unreadable
// values give nullopt.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response);

// application/x-www-form-urlencoded encoding of one value (space as '+'), for form bodies.
std::string FormEncode(std::string_view value);
// RFC 3986 percent-encoding (space as %20), for query parameters: no server misreads it.
std::string PercentEncode(std::string_view value);

struct TokenGrant {
  std::string access_token;
  std::chrono::seconds expires_in{0};
};
// Parses the token endpoint's answer; the error never quotes the body (it may hold a token).
base::Expected<TokenGrant> ParseTokenResponse(std::string_view body);

// What an access token says of itself: ISC's tokens are JWTs whose claims name their scopes,
// and for a user's token (a personal access token) the user and its levels (authorities).
struct TokenClaims {
  bool readable = false;  // a JWT whose claims parsed; otherwise nothing below is known
  std::set<std::string> scopes;
  std::set<std::string> authorities;
  bool user = false;  // a user's token (user_name or identity_id claim)
};
TokenClaims ReadTokenClaims(std::string_view token);

// The path with its ids as {id} (/v2024/accounts/2c91.../disable -> /v2024/accounts/{id}/disable),
// so that an endpoint is named once, not once per object.
std::string PathTemplate(std::string_view path);

// The deprecation an answer announces (the Deprecation, Sunset or X-Deprecated header), or
// nullopt: the headers' own words, for the operator.
std::optional<std::string> Deprecation(const HttpResponse& response);

// Counters of one sync run or action batch; shared by the requests made for it.
struct RequestStats {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> retries{0};
  std::atomic<int64_t> rate_limited{0};
  std::atomic<int64_t> rate_wait_ms{0};
  std::atomic<int64_t> deprecated{0};  // answers that announced their endpoint's deprecation

  // True the first time `path` is noted: a deprecated endpoint is warned about once a run.
  bool FirstDeprecation(const std::string& path) {
    std::lock_guard lock(deprecated_mutex_);
    return deprecated_paths_.insert(path).second;
  }

 private:
  std::mutex deprecated_mutex_;
  std::set<std::string> deprecated_paths_;
};

struct ClientOptions {
  std::string base_url;   // https://tenant.api.identitynow.com
  std::string token_url;  // {base_url}/oauth/token
  std::string client_id;
  base::Secret client_secret;
  RetryPolicy retry;
  std::chrono::milliseconds request_timeout{60'000};
  TransportOptions transport;  // what the tenant's transports may speak and trust
};

// Fetches client-credentials tokens and keeps one until shortly before it expires.
// Thread-safe; it owns its own transport for the token endpoint.
class TokenSource {
 public:
  using Clock = std::function<SteadyTime()>;
  TokenSource(const ClientOptions& options, std::unique_ptr<HttpTransport> transport,
              Clock clock = std::chrono::steady_clock::now);

  base::Expected<std::string> Token();
  // Drops `token` (after a 401) so that the next Token() fetches a fresh one.
  void Invalidate(const std::string& token);
  int64_t fetched() const { return fetched_; }

 private:
  ClientOptions options_;  // a copy: callers need not keep theirs alive
  std::unique_ptr<HttpTransport> transport_;
  Clock clock_;
  std::mutex mutex_;
  std::string token_;
  SteadyTime refresh_at_{};
  int64_t fetched_ = 0;
};

// ISC's answer to a call that succeeded (2xx). Whether its body says what the caller hoped is
// the caller's to read.
struct IscAnswer {
  int status = 0;
  std::string body;
  std::optional<std::string> total_count;  // X-Total-Count
};

// Why a call did not succeed, with what a caller decides by: the message names the call and
// the last cause.
struct IscFailure {
  std::string message;
  int status = 0;  // the last answer's HTTP status; 0 when none came
  // When the call was given up on a 429: how long ISC asked to wait before the next try.
  std::optional<std::chrono::milliseconds> retry_after;
};

using IscResult = base::Expected<IscAnswer, IscFailure>;

// One client per poller or worker (its transport is not shared); the token source and the rate
// budget are shared by all clients of a tenant.
class IscClient {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  IscClient(const ClientOptions& options, TokenSource& tokens, RateBudget& budget,
            std::unique_ptr<HttpTransport> transport, Sleep sleep = nullptr, uint64_t seed = 0);

  // GET {base_url}{path_and_query}; retries what is worth retrying. A final failure is an
  // IscFailure whose message names the call and the last cause.
  IscResult Get(std::string_view path_and_query, RequestStats& stats, bool experimental = false);

  // Called with every answer's HTTP status (0 when none came) and, when the answer announced
  // its endpoint's deprecation, the endpoint's path template (else empty); e.g. for metrics.
  using ResponseObserver = std::function<void(int status, const std::string& deprecated)>;
  void Observe(ResponseObserver observer) { observer_ = std::move(observer); }
  // Bounds every later call's waits (rate budget, Retry-After, backoff) and its request time:
  // a call that would pass the deadline is given up, not begun.
  void Bound(WaitBounds bounds) { bounds_ = bounds; }
  const WaitBounds& bounds() const { return bounds_; }
  // Any method. A call that changes the tenant (not GET or HEAD) is repeated only where ISC
  // certainly did not carry it out (429, 401); after a 5xx, a timeout or a cut answer it may
  // have, so the failure goes back to the caller, who can look before calling again.
  IscResult Send(std::string_view method, std::string_view path, std::string_view body,
                 std::string_view content_type, RequestStats& stats, bool experimental = false);
  // POST of a JSON query that changes nothing (POST /v3/search): retried like a GET.
  IscResult Query(std::string_view path, std::string_view json_body, RequestStats& stats);

 private:
  ClientOptions options_;  // a copy: callers need not keep theirs alive
  TokenSource& tokens_;
  RateBudget& budget_;
  std::unique_ptr<HttpTransport> transport_;
  // Warns once per run when an answer announces its endpoint's deprecation; returns the
  // endpoint's path template then.
  std::string NoteDeprecation(const HttpResponse& response, std::string_view path,
                              RequestStats& stats);

  // Send, where `reads` says whether a failed call may be repeated (it changes nothing).
  IscResult Exchange(std::string_view method, std::string_view path, std::string_view body,
                     std::string_view content_type, RequestStats& stats, bool experimental,
                     bool reads);

  // An error when waiting `wait` more would pass the bounds' deadline.
  base::Expected<void> BeforeDeadline(std::chrono::milliseconds wait, std::string_view what) const;

  Sleep sleep_;
  std::mt19937_64 rng_;
  ResponseObserver observer_;
  WaitBounds bounds_;
};

}  // namespace isc_mirror::isc
