#include "triggers/delivery.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "base/sha256.hpp"

namespace isc_mirror::triggers {
namespace {

// The trigger ids and names are ISC's (GET /v2025/triggers; SailPoint's list of available
// event triggers); the schemas are the definitions' Trigger* payloads.
constexpr TriggerSpec kSpecs[] = {
    {TriggerKind::kIdentityAttributesChanged, "idn:identity-attributes-changed",
     "Identity Attributes Changed", "TriggerIdentityAttributesChanged"},
    {TriggerKind::kIdentityCreated, "idn:identity-created", "Identity Created",
     "TriggerIdentityCreated"},
    {TriggerKind::kIdentityDeleted, "idn:identity-deleted", "Identity Deleted",
     "TriggerIdentityDeleted"},
    {TriggerKind::kAccountAttributesChanged, "idn:account-attributes-changed",
     "Account Attributes Changed", "TriggerAccountAttributesChanged"},
    {TriggerKind::kAccountCorrelated, "idn:account-correlated", "Account Correlated",
     "TriggerAccountCorrelated"},
    {TriggerKind::kAccountUncorrelated, "idn:account-uncorrelated", "Account Uncorrelated",
     "TriggerAccountUncorrelated"},
    {TriggerKind::kAccountAggregationCompleted, "idn:account-aggregation-completed",
     "Account Aggregation Completed", "TriggerAccountAggregationCompleted"},
    {TriggerKind::kCertificationSignedOff, "idn:certification-signed-off",
     "Certification Signed Off", "TriggerCertificationSignedOff"},
};

// The identity attribute that holds the lifecycle state (ISC's cloudLifecycleState).
constexpr std::string_view kLifecycleAttributes[] = {"cloudLifecycleState", "lifecycleState"};

enum class Type { kString, kNullableString, kObject, kArray, kNullableArray, kInteger };

struct Field {
  std::string_view pointer;
  Type type;
  std::string_view equals = {};  // a string field's one allowed value (an enum of one)
};

// The required fields of each payload, as its schema lists them.
std::vector<Field> RequiredFields(TriggerKind kind) {
  const std::vector<Field> identity = {{"/identity/id", Type::kString},
                                       {"/identity/type", Type::kString, "IDENTITY"},
                                       {"/identity/name", Type::kString}};
  const std::vector<Field> source = {{"/source/id", Type::kString},
                                     {"/source/type", Type::kString, "SOURCE"},
                                     {"/source/name", Type::kString}};
  const std::vector<Field> account = {{"/account/id", Type::kString},
                                      {"/account/type", Type::kString, "ACCOUNT"},
                                      {"/account/name", Type::kString},
                                      {"/account/nativeIdentity", Type::kString}};
  auto join = [](std::initializer_list<std::vector<Field>> parts) {
    std::vector<Field> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  switch (kind) {
    case TriggerKind::kIdentityAttributesChanged:
      return join({identity, {{"/changes", Type::kArray}}});
    case TriggerKind::kIdentityCreated:
    case TriggerKind::kIdentityDeleted:
      return join({identity, {{"/attributes", Type::kObject}}});
    case TriggerKind::kAccountAttributesChanged:
      return join({identity,
                   source,
                   account,
                   {{"/account/uuid", Type::kNullableString}, {"/changes", Type::kArray}}});
    case TriggerKind::kAccountCorrelated:
      return join({identity, source, account, {{"/attributes", Type::kObject}}});
    case TriggerKind::kAccountUncorrelated:
      return join({identity, source, account});
    case TriggerKind::kAccountAggregationCompleted:
      return join({source,
                   {{"/status", Type::kString},
                    {"/started", Type::kString},
                    {"/completed", Type::kString},
                    {"/errors", Type::kNullableArray},
                    {"/warnings", Type::kNullableArray},
                    {"/stats/scanned", Type::kInteger},
                    {"/stats/unchanged", Type::kInteger},
                    {"/stats/changed", Type::kInteger},
                    {"/stats/added", Type::kInteger},
                    {"/stats/removed", Type::kInteger}}});
    case TriggerKind::kCertificationSignedOff:
      return {{"/certification/id", Type::kString},
              {"/certification/name", Type::kString},
              {"/certification/created", Type::kString}};
  }
  return {};
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString:
      return "a string";
    case Type::kNullableString:
      return "a string or null";
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
    case Type::kNullableArray:
      return "an array or null";
    case Type::kInteger:
      return "a whole number";
  }
  return "a value";
}

bool HasType(simdjson::dom::element value, Type type) {
  using T = simdjson::dom::element_type;
  T t = value.type();
  switch (type) {
    case Type::kString:
      return t == T::STRING;
    case Type::kNullableString:
      return t == T::STRING || t == T::NULL_VALUE;
    case Type::kObject:
      return t == T::OBJECT;
    case Type::kArray:
      return t == T::ARRAY;
    case Type::kNullableArray:
      return t == T::ARRAY || t == T::NULL_VALUE;
    case Type::kInteger:
      return (t == T::INT64 || t == T::UINT64) && value.get_int64().value_unsafe() >= 0;
  }
  return false;
}

base::Expected<void> CheckFields(simdjson::dom::element doc, TriggerKind kind) {
  for (const Field& f : RequiredFields(kind)) {
    simdjson::dom::element value;
    if (doc.at_pointer(f.pointer).get(value)) {
      return base::Error{fmt::format("{} is missing", f.pointer)};
    }
    if (!HasType(value, f.type)) {
      return base::Error{fmt::format("{} is not {}", f.pointer, TypeName(f.type))};
    }
    // An empty id would make a read by id a read of everything.
    if (f.pointer.ends_with("/id") && value.get_string().value_unsafe().empty()) {
      return base::Error{fmt::format("{} is empty", f.pointer)};
    }
    if (!f.equals.empty() && value.get_string().value_unsafe() != f.equals) {
      return base::Error{fmt::format("{} is not \"{}\"", f.pointer, f.equals)};
    }
  }
  return {};
}

// Each change names its attribute; an account's also carries oldValue and newValue (null or
// not). Returns whether the identity's lifecycle state is among them.
base::Expected<bool> CheckChanges(simdjson::dom::element doc, TriggerKind kind) {
  bool lifecycle = false;
  size_t index = 0;
  simdjson::dom::array changes;
  if (doc["changes"].get(changes)) return base::Error{"/changes is not an array"};
  for (simdjson::dom::element change : changes) {
    std::string_view attribute;
    if (change["attribute"].get(attribute)) {
      return base::Error{fmt::format("/changes/{}/attribute is missing or not a string", index)};
    }
    if (kind == TriggerKind::kAccountAttributesChanged) {
      for (const char* side : {"oldValue", "newValue"}) {
        if (change[side].error()) {
          return base::Error{fmt::format("/changes/{}/{} is missing", index, side)};
        }
      }
    }
    lifecycle = lifecycle || std::ranges::find(kLifecycleAttributes, attribute) !=
                                 std::end(kLifecycleAttributes);
    ++index;
  }
  return lifecycle;
}

// The trigger a payload's shape belongs to.
base::Expected<TriggerKind> KindOfShape(simdjson::dom::object doc) {
  auto has = [&](const char* key) { return !doc[key].error(); };
  if (has("certification")) return TriggerKind::kCertificationSignedOff;
  if (has("stats") && has("status")) return TriggerKind::kAccountAggregationCompleted;
  if (has("account")) {
    if (has("changes")) return TriggerKind::kAccountAttributesChanged;
    return has("attributes") ? TriggerKind::kAccountCorrelated : TriggerKind::kAccountUncorrelated;
  }
  if (has("identity")) {
    return has("changes") ? TriggerKind::kIdentityAttributesChanged : TriggerKind::kIdentityCreated;
  }
  return base::Error{"not the payload of a trigger the mirror subscribes to"};
}

std::string StringAt(simdjson::dom::element doc, std::string_view pointer) {
  std::string_view value;
  if (doc.at_pointer(pointer).get(value)) return {};
  return std::string(value);
}

}  // namespace

std::span<const TriggerSpec> TriggerSpecs() {
  return kSpecs;
}

const TriggerSpec& SpecOf(TriggerKind kind) {
  for (const auto& spec : kSpecs) {
    if (spec.kind == kind) return spec;
  }
  throw std::logic_error("trigger kind without a spec");
}

const TriggerSpec* FindTrigger(std::string_view id) {
  for (const auto& spec : kSpecs) {
    if (spec.id == id || spec.id.substr(spec.id.find(':') + 1) == id) return &spec;
  }
  return nullptr;
}

base::Expected<Delivery> ParseDelivery(std::string_view body, std::optional<TriggerKind> claimed) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(body.data(), body.size()).get(doc)) {
    return base::Error{fmt::format("the body is not JSON ({})", simdjson::error_message(e))};
  }
  simdjson::dom::object object;
  if (doc.get(object)) return base::Error{"the body is not a JSON object"};
  auto kind = claimed ? base::Expected<TriggerKind>(*claimed) : KindOfShape(object);
  if (!kind) return base::Error{kind.error()};
  const TriggerSpec& spec = SpecOf(*kind);
  if (auto checked = CheckFields(doc, *kind); !checked) {
    return base::Error{
        fmt::format("not a valid {} payload ({}): {}", spec.id, spec.schema, checked.error())};
  }
  Delivery d{.kind = *kind};
  if (*kind == TriggerKind::kIdentityAttributesChanged ||
      *kind == TriggerKind::kAccountAttributesChanged) {
    auto lifecycle = CheckChanges(doc, *kind);
    if (!lifecycle) {
      return base::Error{
          fmt::format("not a valid {} payload ({}): {}", spec.id, spec.schema, lifecycle.error())};
    }
    d.lifecycle_changed = *kind == TriggerKind::kIdentityAttributesChanged && *lifecycle;
  }
  d.identity_id = StringAt(doc, "/identity/id");
  d.account_id = StringAt(doc, "/account/id");
  d.source_id = StringAt(doc, "/source/id");
  d.certification_id = StringAt(doc, "/certification/id");
  return d;
}

