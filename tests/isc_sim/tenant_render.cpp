// What each simulated object looks like on the wire and to filters, per the OpenAPI subset.
#include <fmt/format.h>
#include <simdjson.h>

#include <array>

#include "tests/isc_sim/tenant_state.hpp"

namespace isc_mirror::sim {
namespace {

constexpr std::array<std::string_view, 40> kFirst = {
    "Ada",  "Ben",  "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kira", "Liam", "Maya",  "Noah",  "Olga",  "Pablo", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wei",   "Xenia", "Yusuf", "Zoe",   "Aron",  "Bea",  "Carl", "Dana",
    "Emil", "Fay",  "Gus",   "Hana",  "Ivan",  "Jade",  "Karl",  "Lena", "Milo", "Nina"};
constexpr std::array<std::string_view, 40> kLast = {
    "Abbott", "Baker",  "Chen",    "Diaz",      "Evans",  "Fischer",  "Garcia",  "Hughes",
    "Ito",    "Jensen", "Kowal",   "Lopez",     "Meyer",  "Nakamura", "Olsen",   "Patel",
    "Quist",  "Rossi",  "Schmidt", "Tanaka",    "Usman",  "Varga",    "Weber",   "Xu",
    "Young",  "Zhang",  "Adler",   "Brandt",    "Costa",  "Dubois",   "Eriksen", "Ferrari",
    "Gomez",  "Hansen", "Iqbal",   "Jovanovic", "Keller", "Larsen",   "Moreau",  "Novak"};
constexpr std::array<std::string_view, 8> kSources = {
    "Workday", "Active Directory", "ServiceNow", "Salesforce", "GitHub", "Okta",
    "SAP",     "Oracle EBS"};
constexpr std::array<std::string_view, 5> kTaskDefinitions = {
    "Cloud Account Aggregation", "Identity Refresh", "Entitlement Aggregation",
    "Cloud Group Aggregation", "Manager Correlation"};
constexpr std::array<std::string_view, 5> kDasTaskTypes = {
    "Crawl", "Permissions Collection", "Data Classification", "Activity Monitoring", "DataSync"};
constexpr std::array<std::string_view, 5> kAppTypes = {"FileServer", "SharePoint", "OneDrive",
                                                       "Box", "Exchange"};
constexpr std::array<std::string_view, 3> kCollectorTypes = {"ActiveDirectory",
                                                             "AzureActiveDirectory", "LDAP"};

enum HashKind : uint64_t {
  kHFirst = 11,
  kHLast,
  kHSource,
  kHCampaign,
  kHEntitlement,
  kHSummary,
  kHTask,
  kHGovernanceGroup,
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view First(const Tenant::State& s, uint32_t serial) {
  return kFirst[s.H(kHFirst, serial) % kFirst.size()];
}
std::string_view Last(const Tenant::State& s, uint32_t serial) {
  return kLast[s.H(kHLast, serial) % kLast.size()];
}
std::string Alias(const Tenant::State& s, uint32_t serial) {
  return fmt::format("{}.{}{}", Lower(First(s, serial)), Lower(Last(s, serial)), serial);
}
std::string DisplayName(const Tenant::State& s, uint32_t serial) {
  return fmt::format("{} {}", First(s, serial), Last(s, serial));
}

const char* IdentityStatus(std::string_view lifecycle) {
  if (lifecycle == "terminated") return "TERMINATED";
  if (lifecycle == "inactive") return "DEACTIVATED";
  return "ACTIVE";
}

void RefTo(base::JsonWriter& w, std::string_view key, std::string_view type, const std::string& id,
           const std::string& name) {
  w.Key(key).BeginObject().Field("type", type).Field("id", id).Field("name", name).EndObject();
}

std::string CampaignName(const Tenant::State&, uint32_t campaign) {
  return fmt::format("Manager Certification {} - Q{}", 2026, campaign % 4 + 1);
}
Id128 CampaignId(const Tenant::State& s, uint32_t campaign) {
  return MakeId(s.options.seed, kHCampaign, campaign);
}

void RenderErrorFreeTimes(base::JsonWriter& w, std::string_view key, int64_t ms) {
  if (ms == 0) {
    w.NullField(key);
  } else {
    w.Field(key, FormatTimestamp(ms));
  }
}

void RenderIdentity(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Identity& id = s.identities[i];
  const std::string& lifecycle = s.lifecycle_states[id.lifecycle];
  std::string alias = Alias(s, id.serial);
  std::string email = alias + "@example.com";
  bool is_manager = uint64_t{i} * 8 + 1 < s.identities.size();
  static const std::map<std::string, std::string> kNoRaw;
  auto raw_it = s.identity_raw.find(i);
  const auto& raw = raw_it == s.identity_raw.end() ? kNoRaw : raw_it->second;
  w.BeginObject().Field("id", Hex32(id.id)).Field("name", alias);
  if (auto created = raw.find("created"); created != raw.end()) {
    w.Key("created").Raw(created->second);
  } else {
    w.Field("created", FormatTimestamp(id.created));
  }
  w.Field("modified", FormatTimestamp(id.modified))
      .Field("alias", alias)
      .Field("emailAddress", email)
      .Field("processingState", "OK")
      .Field("identityStatus", IdentityStatus(lifecycle));
  if (id.manager == kNone || s.identities[id.manager].deleted) {
    w.NullField("managerRef");
  } else {
    RefTo(w, "managerRef", "IDENTITY", Hex32(s.identities[id.manager].id),
          Alias(s, s.identities[id.manager].serial));
  }
  w.Field("isManager", is_manager).Field("lastRefresh", FormatTimestamp(s.last_refresh));
  w.Key("attributes")
      .BeginObject()
      .Field("uid", alias)
      .Field("firstname", First(s, id.serial))
      .Field("lastname", Last(s, id.serial))
      .Field("displayName", DisplayName(s, id.serial))
      .Field("email", email)
      .Field("department", s.departments[id.department])
      .Field("location", s.locations[id.location])
      .Field("cloudLifecycleState", lifecycle)
      .Field("identityProfile", IdentityProfileName(IdentityProfileOf(s, i)));
  if (auto extra = s.identity_extra.find(i); extra != s.identity_extra.end()) {
    for (const auto& [key, value] : extra->second) w.Key(key).Raw(value);
  }
  for (const auto& [key, value] : raw) {
    if (key != "created") w.Key(key).Raw(value);
  }
  w.EndObject();
  w.Key("lifecycleState")
      .BeginObject()
      .Field("stateName", lifecycle)
      .Field("manuallyUpdated", false)
      .EndObject();
  w.EndObject();
}

void RenderAccount(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Account& a = s.accounts[i];
  const Identity& owner = s.identities[a.identity];
  std::string alias = Alias(s, owner.serial);
  std::string source_name = SourceName(s, a.source);
  bool directory = source_name == "Active Directory";
  std::string native =
      directory ? fmt::format("CN={},OU={},DC=example,DC=com", DisplayName(s, owner.serial),
                              s.departments[owner.department])
                : fmt::format("{}-{}", alias, a.serial);
  std::string id = Hex32(a.id);
  w.BeginObject()
      .Field("id", id)
      .Field("name", fmt::format("{}-{}", alias, a.serial))
      .Field("created", FormatTimestamp(a.created))
      .Field("modified", FormatTimestamp(a.modified))
      .Field("sourceId", Hex32(SourceId(s, a.source)))
      .Field("sourceName", source_name)
      .Field("identityId", Hex32(owner.id))
      .Field("cloudLifecycleState", s.lifecycle_states[owner.lifecycle])
      .Field("identityState", IdentityStatus(s.lifecycle_states[owner.lifecycle]))
      .Field("connectionType", "direct")
      .Field("isMachine", false)
      .NullField("recommendation");
  w.Key("attributes")
      .BeginObject()
      .Field("displayName", DisplayName(s, owner.serial))
      .Field("email", alias + "@example.com")
      .Field("employeeNumber", fmt::format("E{:07d}", owner.serial));
  if (directory) {
    w.Key("memberOf")
        .BeginArray()
        .String(fmt::format("CN={},OU=Groups,DC=example,DC=com", s.departments[owner.department]))
        .String("CN=All Staff,OU=Groups,DC=example,DC=com")
        .EndArray();
  }
  w.EndObject();
  w.Field("authoritative", a.source == 0)
      .NullField("description")
      .Field("disabled", a.disabled)
      .Field("locked", a.locked)
      .Field("nativeIdentity", native)
      .Field("systemAccount", false)
      .Field("uncorrelated", a.uncorrelated)
      .Field("uuid", fmt::format("{{{}}}", Uuid(a.id)))
      .Field("manuallyCorrelated", false)
      .Field("hasEntitlements", directory);
  RefTo(w, "identity", "IDENTITY", Hex32(owner.id), alias);
  RefTo(w, "sourceOwner", "IDENTITY", Hex32(s.identities[0].id), Alias(s, s.identities[0].serial));
  w.Field("features", "PROVISIONING, PASSWORD, ENABLE, UNLOCK").Field("origin", "AGGREGATED");
  RefTo(w, "ownerIdentity", "IDENTITY", Hex32(owner.id), alias);
  w.EndObject();
}

void RenderTaskStatus(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const TaskStatus& t = s.task_statuses[i];
  std::string_view definition = kTaskDefinitions[t.definition % kTaskDefinitions.size()];
  std::string source = SourceName(s, t.source);
  w.BeginObject()
      .Field("id", Hex32(t.id))
      .Field("type", "QUARTZ")
      .Field("uniqueName", fmt::format("{} [source:{}]", definition, source))
      .Field("description", fmt::format("{} for {}", definition, source))
      .NullField("parentName")
      .Field("launcher", "System");
  w.Key("target")
      .BeginObject()
      .Field("id", Hex32(SourceId(s, t.source)))
      .Field("type", "APPLICATION")
      .Field("name", source + " [source]")
      .EndObject();
  w.Field("created", FormatTimestamp(t.created));
  RenderErrorFreeTimes(w, "modified", t.modified);
  RenderErrorFreeTimes(w, "launched", t.launched);
  RenderErrorFreeTimes(w, "completed", t.completed);
  if (t.completion < 0) {
    w.NullField("completionStatus");
  } else {
    w.Field("completionStatus", CompletionStatusName(t.completion));
  }
  w.Key("messages").BeginArray();
  if (t.completion == 2) {
    w.BeginObject()
        .Field("type", "ERROR")
        .Key("localizedText")
        .BeginObject()
        .Field("locale", "en-US")
        .Field("message", "Error during aggregation: connection timed out")
        .EndObject()
        .Field("key", "aggregation_error")
        .Key("parameters")
        .BeginArray()
        .EndArray()
        .EndObject();
  }
  w.EndArray();
  w.Key("returns")
      .BeginArray()
      .BeginObject()
      .Field("name", "Accounts scanned")
      .Field("attributeName", "accounts")
      .EndObject()
      .EndArray();
  w.Key("attributes").BeginObject().Field("appId", Hex32(SourceId(s, t.source))).EndObject();
  if (t.completion < 0) {
    w.Field("progress", "Running");
  } else {
    w.Field("progress", "Completed");
  }
  w.Field("percentComplete", t.percent);
  w.Key("taskDefinitionSummary")
      .BeginObject()
      .Field("id", Hex32(MakeId(s.options.seed, kHTask, t.definition)))
      .Field("uniqueName", definition)
      .Field("description", fmt::format("{} task", definition))
      .Field("parentName", "Aggregation")
      .Field("executor", "sailpoint.task.ResourceIdentityScan")
      .Key("arguments")
      .BeginObject()
      .EndObject()
      .EndObject();
  w.EndObject();
}

void RenderCertification(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Certification& c = s.certifications[i];
  int decided = 0;
  std::vector<uint32_t> identities;
  for (uint32_t item : c.items) {
    decided += s.review_items[item].decision >= 0 ? 1 : 0;
    identities.push_back(s.review_items[item].identity);
  }
  std::sort(identities.begin(), identities.end());
  identities.erase(std::unique(identities.begin(), identities.end()), identities.end());
  std::string name = CampaignName(s, c.campaign);
  w.BeginObject()
      .Field("id", Hex32(c.id))
      .Field("name", fmt::format("{} - {}", name, IdentityName(s, c.reviewer)));
  w.Key("campaign")
      .BeginObject()
      .Field("id", Hex32(CampaignId(s, c.campaign)))
      .Field("name", name)
      .Field("type", "CAMPAIGN")
      .Field("campaignType", "MANAGER")
      .Field("description", "Quarterly manager access review")
      .Field("correlatedStatus", "CORRELATED")
      .Field("mandatoryCommentRequirement", "NO_DECISIONS")
      .EndObject();
  w.Field("completed", c.signed_off)
      .Field("identitiesCompleted", c.signed_off ? static_cast<int>(identities.size()) : 0)
      .Field("identitiesTotal", static_cast<int>(identities.size()))
      .Field("created", FormatTimestamp(c.created))
      .Field("modified", FormatTimestamp(c.modified))
      .Field("decisionsMade", decided)
      .Field("decisionsTotal", static_cast<int>(c.items.size()))
      .Field("due", FormatTimestamp(c.due));
  RenderErrorFreeTimes(w, "signed", c.signed_at);
  w.Key("reviewer");
  if (c.governance_group) {
    // Reviewer.type GOVERNANCE_GROUP: no email ("only applicable to reviewers of the IDENTITY
    // type").
    w.BeginObject()
        .Field("type", "GOVERNANCE_GROUP")
        .Field("id", Hex32(GovernanceGroupId(s, ReviewingGroup(s, i))))
        .Field("name", GovernanceGroupName(ReviewingGroup(s, i)))
        .NullField("email")
        .EndObject();
  } else {
    RenderReviewer(w, s, c.reviewer);
  }
  if (c.reassigned_from != kNone) {
    const Certification& from = s.certifications[c.reassigned_from];
    w.Key("reassignment").BeginObject().Key("from").BeginObject();
    w.Field("type", "CERTIFICATION")
        .Field("id", Hex32(from.id))
        .Field("name", fmt::format("{} - {}", CampaignName(s, from.campaign),
                                   IdentityName(s, from.reviewer)))
        .Key("reviewer");
    RenderReviewer(w, s, from.reviewer);
    w.EndObject().Field("comment", c.reassign_comment).EndObject();
  }
  w.Field("hasErrors", false)
      .NullField("errorMessage")
      .Field("phase", c.signed_off ? "SIGNED" : "ACTIVE");
  w.EndObject();
}

void RenderReviewItem(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const ReviewItem& item = s.review_items[i];
  const Identity& who = s.identities[item.identity];
  uint32_t source = item.entitlement < s.entitlements.size()
                        ? s.entitlements[item.entitlement].source
                        : 1 % std::max<uint32_t>(1, s.options.sources);
  std::string ent_id = Hex32(EntitlementId(s, item.entitlement));
  std::string group = EntitlementValue(item.entitlement);
  bool decided = item.decision >= 0;
  w.BeginObject();
  w.Key("accessSummary").BeginObject();
  RefTo(w, "access", "ENTITLEMENT", ent_id, EntitlementName(item.entitlement));
  w.Key("entitlement")
      .BeginObject()
      .Field("id", ent_id)
      .Field("name", EntitlementName(item.entitlement))
      .NullField("description")
      .Field("privileged", item.entitlement < s.entitlements.size()
                               ? s.entitlements[item.entitlement].privileged
                               : item.entitlement % 17 == 0)
      .NullField("owner")
      .Field("attributeName", "memberOf")
      .Field("attributeValue", group)
      .Field("sourceSchemaObjectType", "group")
      .Field("sourceName", SourceName(s, source))
      .Field("sourceType", "Active Directory - Direct")
      .Field("sourceId", Hex32(SourceId(s, source)))
      .Field("hasPermissions", false)
      .Field("isPermission", false)
      .Field("revocable", true)
      .Field("cloudGoverned", false)
      .Field("containsDataAccess", false)
      .NullField("dataAccess")
      .NullField("account")
      .EndObject();
  w.NullField("role").EndObject();
  w.Key("identitySummary")
      .BeginObject()
      .Field("id", Hex32(ReviewSummaryId(s, item)))
      .Field("name", Alias(s, who.serial))
      .Field("identityId", Hex32(who.id))
      .Field("completed", decided)
      .EndObject();
  w.Field("id", Hex32(item.id)).Field("completed", decided).Field("newAccess", false);
  if (decided) w.Field("decision", item.decision == 0 ? "APPROVE" : "REVOKE");
  w.NullField("comments").EndObject();
}

void RenderCertificationTask(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const CertificationTask& t = s.certification_tasks[i];
  w.BeginObject()
      .Field("id", Hex32(t.id))
      .Field("type", "REASSIGN")
      .Field("targetType", "CERTIFICATION")
      .Field("targetId", Hex32(s.certifications[t.certification].id))
      .Field("status", t.status)
      .Key("errors")
      .BeginArray()
      .EndArray()
      .Field("created", FormatTimestamp(t.created))
      .EndObject();
}

void RenderDasApplication(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const DasApplication& a = s.das_applications[i];
  std::string_view type = kAppTypes[a.serial % kAppTypes.size()];
  w.BeginObject()
      .Field("id", a.id)
      .Field("name", fmt::format("{} {}", type, a.serial + 1))
      .Field("description", fmt::format("{} application {}", type, a.serial + 1))
      .Field("type", type);
  w.Key("tags")
      .BeginArray()
      .BeginObject()
      .Field("id", int64_t{100 + a.serial % 3})
      .Field("name", fmt::format("tier-{}", a.serial % 3 + 1))
      .EndObject()
      .EndArray();
  w.Field("testConnectionStatus", "Success")
      .Field("testConnectionDate", s.options.now_ms / 1000 - 3600)
      .Field("rcClusterId", Hex32(MakeId(s.options.seed, 91, 0)))
      .Field("dcClusterId", Hex32(MakeId(s.options.seed, 92, 0)))
      .Field("pcClusterId", Hex32(MakeId(s.options.seed, 93, 0)))
      .EndObject();
}

void RenderDasTask(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const DasTask& t = s.das_tasks[i];
  std::string_view type = kDasTaskTypes[t.type % kDasTaskTypes.size()];
  w.BeginObject().Field("taskId", t.id).Field("taskTypeName", type).Field("startTime", t.start);
  if (t.end == 0) {
    w.NullField("endTime");
  } else {
    w.Field("endTime", t.end);
  }
  w.Field("taskName",
          fmt::format("{} - {}", type,
                      s.das_applications.empty() ? std::string("all")
                                                 : fmt::format("app {}", t.application + 1)))
      .Field("createdByDisplayName", "System")
      .Field("progress", t.progress)
      .Field("status", t.status)
      .Field("details", t.status == "Failed" ? "Crawler lost connection to the file server" : "");
  if (t.schedule == 0) {
    w.NullField("scheduleTaskId");
  } else {
    w.Field("scheduleTaskId", t.schedule);
  }
  w.EndObject();
}

void RenderDasSchedule(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const DasSchedule& d = s.das_schedules[i];
  std::string_view type = kDasTaskTypes[d.type % kDasTaskTypes.size()];
  w.BeginObject()
      .Field("scheduleTaskId", d.id)
      .Field("scheduleTaskName", fmt::format("Nightly {} {}", type, i + 1))
      .Field("taskTypeName", type)
      .Field("interval", d.interval)
      .Field("scheduleType", "Daily")
      .Field("active", d.active)
      .Field("startTime", d.start)
      .NullField("endTime")
      .Key("daysOfWeek")
      .BeginArray()
      .String("Monday")
      .String("Thursday")
      .EndArray()
      .NullField("runAfterScheduleTaskId")
      .NullField("runAfterScheduleTaskName");
  if (s.das_applications.empty()) {
    w.NullField("applicationId");
  } else {
    w.Field("applicationId", s.das_applications[d.application % s.das_applications.size()].id);
  }
  w.Field("createdByDisplayName", "System")
      .Field("nextRun", d.next_run)
      .Field("lastRun", d.last_run);
  w.EndObject();
}

void RenderCollector(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Collector& c = s.collectors[i];
  w.BeginObject()
      .Field("id", Hex32(c.id))
      .Field("name", fmt::format("Identity collector {}", c.serial + 1))
      .Field("type", kCollectorTypes[c.serial % kCollectorTypes.size()])
      .Field("sourceId", Hex32(SourceId(s, c.source)))
      .EndObject();
}

void RenderOwnership(const Tenant::State& s, uint32_t i, base::JsonWriter& w) {
  const Ownership& o = s.ownerships[i];
  const DasResource& r = s.das_resources[o.resource];
  w.BeginObject()
      .Field("identityId", Uuid(s.identities[o.identity].id))
      .Field("resourceId", r.id)
      .Field("fullPath", r.path)
      .EndObject();
}

Value Str(std::string v) {
  return Value{std::move(v)};
}

}  // namespace

Id128 ReviewSummaryId(const Tenant::State& s, const ReviewItem& item) {
  return MakeId(s.options.seed, kHSummary, (uint64_t{item.certification} << 32) | item.identity);
}

std::string IdentityName(const Tenant::State& s, uint32_t identity) {
  return Alias(s, s.identities[identity].serial);
}
std::string IdentityEmail(const Tenant::State& s, uint32_t identity) {
  return Alias(s, s.identities[identity].serial) + "@example.com";
}
void RenderReviewer(base::JsonWriter& w, const Tenant::State& s, uint32_t identity) {
  w.BeginObject()
      .Field("type", "IDENTITY")
      .Field("id", Hex32(s.identities[identity].id))
      .Field("name", IdentityName(s, identity))
      .Field("email", IdentityEmail(s, identity))
      .EndObject();
}
std::string SourceName(const Tenant::State&, uint32_t source) {
  if (source < kSources.size()) return std::string(kSources[source]);
  return fmt::format("{} {}", kSources[source % kSources.size()], source / kSources.size() + 1);
}
Id128 SourceId(const Tenant::State& s, uint32_t source) {
  return MakeId(s.options.seed, kHSource, source);
}
Id128 GovernanceGroupId(const Tenant::State& s, uint32_t group) {
  return MakeId(s.options.seed, kHGovernanceGroup, group);
}
std::string GovernanceGroupName(uint32_t group) {
  return fmt::format("Access Reviewers {}", group);
}
uint32_t ReviewingGroup(const Tenant::State& s, uint32_t certification) {
  return certification % std::max<uint32_t>(1, s.options.governance_groups);
}
Id128 EntitlementId(const Tenant::State& s, uint32_t entitlement) {
  return MakeId(s.options.seed, kHEntitlement, entitlement);
}
std::string EntitlementName(uint32_t entitlement) {
  return fmt::format("Group {}", entitlement);
}
std::string EntitlementValue(uint32_t entitlement) {
  return fmt::format("CN=Group {},OU=Groups,DC=example,DC=com", entitlement);
}

Id128 OrderKeyOf(const Tenant::State& s, Kind kind, uint32_t i) {
  switch (kind) {
    case Kind::kIdentities:
      return s.identities[i].id;
    case Kind::kAccounts:
      return s.accounts[i].id;
    case Kind::kTaskStatuses:
    case Kind::kPendingTasks:
    case Kind::kAllTaskStatuses:
      return s.task_statuses[i].id;
    case Kind::kCertifications:
      return s.certifications[i].id;
    case Kind::kReviewers:
      return s.identities[i].id;
    case Kind::kReviewItems:
      return s.review_items[i].id;
    case Kind::kCertificationTasks:
      return s.certification_tasks[i].id;
    case Kind::kDasApplications:
      return {0, static_cast<uint64_t>(s.das_applications[i].id)};
    case Kind::kDasTasks:
      return {0, static_cast<uint64_t>(s.das_tasks[i].id)};
    case Kind::kDasSchedules:
      return {0, static_cast<uint64_t>(s.das_schedules[i].id)};
    case Kind::kIdentityCollectors:
      return s.collectors[i].id;
    case Kind::kDasOwners: {
      const Ownership& o = s.ownerships[i];
      return {static_cast<uint64_t>(s.das_resources[o.resource].id),
              s.identities[o.identity].id.hi};
    }
    default:
      return AccessModelOrderKey(s, kind, i);
  }
}

namespace {

Value IdentityField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const Identity& id = s.identities[i];
  if (f == "id") return Str(Hex32(id.id));
  if (f == "name" || f == "alias") return Str(Alias(s, id.serial));
  if (f == "firstname") return Str(std::string(First(s, id.serial)));
  if (f == "lastname") return Str(std::string(Last(s, id.serial)));
  if (f == "email") return Str(IdentityEmail(s, i));
  if (f == "cloudStatus") return Str(IdentityStatus(s.lifecycle_states[id.lifecycle]));
  if (f == "processingState") return Str("OK");
  if (f == "correlated") return Value{!id.uncorrelated};
  if (f == "protected") return Value{false};
  return Value{};
}

Value AccountField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const Account& a = s.accounts[i];
  if (f == "id") return Str(Hex32(a.id));
  if (f == "identityId") return Str(Hex32(s.identities[a.identity].id));
  if (f == "name")
    return Str(fmt::format("{}-{}", Alias(s, s.identities[a.identity].serial), a.serial));
  if (f == "sourceId") return Str(Hex32(SourceId(s, a.source)));
  if (f == "uncorrelated") return Value{a.uncorrelated};
  if (f == "created") return Value{a.created};
  if (f == "modified") return Value{a.modified};
  if (f == "hasEntitlements") return Value{SourceName(s, a.source) == "Active Directory"};
  if (f == "manuallyCorrelated") return Value{false};
  if (f == "origin") return Str("AGGREGATED");
  if (f == "source.displayableName") return Str(SourceName(s, a.source));
  if (f == "source.authoritative") return Value{a.source == 0};
  if (f == "identity.name") return Str(Alias(s, s.identities[a.identity].serial));
  return Value{};
}

Value TaskStatusField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const TaskStatus& t = s.task_statuses[i];
  if (f == "id") return Str(Hex32(t.id));
  if (f == "sourceId") return Str(Hex32(SourceId(s, t.source)));
  if (f == "completionStatus") {
    return t.completion < 0 ? Value{} : Str(std::string(CompletionStatusName(t.completion)));
  }
  if (f == "type") return Str("QUARTZ");
  if (f == "created") return Value{t.created};
  return Value{};
}

