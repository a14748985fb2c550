// A webhook receiver over https, with a throwaway self-signed certificate, for tests.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "tests/harness/subprocess.hpp"

namespace isc_mirror::testing {

// A throwaway self-signed certificate for 127.0.0.1 in `dir`: cert.pem and key.pem. Throws when
// openssl cannot make one.
struct Certificate {
  std::string cert;
  std::string key;
};
Certificate SelfSignedCertificate(const std::filesystem::path& dir);

class HttpsReceiver {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Serves POST /hook on 127.0.0.1 with `handler` until destroyed.
  explicit HttpsReceiver(Handler handler);
  ~HttpsReceiver();
  HttpsReceiver(const HttpsReceiver&) = delete;
  HttpsReceiver& operator=(const HttpsReceiver&) = delete;

  // https://127.0.0.1:{port}{path}
  std::string Url(const std::string& path = "/hook") const;
  // The certificate, to be trusted as a CA (actions.webhook_ca_file).
  std::string ca_file() const { return (dir_.path() / "cert.pem").string(); }
  void Stop();

 private:
  TempDir dir_;
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = 0;
  std::thread serving_;
};

}  // namespace isc_mirror::testing
