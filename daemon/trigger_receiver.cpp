#include "daemon/trigger_receiver.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "triggers/auth.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr time_t kReadTimeout = 5;  // seconds for a delivery's headers and body to arrive

std::string ErrorBody(std::string_view message) {
  std::string out;
  base::JsonWriter(out).BeginObject().Field("error", message).EndObject();
  return out;
}

std::unique_ptr<httplib::Server> MakeServer(const TriggersConfig& config) {
  if (config.cert_file.empty()) return std::make_unique<httplib::Server>();
  auto server =
      std::make_unique<httplib::SSLServer>(config.cert_file.c_str(), config.key_file.c_str());
  if (!server->is_valid()) {
    throw std::runtime_error(
        fmt::format("cannot serve HTTPS on {} with {} and {} (hint: both must be PEM, the key the "
                    "certificate's, readable by the service)",
                    config.listen, config.cert_file, config.key_file));
  }
  return server;
}

}  // namespace

TriggerReceiver::TriggerReceiver(const Config& config, Metrics& metrics,
                                 std::function<void(const std::vector<std::string>&)> on_recorded)
    : config_(config),
      metrics_(metrics),
      recorder_(std::make_unique<triggers::DeliveryRecorder>(triggers::RecorderSettings{
          .database_url = config.database.url,
          .dedup_window =
              std::chrono::duration_cast<std::chrono::seconds>(config.triggers.dedup_window),
          .on_recorded = std::move(on_recorded)})),
      server_(MakeServer(config.triggers)) {
  // A response's headers and body go out in two writes: without TCP_NODELAY the second waits
  // for the sender's delayed ACK, about 40 ms a delivery.
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(kMaxDeliveryBytes);
  server_->set_read_timeout(kReadTimeout);
  server_->set_write_timeout(kReadTimeout);
  server_->Post(R"(/triggers/([^/]+)(?:/([^/]+))?)",
                [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  const std::string& listen = config.triggers.listen;
  auto colon = listen.rfind(':');
  if (!server_->bind_to_port(listen.substr(0, colon), std::stoi(listen.substr(colon + 1)))) {
    throw std::runtime_error(fmt::format(
        "cannot listen on {} for Event Trigger deliveries (hint: another process has the port; "
        "change triggers.listen)",
        listen));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

TriggerReceiver::~TriggerReceiver() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void TriggerReceiver::Refused(DeliveryOutcome outcome, const std::string& tenant,
                              const std::string& why) {
  std::optional<int64_t> refused;
  {
    std::lock_guard lock(refusals_mutex_);
    auto& log = outcome == DeliveryOutcome::kUnauthorized ? unauthorized_ : invalid_;
    refused = log.Refused(std::chrono::steady_clock::now());
  }
  if (!refused) return;
  base::log::Warn(outcome == DeliveryOutcome::kUnauthorized
                      ? "trigger deliveries refused: bad or missing credentials"
                      : "trigger deliveries refused: not a valid payload",
                  {{"tenant", tenant},
                   {"refused", *refused},
                   {"last_reason", why},
                   {"hint", outcome == DeliveryOutcome::kUnauthorized
                                ? "the subscription's auth must match tenants[].triggers"
                                : "see docs/triggers.md"}});
}

void TriggerReceiver::Handle(const httplib::Request& req, httplib::Response& res) {
  const std::string tenant_name = req.matches[1];
  const std::string trigger_name = req.matches.size() > 2 ? std::string(req.matches[2]) : "";
  auto answer = [&](int status, std::string_view message) {
    res.status = status;
    res.set_content(ErrorBody(message), "application/json");
  };
  const TenantConfig* tenant = nullptr;
  for (const auto& t : config_.tenants) {
    if (t.name == tenant_name && t.triggers) tenant = &t;
  }
  // The same answer for a tenant that is not configured and one that takes no deliveries.
  if (tenant == nullptr) return answer(404, "no such tenant takes deliveries here");
  const triggers::TriggerSpec* spec = nullptr;
  if (!trigger_name.empty() && (spec = triggers::FindTrigger(trigger_name)) == nullptr) {
    return answer(404, "no such trigger");
  }
  std::string trigger_label = spec != nullptr ? std::string(spec->id) : "unknown";
  auto now = std::chrono::system_clock::now();
  if (!triggers::Authorized(*tenant->triggers, req.get_header_value("Authorization"))) {
    metrics_.RecordDelivery(tenant->name, trigger_label, DeliveryOutcome::kUnauthorized, now);
    recorder_->Refused(tenant->name, trigger_label, "unauthorized");
    Refused(DeliveryOutcome::kUnauthorized, tenant->name, "credentials do not match");
    res.set_header("WWW-Authenticate",
                   tenant->triggers->scheme == triggers::AuthScheme::kBasic ? "Basic" : "Bearer");
    return answer(401, "unauthorized");
  }
  auto delivery =
      triggers::ParseDelivery(req.body, spec != nullptr ? std::optional(spec->kind) : std::nullopt);
  if (!delivery) {
    metrics_.RecordDelivery(tenant->name, trigger_label, DeliveryOutcome::kInvalid, now);
    recorder_->Refused(tenant->name, trigger_label, "invalid");
    Refused(DeliveryOutcome::kInvalid, tenant->name, delivery.error());
    return answer(400, delivery.error());
  }
  trigger_label = std::string(triggers::SpecOf(delivery->kind).id);
  auto recorded = recorder_->Record(tenant->name, delivery->kind, req.body);
  if (recorded == triggers::Recorded::kFailed) {
    metrics_.RecordDelivery(tenant->name, trigger_label, DeliveryOutcome::kUnavailable, now);
    res.set_header("Retry-After", "5");
    return answer(503, "the delivery could not be recorded; try again");
  }
  bool duplicate = recorded == triggers::Recorded::kDuplicate;
  base::log::Debug(
      "trigger delivery recorded",
      {{"tenant", tenant->name}, {"trigger", trigger_label}, {"duplicate", duplicate}});
  metrics_.RecordDelivery(tenant->name, trigger_label,
                          duplicate ? DeliveryOutcome::kDuplicate : DeliveryOutcome::kRecorded,
                          now);
  std::string body;
  base::JsonWriter(body)
      .BeginObject()
      .Field("status", duplicate ? "duplicate" : "recorded")
      .EndObject();
  res.status = 200;
  res.set_content(body, "application/json");
}

}  // namespace isc_mirror::daemon
