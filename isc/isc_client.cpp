#include "isc/isc_client.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include "base/base64.hpp"
#include "base/log.hpp"

namespace isc_mirror::isc {
namespace {

std::string_view Describe(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kTimeout:
      return "timed out";
    case TransportFailure::kConnect:
      return "could not connect";
    case TransportFailure::kReset:
      return "connection reset";
    case TransportFailure::kTruncated:
      return "truncated response";
    case TransportFailure::kTooLarge:
      return "response too large";
    case TransportFailure::kTls:
      return "TLS verification failed";
    default:
      return "transport error";
  }
}

// The ISC error message of a 4xx/5xx body, if it has one, for the operator.
std::string IscMessage(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) return {};
  std::string_view text;
  if (!doc["messages"].at(0)["text"].get(text)) return std::string(text);
  if (!doc["error_description"].get(text) || !doc["error"].get(text) || !doc["message"].get(text)) {
    return std::string(text);
  }
  return {};
}

std::string Cause(const HttpResponse& r) {
  if (r.failure != TransportFailure::kNone)
    return fmt::format("{} ({})", Describe(r.failure), r.error);
  std::string message = IscMessage(r.body);
  std::string trimmed = message;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.erase(trimmed.begin());
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
  return trimmed.empty() ? fmt::format("HTTP {}", r.status)
                         : fmt::format("HTTP {}: {}", r.status, trimmed);
}

// A call ended before ISC answered it; the status of the last answer (a 429) is kept.
IscFailure GaveUp(const HttpResponse& last, std::string message) {
  IscFailure failure{.message = std::move(message), .status = last.status};
  if (last.status == 429) failure.retry_after = RetryAfter(last);
  return failure;
}

}  // namespace

Outcome Classify(const HttpResponse& r) {
  switch (r.failure) {
    case TransportFailure::kNone:
      break;
    case TransportFailure::kTooLarge:
    case TransportFailure::kTls:
      return Outcome::kPermanent;
    default:
      return Outcome::kTransient;
  }
  if (r.status >= 200 && r.status < 300) return Outcome::kSuccess;
  if (r.status == 429) return Outcome::kRetryAfter;
  if (r.status == 401) return Outcome::kRefreshToken;
  if (r.status >= 500 || r.status == 408) return Outcome::kTransient;
  return Outcome::kPermanent;
}

std::chrono::milliseconds BackoffDelay(int attempt, const RetryPolicy& policy, double unit) {
  double cap = static_cast<double>(policy.max_delay.count());
  double ceiling =
      std::min(cap, static_cast<double>(policy.base_delay.count()) * std::pow(2.0, attempt));
  return std::chrono::milliseconds(static_cast<int64_t>(ceiling * std::clamp(unit, 0.0, 1.0)));
}

std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response) {
  auto header = response.Header("retry-after");
  if (!header) return std::nullopt;
  int64_t seconds = 0;
  auto [p, ec] = std::from_chars(header->data(), header->data() + header->size(), seconds);
  if (ec != std::errc() || p != header->data() + header->size() || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::min<int64_t>(seconds, 3600) * 1000);
}

namespace {
std::string Encode(std::string_view value, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && space_as_plus) {
      out.push_back('+');
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}
}  // namespace

std::string FormEncode(std::string_view value) {
  return Encode(value, true);
}
std::string PercentEncode(std::string_view value) {
  return Encode(value, false);
}

base::Expected<TokenGrant> ParseTokenResponse(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) {
    return base::Error{"the token endpoint answered with something that is not JSON"};
  }
  std::string_view token;
  if (doc["access_token"].get(token) || token.empty()) {
    return base::Error{"the token endpoint's answer has no access_token"};
  }
  int64_t expires_in = 0;
  if (doc["expires_in"].get(expires_in) || expires_in <= 0) {
    return base::Error{"the token endpoint's answer has no positive expires_in"};
  }
  return TokenGrant{std::string(token), std::chrono::seconds(expires_in)};
}

namespace {

// A claim that is a list of strings, or one string of space-separated values (OAuth's scope).
void AddStrings(simdjson::dom::element claim, std::set<std::string>& out) {
  std::string_view text;
  if (!claim.get(text)) {
    for (size_t at = 0; at < text.size();) {
      size_t space = std::min(text.find(' ', at), text.size());
      if (space > at) out.emplace(text.substr(at, space - at));
      at = space + 1;
    }
    return;
  }
  simdjson::dom::array items;
  if (claim.get(items)) return;
  for (auto item : items) {
    if (!item.get(text)) out.emplace(text);
  }
}

}  // namespace

