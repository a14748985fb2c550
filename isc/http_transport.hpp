// The daemon's only door to HTTP: a small interface, and its libcurl implementation.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isc_mirror::isc {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{60'000};
};

// Why a request got no complete HTTP answer.
enum class TransportFailure {
  kNone,
  kTimeout,
  kConnect,
  kReset,
  kTruncated,
  kTooLarge,
  kTls,
  kOther
};

struct HttpResponse {
  int status = 0;  // 0 when failure != kNone
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lowercase
  TransportFailure failure = TransportFailure::kNone;
  std::string error;  // the transport's own words when failure != kNone

  std::optional<std::string> Header(std::string_view lowercase_name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

// Holds curl_global_init for the life of the process; create one in main().
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

struct TransportOptions {
  // https only unless this says so: plain http sends the client secret and tokens in clear
  // (tests and the demo talk to a local simulator).
  bool allow_http = false;
  std::string ca_file;  // trust these CAs instead of the system's (a private CA)
  size_t max_response_bytes = 256u << 20;
};

// One reused easy handle, so connections stay open between requests (keep-alive). Not
// thread-safe: each poller and worker owns its own. TLS peers are always verified, redirects
// are not followed, and libcurl speaks no protocol but http(s).
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  TransportOptions options_;
};

}  // namespace isc_mirror::isc