Value CertificationField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const Certification& c = s.certifications[i];
  if (f == "id") return Str(Hex32(c.id));
  if (f == "campaign.id") return Str(Hex32(CampaignId(s, c.campaign)));
  if (f == "phase") return Str(c.signed_off ? "SIGNED" : "ACTIVE");
  if (f == "completed") return Value{c.signed_off};
  if (f == "name")
    return Str(fmt::format("{} - {}", CampaignName(s, c.campaign), IdentityName(s, c.reviewer)));
  if (f == "due") return Value{c.due};
  if (f == "signed") return c.signed_at == 0 ? Value{} : Value{c.signed_at};
  return Value{};
}

Value ReviewerField(const Tenant::State& s, uint32_t i, std::string_view f) {
  if (f == "id") return Str(Hex32(s.identities[i].id));
  if (f == "name") return Str(IdentityName(s, i));
  if (f == "email") return Str(IdentityEmail(s, i));
  return Value{};
}

Value ReviewItemField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const ReviewItem& item = s.review_items[i];
  if (f == "id") return Str(Hex32(item.id));
  if (f == "type" || f == "access.type") return Str("ENTITLEMENT");
  if (f == "completed") return Value{item.decision >= 0};
  if (f == "identitySummary.id") return Str(Hex32(ReviewSummaryId(s, item)));
  if (f == "identitySummary.name") return Str(IdentityName(s, item.identity));
  if (f == "access.id") return Str(Hex32(EntitlementId(s, item.entitlement)));
  if (f == "access.name") return Str(fmt::format("Group {}", item.entitlement));
  if (f == "entitlement.sourceName") return Str(SourceName(s, 1));
  if (f == "accessProfile.sourceName") return Value{};
  return Value{};
}

