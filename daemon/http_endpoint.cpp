#include "daemon/http_endpoint.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <pqxx/pqxx>

#include "db/connection.hpp"

namespace isc_mirror::daemon {
namespace {

std::map<std::string, double> Intervals(const Config& config) {
  std::map<std::string, double> out;
  for (const auto& r : config.resources) {
    if (r.enabled) out[r.name] = std::chrono::duration<double>(r.interval).count();
  }
  return out;
}

}  // namespace

HttpEndpoint::HttpEndpoint(const Config& config, const Metrics& metrics)
    : server_(std::make_unique<httplib::Server>()) {
  auto intervals = Intervals(config);
  std::vector<std::string> tenants;
  for (const auto& t : config.tenants) tenants.push_back(t.name);
  // Copies: the handlers outlive a reload's config.
  auto url = config.database.url;
  double factor = config.http.overdue_factor;

  server_->Get(
      "/metrics", [&metrics, intervals, url](const httplib::Request&, httplib::Response& res) {
        std::vector<std::pair<std::string, int64_t>> actions;
        bool database_up = true;
        try {
          auto connection = db::Connect(url);
          pqxx::read_transaction tx(*connection);
          for (const auto& row :
               tx.exec("SELECT status, count(*) FROM mirror.actions GROUP BY status ORDER BY 1")) {
            actions.emplace_back(row[0].c_str(), row[1].as<int64_t>());
          }
        } catch (const std::exception&) {
          database_up = false;
        }
        std::string body = metrics.Render(actions, intervals, std::chrono::system_clock::now());
        body += fmt::format(
            "# HELP isc_mirror_database_up whether the database answered this scrape\n"
            "# TYPE isc_mirror_database_up gauge\nisc_mirror_database_up {}\n",
            database_up ? 1 : 0);
        res.set_content(body, "text/plain; version=0.0.4");
      });
  server_->Get("/healthz", [&metrics, intervals, url, tenants, factor](const httplib::Request&,
                                                                       httplib::Response& res) {
    std::string problems;
    try {
      auto connection = db::Connect(url);
      pqxx::nontransaction tx(*connection);
      tx.exec("SELECT 1");
    } catch (const std::exception& e) {
      problems += fmt::format("database unreachable: {}\n", e.what());
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
