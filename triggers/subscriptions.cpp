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

std::string SubscriptionBody(const TriggerSpec& spec, const SubscriptionFields& fields) {
  const auto& [tenant, public_url, auth, filter, create] = fields;
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
  w.EndObject();
  if (!filter.empty()) w.Field("filter", filter);
  w.EndObject();
  return out;
}

base::Expected<std::vector<std::pair<std::string, std::string>>> ParseTriggerExamples(
    std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (parser.parse(body.data(), body.size()).get(items)) {
    return base::Error{"the trigger list is not a JSON array"};
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto item : items) {
    std::string_view id;
    simdjson::dom::element example;
    if (item["id"].get(id) || item["exampleInput"].get(example)) {
      return base::Error{"a listed trigger has no id or exampleInput"};
    }
    out.emplace_back(std::string(id), simdjson::minify(example));
  }
  return out;
}

std::string ValidateFilterBody(std::string_view filter, std::string_view example_input) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject().Key("input").Raw(example_input).Field("filter", filter).EndObject();
  return out;
}

base::Expected<std::string> JudgeFilter(std::string_view trigger_id, std::string_view filter,
                                        std::string_view answer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool valid = false;
  bool json_path = false;
  bool path_exists = false;
  if (parser.parse(answer.data(), answer.size()).get(doc) || doc["isValid"].get(valid) ||
      doc["isValidJSONPath"].get(json_path) || doc["isPathExist"].get(path_exists)) {
    return base::Error{"validate-filter answered without isValid, isValidJSONPath, isPathExist"};
  }
  if (!json_path) {
    return base::Error{fmt::format(
        "the filter for {} is not valid JSONPath: {} (hint: SailPoint's filters are Jayway "
        "JSONPath, e.g. $.changes[?(@.attribute == 'manager')])",
        trigger_id, filter)};
  }
  if (!path_exists) {
    return base::Error{fmt::format(
        "the filter for {} names a path its payload does not have, so ISC would never send an "
        "event: {} (hint: the payload's fields are in GET /v2025/triggers' exampleInput)",
        trigger_id, filter)};
  }
  return std::string(valid ? "ISC's example event passes it"
                           : "ISC's example event does not pass it");
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
    if (!item["filter"].get(text)) s.filter = std::string(text);
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
