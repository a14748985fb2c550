// The Event Trigger payloads isc-sim posts when its control API changes the tenant: built from
// the objects as the tenant serves them before and after the change, in the shapes of the
// definitions' Trigger* schemas.
#include <simdjson.h>

#include <map>

#include "base/json_writer.hpp"
#include "tests/isc_sim/triggers.hpp"

namespace isc_mirror::sim {
namespace {

using Json = simdjson::dom::element;

std::string Text(Json value, std::string_view pointer) {
  std::string_view text;
  if (value.at_pointer(pointer).get(text)) return {};
  return std::string(text);
}

// {type, id, name} of an identity, source or account reference.
void Ref(base::JsonWriter& w, std::string_view key, std::string_view type, std::string_view id,
         std::string_view name) {
  w.Key(key).BeginObject().Field("type", type).Field("id", id).Field("name", name).EndObject();
}

void IdentityRef(base::JsonWriter& w, Json identity) {
  Ref(w, "identity", "IDENTITY", Text(identity, "/id"), Text(identity, "/name"));
}

// The identity, source and account of an account's payload.
void AccountRefs(base::JsonWriter& w, Json account) {
  Ref(w, "identity", "IDENTITY", Text(account, "/identity/id"), Text(account, "/identity/name"));
  Ref(w, "source", "SOURCE", Text(account, "/sourceId"), Text(account, "/sourceName"));
  w.Key("account")
      .BeginObject()
      .Field("id", Text(account, "/id"))
      .Field("uuid", Text(account, "/uuid"))
      .Field("name", Text(account, "/name"))
      .Field("nativeIdentity", Text(account, "/nativeIdentity"))
      .Field("type", "ACCOUNT")
      .EndObject();
}

// Attribute name -> value as JSON text.
using Values = std::map<std::string, std::string>;

Values AttributesOf(Json object) {
  Values out;
  simdjson::dom::object attributes;
  if (object["attributes"].get(attributes)) return out;
  for (auto [key, value] : attributes) out[std::string(key)] = simdjson::minify(value);
  return out;
}

// What changed between two sets of values, as the payloads' `changes`; empty when nothing did.
std::string Changes(const Values& before, const Values& after) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  bool any = false;
  auto add = [&](const std::string& name, const std::string* old_value,
                 const std::string* new_value) {
    any = true;
    w.BeginObject().Field("attribute", name).Key("oldValue");
    old_value ? w.Raw(*old_value) : w.Null();
    w.Key("newValue");
    new_value ? w.Raw(*new_value) : w.Null();
    w.EndObject();
  };
  for (const auto& [name, value] : after) {
    auto it = before.find(name);
    if (it == before.end()) {
      add(name, nullptr, &value);
    } else if (it->second != value) {
      add(name, &it->second, &value);
    }
  }
  for (const auto& [name, value] : before) {
    if (!after.contains(name)) add(name, &value, nullptr);
  }
  w.EndArray();
  return any ? out : std::string();
}

// An identity's attributes, its manager among them as ISC's identity attribute `manager`.
Values IdentityValues(Json identity) {
  Values values = AttributesOf(identity);
  Json manager;
  if (!identity["managerRef"].get(manager) && !manager.is_null()) {
    values["manager"] = simdjson::minify(manager);
  }
  return values;
}

// An account's source attributes; its flags as the IIQ attributes a connector reports.
Values AccountValues(Json account) {
  Values values = AttributesOf(account);
  bool flag = false;
  if (!account["disabled"].get(flag)) values["IIQDisabled"] = flag ? "\"true\"" : "\"false\"";
  if (!account["locked"].get(flag)) values["IIQLocked"] = flag ? "\"true\"" : "\"false\"";
  return values;
}

std::string IdentityPayload(Json identity, std::string_view rest_key, std::string_view rest) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject();
  IdentityRef(w, identity);
  w.Key(rest_key).Raw(rest).EndObject();
  return out;
}

// An account's references, then `extra` fields as (name, JSON text).
std::string AccountPayload(
    Json account, std::initializer_list<std::pair<std::string_view, std::string_view>> extra) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject();
  AccountRefs(w, account);
  for (const auto& [key, json] : extra) w.Key(key).Raw(json);
  w.EndObject();
  return out;
}

// The id a control call is about: its path's, or for a POST to a collection the created one's.
std::string TargetId(std::string_view method, const std::vector<std::string_view>& parts,
                     const Reply& reply) {
  if (parts.size() >= 3) return std::string(parts[2]);
  simdjson::dom::parser parser;
  Json created;
  if (method != "POST" || parser.parse(reply.body).get(created)) return {};
  return Text(created, "/id");
}

std::vector<TriggerEvent> IdentityEvents(const Tenant& tenant, std::string_view method,
                                         const std::vector<std::string_view>& parts,
                                         const std::optional<std::string>& before,
                                         const Reply& reply) {
  simdjson::dom::parser p1, p2;
  Json old_doc, new_doc;
  auto after = tenant.Get(Kind::kIdentities, TargetId(method, parts, reply));
  if (parts.size() == 3 && method == "DELETE") {
    if (!before || p1.parse(*before).get(old_doc)) return {};
    return {{"idn:identity-deleted",
             IdentityPayload(old_doc, "attributes", simdjson::minify(old_doc["attributes"]))}};
  }
  if (!after || p2.parse(*after).get(new_doc)) return {};
  if (parts.size() == 2) {
    return {{"idn:identity-created",
             IdentityPayload(new_doc, "attributes", simdjson::minify(new_doc["attributes"]))}};
  }
  if (!before || p1.parse(*before).get(old_doc)) return {};
  std::string changes = Changes(IdentityValues(old_doc), IdentityValues(new_doc));
  if (changes.empty()) return {};
  return {{"idn:identity-attributes-changed", IdentityPayload(new_doc, "changes", changes)}};
}

