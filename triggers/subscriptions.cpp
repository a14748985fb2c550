#include "triggers/subscriptions.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <set>

#include "base/json_writer.hpp"

namespace isc_mirror::triggers {

std::string SubscriptionName(std::string_view tenant, const TriggerSpec& spec) {
  return fmt::format("isc-mirror {} {}", tenant, spec.id.substr(spec.id.find(':') + 1));
}

bool IsMirrorSubscription(std::string_view tenant, const ExistingSubscription& s) {
  const TriggerSpec* spec = FindTrigger(s.trigger_id);
  return spec != nullptr && s.name == SubscriptionName(tenant, *spec);
}

std::string DeliveryUrl(std::string_view public_url, std::string_view tenant,
                        const TriggerSpec& spec) {
  while (public_url.ends_with('/')) public_url.remove_suffix(1);
  return fmt::format("{}/triggers/{}/{}", public_url, tenant,
                     spec.id.substr(spec.id.find(':') + 1));
}

std::string SubscriptionBody(std::string_view tenant, const TriggerSpec& spec,
                             std::string_view public_url, const TriggerAuth& auth, bool create) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("name", SubscriptionName(tenant, spec))
      .Field("description",
             fmt::format("isc-mirror: {} for the mirror of tenant {}", spec.name, tenant));
  // triggerId is immutable: a replacement (PUT) leaves it out.
  if (create) w.Field("triggerId", spec.id);
  w.Field("type", "HTTP")
      .Field("enabled", true)
      .Key("httpConfig")
      .BeginObject()
      .Field("url", DeliveryUrl(public_url, tenant, spec))
      .Field("httpDispatchMode", "SYNC")
      .Field("httpAuthenticationType", IscAuthType(auth.scheme));
  if (auth.scheme == AuthScheme::kBasic) {
    w.Key("basicAuthConfig")
        .BeginObject()
        .Field("userName", auth.user)
        .Field("password", auth.password.Reveal())
        .EndObject();
  } else if (auth.scheme == AuthScheme::kBearer) {
    w.Key("bearerTokenAuthConfig").BeginObject().Field("bearerToken", auth.token.Reveal());
    w.EndObject();
  }
  w.EndObject().EndObject();
  return out;
}

base::Expected<std::vector<ExistingSubscription>> ParseSubscriptions(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (parser.parse(body.data(), body.size()).get(items)) {
    return base::Error{"the subscription list is not a JSON array"};
  }
  std::vector<ExistingSubscription> out;
  for (auto item : items) {
    ExistingSubscription s;
    std::string_view text;
    if (item["id"].get(text)) return base::Error{"a listed subscription has no id"};
    s.id = std::string(text);
    if (!item["name"].get(text)) s.name = std::string(text);
    if (!item["triggerId"].get(text)) s.trigger_id = std::string(text);
    if (!item["httpConfig"]["url"].get(text)) s.url = std::string(text);
    if (!item["httpConfig"]["httpAuthenticationType"].get(text)) s.auth_type = std::string(text);
    bool enabled = true;
    if (!item["enabled"].get(enabled)) s.enabled = enabled;
    out.push_back(std::move(s));
  }
  return out;
}

SubscribePlan PlanSubscribe(std::string_view tenant,
                            const std::vector<ExistingSubscription>& existing) {
  SubscribePlan plan;
  for (const auto& spec : TriggerSpecs()) {
    bool found = false;
    for (const auto& s : existing) {
      if (s.trigger_id != spec.id || !IsMirrorSubscription(tenant, s)) continue;
      if (found) {
        plan.remove.push_back(s.id);
      } else {
        plan.replace.emplace_back(s.id, &spec);
        found = true;
      }
    }
    if (!found) plan.create.push_back(&spec);
  }
  return plan;
}

}  // namespace isc_mirror::triggers
