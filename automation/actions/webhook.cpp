// webhook: a POST of the event to an https URL, signed with the step's secret (HMAC-SHA256).
// The URL and the secret stay in the config: the outbox shows only the URL's host.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"
#include "base/text.hpp"

namespace isc_mirror::automation {
namespace {

std::string EventJson(const Rule& rule, const sync::Event& event) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("rule", rule.name)
      .Field("event_id", event.event_id)
      .Field("resource", event.resource)
      .Field("object_id", event.object_id)
      .Field("op", sync::EventOpName(event.op))
      .Key("changed_paths")
      .BeginArray();
  for (const auto& p : event.changed_paths) w.String(p);
  w.EndArray();
  w.Key("before");
  event.before ? w.Raw(*event.before) : w.Null();
  w.Key("after");
  event.after ? w.Raw(*event.after) : w.Null();
  w.EndObject();
  return out;
}

std::vector<PlannedAction> Plan(const PlanInput& input) {
  PlannedAction a;
  a.kind = ActionKind::kWebhook;
  a.target = base::RedactUrl(input.Param("url"));
  a.payload = EventJson(input.rule, input.event);
  a.summary = fmt::format("post to {} about {}", a.target, input.why);
  return {std::move(a)};
}

base::Expected<void> Check(const ActionStep& step) {
  // The URL is not quoted: its path is often a credential.
  const std::string& url = step.params.at("url");
  if (url.starts_with("https://") && url.size() > 8 && url[8] != '/') return {};
  return base::Error{fmt::format(
      "webhook.url: {} is not an https:// URL (the payload carries identity data, and the URL "
      "itself is often a credential: plain http is refused)",
      base::RedactUrl(url))};
}

}  // namespace

const ActionSpec& WebhookAction() {
  static const ActionSpec kSpec = {.name = "webhook",
                                   .kind = ActionKind::kWebhook,
                                   .params = {"url", "secret"},
                                   .required = {"url", "secret"},
                                   // The URL is often a credential too.
                                   .secrets = {"url", "secret"},
                                   .plan = Plan,
                                   .check = Check};
  return kSpec;
}

}  // namespace isc_mirror::automation
