// The simulated tenant's access model: sources, entitlements, access profiles, roles, identity
// profiles and their lifecycle states, governance groups and their members, shaped as the
// definitions' list schemas say and joined to the generated identities and accounts.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "tests/isc_sim/tenant_state.hpp"

namespace isc_mirror::sim {
namespace {

constexpr int64_t kDayMs = 86'400'000;

enum HashKind : uint64_t {
  kHRole = 31,
  kHAccessProfile,
  kHIdentityProfile,
  kHLifecycleState,
  kHMember,
  kHEntitlementOwner,
  kHHeld,
};

constexpr std::array<std::string_view, 2> kProfiles = {"Employees", "Contractors"};

struct Connector {
  std::string_view type;
  std::string_view connector;
  std::string_view connection;
};
// Per source name (tenant_render.cpp's kSources), the connector ISC would show.
constexpr std::array<Connector, 8> kConnectors = {{
    {"Workday", "workday", "direct"},
    {"Active Directory - Direct", "active-directory", "direct"},
    {"ServiceNow", "servicenow", "direct"},
    {"Salesforce", "salesforce", "direct"},
    {"GitHub", "github", "direct"},
    {"Okta", "okta", "direct"},
    {"SAP", "sap", "direct"},
    {"Delimited File", "delimited-file", "file"},
}};

uint32_t Managers(const Tenant::State& s) {
  return std::max<uint32_t>(1, static_cast<uint32_t>(s.identities.size()) / 8);
}

uint32_t Profiles(const Tenant::State& s) {
  return s.identities.empty() ? 0 : static_cast<uint32_t>(kProfiles.size());
}

uint32_t StatesPerProfile(const Tenant::State& s) {
  return static_cast<uint32_t>(s.lifecycle_states.size());
}

// A removed owner shows as null where the definition lets the owner be null; roles and access
// profiles must have one, and keep the reference.
void Owner(const Tenant::State& s, base::JsonWriter& w, uint32_t identity, bool nullable = true) {
  if (identity == kNone || identity >= s.identities.size() ||
      (nullable && s.identities[identity].deleted)) {
    w.NullField("owner");
    return;
  }
  w.Key("owner")
      .BeginObject()
      .Field("type", "IDENTITY")
      .Field("id", Hex32(s.identities[identity].id))
      .Field("name", IdentityName(s, identity))
      .EndObject();
}

void SourceRef(const Tenant::State& s, base::JsonWriter& w, std::string_view key, uint32_t source) {
  w.Key(key)
      .BeginObject()
      .Field("id", Hex32(SourceId(s, source)))
      .Field("type", "SOURCE")
      .Field("name", SourceName(s, source))
      .EndObject();
}

std::string Time(int64_t ms) {
  return FormatTimestamp(ms);
}

// Identities with the profile (and, unless kNone, the lifecycle state): ISC's identityCount.
int64_t CountIdentities(const Tenant::State& s, uint32_t profile, uint32_t state) {
  int64_t n = 0;
  for (uint32_t i = 0; i < s.identities.size(); ++i) {
    const Identity& id = s.identities[i];
    if (id.deleted || IdentityProfileOf(s, i) != profile) continue;
    if (state == kNone || id.lifecycle == state) ++n;
  }
  return n;
}

void GenerateSources(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint32_t managers = Managers(s);
  s.sources.resize(o.sources);
  for (uint32_t i = 0; i < o.sources; ++i) {
    Source& src = s.sources[i];
    src.owner = s.identities.empty() ? kNone : static_cast<uint32_t>(s.H(kHMember, i) % managers);
    src.created = o.now_ms - (900 - static_cast<int64_t>(i) * 7) * kDayMs;
    src.modified = src.created + 10 * kDayMs;
  }
}

// Entitlements live on the sources after the first, the authoritative one (an HR system
// grants no access); the first of every 17 is privileged, as review items show them.
void GenerateEntitlements(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint32_t managers = Managers(s);
  uint32_t access_sources = o.sources > 1 ? o.sources - 1 : 1;
  s.entitlements.resize(o.entitlements);
  for (uint32_t e = 0; e < o.entitlements; ++e) {
    Entitlement& ent = s.entitlements[e];
    ent.source = o.sources > 1 ? 1 + e % access_sources : 0;
    ent.privileged = e % 17 == 0;
    uint64_t h = s.H(kHEntitlementOwner, e);
    if (!s.identities.empty() && h % 3 == 0) ent.owner = static_cast<uint32_t>((h >> 8) % managers);
    ent.created = o.now_ms - (500 + static_cast<int64_t>(e % 300)) * kDayMs;
    ent.modified = ent.created + static_cast<int64_t>(e % 50) * kDayMs;
  }
}

// The sources after the first that identities have accounts on (an account's source is its
// position among its identity's accounts), where access profiles and roles grant access.
std::vector<uint32_t> AccessSources(const TenantOptions& o) {
  std::vector<uint32_t> out;
  for (uint32_t j = 0; j < o.accounts_per_identity && o.sources > 1; ++j) {
    uint32_t source = j % o.sources;
    if (source != 0 && std::find(out.begin(), out.end(), source) == out.end())
      out.push_back(source);
  }
  return out;
}

// The n-th entitlement of a source (entitlement e lives on source 1 + e % (sources - 1)).
uint32_t EntitlementOn(const Tenant::State& s, uint32_t source, uint64_t n) {
  uint32_t stride = s.options.sources > 1 ? s.options.sources - 1 : 1;
  auto n_ent = static_cast<uint32_t>(s.entitlements.size());
  uint32_t first = source > 0 ? source - 1 : 0;
  uint32_t per_source =
      std::max<uint32_t>(1, (n_ent - std::min(first, n_ent) + stride - 1) / stride);
  return std::min(n_ent - 1, first + stride * static_cast<uint32_t>(n % per_source));
}

// Each access profile bundles three entitlements of a source people have accounts on; each
// role two access profiles and, every fourth, one entitlement directly.
void GenerateBundles(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint32_t managers = Managers(s);
  auto n_ent = static_cast<uint32_t>(s.entitlements.size());
  std::vector<uint32_t> sources = AccessSources(o);
  if (sources.empty() && n_ent > 0) sources.push_back(s.entitlements[0].source);
  if (n_ent > 0) {
    s.access_profiles.resize(o.access_profiles);
    for (uint32_t k = 0; k < o.access_profiles; ++k) {
      AccessProfile& ap = s.access_profiles[k];
      ap.source = sources[k % sources.size()];
      for (uint32_t j = 0; j < 3; ++j) {
        uint32_t e = EntitlementOn(s, ap.source, uint64_t{k} * 3 + j);
        if (std::find(ap.entitlements.begin(), ap.entitlements.end(), e) == ap.entitlements.end())
          ap.entitlements.push_back(e);
      }
      ap.owner = static_cast<uint32_t>(s.H(kHAccessProfile, k) % managers);
      ap.created = o.now_ms - (400 + static_cast<int64_t>(k)) * kDayMs;
      ap.modified = ap.created + 3 * kDayMs;
    }
  }
  auto n_ap = static_cast<uint32_t>(s.access_profiles.size());
  s.roles.resize(s.identities.empty() ? 0 : o.roles);
  for (uint32_t r = 0; r < s.roles.size(); ++r) {
    Role& role = s.roles[r];
    if (n_ap > 0) {
      role.access_profiles.push_back(r % n_ap);
      if ((r * 7 + 3) % n_ap != r % n_ap) role.access_profiles.push_back((r * 7 + 3) % n_ap);
    }
    if (r % 4 == 0 && n_ent > 0) {
      role.entitlements.push_back(EntitlementOn(s, sources[r % sources.size()], r * 11 + 1));
    }
    role.owner = static_cast<uint32_t>(s.H(kHRole, r) % s.identities.size());
    role.created = o.now_ms - (300 + static_cast<int64_t>(r)) * kDayMs;
    role.modified = role.created + kDayMs;
  }
}

// The first group has more members than a page of its member list holds (50).
void GenerateGovernanceGroups(Tenant::State& s) {
  const TenantOptions& o = s.options;
  if (s.identities.empty()) return;
  uint32_t managers = Managers(s);
  uint32_t n = static_cast<uint32_t>(s.identities.size());
  s.governance_groups.resize(o.governance_groups);
  for (uint32_t g = 0; g < o.governance_groups; ++g) {
    GovernanceGroup& group = s.governance_groups[g];
    group.owner = static_cast<uint32_t>(s.H(kHMember, 1'000'000 + g) % managers);
    uint32_t size = std::min(n, g == 0 ? o.large_group_members : 3 + 2 * g);
    for (uint32_t k = 0; group.members.size() < size && k < 4 * size + 16; ++k) {
      auto who = static_cast<uint32_t>(s.H(kHMember, uint64_t{g} << 20 | k) % n);
      if (std::find(group.members.begin(), group.members.end(), who) == group.members.end())
        group.members.push_back(who);
    }
    group.created = o.now_ms - (200 + static_cast<int64_t>(g)) * kDayMs;
    group.modified = group.created + kDayMs;
  }
}

void RenderSource(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Source& src = s.sources[i];
  const Connector& c = kConnectors[i % kConnectors.size()];
  std::string id = Hex32(SourceId(s, i));
  w.BeginObject().Field("id", id).Field("name", SourceName(s, i));
  w.Field("description", fmt::format("{} accounts", SourceName(s, i)));
  Owner(s, w, src.owner);
  w.Key("cluster")
      .BeginObject()
      .Field("type", "CLUSTER")
      .Field("id", Hex32(MakeId(s.options.seed, kHIdentityProfile + 100, 0)))
      .Field("name", "Primary VA cluster")
      .EndObject();
  w.NullField("accountCorrelationConfig").NullField("accountCorrelationRule");
  w.NullField("managerCorrelationRule").NullField("beforeProvisioningRule");
  w.Key("schemas")
      .BeginArray()
      .BeginObject()
      .Field("type", "CONNECTOR_SCHEMA")
      .Field("id", Hex32(MakeId(s.options.seed, kHIdentityProfile + 101, i)))
      .Field("name", "account")
      .EndObject()
      .EndArray();
  w.NullField("passwordPolicies");
  w.Key("features").BeginArray().String("PROVISIONING").String("ENABLE").EndArray();
  w.Field("type", c.type).Field("connector", c.connector);
  w.Key("connectorAttributes").BeginObject().EndObject();
  w.Field("deleteThreshold", 10).Field("authoritative", i == 0);
  if (s.governance_groups.empty()) {
    w.NullField("managementWorkgroup");
  } else {
    uint32_t g = i % static_cast<uint32_t>(s.governance_groups.size());
    w.Key("managementWorkgroup")
        .BeginObject()
        .Field("type", "GOVERNANCE_GROUP")
        .Field("id", Hex32(GovernanceGroupId(s, g)))
        .Field("name", GovernanceGroupName(g))
        .EndObject();
  }
  // `since` is the last health check: it moves with every refresh, not with the source.
  w.Field("healthy", true).Field("status", "SOURCE_STATE_HEALTHY");
  w.Field("since", Time(s.last_refresh));
  w.Field("connectorName", c.type).Field("connectionType", c.connection);
  w.Field("created", Time(src.created)).Field("modified", Time(src.modified));
  w.Field("credentialProviderEnabled", false).NullField("category");
  w.EndObject();
}

void RenderEntitlement(const Tenant::State& s, uint32_t e, base::JsonWriter& w) {
  const Entitlement& ent = s.entitlements[e];
  w.BeginObject()
      .Field("id", Hex32(EntitlementId(s, e)))
      .Field("name", EntitlementName(e))
      .Field("attribute", "memberOf")
      .Field("value", EntitlementValue(e))
      .Field("sourceSchemaObjectType", "group")
      .Field("description", fmt::format("Members of group {}", e))
      .Field("privileged", ent.privileged)
      .Field("cloudGoverned", false)
      .Field("requestable", e % 2 == 0);
  Owner(s, w, ent.owner);
  w.Field("created", Time(ent.created)).Field("modified", Time(ent.modified));
  w.Key("source")
      .BeginObject()
      .Field("id", Hex32(SourceId(s, ent.source)))
      .Field("type", "SOURCE")
      .Field("name", SourceName(s, ent.source))
      .EndObject();
  w.Key("attributes").BeginObject().Field("GroupType", "Security").EndObject();
  w.Key("directPermissions").BeginArray().EndArray();
  w.EndObject();
}

void EntitlementRefs(const Tenant::State& s, base::JsonWriter& w,
                     const std::vector<uint32_t>& entitlements) {
  w.Key("entitlements").BeginArray();
  for (uint32_t e : entitlements) {
    if (s.entitlements[e].deleted) continue;
    w.BeginObject()
        .Field("type", "ENTITLEMENT")
        .Field("id", Hex32(EntitlementId(s, e)))
        .Field("name", EntitlementName(e))
        .EndObject();
  }
  w.EndArray();
}

void RenderAccessProfile(const Tenant::State& s, uint32_t k, base::JsonWriter& w) {
  const AccessProfile& ap = s.access_profiles[k];
  w.BeginObject()
      .Field("id", Hex32(MakeId(s.options.seed, kHAccessProfile, k)))
      .Field("name", AccessProfileName(s, k))
      .Field("description", fmt::format("Access profile {}", k))
      .Field("created", Time(ap.created))
      .Field("modified", Time(ap.modified))
      .Field("enabled", true);
  Owner(s, w, ap.owner, false);
  w.Key("source")
      .BeginObject()
      .Field("id", Hex32(SourceId(s, ap.source)))
      .Field("type", "SOURCE")
      .Field("name", SourceName(s, ap.source))
      .EndObject();
  EntitlementRefs(s, w, ap.entitlements);
  w.Field("requestable", k % 2 == 0).NullField("segments").EndObject();
}

void RenderRole(const Tenant::State& s, uint32_t r, base::JsonWriter& w) {
  const Role& role = s.roles[r];
  w.BeginObject()
      .Field("id", Hex32(MakeId(s.options.seed, kHRole, r)))
      .Field("name", RoleName(r))
      .Field("created", Time(role.created))
      .Field("modified", Time(role.modified))
      .Field("description", fmt::format("Birthright access for team {}", r));
  Owner(s, w, role.owner, false);
  w.Key("accessProfiles").BeginArray();
  for (uint32_t k : role.access_profiles) {
    w.BeginObject()
        .Field("id", Hex32(MakeId(s.options.seed, kHAccessProfile, k)))
        .Field("type", "ACCESS_PROFILE")
        .Field("name", AccessProfileName(s, k))
        .EndObject();
  }
  w.EndArray();
  EntitlementRefs(s, w, role.entitlements);
  w.NullField("membership").NullField("legacyMembershipInfo");
  w.Field("enabled", true).Field("requestable", r % 3 == 0).NullField("segments");
  w.Field("dimensional", false).EndObject();
}

void RenderIdentityProfile(const Tenant::State& s, uint32_t p, base::JsonWriter& w) {
  int64_t created = s.options.now_ms - 1000 * kDayMs;
  w.BeginObject()
      .Field("id", Hex32(MakeId(s.options.seed, kHIdentityProfile, p)))
      .Field("name", IdentityProfileName(p))
      .Field("created", Time(created))
      .Field("modified", Time(created + 30 * kDayMs))
      .Field("description", fmt::format("{} from the HR system", IdentityProfileName(p)));
  Owner(s, w, 0);
  w.Field("priority", 10 * static_cast<int64_t>(p + 1));
  SourceRef(s, w, "authoritativeSource", 0);
  w.Field("identityRefreshRequired", false)
      .Field("identityCount", CountIdentities(s, p, kNone))
      .NullField("identityExceptionReportReference")
      .Field("hasTimeBasedAttr", false)
      .EndObject();
}

// Index p * states + state: the state of profile p.
void RenderLifecycleState(const Tenant::State& s, uint32_t index, base::JsonWriter& w) {
  uint32_t profile = index / StatesPerProfile(s);
  uint32_t state = index % StatesPerProfile(s);
  const std::string& name = s.lifecycle_states[state];
  int64_t created = s.options.now_ms - 1000 * kDayMs;
  std::string display = name;
  if (!display.empty()) display[0] = static_cast<char>(std::toupper(display[0]));
  w.BeginObject()
      .Field("id", Hex32(MakeId(s.options.seed, kHLifecycleState, index)))
      .Field("name", display)
      .Field("created", Time(created))
      .Field("modified", Time(created + kDayMs))
      .Field("enabled", true)
      .Field("technicalName", name)
      .Field("description",
             fmt::format("{} identities of {}", display, IdentityProfileName(profile)))
      .Field("identityCount", CountIdentities(s, profile, state));
  w.Key("emailNotificationOption")
      .BeginObject()
      .Field("notifyManagers", name == "terminated")
      .Field("notifyAllAdmins", false)
      .Field("notifySpecificUsers", false)
      .Key("emailAddressList")
      .BeginArray()
      .EndArray()
      .EndObject();
  w.Key("accountActions").BeginArray();
  if (name == "terminated" && s.sources.size() > 1) {
    w.BeginObject().Field("action", "DISABLE").Key("sourceIds").BeginArray();
    for (uint32_t src = 1; src < s.sources.size(); ++src) w.String(Hex32(SourceId(s, src)));
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.Key("accessProfileIds").BeginArray().EndArray().NullField("identityState").EndObject();
}

std::vector<uint32_t> LiveMembers(const Tenant::State& s, uint32_t g) {
  std::vector<uint32_t> out;
  for (uint32_t i : s.governance_groups[g].members) {
    if (!s.identities[i].deleted) out.push_back(i);
  }
  return out;
}

void RenderGovernanceGroup(const Tenant::State& s, uint32_t g, base::JsonWriter& w) {
  const GovernanceGroup& group = s.governance_groups[g];
  w.BeginObject();
  if (group.owner < s.identities.size() && !s.identities[group.owner].deleted) {
    w.Key("owner")
        .BeginObject()
        .Field("type", "IDENTITY")
        .Field("id", Hex32(s.identities[group.owner].id))
        .Field("name", IdentityName(s, group.owner))
        .Field("displayName", IdentityName(s, group.owner))
        .Field("emailAddress", IdentityEmail(s, group.owner))
        .EndObject();
  }
  w.Field("id", Hex32(GovernanceGroupId(s, g)))
      .Field("name", GovernanceGroupName(g))
      .Field("description", fmt::format("Reviewers of campaign group {}", g))
      .Field("memberCount", static_cast<int64_t>(LiveMembers(s, g).size()))
      .Field("connectionCount", 0)
      .Field("created", Time(group.created))
      .Field("modified", Time(group.modified))
      .EndObject();
}

Value Text(std::string v) {
  return Value{std::move(v)};
}

Value OwnerId(const Tenant::State& s, uint32_t identity) {
  if (identity == kNone || identity >= s.identities.size()) return Value{};
  return Text(Hex32(s.identities[identity].id));
}

}  // namespace

std::string RoleName(uint32_t role) {
  return fmt::format("Business role {}", role);
}

std::string AccessProfileName(const Tenant::State& s, uint32_t access_profile) {
  return fmt::format("{} access {}", SourceName(s, s.access_profiles[access_profile].source),
                     access_profile);
}

namespace {

void AddEntitlement(HeldAccess& held, uint32_t e, bool standalone) {
  for (const auto& [have, alone] : held.entitlements) {
    if (have == e) return;
  }
  held.entitlements.emplace_back(e, standalone);
}

}  // namespace

HeldAccess AccessOf(const Tenant::State& s, uint32_t identity) {
  HeldAccess held;
  uint64_t h = s.H(kHHeld, identity);
  auto n_roles = static_cast<uint32_t>(s.roles.size());
  auto n_ent = static_cast<uint32_t>(s.entitlements.size());
  if (n_roles > 0) {
    held.roles.push_back(static_cast<uint32_t>(h % n_roles));
    uint32_t second = static_cast<uint32_t>((h >> 24) % n_roles);
    if ((h >> 20) % 5 == 0 && second != held.roles[0]) held.roles.push_back(second);
  }
  for (uint32_t r : held.roles) {
    for (uint32_t k : s.roles[r].access_profiles) {
      if (std::find(held.access_profiles.begin(), held.access_profiles.end(), k) ==
          held.access_profiles.end())
        held.access_profiles.push_back(k);
    }
  }
  for (uint32_t k : held.access_profiles) {
    for (uint32_t e : s.access_profiles[k].entitlements) AddEntitlement(held, e, false);
  }
  for (uint32_t r : held.roles) {
    for (uint32_t e : s.roles[r].entitlements) AddEntitlement(held, e, false);
  }
  // One in three holds an entitlement of its own, on a source it has an account on.
  const auto& mine = s.accounts_of[identity];
  if (n_ent > 0 && (h >> 32) % 3 == 0 && !mine.empty()) {
    uint32_t source = s.accounts[mine[(h >> 36) % mine.size()]].source;
    if (source > 0) AddEntitlement(held, EntitlementOn(s, source, h >> 40), true);
  }
  if (auto changes = s.access_changes.find(identity); changes != s.access_changes.end()) {
    for (uint32_t e : changes->second.granted) AddEntitlement(held, e, true);
    std::erase_if(held.entitlements, [&](const auto& held_one) {
      const auto& revoked = changes->second.revoked;
      return std::find(revoked.begin(), revoked.end(), held_one.first) != revoked.end();
    });
  }
  // Access lives on accounts: none on a source the identity has no account on.
  std::erase_if(held.entitlements, [&](const auto& held_one) {
    const Entitlement& ent = s.entitlements[held_one.first];
    if (ent.deleted) return true;
    for (uint32_t a : s.accounts_of[identity]) {
      if (!s.accounts[a].deleted && s.accounts[a].source == ent.source) return false;
    }
    return true;
  });
  return held;
}

uint32_t IdentityProfileOf(const Tenant::State& s, uint32_t identity) {
  // One in ten is a contractor; the top of the manager tree are employees.
  return identity >= 8 && s.identities[identity].serial % 10 == 9 ? 1 : 0;
}

std::string_view IdentityProfileName(uint32_t profile) {
  return kProfiles[profile % kProfiles.size()];
}

void GenerateAccessModel(Tenant::State& s) {
  GenerateSources(s);
  GenerateEntitlements(s);
  GenerateBundles(s);
  GenerateGovernanceGroups(s);
}

bool IsAccessModel(Kind kind) {
  return kind >= Kind::kSources && kind <= Kind::kGovernanceGroupMembers;
}

size_t AccessModelSlots(const Tenant::State& s, Kind kind) {
  switch (kind) {
    case Kind::kSources:
      return s.sources.size();
    case Kind::kEntitlements:
      return s.entitlements.size();
    case Kind::kAccessProfiles:
      return s.access_profiles.size();
    case Kind::kRoles:
      return s.roles.size();
    case Kind::kIdentityProfiles:
      return Profiles(s);
    case Kind::kGovernanceGroups:
      return s.governance_groups.size();
    default:
      return 0;  // the child lists come from AccessModelChildren
  }
}

bool AccessModelLive(const Tenant::State& s, Kind kind, uint32_t i) {
  if (kind == Kind::kSources) return !s.sources[i].deleted;
  if (kind == Kind::kEntitlements) return !s.entitlements[i].deleted;
  return true;
}

Id128 AccessModelOrderKey(const Tenant::State& s, Kind kind, uint32_t i) {
  uint64_t seed = s.options.seed;
  switch (kind) {
    case Kind::kSources:
      return SourceId(s, i);
    case Kind::kEntitlements:
      return EntitlementId(s, i);
    case Kind::kAccessProfiles:
      return MakeId(seed, kHAccessProfile, i);
    case Kind::kRoles:
      return MakeId(seed, kHRole, i);
    case Kind::kIdentityProfiles:
      return MakeId(seed, kHIdentityProfile, i);
    case Kind::kLifecycleStates:
      return MakeId(seed, kHLifecycleState, i);
    case Kind::kGovernanceGroups:
      return GovernanceGroupId(s, i);
    case Kind::kGovernanceGroupMembers:
      return s.identities[i].id;
    default:
      return {};
  }
}

namespace {

// Fields shared by the lists' filters and sorters: id, name, created, modified, owner.id.
Value CommonField(const Tenant::State& s, Kind kind, uint32_t i, std::string_view f) {
  std::string body;
  base::JsonWriter w(body);
  RenderAccessModel(s, kind, i, w);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return Value{};
  std::string pointer = "/" + std::string(f);
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  simdjson::dom::element at;
  if (doc.at_pointer(pointer).get(at)) return Value{};
  bool flag = false;
  int64_t number = 0;
  std::string_view string;
  if (!at.get(flag)) return Value{flag};
  if (!at.get(number)) return Value{number};
  if (at.get(string)) return Value{};
  std::string text(string);
  if (f == "created" || f == "modified" || f == "since") {
    if (auto ms = ParseTimestamp(text)) return Value{*ms};
  }
  return Text(std::move(text));
}

}  // namespace

Value AccessModelField(const Tenant::State& s, Kind kind, uint32_t i, std::string_view f) {
  if (f == "owner.id") {
    if (kind == Kind::kEntitlements) return OwnerId(s, s.entitlements[i].owner);
    if (kind == Kind::kRoles) return OwnerId(s, s.roles[i].owner);
    if (kind == Kind::kAccessProfiles) return OwnerId(s, s.access_profiles[i].owner);
  }
  if (kind == Kind::kEntitlements) {  // fast: the incremental scan filters and sorts by these
    const Entitlement& ent = s.entitlements[i];
    if (f == "source.id") return Text(Hex32(SourceId(s, ent.source)));
    if (f == "modified") return Value{ent.modified};
    if (f == "created") return Value{ent.created};
    if (f == "name") return Text(EntitlementName(i));
  }
  if (f == "id") return Text(Hex32(AccessModelOrderKey(s, kind, i)));
  // memberships.identityId would match a group with any such member; a single value cannot say
  // that, so isc-sim matches no group by it (the mirror does not filter by it).
  if (f == "memberships.identityId") return Value{};
  return CommonField(s, kind, i, f);
}

void RenderAccessModel(const Tenant::State& s, Kind kind, uint32_t i, base::JsonWriter& w) {
  switch (kind) {
    case Kind::kSources:
      return RenderSource(s, i, w);
    case Kind::kEntitlements:
      return RenderEntitlement(s, i, w);
    case Kind::kAccessProfiles:
      return RenderAccessProfile(s, i, w);
    case Kind::kRoles:
      return RenderRole(s, i, w);
    case Kind::kIdentityProfiles:
      return RenderIdentityProfile(s, i, w);
    case Kind::kLifecycleStates:
      return RenderLifecycleState(s, i, w);
    case Kind::kGovernanceGroups:
      return RenderGovernanceGroup(s, i, w);
    case Kind::kGovernanceGroupMembers:
      return RenderReviewer(w, s, i);  // a member is shaped as a reviewer
    default:
      return;
  }
}

std::optional<uint32_t> FindAccessModelParent(const Tenant::State& s, Kind kind,
                                              std::string_view id) {
  auto parsed = ParseId(id);
  if (!parsed) return std::nullopt;
  Kind parent = kind == Kind::kLifecycleStates ? Kind::kIdentityProfiles : Kind::kGovernanceGroups;
  for (uint32_t i = 0; i < AccessModelSlots(s, parent); ++i) {
    if (AccessModelOrderKey(s, parent, i) == *parsed) return i;
  }
  return std::nullopt;
}

std::vector<uint32_t> AccessModelChildren(const Tenant::State& s, Kind kind, uint32_t parent) {
  if (kind == Kind::kGovernanceGroupMembers) return LiveMembers(s, parent);
  std::vector<uint32_t> states;
  for (uint32_t k = 0; k < StatesPerProfile(s); ++k)
    states.push_back(parent * StatesPerProfile(s) + k);
  return states;
}

namespace {

template <typename Key>
std::optional<uint32_t> FindByKey(const Tenant::State& s, Kind kind, std::string_view text,
                                  Key live) {
  auto id = ParseId(text);
  if (!id) return std::nullopt;
  for (uint32_t i = 0; i < AccessModelSlots(s, kind); ++i) {
    if (live(i) && AccessModelOrderKey(s, kind, i) == *id) return i;
  }
  return std::nullopt;
}

Reply NotFound(std::string_view what, std::string_view id) {
  return {404, ErrorResponse("404 Not found", fmt::format("{} {} was not found", what, id))};
}

// Calls `each(list, index)` for each id of the body's lists `first` and `second` (list 0 or 1),
// `find` turning an id into an index; the first id that is not text or not found answers.
template <typename Find, typename Each>
std::optional<Reply> ForEachListedId(const simdjson::dom::element& body,
                                     std::array<std::string_view, 2> lists, std::string_view what,
                                     Find find, Each each) {
  for (int list = 0; list < 2; ++list) {
    simdjson::dom::array ids;
    if (body[lists[list]].get(ids)) continue;
    for (auto item : ids) {
      std::string_view text;
      if (item.get(text))
        return Reply{400, ErrorResponse("400.1 Bad Request Content", "ids are text")};
      std::optional<uint32_t> index = find(text);
      if (!index) return NotFound(what, text);
      each(list, *index);
    }
  }
  return std::nullopt;
}

// POST /__sim/governance-groups/{id}/members {"add": [ids], "remove": [ids]}
Reply ControlMembers(Tenant::State& s, uint32_t g, const simdjson::dom::element& body) {
  std::vector<uint32_t>& members = s.governance_groups[g].members;
  auto refused = ForEachListedId(
      body, {"add", "remove"}, "identity", [&](std::string_view id) { return FindIdentity(s, id); },
      [&](int list, uint32_t who) {
        auto at = std::find(members.begin(), members.end(), who);
        if (list == 0 && at == members.end()) members.push_back(who);
        if (list == 1 && at != members.end()) members.erase(at);
      });
  if (refused) return *refused;
  s.governance_groups[g].modified = s.Now();
  return {200, "{}"};
}

// POST /__sim/identities/{id}/access {"grant": [entitlement ids], "revoke": [ids]}
Reply ControlAccess(Tenant::State& s, uint32_t identity, const simdjson::dom::element& body) {
  AccessChanges& changes = s.access_changes[identity];
  auto refused = ForEachListedId(
      body, {"grant", "revoke"}, "entitlement",
      [&](std::string_view id) {
        return FindByKey(s, Kind::kEntitlements, id, [](uint32_t) { return true; });
      },
      [&](int list, uint32_t e) {
        auto& add = list == 0 ? changes.granted : changes.revoked;
        auto& drop = list == 0 ? changes.revoked : changes.granted;
        std::erase(drop, e);
        if (std::find(add.begin(), add.end(), e) == add.end()) add.push_back(e);
      });
  return refused ? *refused : Reply{200, "{}"};
}

}  // namespace

std::optional<Reply> ControlAccessModel(Tenant::State& s,
                                        const std::vector<std::string_view>& parts,
                                        std::string_view method,
                                        const simdjson::dom::element& body) {
  std::string_view what = parts[1];
  if (parts.size() < 3) return std::nullopt;
  std::string_view id = parts[2];
  if (what == "sources" && method == "DELETE") {
    auto i = FindByKey(s, Kind::kSources, id, [&](uint32_t k) { return !s.sources[k].deleted; });
    if (!i) return NotFound("source", id);
    s.sources[*i].deleted = true;
  } else if (what == "entitlements") {
    auto i = FindByKey(s, Kind::kEntitlements, id,
                       [&](uint32_t k) { return !s.entitlements[k].deleted; });
    if (!i) return NotFound("entitlement", id);
    Entitlement& ent = s.entitlements[*i];
    bool privileged = false;
    if (method == "DELETE") {
      ent.deleted = true;
    } else if (!body["privileged"].get(privileged)) {
      ent.privileged = privileged;
      ent.modified = s.Now();
    }
  } else if (what == "roles" && method == "POST") {
    auto i = FindByKey(s, Kind::kRoles, id, [](uint32_t) { return true; });
    if (!i) return NotFound("role", id);
    std::string_view owner;
    if (!body["ownerId"].get(owner)) {
      auto who = FindIdentity(s, owner);
      if (!who) return NotFound("identity", owner);
      s.roles[*i].owner = *who;
      s.roles[*i].modified = s.Now();
    }
  } else if (what == "identities" && parts.size() == 4 && parts[3] == "access") {
    auto who = FindIdentity(s, id);
    if (!who) return NotFound("identity", id);
    Reply reply = ControlAccess(s, *who, body);
    if (reply.status != 200) return reply;
  } else if (what == "governance-groups" && parts.size() == 4 && parts[3] == "members") {
    auto g = FindByKey(s, Kind::kGovernanceGroups, id, [](uint32_t) { return true; });
    if (!g) return NotFound("governance group", id);
    Reply reply = ControlMembers(s, *g, body);
    if (reply.status != 200) return reply;
  } else {
    return std::nullopt;
  }
  ++s.generation;
  return Reply{200, "{}"};
}

}  // namespace isc_mirror::sim