TokenClaims ReadTokenClaims(std::string_view token) {
  TokenClaims claims;
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return claims;
  std::string payload = base::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(payload).get(doc) || !doc.is_object()) return claims;
  claims.readable = true;
  simdjson::dom::element claim;
  if (!doc["scope"].get(claim)) AddStrings(claim, claims.scopes);
  if (!doc["authorities"].get(claim)) AddStrings(claim, claims.authorities);
  claims.user = !doc["user_name"].error() || !doc["identity_id"].error();
  return claims;
}

TokenSource::TokenSource(const ClientOptions& options, std::unique_ptr<HttpTransport> transport,
                         Clock clock)
    : options_(options), transport_(std::move(transport)), clock_(std::move(clock)) {}

base::Expected<std::string> TokenSource::Token() {
  std::lock_guard lock(mutex_);
  if (!token_.empty() && clock_() < refresh_at_) return token_;
  HttpRequest request;
  request.method = "POST";
  request.url = options_.token_url;
  request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
  request.body = "grant_type=client_credentials&client_id=" + FormEncode(options_.client_id) +
                 "&client_secret=" + FormEncode(options_.client_secret.Reveal());
  request.timeout = options_.request_timeout;
  HttpResponse response = transport_->Send(request);
  if (response.failure != TransportFailure::kNone || response.status != 200) {
    std::string hint = response.status == 401 || response.status == 400
                           ? " (hint: check client_id and the client secret)"
                           : "";
    return base::Error{
        fmt::format("token request to {} failed: {}{}", options_.token_url, Cause(response), hint)};
  }
  auto grant = ParseTokenResponse(response.body);
  if (!grant)
    return base::Error{fmt::format("token request to {}: {}", options_.token_url, grant.error())};
  // Renew before expiry: a tenth of the lifetime early, at most a minute.
  auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(60), grant->expires_in / 10);
  token_ = std::move(grant->access_token);
  refresh_at_ = clock_() + grant->expires_in - margin;
  ++fetched_;
  base::log::Debug("fetched an access token", {{"expires_in_s", grant->expires_in.count()}});
  return token_;
}

void TokenSource::Invalidate(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (token_ == token) token_.clear();
}

IscClient::IscClient(const ClientOptions& options, TokenSource& tokens, RateBudget& budget,
                     std::unique_ptr<HttpTransport> transport, Sleep sleep, uint64_t seed)
    : options_(options),
      tokens_(tokens),
      budget_(budget),
      transport_(std::move(transport)),
      sleep_(sleep ? std::move(sleep)
                   : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }),
      rng_(seed != 0 ? seed : std::random_device{}()) {}

std::string PathTemplate(std::string_view path) {
  path = path.substr(0, path.find('?'));
  std::string out;
  for (size_t at = 0; at < path.size();) {
    size_t slash = path.find('/', at + 1);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(at + 1, slash - at - 1);
    bool digits = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    bool long_hex = segment.size() >= 16 && std::all_of(segment.begin(), segment.end(), [](char c) {
                      return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
                    });
    out += '/';
    out += digits || long_hex ? std::string_view("{id}") : segment;
    at = slash;
  }
  return out;
}

std::optional<std::string> Deprecation(const HttpResponse& response) {
  std::string words;
  for (const char* name : {"deprecation", "sunset", "x-deprecated"}) {
    if (auto value = response.Header(name)) {
      words += fmt::format("{}{}: {}", words.empty() ? "" : ", ", name, *value);
    }
  }
  if (words.empty()) return std::nullopt;
  return words;
}

std::string IscClient::NoteDeprecation(const HttpResponse& response, std::string_view path,
                                       RequestStats& stats) {
  auto deprecation = Deprecation(response);
  if (!deprecation) return {};
  ++stats.deprecated;
  std::string endpoint = PathTemplate(path);
  if (stats.FirstDeprecation(endpoint)) {
    base::log::Warn("isc announces that an endpoint the mirror calls is deprecated",
                    {{"path", endpoint},
                     {"headers", *deprecation},
                     {"hint", "see the release notes of isc-mirror for its replacement"}});
  }
  return endpoint;
}

base::Expected<void> IscClient::BeforeDeadline(std::chrono::milliseconds wait,
                                               std::string_view what) const {
  if (!bounds_.deadline || std::chrono::steady_clock::now() + wait <= *bounds_.deadline) return {};
  return base::Error{
      fmt::format("{} given up: it would outlive its deadline (the action's lease)", what)};
}