std::vector<TriggerEvent> AccountEvents(const Tenant& tenant, std::string_view method,
                                        const std::vector<std::string_view>& parts,
                                        const std::optional<std::string>& before,
                                        const Reply& reply) {
  // ISC has no trigger for an account deleted.
  if (!(parts.size() == 2 && method == "POST") && !(parts.size() == 3 && method == "PATCH")) {
    return {};
  }
  simdjson::dom::parser p1, p2;
  Json old_doc, new_doc;
  auto after = tenant.Get(Kind::kAccounts, TargetId(method, parts, reply));
  if (!after || p2.parse(*after).get(new_doc)) return {};
  if (parts.size() == 2) {
    return {{"idn:account-correlated",
             AccountPayload(new_doc, {{"attributes", simdjson::minify(new_doc["attributes"])},
                                      {"entitlementCount", "0"}})}};
  }
  if (!before || p1.parse(*before).get(old_doc)) return {};
  bool was = false, now = false;
  if (!old_doc["uncorrelated"].get(was) && !new_doc["uncorrelated"].get(now) && now && !was) {
    return {{"idn:account-uncorrelated", AccountPayload(old_doc, {{"entitlementCount", "0"}})}};
  }
  std::string changes = Changes(AccountValues(old_doc), AccountValues(new_doc));
  if (changes.empty()) return {};
  return {{"idn:account-attributes-changed", AccountPayload(new_doc, {{"changes", changes}})}};
}

// The campaign's owner: isc-sim's campaigns are owned by the tenant's first identity.
void CampaignOwner(const Tenant& tenant, base::JsonWriter& w) {
  auto first = tenant.List({.kind = Kind::kIdentities, .page = {.limit = 1}});
  simdjson::dom::parser parser;
  Json owner;
  w.Key("campaignOwner").BeginObject();
  if (!parser.parse(first.body).get(owner)) {
    w.Field("id", Text(owner, "/0/id"))
        .Field("name", Text(owner, "/0/name"))
        .Field("email", Text(owner, "/0/emailAddress"));
  }
  w.EndObject();
}

// TriggerCertificationSignedOff's certification is a Certification Dto, not the
// IdentityCertificationDto that GET /v3/certifications lists: campaignRef for campaign,
// entities for identities, and a campaignOwner.
std::string SignedOffPayload(const Tenant& tenant, const std::string& rendered) {
  simdjson::dom::parser parser;
  Json c;
  if (parser.parse(rendered).get(c)) return {};
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject().Key("certification").BeginObject();
  for (const char* field : {"id", "name", "created", "modified", "phase", "due", "signed"}) {
    w.Key(field).Raw(simdjson::minify(c[field]));
  }
  w.Key("campaignRef").Raw(simdjson::minify(c["campaign"]));
  w.Key("reviewer").Raw(simdjson::minify(c["reviewer"]));
  if (Json reassignment; !c["reassignment"].get(reassignment)) {
    w.Key("reassignment").Raw(simdjson::minify(reassignment));
  }
  for (const char* field :
       {"hasErrors", "errorMessage", "completed", "decisionsMade", "decisionsTotal"}) {
    w.Key(field).Raw(simdjson::minify(c[field]));
  }
  w.Key("entitiesCompleted").Raw(simdjson::minify(c["identitiesCompleted"]));
  w.Key("entitiesTotal").Raw(simdjson::minify(c["identitiesTotal"]));
  CampaignOwner(tenant, w);
  w.EndObject().EndObject();
  return out;
}

}  // namespace

std::optional<std::string> RenderBefore(const Tenant& tenant, std::string_view path) {
  auto parts = SplitPath(path);
  if (parts.size() < 3) return std::nullopt;
  if (parts[1] == "identities") return tenant.Get(Kind::kIdentities, parts[2]);
  if (parts[1] == "accounts") return tenant.Get(Kind::kAccounts, parts[2]);
  return std::nullopt;
}

std::vector<TriggerEvent> EventsOfControl(const Tenant& tenant, std::string_view method,
                                          std::string_view path,
                                          const std::optional<std::string>& before,
                                          const Reply& reply) {
  if (reply.status >= 300) return {};
  auto parts = SplitPath(path);
  if (parts.size() < 2) return {};
  if (parts[1] == "identities") return IdentityEvents(tenant, method, parts, before, reply);
  if (parts[1] == "accounts") return AccountEvents(tenant, method, parts, before, reply);
  if (parts[1] == "certifications" && parts.size() == 4 && parts[3] == "sign") {
    auto after = tenant.Get(Kind::kCertifications, parts[2]);
    if (!after) return {};
    return {{"idn:certification-signed-off", SignedOffPayload(tenant, *after)}};
  }
  return {};
}

}  // namespace isc_mirror::sim
