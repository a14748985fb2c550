// POST /v3/search over the identities index, as SailPoint's definition and forum describe it:
// offsets end at 10,000, searchAfter continues after the sort values of the last document, and
// without a sort the pages are not a stable order.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "tests/isc_sim/tenant_state.hpp"

namespace isc_mirror::sim {
namespace {

constexpr int64_t kSearchWindow = 10'000;

// The indices the definition names; isc-sim serves the identities index only.
constexpr std::string_view kIndices[] = {"accessprofiles", "accountactivities", "entitlements",
                                         "events",         "identities",        "roles"};

struct Parsed {
  bool sorted = false;  // sort: ["id"]
  std::optional<std::string> after;
  std::vector<std::string> includes;  // top-level fields; empty: all
};

// Why a search is refused: the status and message ISC (or isc-sim's limits) answer.
struct Failure {
  int status = 400;
  std::string message;
};

// What the request asks for.
base::Expected<Parsed, Failure> ParseSearch(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) || !doc.is_object()) {
    return Failure{400, "the search body is not a JSON object"};
  }
  simdjson::dom::array indices;
  if (!doc["indices"].get(indices)) {
    for (auto index : indices) {
      std::string_view name;
      if (index.get(name) ||
          std::find(std::begin(kIndices), std::end(kIndices), name) == std::end(kIndices)) {
        return Failure{400, fmt::format("{} is not a search index", simdjson::minify(index))};
      }
      if (name != "identities") return Failure{501, "isc-sim searches the identities index only"};
    }
  }
  std::string_view type = "SAILPOINT", query;
  if (doc["queryType"].get(type) == simdjson::INCORRECT_TYPE) type = "";
  if (type != "SAILPOINT" || doc["query"]["query"].get(query) || query != "*") {
    return Failure{501, "isc-sim answers the SAILPOINT query \"*\" only"};
  }
  Parsed parsed;
  simdjson::dom::array sort;
  if (!doc["sort"].get(sort)) {
    for (auto key : sort) {
      std::string_view field;
      if (key.get(field) || (field != "id" && field != "+id")) {
        return Failure{501, "isc-sim sorts by id only"};
      }
      parsed.sorted = true;
    }
  }
  simdjson::dom::array after;
  if (!doc["searchAfter"].get(after) && after.size() > 0) {
    std::string_view value;
    if (!parsed.sorted || after.size() != 1 || after.at(0).get(value)) {
      return Failure{400, "searchAfter takes the last document's values of the sort, which is id"};
    }
    parsed.after = std::string(value);
  }
  simdjson::dom::array includes;
  if (!doc["queryResultFilter"]["includes"].get(includes)) {
    for (auto field : includes) {
      std::string_view name;
      if (!field.get(name)) parsed.includes.emplace_back(name.substr(0, name.find('.')));
    }
  }
  return parsed;
}

void Ref(base::JsonWriter& w, std::string_view key, const std::string& id, std::string_view name) {
  w.Key(key).BeginObject().Field("id", id).Field("name", name).EndObject();
}

void RenderAccounts(const Tenant::State& s, uint32_t i, const HeldAccess& held,
                    base::JsonWriter& w) {
  w.Key("accounts").BeginArray();
  for (uint32_t a : s.accounts_of[i]) {
    const Account& account = s.accounts[a];
    if (account.deleted) continue;
    w.BeginObject()
        .Field("id", Hex32(account.id))
        .Field("name", fmt::format("{}-{}", IdentityName(s, i), account.serial))
        .Field("accountId", fmt::format("CN={},OU=People", IdentityName(s, i)));
    w.Key("source")
        .BeginObject()
        .Field("id", Hex32(SourceId(s, account.source)))
        .Field("name", SourceName(s, account.source))
        .EndObject();
    w.Field("disabled", account.disabled)
        .Field("locked", account.locked)
        .Field("privileged", false)
        .Field("manuallyCorrelated", false);
    w.Key("entitlementAttributes").BeginObject().Key("memberOf").BeginArray();
    for (const auto& [e, standalone] : held.entitlements) {
      if (s.entitlements[e].source == account.source) w.String(EntitlementValue(e));
    }
    w.EndArray().EndObject().Field("created", FormatTimestamp(account.created)).EndObject();
  }
  w.EndArray();
}

