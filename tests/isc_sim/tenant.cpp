#include "tests/isc_sim/tenant.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>

#include "tests/isc_sim/tenant_state.hpp"

namespace isc_mirror::sim {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kTaskStatusWindowMs = 90 * kDayMs;

enum IdKind : uint64_t {
  kIdIdentity = 1,
  kIdAccount,
  kIdTaskStatus,
  kIdCertification,
  kIdReviewItem,
  kIdCertificationTask,
  kIdCollector,
  kIdShifted,
};

// Filter and sorter fields per endpoint, from the OpenAPI parameter descriptions.
constexpr uint32_t kEqIn = kEq | kIn;
constexpr uint32_t kEqInSw = kEq | kIn | kSw;
constexpr uint32_t kCompare = kEq | kGe | kGt | kLe | kLt;

constexpr FilterField kIdentityFilters[] = {
    {"id", FieldType::kString, kEqIn},           {"name", FieldType::kString, kEq | kSw},
    {"alias", FieldType::kString, kEq | kSw},    {"firstname", FieldType::kString, kEq | kSw},
    {"lastname", FieldType::kString, kEq | kSw}, {"email", FieldType::kString, kEq | kSw},
    {"cloudStatus", FieldType::kString, kEq},    {"processingState", FieldType::kString, kEq},
    {"correlated", FieldType::kBool, kEq},       {"protected", FieldType::kBool, kEq}};
constexpr std::string_view kIdentitySorters[] = {"name", "alias", "cloudStatus"};

constexpr FilterField kAccountFilters[] = {{"id", FieldType::kString, kEqInSw},
                                           {"identityId", FieldType::kString, kEqInSw},
                                           {"name", FieldType::kString, kEqInSw},
                                           {"hasEntitlements", FieldType::kBool, kEq},
                                           {"sourceId", FieldType::kString, kEqInSw},
                                           {"uncorrelated", FieldType::kBool, kEq},
                                           {"origin", FieldType::kString, kEqIn},
                                           {"manuallyCorrelated", FieldType::kBool, kEq},
                                           {"identity.name", FieldType::kString, kEqInSw},
                                           {"source.displayableName", FieldType::kString, kEqIn},
                                           {"source.authoritative", FieldType::kBool, kEq},
                                           {"created", FieldType::kTimestamp, kCompare},
                                           {"modified", FieldType::kTimestamp, kCompare}};
constexpr std::string_view kAccountSorters[] = {"id",
                                                "name",
                                                "created",
                                                "modified",
                                                "sourceId",
                                                "identityId",
                                                "manuallyCorrelated",
                                                "origin",
                                                "identity.name",
                                                "source.displayableName",
                                                "source.authoritative"};

// GET /beta/task-status: completionStatus takes eq and in only (it lists completed tasks).
constexpr FilterField kTaskStatusFilters[] = {{"id", FieldType::kString, kEqIn},
                                              {"sourceId", FieldType::kString, kEqIn},
                                              {"completionStatus", FieldType::kString, kEqIn},
                                              {"type", FieldType::kString, kEqIn}};
// GET /v2025/task-status: completionStatus isnull selects the tasks in progress.
constexpr FilterField kAllTaskStatusFilters[] = {
    {"id", FieldType::kString, kEqIn},
    {"sourceId", FieldType::kString, kEqIn},
    {"completionStatus", FieldType::kString, kEqIn | kIsNull},
    {"type", FieldType::kString, kEqIn}};
constexpr std::string_view kTaskStatusSorters[] = {"created"};

constexpr FilterField kCertificationFilters[] = {{"id", FieldType::kString, kEqIn},
                                                 {"campaign.id", FieldType::kString, kEqIn},
                                                 {"phase", FieldType::kString, kEq},
                                                 {"completed", FieldType::kBool, kEq}};
constexpr std::string_view kCertificationSorters[] = {"name", "due", "signed"};

constexpr FilterField kReviewerFilters[] = {{"id", FieldType::kString, kEqIn},
                                            {"name", FieldType::kString, kEq | kSw},
                                            {"email", FieldType::kString, kEq | kSw}};
constexpr std::string_view kReviewerSorters[] = {"name", "email"};

constexpr FilterField kReviewItemFilters[] = {
    {"id", FieldType::kString, kEqIn},
    {"type", FieldType::kString, kEq},
    {"access.type", FieldType::kString, kEq},
    {"completed", FieldType::kBool, kEq | kNe},
    {"identitySummary.id", FieldType::kString, kEqIn},
    {"identitySummary.name", FieldType::kString, kEq | kSw},
    {"access.id", FieldType::kString, kEqIn},
    {"access.name", FieldType::kString, kEq | kSw},
    {"entitlement.sourceName", FieldType::kString, kEq | kSw},
    {"accessProfile.sourceName", FieldType::kString, kEq | kSw}};
constexpr std::string_view kReviewItemSorters[] = {"identitySummary.name", "access.name",
                                                   "access.type", "entitlement.sourceName",
                                                   "accessProfile.sourceName"};

constexpr FilterField kCertificationTaskFilters[] = {{"id", FieldType::kString, kEqIn},
                                                     {"targetId", FieldType::kString, kEqIn},
                                                     {"type", FieldType::kString, kEqIn}};

constexpr FilterField kDasApplicationFilters[] = {{"appIds", FieldType::kInt, kEqIn},
                                                  {"tagIds", FieldType::kInt, kEqIn},
                                                  {"statuses", FieldType::kString, kEqIn},
                                                  {"appName", FieldType::kString, kEq}};
constexpr FilterField kDasTaskFilters[] = {{"taskIds", FieldType::kInt, kEqIn},
                                           {"statuses", FieldType::kString, kEqIn},
                                           {"taskTypeName", FieldType::kString, kEqIn},
                                           {"endBeforeTime", FieldType::kInt, kEq}};
constexpr FilterField kDasScheduleFilters[] = {{"scheduleTaskIds", FieldType::kInt, kEqIn},
                                               {"taskTypeName", FieldType::kString, kEqIn},
                                               {"status", FieldType::kString, kEq},
                                               {"scheduleType", FieldType::kString, kEq}};
constexpr FilterField kCollectorFilters[] = {{"sourceId", FieldType::kString, kEq},
                                             {"type", FieldType::kString, kEqIn},
                                             {"id", FieldType::kString, kEqIn}};

// The access model's lists. GET /v3/sources also filters `features` with `ca` and `co`, which
// isc-sim does not take (400, as for any field it does not list).
constexpr uint32_t kAll = kEq | kNe | kIn | kSw | kGe | kGt | kLe | kLt | kIsNull;
constexpr uint32_t kAllButLess = kEq | kNe | kIn | kSw | kGe | kGt | kIsNull;
constexpr FilterField kSourceFilters[] = {
    {"id", FieldType::kString, kAll},
    {"name", FieldType::kString, kCo | kEq | kIn | kSw | kGe | kGt | kNe | kIsNull},
    {"type", FieldType::kString, kAllButLess},
    {"owner.id", FieldType::kString, kAll},
    {"created", FieldType::kTimestamp, kAll},
    {"modified", FieldType::kTimestamp, kAll},
    {"managementWorkgroup.id", FieldType::kString, kAll},
    {"description", FieldType::kString, kEq | kSw},
    {"authoritative", FieldType::kBool, kEq | kNe | kIsNull},
    {"healthy", FieldType::kBool, kIsNull},
    {"status", FieldType::kString, kAll},
    {"connectionType", FieldType::kString, kAll},
    {"connectorName", FieldType::kString, kAllButLess},
    {"category", FieldType::kString, kCo | kEq | kGe | kGt | kIn | kLe | kLt | kNe | kSw}};
constexpr std::string_view kSourceSorters[] = {"type",
                                               "created",
                                               "modified",
                                               "name",
                                               "owner.name",
                                               "healthy",
                                               "status",
                                               "id",
                                               "description",
                                               "owner.id",
                                               "accountCorrelationConfig.id",
                                               "accountCorrelationConfig.name",
                                               "managerCorrelationRule.type",
                                               "managerCorrelationRule.id",
                                               "managerCorrelationRule.name",
                                               "authoritative",
                                               "managementWorkgroup.id",
                                               "connectorName",
                                               "connectionType"};

constexpr uint32_t kRange = kGt | kLt | kGe | kLe;
constexpr FilterField kEntitlementFilters[] = {
    {"id", FieldType::kString, kEqIn},           {"name", FieldType::kString, kEqInSw},
    {"type", FieldType::kString, kEqIn},         {"attribute", FieldType::kString, kEqIn},
    {"value", FieldType::kString, kEqInSw},      {"source.id", FieldType::kString, kEqIn},
    {"requestable", FieldType::kBool, kEq},      {"created", FieldType::kTimestamp, kRange},
    {"modified", FieldType::kTimestamp, kRange}, {"owner.id", FieldType::kString, kEqIn}};
constexpr std::string_view kEntitlementSorters[] = {
    "id", "name", "created", "modified", "type", "attribute", "value", "source.id", "requestable"};

constexpr FilterField kRoleFilters[] = {{"id", FieldType::kString, kEqIn},
                                        {"name", FieldType::kString, kEq | kSw},
                                        {"created", FieldType::kTimestamp, kGt | kGe | kLe},
                                        {"modified", FieldType::kTimestamp, kLt | kGe | kLe},
                                        {"owner.id", FieldType::kString, kEqIn},
                                        {"requestable", FieldType::kBool, kEq},
                                        {"dimensional", FieldType::kBool, kEq}};
constexpr FilterField kAccessProfileFilters[] = {
    {"id", FieldType::kString, kEqIn},
    {"name", FieldType::kString, kEq | kSw},
    {"created", FieldType::kTimestamp, kGt | kGe | kLe},
    {"modified", FieldType::kTimestamp, kRange},
    {"owner.id", FieldType::kString, kEqIn},
    {"requestable", FieldType::kBool, kEq},
    {"source.id", FieldType::kString, kEqIn}};
constexpr std::string_view kNameCreatedModified[] = {"name", "created", "modified"};

constexpr uint32_t kProfileOps = kEq | kNe | kGe | kGt | kIn | kLe | kSw;
constexpr FilterField kIdentityProfileFilters[] = {{"id", FieldType::kString, kProfileOps},
                                                   {"name", FieldType::kString, kProfileOps},
                                                   {"priority", FieldType::kInt, kEq | kNe}};
constexpr std::string_view kIdentityProfileSorters[] = {
    "id", "name", "priority", "created", "modified", "owner.id", "owner.name"};
constexpr std::string_view kLifecycleStateSorters[] = {"name", "priority", "created", "modified"};

constexpr FilterField kGovernanceGroupFilters[] = {
    {"id", FieldType::kString, kEqInSw},
    {"name", FieldType::kString, kEqInSw},
    {"memberships.identityId", FieldType::kString, kEqIn}};
constexpr std::string_view kGovernanceGroupSorters[] = {"name", "created", "modified", "id",
                                                        "description"};

const EndpointSpec kSpecs[] = {
    {kIdentityFilters, kIdentitySorters, true},
    {kAccountFilters, kAccountSorters, true},
    {kTaskStatusFilters, kTaskStatusSorters, true},
    {{}, {}, false},  // pending-tasks: no collection parameters at all
    {kCertificationFilters, kCertificationSorters, true},
    {kReviewerFilters, kReviewerSorters, true},
    {kReviewItemFilters, kReviewItemSorters, true},
    {kCertificationTaskFilters, {}, true},
    // The DAS lists take limit, offset and count like every collection.
    {kDasApplicationFilters, {}, true},
    {kDasTaskFilters, {}, true},
    {kDasScheduleFilters, {}, true},
    {kCollectorFilters, {}, true},
    // Owners per application: limit and offset are "Not applicable for this endpoint. Do not
    // use." The whole list comes back whatever they say.
    {{}, {}, false},
    {kAllTaskStatusFilters, kTaskStatusSorters, true},
    {kSourceFilters, kSourceSorters, true},
    {kEntitlementFilters, kEntitlementSorters, true},
    {kAccessProfileFilters, kNameCreatedModified, true},
    // "Note that for this API the maximum value for limit is 50."
    {.filters = kRoleFilters, .sorters = kNameCreatedModified, .paged = true, .max_limit = 50},
    {kIdentityProfileFilters, kIdentityProfileSorters, true},
    {{}, kLifecycleStateSorters, true},
    {kGovernanceGroupFilters, kGovernanceGroupSorters, true},
    {.filters = {}, .sorters = kNameCreatedModified, .paged = true, .max_limit = 50},
};

Reply Error(int status, std::string_view message) {
  return {status,
          ErrorResponse(status == 404 ? "404 Not found" : "400.1 Bad Request Content", message)};
}

std::string IdObject(const std::string& id) {
  std::string out;
  base::JsonWriter(out).BeginObject().Field("id", id).EndObject();
  return out;
}

bool Live(const Tenant::State& s, Kind kind, uint32_t i) {
  switch (kind) {
    case Kind::kIdentities:
      return !s.identities[i].deleted;
    case Kind::kAccounts:
      return !s.accounts[i].deleted;
    case Kind::kTaskStatuses:  // beta: completed tasks only
      return !s.task_statuses[i].deleted && s.task_statuses[i].completion >= 0 &&
             s.task_statuses[i].created >= s.Now() - kTaskStatusWindowMs;
    case Kind::kAllTaskStatuses:
      return !s.task_statuses[i].deleted &&
             s.task_statuses[i].created >= s.Now() - kTaskStatusWindowMs;
    case Kind::kPendingTasks:
      return !s.task_statuses[i].deleted && s.task_statuses[i].completion < 0 &&
             s.task_statuses[i].created >= s.Now() - kTaskStatusWindowMs;
    case Kind::kDasOwners:
      return !s.ownerships[i].deleted;
    default:
      return !IsAccessModel(kind) || AccessModelLive(s, kind, i);
  }
}

size_t Slots(const Tenant::State& s, Kind kind) {
  switch (kind) {
    case Kind::kIdentities:
      return s.identities.size();
    case Kind::kAccounts:
      return s.accounts.size();
    case Kind::kTaskStatuses:
    case Kind::kPendingTasks:
    case Kind::kAllTaskStatuses:
      return s.task_statuses.size();
    case Kind::kCertifications:
      return s.certifications.size();
    case Kind::kCertificationTasks:
      return s.certification_tasks.size();
    case Kind::kDasApplications:
      return s.das_applications.size();
    case Kind::kDasTasks:
      return s.das_tasks.size();
    case Kind::kDasSchedules:
      return s.das_schedules.size();
    case Kind::kIdentityCollectors:
      return s.collectors.size();
    default:
      return AccessModelSlots(s, kind);
  }
}

// Live objects of a kind (within a scope) in id order, the order ISC pages in by default.
std::vector<uint32_t> Ordered(const Tenant::State& s, Kind kind, uint32_t scope) {
  std::vector<uint32_t> order;
  if (kind == Kind::kReviewers) {
    order.push_back(s.certifications[scope].reviewer);
  } else if (kind == Kind::kReviewItems) {
    order = s.certifications[scope].items;
  } else if (kind == Kind::kLifecycleStates || kind == Kind::kGovernanceGroupMembers) {
    order = AccessModelChildren(s, kind, scope);
  } else if (kind == Kind::kDasOwners) {
    for (uint32_t r : s.das_applications[scope].resources) {
      for (uint32_t o = 0; o < s.ownerships.size(); ++o) {
        if (s.ownerships[o].resource == r && !s.ownerships[o].deleted) order.push_back(o);
      }
    }
  } else {
    size_t n = Slots(s, kind);
    order.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      if (Live(s, kind, i)) order.push_back(i);
    }
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return OrderKeyOf(s, kind, a) < OrderKeyOf(s, kind, b);
  });
  return order;
}

