#include "tests/harness/https_receiver.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace isc_mirror::testing {

Certificate SelfSignedCertificate(const std::filesystem::path& dir) {
  Certificate made{.cert = (dir / "cert.pem").string(), .key = (dir / "key.pem").string()};
  auto run = RunProcess({.argv = {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                  "-keyout", made.key, "-out", made.cert, "-days", "1", "-subj",
                                  "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                         .env = MinimalEnvironment()});
  if (run.exit_code != 0)
    throw std::runtime_error("openssl could not make a certificate: " + run.err);
  return made;
}

HttpsReceiver::HttpsReceiver(Handler handler) {
  auto [cert, key] = SelfSignedCertificate(dir_.path());
  server_ = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  if (!server_->is_valid())
    throw std::runtime_error("the https receiver could not load its certificate");
  server_->Post(".*", std::move(handler));
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the https receiver could not bind");
  serving_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpsReceiver::~HttpsReceiver() {
  Stop();
}

void HttpsReceiver::Stop() {
  if (server_) server_->stop();
  if (serving_.joinable()) serving_.join();
}

std::string HttpsReceiver::Url(const std::string& path) const {
  return fmt::format("https://127.0.0.1:{}{}", port_, path);
}

}  // namespace isc_mirror::testing