void RenderAccess(const Tenant::State& s, const HeldAccess& held, base::JsonWriter& w) {
  w.Key("access").BeginArray();
  for (uint32_t r : held.roles) {
    w.BeginObject()
        .Field("id", Hex32(AccessModelOrderKey(s, Kind::kRoles, r)))
        .Field("name", RoleName(r))
        .Field("displayName", RoleName(r))
        .Field("type", "ROLE")
        .Field("disabled", false)
        .Field("revocable", true)
        .EndObject();
  }
  for (uint32_t k : held.access_profiles) {
    w.BeginObject()
        .Field("id", Hex32(AccessModelOrderKey(s, Kind::kAccessProfiles, k)))
        .Field("name", AccessProfileName(s, k))
        .Field("displayName", AccessProfileName(s, k))
        .Field("type", "ACCESS_PROFILE");
    Ref(w, "source", Hex32(SourceId(s, s.access_profiles[k].source)),
        SourceName(s, s.access_profiles[k].source));
    w.Field("revocable", true).EndObject();
  }
  for (const auto& [e, standalone] : held.entitlements) {
    const Entitlement& ent = s.entitlements[e];
    w.BeginObject()
        .Field("id", Hex32(EntitlementId(s, e)))
        .Field("name", EntitlementName(e))
        .Field("displayName", EntitlementName(e))
        .Field("type", "ENTITLEMENT");
    Ref(w, "source", Hex32(SourceId(s, ent.source)), SourceName(s, ent.source));
    w.Field("privileged", ent.privileged)
        .Field("attribute", "memberOf")
        .Field("value", EntitlementValue(e))
        .Field("standalone", standalone)
        .EndObject();
  }
  w.EndArray();
}

// An identity document with the fields the search's includes ask for (all when none).
void RenderDocument(const Tenant::State& s, uint32_t i, const Parsed& parsed, base::JsonWriter& w) {
  auto wanted = [&](std::string_view field) {
    return parsed.includes.empty() || std::find(parsed.includes.begin(), parsed.includes.end(),
                                                field) != parsed.includes.end();
  };
  const Identity& id = s.identities[i];
  HeldAccess held = AccessOf(s, i);
  w.BeginObject().Field("id", Hex32(id.id)).Field("name", IdentityName(s, i));
  if (wanted("email")) w.Field("email", IdentityEmail(s, i));
  if (wanted("created")) w.Field("created", FormatTimestamp(id.created));
  if (wanted("modified")) w.Field("modified", FormatTimestamp(id.modified));
  if (wanted("inactive")) w.Field("inactive", s.lifecycle_states[id.lifecycle] != "active");
  if (wanted("identityProfile")) {
    uint32_t profile = IdentityProfileOf(s, i);
    Ref(w, "identityProfile", Hex32(AccessModelOrderKey(s, Kind::kIdentityProfiles, profile)),
        IdentityProfileName(profile));
  }
  if (wanted("accounts")) RenderAccounts(s, i, held, w);
  if (wanted("accountCount"))
    w.Field("accountCount", static_cast<int64_t>(s.accounts_of[i].size()));
  if (wanted("access")) RenderAccess(s, held, w);
  if (wanted("entitlementCount")) {
    w.Field("entitlementCount", static_cast<int64_t>(held.entitlements.size()));
  }
  if (wanted("roleCount")) w.Field("roleCount", static_cast<int64_t>(held.roles.size()));
  if (wanted("_type")) w.Field("_type", "identity");
  w.EndObject();
}

}  // namespace

ListResult SearchIdentities(const Tenant::State& s, const SearchRequest& request) {
  ListResult result;
  auto parsed = ParseSearch(request.body);
  if (!parsed) {
    result.status = parsed.failure().status;
    result.error = parsed.failure().message;
    return result;
  }
  const PageRequest& page = request.page;
  // "offset + limit cannot exceed 10,000. To page beyond that window, use searchAfter"
  // (the identities search list's definition; the forum, topic 614, for /v3/search).
  if (page.offset + page.limit > kSearchWindow) {
    result.status = 400;
    result.error = "offset + limit cannot exceed 10,000: page past it with searchAfter";
    return result;
  }
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < s.identities.size(); ++i) {
    if (!s.identities[i].deleted) order.push_back(i);
  }
  // Unsorted, each page comes in its own order, so offsets repeat some documents and miss
  // others (the forum, topic 99527: "you need to specify sort, otherwise results are not
  // accurate").
  uint64_t shuffle = parsed->sorted ? 0 : Mix(static_cast<uint64_t>(page.offset) + 1);
  // Ids sort as their 32 hex characters do.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Id128 &x = s.identities[a].id, &y = s.identities[b].id;
    if (shuffle != 0) return Mix(x.lo ^ shuffle) < Mix(y.lo ^ shuffle);
    return x < y;
  });
  result.total = static_cast<int64_t>(order.size());  // the query's hits, wherever the page is
  if (parsed->after) {
    auto after = ParseId(*parsed->after);
    if (!after) {
      result.status = 400;
      result.error = fmt::format("searchAfter {} is not an id", *parsed->after);
      return result;
    }
    std::erase_if(order, [&](uint32_t i) { return s.identities[i].id <= *after; });
  }
  size_t begin = std::min<size_t>(order.size(), static_cast<size_t>(page.offset));
  size_t end = std::min<size_t>(order.size(), begin + static_cast<size_t>(page.limit));
  base::JsonWriter w(result.body);
  w.BeginArray();
  for (size_t k = begin; k < end; ++k) RenderDocument(s, order[k], *parsed, w);
  w.EndArray();
  return result;
}

}  // namespace isc_mirror::sim