std::optional<uint32_t> FindAccount(const Tenant::State& s, std::string_view text) {
  auto id = ParseId(text);
  if (!id) return std::nullopt;
  auto it = s.account_index.find(*id);
  if (it == s.account_index.end() || s.accounts[it->second].deleted) return std::nullopt;
  return it->second;
}

template <typename T, typename Pred>
std::optional<uint32_t> FindIf(const std::vector<T>& items, Pred pred) {
  for (uint32_t i = 0; i < items.size(); ++i) {
    if (pred(items[i])) return i;
  }
  return std::nullopt;
}

uint32_t InternName(std::vector<std::string>& names, std::string_view name) {
  for (uint32_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  names.emplace_back(name);
  return static_cast<uint32_t>(names.size() - 1);
}

void GenerateIdentities(Tenant::State& s) {
  const TenantOptions& o = s.options;
  s.departments = {"Engineering", "Sales",   "Marketing", "Finance",  "HR",       "Legal",
                   "Operations",  "Support", "IT",        "Security", "Research", "Facilities"};
  s.locations = {"Austin", "London", "Berlin", "Singapore", "Toronto", "Sydney", "Paris", "Tokyo"};
  s.lifecycle_states = {"active", "inactive", "terminated", "prehire"};
  s.last_refresh = o.now_ms - kDayMs / 2;

  s.identities.resize(o.identities);
  s.identity_index.reserve(o.identities);
  for (uint32_t i = 0; i < o.identities; ++i) {
    Identity& id = s.identities[i];
    id.id = MakeId(o.seed, kIdIdentity, i);
    id.serial = i;
    id.manager = i == 0 ? kNone : (i - 1) / 8;
    uint64_t h = s.H(kIdIdentity, i);
    id.department = static_cast<uint32_t>(h % s.departments.size());
    id.location = static_cast<uint32_t>((h >> 8) % s.locations.size());
    uint64_t roll = (h >> 16) % 1000;
    id.lifecycle = roll < 20 ? 2 : (roll < 30 ? 1 : (roll < 35 ? 3 : 0));
    if (i < 8) id.lifecycle = 0;  // the top of the tree stays active
    // A few have lost their authoritative account: ISC lists them only with defaultFilter=NONE.
    id.uncorrelated = i >= 8 && (h >> 32) % 1000 < o.uncorrelated_per_mille;
    id.created = o.now_ms - (400 + static_cast<int64_t>((h >> 24) % 1500)) * kDayMs;
    id.modified = id.created + static_cast<int64_t>((h >> 40) % 300) * kDayMs;
    s.identity_index.emplace(id.id, i);
  }
  s.next_serial = o.identities;
}

void GenerateAccounts(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint64_t n_accounts = uint64_t{o.identities} * o.accounts_per_identity;
  s.accounts.resize(n_accounts);
  s.account_index.reserve(n_accounts);
  s.accounts_of.assign(o.identities, {});
  for (uint32_t j = 0; j < n_accounts; ++j) {
    Account& a = s.accounts[j];
    uint32_t owner = j / o.accounts_per_identity;
    uint64_t h = s.H(kIdAccount, j);
    a.id = MakeId(o.seed, kIdAccount, j);
    a.identity = owner;
    a.serial = j;
    a.source =
        static_cast<uint16_t>((j % o.accounts_per_identity) % std::max<uint32_t>(1, o.sources));
    a.uncorrelated = h % 100 < 2;
    a.locked = (h >> 8) % 100 == 0;
    a.disabled = s.identities[owner].lifecycle == 2 && (h >> 16) % 10 != 0;  // a few linger
    a.created = s.identities[owner].created + static_cast<int64_t>(j % 30) * kDayMs;
    a.modified = a.created + static_cast<int64_t>((h >> 24) % 200) * kDayMs +
                 static_cast<int64_t>(h % 86'400'000);
    s.account_index.emplace(a.id, j);
    s.accounts_of[owner].push_back(j);
  }
}

void GenerateTaskStatuses(Tenant::State& s) {
  const TenantOptions& o = s.options;
  s.task_statuses.resize(o.task_statuses + o.pending_tasks);
  for (uint32_t t = 0; t < s.task_statuses.size(); ++t) {
    TaskStatus& ts = s.task_statuses[t];
    uint64_t h = s.H(kIdTaskStatus, t);
    ts.id = MakeId(o.seed, kIdTaskStatus, t);
    ts.definition = static_cast<uint32_t>(h % 5);
    ts.source = static_cast<uint32_t>((h >> 8) % std::max<uint32_t>(1, o.sources));
    bool pending = t >= o.task_statuses;
    // Completed tasks spread over 100 days, so some are past ISC's 90-day window already.
    int64_t age = pending ? static_cast<int64_t>((h >> 16) % 3'600'000)
                          : static_cast<int64_t>((h >> 16) % (100 * kDayMs));
    ts.created = o.now_ms - age - 60'000;
    ts.launched = ts.created + 1000;
    if (pending) {
      ts.percent = static_cast<int>((h >> 40) % 90);
      ts.modified = ts.launched;
    } else {
      uint64_t roll = (h >> 40) % 100;
      ts.completion = roll < 8 ? 2 : (roll < 13 ? 1 : 0);
      ts.completed = ts.launched + static_cast<int64_t>((h >> 48) % 600'000) + 1000;
      ts.modified = ts.completed;
      ts.percent = 100;
    }
  }
}

void GenerateCertifications(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint32_t managers = std::max<uint32_t>(1, o.identities / 8);
  s.certifications.resize(o.certifications);
  for (uint32_t c = 0; c < o.certifications; ++c) {
    Certification& cert = s.certifications[c];
    uint64_t h = s.H(kIdCertification, c);
    cert.id = MakeId(o.seed, kIdCertification, c);
    cert.campaign = c % 4;
    cert.reviewer = static_cast<uint32_t>(h % managers);
    cert.signed_off = (h >> 8) % 4 == 0;
    // The first few after the first are reviewed by a governance group, and open.
    cert.governance_group = c >= 1 && c <= o.governance_group_certifications;
    if (cert.governance_group) cert.signed_off = false;
    cert.created = o.now_ms - static_cast<int64_t>(10 + (h >> 16) % 20) * kDayMs;
    cert.modified = cert.created + kDayMs;
    cert.due = cert.created + 30 * kDayMs;
    if (cert.signed_off) cert.signed_at = cert.created + 5 * kDayMs;
    for (uint32_t k = 0; k < o.items_per_certification; ++k) {
      ReviewItem item;
      uint32_t index = static_cast<uint32_t>(s.review_items.size());
      uint64_t hi = s.H(kIdReviewItem, index);
      item.id = MakeId(o.seed, kIdReviewItem, index);
      item.certification = c;
      uint32_t first_report = cert.reviewer * 8 + 1;
      item.identity = first_report + (k % 8) < o.identities
                          ? first_report + (k % 8)
                          : static_cast<uint32_t>(hi % o.identities);
      item.entitlement = static_cast<uint32_t>((hi >> 8) % std::max<uint32_t>(1, o.entitlements));
      item.decision = cert.signed_off ? 0 : ((hi >> 16) % 10 < 3 ? 0 : -1);
      cert.items.push_back(index);
      s.review_items.push_back(item);
    }
  }
  for (uint32_t t = 0; t < o.certification_tasks && !s.certifications.empty(); ++t) {
    CertificationTask task;
    task.id = MakeId(o.seed, kIdCertificationTask, t);
    task.certification = t % o.certifications;
    task.created = o.now_ms - static_cast<int64_t>(t + 1) * kDayMs;
    s.certification_tasks.push_back(task);
  }
}

// DAS applications with their resources and owners, schedules, tasks; identity collectors.
void GenerateDas(Tenant::State& s) {
  const TenantOptions& o = s.options;
  uint32_t managers = std::max<uint32_t>(1, o.identities / 8);
  for (uint32_t a = 0; a < o.das_applications; ++a) {
    DasApplication app;
    app.id = 1001 + a;
    app.serial = a;
    uint32_t resources = a == 0
                             ? std::max(o.resources_per_application, o.large_application_resources)
                             : o.resources_per_application;
    for (uint32_t r = 0; r < resources; ++r) {
      DasResource res;
      res.id = app.id * 100'000 + r + 1;
      res.application = a;
      res.path =
          fmt::format("\\\\fs{:02d}.example.com\\share\\dept{}\\folder{:03d}", a + 1, r % 12, r);
      uint32_t index = static_cast<uint32_t>(s.das_resources.size());
      app.resources.push_back(index);
      s.das_resources.push_back(res);
      uint64_t h = s.H(95, index);
      if (h % 20 == 0 || o.identities == 0) continue;  // a few resources have no owner
      s.ownerships.push_back({index, static_cast<uint32_t>((h >> 8) % managers), false});
      if ((h >> 16) % 10 == 0) {
        s.ownerships.push_back({index, static_cast<uint32_t>((h >> 24) % o.identities), false});
      }
    }
    s.das_applications.push_back(std::move(app));
  }
  for (uint32_t d = 0; d < o.das_schedules; ++d) {
    DasSchedule sch;
    sch.id = 9001 + d;
    sch.type = d % 5;
    sch.application = d;
    sch.interval = 1;
    sch.start = o.now_ms / 1000 - 90 * 86'400;
    sch.last_run = o.now_ms / 1000 - 20 * 3600;
    sch.next_run = sch.last_run + 86'400;
    s.das_schedules.push_back(sch);
  }
  for (uint32_t t = 0; t < o.das_tasks; ++t) {
    DasTask task;
    uint64_t h = s.H(96, t);
    task.id = 5001 + t;
    task.type = t % 5;
    task.application = o.das_applications == 0 ? 0 : t % o.das_applications;
    uint64_t roll = (h >> 8) % 100;
    task.status = roll < 10 ? "Failed" : (roll < 15 ? "Running" : "Finished");
    task.start = o.now_ms / 1000 - static_cast<int64_t>(t + 1) * 7200;
    task.end = task.status == "Running" ? 0 : task.start + 1800;
    task.progress = task.status == "Running" ? 40 : 100;
    task.schedule = o.das_schedules == 0 ? 0 : 9001 + t % o.das_schedules;
    s.das_tasks.push_back(task);
  }
  for (uint32_t c = 0; c < o.identity_collectors; ++c) {
    s.collectors.push_back(
        {MakeId(o.seed, kIdCollector, c), c, 1 % std::max<uint32_t>(1, o.sources)});
  }
}

void Generate(Tenant::State& s) {
  GenerateIdentities(s);
  GenerateAccounts(s);
  GenerateTaskStatuses(s);
  GenerateCertifications(s);
  GenerateDas(s);
  GenerateAccessModel(s);
}

}  // namespace

std::optional<uint32_t> FindIdentity(const Tenant::State& s, std::string_view text) {
  auto id = ParseId(text);
  if (!id) return std::nullopt;
  auto it = s.identity_index.find(*id);
  if (it == s.identity_index.end() || s.identities[it->second].deleted) return std::nullopt;
  return it->second;
}

const EndpointSpec& SpecFor(Kind kind) {
  return kSpecs[static_cast<int>(kind)];
}

std::string ErrorResponse(std::string_view detail_code, std::string_view text) {
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("detailCode", detail_code)
      .Field("trackingId", "0123456789abcdef0123456789abcdef")
      .Key("messages")
      .BeginArray()
      .BeginObject()
      .Field("locale", "en-US")
      .Field("localeOrigin", "DEFAULT")
      .Field("text", text)
      .EndObject()
      .EndArray()
      .Key("causes")
      .BeginArray()
      .EndArray()
      .EndObject();
  return out;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

namespace {
constexpr std::array<std::string_view, 5> kCompletionStatuses = {"SUCCESS", "WARNING", "ERROR",
                                                                 "TERMINATED", "TEMPERROR"};
}  // namespace

int CompletionStatusIndex(std::string_view name) {
  auto it = std::find(kCompletionStatuses.begin(), kCompletionStatuses.end(), name);
  return it == kCompletionStatuses.end() ? -1 : static_cast<int>(it - kCompletionStatuses.begin());
}

std::string_view CompletionStatusName(int index) {
  return kCompletionStatuses.at(index);
}

Tenant::Tenant(const TenantOptions& options) : state_(std::make_unique<State>()) {
  state_->options = options;
  if (state_->options.now_ms == 0) {
    state_->options.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  }
  Generate(*state_);
}

Tenant::~Tenant() = default;

int64_t Tenant::Now() const {
  return state_->Now();
}

namespace {

// The rows a list query selects, in its order. Large collections keep their ordered results
// until the data changes: a full scan of a million accounts then costs one sort, not one per
// page.
std::shared_ptr<const std::vector<uint32_t>> OrderedRows(const Tenant::State& s, const ListQuery& q,
                                                         uint32_t scope,
                                                         const std::optional<Filter>& filter,
                                                         const std::vector<SortKey>& sorters) {
  bool cacheable =
      q.kind == Kind::kIdentities || q.kind == Kind::kAccounts || q.kind == Kind::kEntitlements;
  std::string cache_key =
      fmt::format("{}|{}|{}|{}|{}", static_cast<int>(q.kind), scope, q.filters.value_or(""),
                  q.sorters.value_or(""), q.correlated_only);
  std::shared_ptr<const std::vector<uint32_t>> ordered;
  if (cacheable) {
    std::lock_guard cache_lock(s.cache_mutex);
    auto it = s.query_cache.find(cache_key);
    if (it != s.query_cache.end() && it->second.generation == s.generation)
      ordered = it->second.order;
  }
  if (!ordered) {
    auto rows = Ordered(s, q.kind, scope);
    if (q.correlated_only) {
      std::erase_if(rows, [&](uint32_t i) { return s.identities[i].uncorrelated; });
    }
    if (filter) {
      std::vector<uint32_t> kept;
      for (uint32_t i : rows) {
        if (Matches(*filter, [&](std::string_view f) { return FieldOf(s, q.kind, i, f); })) {
          kept.push_back(i);
        }
      }
      rows = std::move(kept);
    }
    if (!sorters.empty()) {
      // Id order underneath makes equal keys come out in a stable, repeatable order.
      std::stable_sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
        for (const auto& key : sorters) {
          int c = CompareValues(FieldOf(s, q.kind, a, key.field), FieldOf(s, q.kind, b, key.field));
          if (c != 0) return key.descending ? c > 0 : c < 0;
        }
        return false;
      });
    }
    ordered = std::make_shared<const std::vector<uint32_t>>(std::move(rows));
    if (cacheable) {
      std::lock_guard cache_lock(s.cache_mutex);
      if (s.query_cache.size() > 16) s.query_cache.clear();
      s.query_cache[cache_key] = {s.generation, ordered};
    }
  }
  return ordered;
}

}  // namespace

