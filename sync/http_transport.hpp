// The daemon's only door to HTTP: a small interface, and its libcurl implementation.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace isc_mirror::sync {

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

// One reused easy handle, so connections stay open between requests (keep-alive). Not
// thread-safe: each poller and worker owns its own. TLS peers are always verified.
class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(size_t max_response_bytes = 256u << 20);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  size_t max_response_bytes_;
};

}  // namespace isc_mirror::sync