Value CertificationTaskField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const CertificationTask& t = s.certification_tasks[i];
  if (f == "id") return Str(Hex32(t.id));
  if (f == "targetId") return Str(Hex32(s.certifications[t.certification].id));
  if (f == "type") return Str("REASSIGN");
  return Value{};
}

Value DasApplicationField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const DasApplication& a = s.das_applications[i];
  if (f == "appIds") return Value{a.id};
  if (f == "appName")
    return Str(fmt::format("{} {}", kAppTypes[a.serial % kAppTypes.size()], a.serial + 1));
  if (f == "tagIds") return Value{int64_t{100 + a.serial % 3}};
  if (f == "statuses") return Str("Success");
  return Value{};
}

Value DasTaskField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const DasTask& t = s.das_tasks[i];
  if (f == "taskIds") return Value{t.id};
  if (f == "statuses") return Str(t.status);
  if (f == "taskTypeName") return Str(std::string(kDasTaskTypes[t.type % kDasTaskTypes.size()]));
  if (f == "endBeforeTime") return t.end == 0 ? Value{} : Value{t.end};
  return Value{};
}

Value DasScheduleField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const DasSchedule& d = s.das_schedules[i];
  if (f == "scheduleTaskIds") return Value{d.id};
  if (f == "taskTypeName") return Str(std::string(kDasTaskTypes[d.type % kDasTaskTypes.size()]));
  if (f == "status") return Str(d.active ? "Active" : "Inactive");
  if (f == "scheduleType") return Str("Daily");
  return Value{};
}