ListResult Tenant::List(const ListQuery& q) const {
  std::shared_lock lock(mutex_);
  const State& s = *state_;
  const EndpointSpec& spec = SpecFor(q.kind);
  ListResult result;
  auto fail = [&](int status, std::string message) {
    result.status = status;
    result.error = std::move(message);
    return result;
  };
  std::optional<Filter> filter;
  if (q.filters && !q.filters->empty()) {
    auto parsed = ParseFilter(*q.filters, spec);
    if (!parsed) return fail(400, parsed.error());
    filter = std::move(parsed).value();
  }
  std::vector<SortKey> sorters;
  if (q.sorters && !q.sorters->empty()) {
    auto parsed = ParseSorters(*q.sorters, spec);
    if (!parsed) return fail(400, parsed.error());
    sorters = std::move(parsed).value();
  }
  uint32_t scope = 0;
  if (q.kind == Kind::kReviewers || q.kind == Kind::kReviewItems) {
    auto id = ParseId(q.scope);
    auto found = id ? FindIf(s.certifications, [&](const Certification& c) { return c.id == *id; })
                    : std::nullopt;
    if (!found) return fail(404, fmt::format("certification {} was not found", q.scope));
    scope = *found;
    // The definition: "This API does not support requests for certifications assigned to
    // Governance Groups."
    if (q.kind == Kind::kReviewItems && s.certifications[scope].governance_group) {
      return fail(400, fmt::format("certification {} is assigned to a governance group: access "
                                   "review items are not supported for it",
                                   q.scope));
    }
  } else if (q.kind == Kind::kLifecycleStates || q.kind == Kind::kGovernanceGroupMembers) {
    auto found = FindAccessModelParent(s, q.kind, q.scope);
    if (!found) {
      return fail(404, fmt::format("{} {} was not found",
                                   q.kind == Kind::kLifecycleStates ? "identity profile"
                                                                    : "governance group",
                                   q.scope));
    }
    scope = *found;
  } else if (q.kind == Kind::kDasOwners) {
    int64_t app_id = std::atoll(q.scope.c_str());
    auto found =
        FindIf(s.das_applications, [&](const DasApplication& a) { return a.id == app_id; });
    if (!found) return fail(404, fmt::format("application {} was not found", q.scope));
    scope = *found;
  }

  auto ordered = OrderedRows(s, q, scope, filter, sorters);
  const std::vector<uint32_t>& rows = *ordered;

  result.total = static_cast<int64_t>(rows.size());
  size_t begin = 0;
  size_t end = rows.size();
  if (spec.paged) {
    const PageRequest& page = q.page;
    // ISC's quirk: the offset just past the end of a collection whose size is an
    // exact multiple of the page size is refused.
    if (page.offset > 0 && page.offset == result.total && page.limit > 0 &&
        result.total % page.limit == 0) {
      return fail(400, "Specified offset is invalid");
    }
    begin = std::min<size_t>(rows.size(), static_cast<size_t>(page.offset));
    end = std::min<size_t>(rows.size(), begin + static_cast<size_t>(page.limit));
  }
  result.body.reserve((end - begin) * 900 + 2);
  base::JsonWriter w(result.body);
  w.BeginArray();
  for (size_t k = begin; k < end; ++k) Render(s, q.kind, rows[k], w);
  w.EndArray();
  return result;
}