IscResult IscClient::Get(std::string_view path_and_query, RequestStats& stats, bool experimental) {
  return Send("GET", path_and_query, {}, {}, stats, experimental);
}

IscResult IscClient::Send(std::string_view method, std::string_view path, std::string_view body,
                          std::string_view content_type, RequestStats& stats, bool experimental) {
  return Exchange(method, path, body, content_type, stats, experimental,
                  method == "GET" || method == "HEAD");
}

IscResult IscClient::Query(std::string_view path, std::string_view json_body, RequestStats& stats) {
  return Exchange("POST", path, json_body, "application/json", stats, false, true);
}

IscResult IscClient::Exchange(std::string_view method, std::string_view path, std::string_view body,
                              std::string_view content_type, RequestStats& stats, bool experimental,
                              bool reads) {
  std::string_view version = ApiVersion(path);
  std::string what = fmt::format("{} {}", method, path.substr(0, path.find('?')));
  bool refreshed = false;
  HttpResponse last;
  for (int attempt = 0; attempt < options_.retry.max_attempts; ++attempt) {
    if (bounds_.cancelled()) return GaveUp(last, what + " not made: stopping");
    bounds_.Beat();  // a request is progress
    auto token = tokens_.Token();
    if (!token) return IscFailure{.message = token.error()};
    auto waited = budget_.Acquire(version, bounds_);
    if (!waited) return GaveUp(last, fmt::format("{} not made: {}", what, waited.error()));
    stats.rate_wait_ms += waited->count();
    if (auto in_time = BeforeDeadline(std::chrono::seconds(1), what); !in_time) {
      return GaveUp(last, in_time.error());
    }

    HttpRequest request;
    request.method = std::string(method);
    request.url = options_.base_url + std::string(path);
    request.timeout = options_.request_timeout;
    if (bounds_.deadline) {
      request.timeout =
          std::min(request.timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        *bounds_.deadline - std::chrono::steady_clock::now()));
    }
    request.headers = {"Authorization: Bearer " + *token, "Accept: application/json"};
    if (experimental) request.headers.push_back("X-SailPoint-Experimental: true");
    if (!content_type.empty())
      request.headers.push_back("Content-Type: " + std::string(content_type));
    request.body = std::string(body);
    ++stats.requests;
    last = transport_->Send(request);
    std::string deprecated = NoteDeprecation(last, path, stats);
    if (observer_) observer_(last.status, deprecated);

    Outcome outcome = Classify(last);
    if (outcome == Outcome::kSuccess) {
      return IscAnswer{.status = last.status,
                       .body = std::move(last.body),
                       .total_count = last.Header("x-total-count")};
    }
    if (outcome == Outcome::kPermanent) break;
    if (outcome == Outcome::kTransient && !reads) break;
    if (outcome == Outcome::kRefreshToken) {
      // One fresh token per call: a second 401 means the credentials, not the token.
      tokens_.Invalidate(*token);
      if (refreshed) break;
      refreshed = true;
      ++stats.retries;
      --attempt;  // a token refresh is not a failed attempt
      continue;
    }
    if (attempt + 1 >= options_.retry.max_attempts) break;
    ++stats.retries;
    std::chrono::milliseconds delay;
    if (outcome == Outcome::kRetryAfter) {
      ++stats.rate_limited;
      delay = RetryAfter(last).value_or(BackoffDelay(attempt, options_.retry, 1.0));
      budget_.Pause(version, delay);
      base::log::Warn("rate limited by isc; pausing the rate budget",
                      {{"call", what}, {"pause_ms", delay.count()}});
      delay = std::chrono::milliseconds(0);  // the budget makes the next Acquire wait
    } else {
      delay =
          BackoffDelay(attempt, options_.retry, std::uniform_real_distribution<double>(0, 1)(rng_));
    }
    base::log::Debug("retrying", {{"call", what},
                                  {"cause", Cause(last)},
                                  {"attempt", attempt + 1},
                                  {"delay_ms", delay.count()}});
    if (auto in_time = BeforeDeadline(delay, what); !in_time) return GaveUp(last, in_time.error());
    if (delay.count() > 0 && !SleepUnlessCancelled(sleep_, delay, bounds_)) {
      return GaveUp(last, what + " not made: stopping");
    }
  }
  return IscFailure{.message = fmt::format("{} failed: {}", what, Cause(last)),
                    .status = last.status};
}

}  // namespace isc_mirror::isc