Value CollectorField(const Tenant::State& s, uint32_t i, std::string_view f) {
  const Collector& c = s.collectors[i];
  if (f == "id") return Str(Hex32(c.id));
  if (f == "sourceId") return Str(Hex32(SourceId(s, c.source)));
  if (f == "type") return Str(std::string(kCollectorTypes[c.serial % kCollectorTypes.size()]));
  return Value{};
}

}  // namespace

Value FieldOf(const Tenant::State& s, Kind kind, uint32_t i, std::string_view f) {
  switch (kind) {
    case Kind::kIdentities:
      return IdentityField(s, i, f);
    case Kind::kAccounts:
      return AccountField(s, i, f);
    case Kind::kTaskStatuses:
    case Kind::kPendingTasks:
    case Kind::kAllTaskStatuses:
      return TaskStatusField(s, i, f);
    case Kind::kCertifications:
      return CertificationField(s, i, f);
    case Kind::kReviewers:
      return ReviewerField(s, i, f);
    case Kind::kReviewItems:
      return ReviewItemField(s, i, f);
    case Kind::kCertificationTasks:
      return CertificationTaskField(s, i, f);
    case Kind::kDasApplications:
      return DasApplicationField(s, i, f);
    case Kind::kDasTasks:
      return DasTaskField(s, i, f);
    case Kind::kDasSchedules:
      return DasScheduleField(s, i, f);
    case Kind::kIdentityCollectors:
      return CollectorField(s, i, f);
    case Kind::kDasOwners:
      return Value{};
    default:
      return AccessModelField(s, kind, i, f);
  }
}