ListResult Tenant::Search(const SearchRequest& request) const {
  std::shared_lock lock(mutex_);
  return SearchIdentities(*state_, request);
}

std::optional<std::string> Tenant::Get(Kind kind, std::string_view id) const {
  std::shared_lock lock(mutex_);
  const State& s = *state_;
  std::optional<uint32_t> index;
  switch (kind) {
    case Kind::kIdentities:
      index = FindIdentity(s, id);
      break;
    case Kind::kAccounts:
      index = FindAccount(s, id);
      break;
    case Kind::kTaskStatuses:
    case Kind::kAllTaskStatuses: {
      auto parsed = ParseId(id);
      if (parsed) {
        index = FindIf(s.task_statuses, [&](const TaskStatus& t) { return t.id == *parsed; });
      }
      // A single task is found whether it is complete or not.
      if (index && !Live(s, Kind::kAllTaskStatuses, *index)) index.reset();
      break;
    }
    case Kind::kCertifications: {
      auto parsed = ParseId(id);
      if (parsed) {
        index = FindIf(s.certifications, [&](const Certification& c) { return c.id == *parsed; });
      }
      break;
    }
    default:
      return std::nullopt;
  }
  if (!index) return std::nullopt;
  std::string out;
  base::JsonWriter w(out);
  Render(s, kind, *index, w);
  return out;
}

