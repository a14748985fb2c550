#include "daemon/http_endpoint.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <pqxx/pqxx>

#include "daemon/sql.hpp"
#include "db/connection.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr size_t kMaxRequestBody = 4096;
constexpr time_t kReadTimeout = 2;  // seconds for a request's headers and body to arrive

std::map<std::string, double> Intervals(const Config& config) {
  std::map<std::string, double> out;
  for (const auto& r : config.resources) {
    if (r.enabled) out[r.name] = std::chrono::duration<double>(r.interval).count();
  }
  return out;
}

}  // namespace

bool ProbeSession::Read(const std::function<void(pqxx::connection&)>& read) {
  std::lock_guard lock(mutex_);
  try {
    if (!connection_) {
      connection_ = db::Connect(url_);
      // A scrape must not hang on a stuck database.
      pqxx::nontransaction(*connection_)
          .exec("SET statement_timeout = '5s'; SET application_name = 'isc-mirror http endpoint'");
    }
    read(*connection_);
    return true;
  } catch (const std::exception&) {
    connection_.reset();
    return false;
  }
}

HttpEndpoint::HttpEndpoint(const Config& config, const Metrics& metrics)
    : probe_(std::make_shared<ProbeSession>(config.database.url)),
      server_(std::make_unique<httplib::Server>()) {
  auto intervals = Intervals(config);
  std::vector<std::string> tenants;
  for (const auto& t : config.tenants) tenants.push_back(t.name);
  double factor = config.http.overdue_factor;
  // Scrapers send small GETs: anything larger, or slower to arrive, is not one.
  server_->set_tcp_nodelay(true);  // headers and body in two writes: no delayed-ACK wait
  server_->set_payload_max_length(kMaxRequestBody);
  server_->set_read_timeout(kReadTimeout);
  server_->set_write_timeout(kReadTimeout);
  server_->set_keep_alive_max_count(100);

  server_->Get("/metrics", [probe = probe_, &metrics, intervals](const httplib::Request&,
                                                                 httplib::Response& res) {
    std::vector<std::pair<std::string, int64_t>> actions;
    bool database_up = probe->Read([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      for (const auto& row : tx.exec(std::string(sql::kStatusActionCounts))) {
        actions.emplace_back(row[0].c_str(), row[1].as<int64_t>());
      }
    });
    std::string body = metrics.Render(actions, intervals, std::chrono::system_clock::now());
    body += Metrics::RenderDatabaseUp(database_up);
    res.set_content(body, "text/plain; version=0.0.4");
  });
  server_->Get("/healthz", [probe = probe_, &metrics, intervals, tenants, factor](
                               const httplib::Request&, httplib::Response& res) {
    std::string problems;
    // The body is for anyone who can reach the port: no host, user or libpq message.
    if (!probe->Read([](pqxx::connection& c) { pqxx::nontransaction(c).exec("SELECT 1"); })) {
      problems += "database unreachable\n";
    }
    for (const auto& late :
         metrics.Overdue(tenants, intervals, factor, std::chrono::system_clock::now())) {
      problems += fmt::format("overdue: {} (no successful sync for more than {} intervals)\n", late,
                              factor);
    }
    res.status = problems.empty() ? 200 : 503;
    res.set_content(problems.empty() ? "ok\n" : problems, "text/plain");
  });

  const std::string& listen = config.http.listen;
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  int port = std::stoi(listen.substr(colon + 1));
  if (!server_->bind_to_port(host, port)) {
    throw std::runtime_error(
        fmt::format("cannot listen on {} for /metrics (hint: another process has the port; change "
                    "http.listen, or set it to \"\" to turn the endpoint off)",
                    listen));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpEndpoint::~HttpEndpoint() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace isc_mirror::daemon
