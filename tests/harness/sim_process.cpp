#include "tests/harness/sim_process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

namespace isc_mirror::testing {

SimProcess::SimProcess(std::vector<std::string> flags) {
  std::vector<std::string> argv = {ISC_SIM_BINARY, "--port", "0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ =
      std::make_unique<Subprocess>(ProcessOptions{argv, MinimalEnvironment(), std::nullopt, false});
  static const std::regex kReady(R"(listening on http://127\.0\.0\.1:(\d+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string out = process_->OutputSoFar();
    if (std::regex_search(out, m, kReady)) {
      port_ = std::stoi(m[1]);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto result = process_->Wait(std::chrono::seconds(1));
  throw std::runtime_error("isc-sim did not start: " + result.out + result.err);
}

SimProcess::~SimProcess() {
  if (!process_) return;
  process_->Signal(SIGTERM);
  process_->Wait(std::chrono::seconds(10));
}

SimClient::SimClient(int port, std::string client_id, std::string client_secret)
    : http_("127.0.0.1", port),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)) {
  http_.set_keep_alive(true);
  // Callers pass URLs already encoded, as they go on the wire.
  http_.set_url_encode(false);
  http_.set_read_timeout(30, 0);
}

bool SimClient::Authenticate() {
  httplib::Params form = {{"grant_type", "client_credentials"},
                          {"client_id", client_id_},
                          {"client_secret", client_secret_}};
  auto res = http_.Post("/oauth/token", form);
  if (!res || res->status != 200) return false;
  simdjson::dom::parser parser;
  std::string_view token;
  if (parser.parse(res->body).get_object()["access_token"].get(token)) return false;
  token_ = std::string(token);
  return true;
}

httplib::Headers SimClient::WithToken(httplib::Headers extra) const {
  extra.emplace("Authorization", "Bearer " + token_);
  return extra;
}

httplib::Result SimClient::Get(const std::string& path, httplib::Headers extra) {
  return http_.Get(path, WithToken(std::move(extra)));
}

httplib::Result SimClient::Post(const std::string& path, const std::string& body,
                                httplib::Headers extra, const std::string& content_type) {
  return http_.Post(path, WithToken(std::move(extra)), body, content_type);
}

httplib::Result SimClient::Patch(const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  return http_.Patch(path, WithToken({}), body, content_type);
}

httplib::Result SimClient::Control(const std::string& method, const std::string& path,
                                   const std::string& body) {
  if (method == "GET") return http_.Get(path);
  if (method == "DELETE") return http_.Delete(path);
  if (method == "PATCH") return http_.Patch(path, body, "application/json");
  return http_.Post(path, body, "application/json");
}

std::string MirrorConfig(const SimProcess& sim, const std::string& database_url,
                         const std::string& retry, const std::string& rest,
                         const std::string& tenant) {
  return fmt::format(
      "tenants:\n"
      "  - name: sim\n"
      "    base_url: {}\n"
      "    allow_insecure_http: true\n"
      "    client_id: sim-client\n"
      "    client_secret: sim-secret\n"
      "    retry: {}\n"
      "{}"
      "database:\n"
      "  url: {}\n"
      "{}",
      sim.base_url(), retry, tenant, database_url, rest);
}

std::string LeaverHandoffRule(const std::string& fallback) {
  return fmt::format(
      "rules:\n"
      "  - name: leaver-handoff\n"
      "    on: leaver\n"
      "    do:\n"
      "      - das_reassign_owner: {{ to: manager, fallback: {0} }}\n"
      "      - certification_reassign: {{ to: manager, fallback: {0} }}\n"
      "      - accounts_disable: {{}}\n",
      fallback);
}

}  // namespace isc_mirror::testing