// ---- actions -------------------------------------------------------------------------------

Reply Tenant::DasResourcesOf(std::string_view owner) const {
  std::shared_lock lock(mutex_);
  const State& s = *state_;
  auto who = FindIdentity(s, owner);
  if (!who) return Error(404, fmt::format("owner identity {} was not found", owner));
  std::vector<uint32_t> resources;
  for (const auto& o : s.ownerships) {
    if (!o.deleted && o.identity == *who) resources.push_back(o.resource);
  }
  std::sort(resources.begin(), resources.end());
  resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  for (uint32_t r : resources) {
    const DasResource& res = s.das_resources[r];
    w.BeginObject()
        .Field("id", res.id)
        .Field("applicationId", s.das_applications[res.application].id)
        .Field("fullPath", res.path)
        .Field("name", res.path.substr(res.path.rfind('/') + 1))
        .Key("owners")
        .BeginArray();
    for (const auto& o : s.ownerships) {
      if (!o.deleted && o.resource == r) w.String(Uuid(s.identities[o.identity].id));
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  return {200, std::move(out)};
}

Reply Tenant::DasReassign(std::string_view from, std::string_view to) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto src = FindIdentity(s, from);
  auto dst = FindIdentity(s, to);
  if (!src) return Error(404, fmt::format("owner identity {} was not found", from));
  if (!dst) return Error(404, fmt::format("destination identity {} was not found", to));
  int64_t moved = 0;
  for (auto& o : s.ownerships) {
    if (o.deleted || o.identity != *src) continue;
    bool already = std::any_of(s.ownerships.begin(), s.ownerships.end(), [&](const Ownership& x) {
      return !x.deleted && x.resource == o.resource && x.identity == *dst;
    });
    if (already) {
      o.deleted = true;
    } else {
      o.identity = *dst;
    }
    ++moved;
  }
  ++s.generation;
  return {200, std::to_string(moved)};
}

Reply Tenant::DasAssign(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return Error(400, "the body is not valid JSON");
  int64_t app_id = 0;
  std::string_view path, identity;
  if (doc["appId"].get(app_id) || doc["fullPath"].get(path) || doc["identityId"].get(identity)) {
    return Error(400, "appId, fullPath and identityId are required");
  }
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto who = FindIdentity(s, identity);
  if (!who) return Error(404, fmt::format("identity {} was not found", identity));
  auto app = FindIf(s.das_applications, [&](const DasApplication& a) { return a.id == app_id; });
  if (!app) return Error(404, fmt::format("application {} was not found", app_id));
  for (uint32_t r : s.das_applications[*app].resources) {
    if (s.das_resources[r].path != path) continue;
    bool exists = std::any_of(s.ownerships.begin(), s.ownerships.end(), [&](const Ownership& o) {
      return !o.deleted && o.resource == r && o.identity == *who;
    });
    if (!exists) s.ownerships.push_back({r, *who, false});
    ++s.generation;
    return {200, "1"};
  }
  // The definition: "1 - success, otherwise failure", with status 200 either way.
  return {200, "0"};
}

Reply Tenant::DasReelect(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return Error(400, "the body is not valid JSON");
  std::string_view owner;
  if (doc["ownerId"].get(owner)) return Error(400, "ownerId is required");
  std::shared_lock lock(mutex_);
  auto who = FindIdentity(*state_, owner);
  if (!who) return Error(404, fmt::format("owner {} was not found", owner));
  // "The number of elections CREATED": one per resource the owner holds.
  int64_t elections =
      std::count_if(state_->ownerships.begin(), state_->ownerships.end(),
                    [&](const Ownership& o) { return !o.deleted && o.identity == *who; });
  return {200, std::to_string(elections)};
}

Reply Tenant::DasTaskRerun(std::string_view id) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  int64_t task_id = std::atoll(std::string(id).c_str());
  auto found = FindIf(s.das_tasks, [&](const DasTask& t) { return t.id == task_id; });
  if (!found) return Error(404, fmt::format("task {} was not found", id));
  DasTask rerun = s.das_tasks[*found];
  rerun.id = s.das_tasks.back().id + 1;
  rerun.status = "Pending";
  rerun.start = s.Now() / 1000;
  rerun.end = 0;
  rerun.progress = 0;
  s.das_tasks.push_back(rerun);
  ++s.generation;
  return {204, ""};
}