std::string WithFields(std::string_view object, std::string_view fields) {
  simdjson::dom::parser own_parser, fields_parser;
  simdjson::dom::object own = own_parser.parse(object.data(), object.size()).get_object();
  simdjson::dom::object extra = fields_parser.parse(fields.data(), fields.size()).get_object();
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject();
  for (auto field : own) {
    simdjson::dom::element replaced;
    w.Key(field.key).Raw(simdjson::minify(extra[field.key].get(replaced) ? field.value : replaced));
  }
  for (auto field : extra) {
    simdjson::dom::element present;
    if (own[field.key].get(present)) w.Key(field.key).Raw(simdjson::minify(field.value));
  }
  w.EndObject();
  return out;
}

void Render(const Tenant::State& s, Kind kind, uint32_t i, base::JsonWriter& w) {
  switch (kind) {
    case Kind::kIdentities:
      return RenderIdentity(s, i, w);
    case Kind::kAccounts: {
      auto fields = s.account_overrides.find(i);
      if (fields == s.account_overrides.end()) return RenderAccount(s, i, w);
      std::string own;
      base::JsonWriter inner(own);
      RenderAccount(s, i, inner);
      w.Raw(WithFields(own, fields->second));
      return;
    }
    case Kind::kTaskStatuses:
    case Kind::kPendingTasks:
    case Kind::kAllTaskStatuses:
      return RenderTaskStatus(s, i, w);
    case Kind::kCertifications:
      return RenderCertification(s, i, w);
    case Kind::kReviewers:
      return RenderReviewer(w, s, i);
    case Kind::kReviewItems:
      return RenderReviewItem(s, i, w);
    case Kind::kCertificationTasks:
      return RenderCertificationTask(s, i, w);
    case Kind::kDasApplications:
      return RenderDasApplication(s, i, w);
    case Kind::kDasTasks:
      return RenderDasTask(s, i, w);
    case Kind::kDasSchedules:
      return RenderDasSchedule(s, i, w);
    case Kind::kIdentityCollectors:
      return RenderCollector(s, i, w);
    case Kind::kDasOwners:
      return RenderOwnership(s, i, w);
    default:
      return RenderAccessModel(s, kind, i, w);
  }
}

}  // namespace isc_mirror::sim