std::string DeliveryDigest(std::string_view tenant, TriggerKind kind, std::string_view body) {
  std::string text = fmt::format("{}\n{}\n", tenant, SpecOf(kind).id);
  text.append(body);
  return base::Sha256Hex(text);
}

ReadPlan PlanReads(const std::vector<Delivery>& deliveries) {
  // (resource, field, parent, retire_absent) -> values, each once, in first-seen order.
  using Group = std::tuple<std::string, std::string, std::string, bool>;
  std::map<Group, std::vector<std::string>> groups;
  std::vector<Group> order;
  auto add = [&](std::string resource, std::string field, std::string value, std::string parent,
                 bool retire) {
    Group g{std::move(resource), std::move(field), std::move(parent), retire};
    auto [it, inserted] = groups.try_emplace(g);
    if (inserted) order.push_back(g);
    if (!value.empty() && std::ranges::find(it->second, value) == it->second.end()) {
      it->second.push_back(std::move(value));
    }
  };
  ReadPlan plan;
  for (const Delivery& d : deliveries) {
    switch (d.kind) {
      case TriggerKind::kIdentityAttributesChanged:
      case TriggerKind::kIdentityCreated:
        add("identities", "id", d.identity_id, "", false);
        if (d.lifecycle_changed) add("accounts", "identityId", d.identity_id, "", false);
        break;
      case TriggerKind::kIdentityDeleted:
        add("identities", "id", d.identity_id, "", true);
        break;
      case TriggerKind::kAccountAttributesChanged:
      case TriggerKind::kAccountCorrelated:
      case TriggerKind::kAccountUncorrelated:
        add("accounts", "id", d.account_id, "", false);
        break;
      case TriggerKind::kAccountAggregationCompleted:
        if (std::ranges::find(plan.sync_now, "accounts") == plan.sync_now.end()) {
          plan.sync_now.emplace_back("accounts");
        }
        break;
      case TriggerKind::kCertificationSignedOff:
        add("certifications", "id", d.certification_id, "", false);
        add("certification_reviewers", "", "", d.certification_id, false);
        add("access_review_items", "", "", d.certification_id, false);
        break;
    }
  }
  for (const Group& g : order) {
    const auto& [resource, field, parent, retire] = g;
    sync::RefreshRequest request{.field = field, .values = groups[g], .retire_absent = retire};
    if (!parent.empty()) request.parent = parent;
    plan.reads.push_back({.resource = resource, .request = std::move(request)});
  }
  return plan;
}

}  // namespace isc_mirror::triggers