Reply Tenant::DasTaskCancel(std::string_view id) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  int64_t task_id = std::atoll(std::string(id).c_str());
  auto found = FindIf(s.das_tasks, [&](const DasTask& t) { return t.id == task_id; });
  if (!found) return Error(404, fmt::format("task {} was not found", id));
  DasTask& t = s.das_tasks[*found];
  if (t.status == "Running" || t.status == "Pending") {
    t.status = "Cancelled";
    t.end = s.Now() / 1000;
    ++s.generation;
  }
  return {204, ""};
}

Reply Tenant::CertificationReassign(std::string_view certification_id, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return Error(400, "the body is not valid JSON");
  simdjson::dom::array reassign;
  std::string_view to, reason;
  if (doc["reassign"].get(reassign) || doc["reassignTo"].get(to) || doc["reason"].get(reason)) {
    return Error(400, "reassign, reassignTo and reason are required");
  }
  if (reassign.size() == 0) return Error(400, "reassign must name at least one item");
  if (reassign.size() > 500) return Error(400, "at most 500 items can be reassigned in one call");
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto cert_id = ParseId(certification_id);
  auto cert =
      cert_id ? FindIf(s.certifications, [&](const Certification& c) { return c.id == *cert_id; })
              : std::nullopt;
  if (!cert) return Error(404, fmt::format("certification {} was not found", certification_id));
  auto target = FindIdentity(s, to);
  if (!target) return Error(400, fmt::format("reassignTo {} is not a known identity", to));
  if (s.certifications[*cert].signed_off) return Error(400, "the certification is already signed");

  std::vector<uint32_t> moving;
  for (auto entry : reassign) {
    std::string_view id, type;
    if (entry["id"].get(id) || entry["type"].get(type))
      return Error(400, "each item needs id and type");
    auto parsed = ParseId(id);
    bool matched = false;
    for (uint32_t item : s.certifications[*cert].items) {
      const ReviewItem& ri = s.review_items[item];
      bool hit = false;
      if (type == "ITEM") {
        hit = parsed && ri.id == *parsed;
      } else if (type == "IDENTITY_SUMMARY" || type == "TARGET_SUMMARY") {
        hit = parsed && ReviewSummaryId(s, ri) == *parsed;
      } else {
        return Error(400, fmt::format("unknown reassign type '{}'", type));
      }
      if (hit && std::find(moving.begin(), moving.end(), item) == moving.end()) {
        moving.push_back(item);
        matched = true;
      }
    }
    if (!matched)
      return Error(
          400, fmt::format("{} {} is not part of certification {}", type, id, certification_id));
  }

  Certification& source = s.certifications[*cert];
  uint32_t destination = *cert;
  if (moving.size() == source.items.size()) {
    // Everything moves: the certification itself changes hands.
    source.reviewer = *target;
    source.reassign_comment = std::string(reason);
  } else {
    Certification fresh = source;
    fresh.id = MakeId(s.options.seed, kIdCertification, 1'000'000 + s.certifications.size());
    fresh.reviewer = *target;
    fresh.items.clear();
    fresh.reassigned_from = *cert;
    fresh.reassign_comment = std::string(reason);
    fresh.created = s.Now();
    destination = static_cast<uint32_t>(s.certifications.size());
    s.certifications.push_back(fresh);
  }
  Certification& src = s.certifications[*cert];
  Certification& dst = s.certifications[destination];
  if (destination != *cert) {
    for (uint32_t item : moving) {
      src.items.erase(std::find(src.items.begin(), src.items.end(), item));
      dst.items.push_back(item);
      s.review_items[item].certification = destination;
    }
  }
  src.modified = dst.modified = s.Now();
  CertificationTask task;
  task.id = MakeId(s.options.seed, kIdCertificationTask, 1'000'000 + s.certification_tasks.size());
  task.certification = *cert;
  task.created = s.Now();
  s.certification_tasks.push_back(task);
  ++s.generation;

  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("id", Hex32(task.id))
      .Field("type", "REASSIGN")
      .Field("targetType", "CERTIFICATION")
      .Field("targetId", Hex32(s.certifications[*cert].id))
      .Field("status", "QUEUED")
      .Key("errors")
      .BeginArray()
      .EndArray()
      .Field("created", FormatTimestamp(task.created))
      .EndObject();
  return {200, out};
}

namespace {
void SetDisabled(Tenant::State& s, uint32_t account, bool disabled) {
  Account& a = s.accounts[account];
  if (a.disabled == disabled) return;
  a.disabled = disabled;
  a.modified = s.Now();
}
}  // namespace

Reply Tenant::IdentitiesAccountsToggle(std::string_view body, bool disable) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array ids;
  if (parser.parse(body.data(), body.size()).get(doc) || doc["identityIds"].get(ids)) {
    return Error(400, "identityIds is required");
  }
  std::unique_lock lock(mutex_);
  State& s = *state_;
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  for (auto element : ids) {
    std::string_view id;
    if (element.get(id)) return Error(400, "identityIds must be strings");
    auto who = FindIdentity(s, id);
    w.BeginObject().Field("id", id);
    if (!who) {
      w.Field("statusCode", 404)
          .Field("message", fmt::format("Referenced identity \"{}\" was not found.", id));
    } else {
      // The identity's ISC (IDN) login account, not its accounts on sources.
      s.identities[*who].login_disabled = disable;
      w.Field("statusCode", 202);  // no message on success (the schema has no null for it)
    }
    w.EndObject();
  }
  w.EndArray();
  ++s.generation;
  return {207, out};
}

Reply Tenant::IdentityAccountsToggle(std::string_view identity_id, bool disable) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto who = FindIdentity(s, identity_id);
  if (!who) return Error(404, fmt::format("identity {} was not found", identity_id));
  s.identities[*who].login_disabled = disable;  // the ISC login, as the bulk call
  ++s.generation;
  return {202, IdObject(Hex32(MakeId(s.options.seed, 97, s.generation)))};
}

Reply Tenant::AccountToggle(std::string_view account_id, bool disable) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto account = FindAccount(s, account_id);
  if (!account) return Error(404, fmt::format("account {} was not found", account_id));
  SetDisabled(s, *account, disable);
  ++s.generation;
  return {202, IdObject(Hex32(MakeId(s.options.seed, 97, s.generation)))};
}

Reply Tenant::AccountUnlock(std::string_view account_id) {
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto account = FindAccount(s, account_id);
  if (!account) return Error(404, fmt::format("account {} was not found", account_id));
  if (s.accounts[*account].locked) {
    s.accounts[*account].locked = false;
    s.accounts[*account].modified = s.Now();
  }
  ++s.generation;
  return {202, IdObject(Hex32(MakeId(s.options.seed, 97, s.generation)))};
}

Reply Tenant::AccountReload(std::string_view account_id) {
  std::shared_lock lock(mutex_);
  const State& s = *state_;
  auto account = FindAccount(s, account_id);
  if (!account) return Error(404, fmt::format("account {} was not found", account_id));
  return {202, IdObject(Hex32(MakeId(s.options.seed, 98, *account)))};
}

Reply Tenant::TaskStatusPatch(std::string_view id, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array ops;
  if (parser.parse(body.data(), body.size()).get(doc) || doc.get(ops)) {
    return Error(400, "the body must be a JSON Patch array");
  }
  std::unique_lock lock(mutex_);
  State& s = *state_;
  auto parsed = ParseId(id);
  auto index = parsed
                   ? FindIf(s.task_statuses, [&](const TaskStatus& t) { return t.id == *parsed; })
                   : std::nullopt;
  if (!index || !Live(s, Kind::kAllTaskStatuses, *index)) {
    return Error(404, fmt::format("task status {} was not found", id));
  }
  TaskStatus updated = s.task_statuses[*index];
  for (auto op : ops) {
    std::string_view name, path;
    if (op["op"].get(name) || op["path"].get(path))
      return Error(400, "each operation needs op and path");
    if (name != "replace" && name != "add") {
      return Error(400, fmt::format("operation {} is not supported on task status", name));
    }
    auto value = op["value"];
    if (path == "/completionStatus") {
      std::string_view v;
      if (value.get(v)) return Error(400, "completionStatus must be a string");
      int index = CompletionStatusIndex(v);
      if (index < 0) return Error(400, fmt::format("unknown completionStatus {}", v));
      updated.completion = index;
    } else if (path == "/completed") {
      std::string_view v;
      auto ms = value.get(v) ? std::nullopt : ParseTimestamp(v);
      if (!ms) return Error(400, "completed must be a timestamp");
      updated.completed = *ms;
    } else if (path == "/percentComplete") {
      int64_t v = 0;
      if (value.get(v)) return Error(400, "percentComplete must be a number");
      updated.percent = static_cast<int>(v);
    } else if (path == "/progress") {
      // Accepted; the simulator derives progress from completion.
    } else {
      return Error(400, fmt::format("path {} cannot be patched", path));
    }
  }
  if (updated.completion >= 0 && updated.completed == 0) updated.completed = s.Now();
  updated.modified = s.Now();
  s.task_statuses[*index] = updated;
  ++s.generation;
  std::string out;
  base::JsonWriter w(out);
  Render(s, Kind::kAllTaskStatuses, *index, w);
  return {200, out};
}

// ---- control API ---------------------------------------------------------------------------

void Tenant::ScheduleShift(Kind kind, int after_requests, int count) {
  std::unique_lock lock(mutex_);
  state_->shifts.push_back({kind, after_requests, count});
}

void Tenant::NoteListRequest(Kind kind) {
  {
    std::shared_lock lock(mutex_);
    if (state_->shifts.empty()) return;
  }
  std::unique_lock lock(mutex_);
  State& s = *state_;
  for (auto it = s.shifts.begin(); it != s.shifts.end();) {
    if (it->kind != kind || it->after_requests-- > 0) {
      ++it;
      continue;
    }
    // New objects with the smallest ids: everything after them moves one place down.
    for (int k = 0; k < it->count; ++k) {
      if (kind == Kind::kAccounts && !s.identities.empty()) {
        Account a;
        a.id = {0, static_cast<uint64_t>(s.accounts.size())};
        a.identity = static_cast<uint32_t>(k % s.identities.size());
        a.serial = static_cast<uint32_t>(s.accounts.size());
        a.created = a.modified = s.Now();
        s.account_index.emplace(a.id, a.serial);
        s.accounts_of[a.identity].push_back(a.serial);
        s.accounts.push_back(a);
      } else if (kind == Kind::kIdentities) {
        Identity id;
        id.id = {0, static_cast<uint64_t>(s.identities.size())};
        id.serial = s.next_serial++;
        id.manager = 0;
        id.created = id.modified = s.Now();
        s.identity_index.emplace(id.id, static_cast<uint32_t>(s.identities.size()));
        s.identities.push_back(id);
        s.accounts_of.emplace_back();
      }
    }
    ++s.generation;
    it = s.shifts.erase(it);
  }
}

namespace {

using Parts = std::vector<std::string_view>;

// A control request changed the tenant: every list reflects it.
Reply Changed(Tenant::State& s, std::string body = "{}") {
  ++s.generation;
  return Reply{200, std::move(body)};
}

Reply CreateIdentity(Tenant::State& s, simdjson::dom::element doc) {
  Identity id;
  uint32_t index = static_cast<uint32_t>(s.identities.size());
  id.id = MakeId(s.options.seed, kIdIdentity, 10'000'000 + index);
  id.serial = s.next_serial++;
  id.manager = 0;
  std::string_view manager;
  if (!doc["managerId"].get(manager)) {
    auto m = FindIdentity(s, manager);
    if (!m) return Error(404, "managerId is not a known identity");
    id.manager = *m;
  }
  std::string_view department;
  if (!doc["department"].get(department)) id.department = InternName(s.departments, department);
  id.created = id.modified = s.Now();
  s.identity_index.emplace(id.id, index);
  s.identities.push_back(id);
  s.accounts_of.emplace_back();
  return Changed(s, IdObject(Hex32(id.id)));
}

Reply ControlIdentities(Tenant::State& s, const Parts& parts, std::string_view method,
                        simdjson::dom::element doc) {
  if (parts.size() == 2 && method == "POST") return CreateIdentity(s, doc);
  if (parts.size() < 3) return Error(404, "unknown control path");
  auto who = FindIdentity(s, parts[2]);
  if (!who) return Error(404, fmt::format("identity {} was not found", parts[2]));
  Identity& id = s.identities[*who];
  if (parts.size() == 3 && method == "DELETE") {
    id.deleted = true;
    for (uint32_t a : s.accounts_of[*who]) s.accounts[a].deleted = true;
    return Changed(s);
  }
  std::string_view op = parts.size() > 3 ? parts[3] : "";
  if (op == "lifecycle") {
    std::string_view state;
    if (doc["state"].get(state)) return Error(400, "state is required");
    id.lifecycle = InternName(s.lifecycle_states, state);
    id.modified = s.Now();
    // Accounts carry the identity's lifecycle state, so they change with it.
    for (uint32_t a : s.accounts_of[*who]) s.accounts[a].modified = s.Now();
    return Changed(s);
  }
  if (op == "correlation") {
    bool correlated = true;
    if (doc["correlated"].get(correlated)) return Error(400, "correlated is required");
    id.uncorrelated = !correlated;
    id.modified = s.Now();
    return Changed(s);
  }
  if (op == "login" && method == "GET") {
    std::string out;
    base::JsonWriter(out).BeginObject().Field("disabled", id.login_disabled).EndObject();
    return {200, out};
  }
  if (op == "manager") {
    std::string_view manager;
    if (doc["managerId"].is_null()) {
      id.manager = kNone;
    } else if (doc["managerId"].get(manager)) {
      return Error(400, "managerId is required (a string or null)");
    } else {
      auto m = FindIdentity(s, manager);
      if (!m) return Error(404, "managerId is not a known identity");
      id.manager = *m;
    }
    id.modified = s.Now();
    return Changed(s);
  }
  if (op == "raw") {
    // {"name": "created" or an attribute, "raw": JSON text sent as it is, even if invalid}
    std::string_view name, raw;
    if (doc["name"].get(name) || doc["raw"].get(raw))
      return Error(400, "name and raw are required");
    s.identity_raw[*who][std::string(name)] = std::string(raw);
    id.modified = s.Now();
    return Changed(s);
  }
  if (op == "attributes") {
    simdjson::dom::object attributes;
    if (doc.get(attributes)) return Error(400, "the body must be an object of attributes");
    for (auto [key, value] : attributes) {
      std::string_view text;
      if (key == "department" && !value.get(text)) {
        id.department = InternName(s.departments, text);
      } else if (key == "location" && !value.get(text)) {
        id.location = InternName(s.locations, text);
      } else {
        s.identity_extra[*who][std::string(key)] = simdjson::minify(value);
      }
    }
    id.modified = s.Now();
    return Changed(s);
  }
  return Error(404, "unknown identity control operation");
}

Reply ControlAccounts(Tenant::State& s, const Parts& parts, std::string_view method,
                      simdjson::dom::element doc) {
  if (parts.size() == 2 && method == "POST") {
    std::string_view owner;
    if (doc["identityId"].get(owner)) return Error(400, "identityId is required");
    auto who = FindIdentity(s, owner);
    if (!who) return Error(404, "identityId is not a known identity");
    Account a;
    a.serial = static_cast<uint32_t>(s.accounts.size());
    a.id = MakeId(s.options.seed, kIdAccount, 10'000'000 + a.serial);
    a.identity = *who;
    int64_t source = 0;
    if (!doc["source"].get(source)) a.source = static_cast<uint16_t>(source);
    a.created = a.modified = s.Now();
    s.account_index.emplace(a.id, a.serial);
    s.accounts_of[*who].push_back(a.serial);
    s.accounts.push_back(a);
    return Changed(s, IdObject(Hex32(a.id)));
  }
  if (parts.size() == 3 && parts[2] == "delete-many" && method == "POST") {
    int64_t count = 0;
    if (doc["count"].get(count) || count < 0) return Error(400, "count is required");
    auto order = Ordered(s, Kind::kAccounts, 0);
    for (int64_t k = 0; k < count && k < static_cast<int64_t>(order.size()); ++k) {
      s.accounts[order[k]].deleted = true;
    }
    return Changed(s);
  }
  if (parts.size() == 3 && parts[2] == "change-many" && method == "POST") {
    // `count` live accounts spread evenly over the id order get their lock flipped.
    int64_t count = 0;
    if (doc["count"].get(count) || count < 0) return Error(400, "count is required");
    auto order = Ordered(s, Kind::kAccounts, 0);
    if (count > static_cast<int64_t>(order.size())) count = static_cast<int64_t>(order.size());
    for (int64_t k = 0; k < count; ++k) {
      Account& a =
          s.accounts[order[static_cast<size_t>(k * static_cast<int64_t>(order.size()) / count)]];
      a.locked = !a.locked;
      a.modified = s.Now();
    }
    return Changed(s);
  }
  if (parts.size() < 3) return Error(404, "unknown control path");
  auto account = FindAccount(s, parts[2]);
  if (!account) return Error(404, fmt::format("account {} was not found", parts[2]));
  Account& a = s.accounts[*account];
  if (method == "DELETE") {
    a.deleted = true;
    return Changed(s);
  }
  simdjson::dom::object fields;
  if (!doc["fields"].get(fields)) {
    s.account_overrides[*account] = simdjson::minify(fields);
  }
  bool flag = false;
  if (!doc["disabled"].get(flag)) a.disabled = flag;
  if (!doc["locked"].get(flag)) a.locked = flag;
  if (!doc["uncorrelated"].get(flag)) a.uncorrelated = flag;
  a.modified = s.Now();
  return Changed(s);
}

Reply ControlTaskStatuses(Tenant::State& s, const Parts& parts, std::string_view method,
                          simdjson::dom::element doc) {
  if (parts.size() == 2 && method == "POST") {
    TaskStatus t;
    uint32_t index = static_cast<uint32_t>(s.task_statuses.size());
    t.id = MakeId(s.options.seed, kIdTaskStatus, 10'000'000 + index);
    t.created = s.Now();
    int64_t age_seconds = 0;
    if (!doc["ageSeconds"].get(age_seconds)) t.created -= age_seconds * 1000;
    t.launched = t.created + 1000;
    t.modified = t.launched;
    std::string_view status;
    if (!doc["completionStatus"].get(status)) {
      t.completion = CompletionStatusIndex(status);
      if (t.completion < 0) return Error(400, "unknown completionStatus");
      t.completed = t.modified = t.launched + 1000;
      t.percent = 100;
    }
    s.task_statuses.push_back(t);
    return Changed(s, IdObject(Hex32(t.id)));
  }
  if (parts.size() < 3) return Error(404, "unknown control path");
  auto parsed = ParseId(parts[2]);
  auto index = parsed
                   ? FindIf(s.task_statuses, [&](const TaskStatus& t) { return t.id == *parsed; })
                   : std::nullopt;
  if (!index) return Error(404, fmt::format("task status {} was not found", parts[2]));
  TaskStatus& t = s.task_statuses[*index];
  std::string_view status;
  if (doc["completionStatus"].is_null()) {
    t.completion = -1;
    t.completed = 0;
  } else if (!doc["completionStatus"].get(status)) {
    int index = CompletionStatusIndex(status);
    if (index < 0) return Error(400, "unknown completionStatus");
    t.completion = index;
    t.completed = s.Now();
  }
  t.modified = s.Now();
  return Changed(s);
}

// DAS tasks, schedules and applications; certifications; the clock and the refresh.
Reply ControlOthers(Tenant::State& s, const Parts& parts, std::string_view method,
                    simdjson::dom::element doc) {
  std::string_view what = parts[1];
  if (what == "das-tasks" && parts.size() == 3) {
    int64_t task_id = std::atoll(std::string(parts[2]).c_str());
    auto index = FindIf(s.das_tasks, [&](const DasTask& t) { return t.id == task_id; });
    if (!index) return Error(404, fmt::format("DAS task {} was not found", parts[2]));
    std::string_view status;
    if (doc["status"].get(status)) return Error(400, "status is required");
    s.das_tasks[*index].status = std::string(status);
    return Changed(s);
  }

  if (what == "das-schedules" && parts.size() == 3 && method == "POST") {
    int64_t schedule_id = std::atoll(std::string(parts[2]).c_str());
    auto index = FindIf(s.das_schedules, [&](const DasSchedule& d) { return d.id == schedule_id; });
    if (!index) return Error(404, fmt::format("DAS schedule {} was not found", parts[2]));
    DasSchedule& d = s.das_schedules[*index];
    int64_t next_run = 0;
    if (!doc["nextRun"].get(next_run)) d.next_run = next_run;
    bool active = false;
    if (!doc["active"].get(active)) d.active = active;
    return Changed(s);
  }

  // Every owner of every resource of an application goes: an application nobody owns.
  if (what == "das-applications" && parts.size() == 4 && parts[3] == "owners" &&
      method == "DELETE") {
    int64_t app_id = std::atoll(std::string(parts[2]).c_str());
    auto index =
        FindIf(s.das_applications, [&](const DasApplication& a) { return a.id == app_id; });
    if (!index) return Error(404, fmt::format("DAS application {} was not found", parts[2]));
    for (auto& o : s.ownerships) {
      if (s.das_resources[o.resource].application == *index) o.deleted = true;
    }
    return Changed(s);
  }

  if (what == "certifications" && parts.size() == 4 && parts[3] == "sign") {
    auto id = ParseId(parts[2]);
    auto index =
        FindIf(s.certifications, [&](const Certification& c) { return id && c.id == *id; });
    if (!index) return Error(404, fmt::format("certification {} was not found", parts[2]));
    Certification& cert = s.certifications[*index];
    if (cert.signed_off) return Error(400, "the certification is already signed");
    cert.signed_off = true;
    cert.signed_at = s.Now();
    cert.modified = cert.signed_at;
    for (uint32_t item : cert.items) {
      if (s.review_items[item].decision < 0) s.review_items[item].decision = 0;
    }
    return Changed(s);
  }

  if (what == "clock") {
    int64_t seconds = 0;
    if (doc["advanceSeconds"].get(seconds)) return Error(400, "advanceSeconds is required");
    s.clock_offset_ms += seconds * 1000;
    return Changed(s);
  }

  if (what == "refresh") {
    // lastRefresh is volatile: it changes without the identity's modified time changing.
    s.last_refresh = s.Now();
    return Changed(s);
  }

  return Error(404, "unknown control path");
}

}  // namespace

Reply Tenant::Control(std::string_view method, std::string_view path, std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string padded(body.empty() ? std::string_view("{}") : body);
  if (parser.parse(padded).get(doc)) return Error(400, "the control body is not valid JSON");
  auto parts = SplitPath(path);  // e.g. __sim identities ID lifecycle
  if (parts.size() < 2) return Error(404, "unknown control path");
  std::string_view what = parts[1];

  std::unique_lock lock(mutex_);
  State& s = *state_;
  if (auto reply = ControlAccessModel(s, parts, method, doc)) return *reply;
  if (what == "identities") return ControlIdentities(s, parts, method, doc);
  if (what == "accounts") return ControlAccounts(s, parts, method, doc);
  if (what == "task-statuses") return ControlTaskStatuses(s, parts, method, doc);
  Reply reply = ControlOthers(s, parts, method, doc);
  if (reply.status == 404 && reply.body.find("unknown control path") != std::string::npos) {
    return Error(404, fmt::format("unknown control path {}", path));
  }
  return reply;
}

}  // namespace isc_mirror::sim
