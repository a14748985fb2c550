// The simulated tenant: generated data, the queries ISC answers, and the changes that the
// control API and the action endpoints make to it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "tests/isc_sim/ids.hpp"
#include "tests/isc_sim/query.hpp"

namespace isc_mirror::sim {

inline constexpr uint32_t kNone = 0xffffffffu;

struct TenantOptions {
  uint64_t seed = 1;
  uint32_t identities = 1000;
  uint32_t accounts_per_identity = 3;
  uint32_t sources = 5;
  uint32_t certifications = 40;
  uint32_t items_per_certification = 12;
  uint32_t das_applications = 8;
  uint32_t resources_per_application = 25;
  uint32_t task_statuses = 300;
  uint32_t pending_tasks = 5;
  // More than one page (250): the DAS lists are paged like every collection.
  uint32_t das_tasks = 300;
  uint32_t das_schedules = 10;
  uint32_t identity_collectors = 3;
  uint32_t certification_tasks = 10;
  // The first DAS application owns this many resources (more than a page), so a client that
  // pages its owner list, which ignores limit and offset, would read it forever.
  uint32_t large_application_resources = 300;
  // Open certifications reviewed by a governance group (their review items answer 400).
  uint32_t governance_group_certifications = 1;
  // Identities without a correlated authoritative account, per thousand: listed only with
  // defaultFilter=NONE.
  uint32_t uncorrelated_per_mille = 30;
  // The access model: entitlements on the sources after the first (the authoritative one),
  // access profiles bundling them, roles bundling access profiles (more than a page of 50,
  // the most GET /v3/roles takes), and governance groups (the first with more than a page of
  // 50 members).
  uint32_t entitlements = 200;
  uint32_t access_profiles = 40;
  uint32_t roles = 60;
  uint32_t governance_groups = 5;
  uint32_t large_group_members = 60;
  int64_t now_ms = 0;  // the tenant's clock at start; 0 means the wall clock
};

// The resources the mirror reads as the simulator serves them.
enum class Kind {
  kIdentities,
  kAccounts,
  kTaskStatuses,
  kPendingTasks,
  kCertifications,
  kReviewers,
  kReviewItems,
  kCertificationTasks,
  kDasApplications,
  kDasTasks,
  kDasSchedules,
  kIdentityCollectors,
  kDasOwners,
  kAllTaskStatuses,  // GET /v2025/task-status: completed and in progress; beta lists completed only
  kSources,
  kEntitlements,
  kAccessProfiles,
  kRoles,
  kIdentityProfiles,
  kLifecycleStates,  // per identity profile
  kGovernanceGroups,
  kGovernanceGroupMembers,  // per governance group
};

const EndpointSpec& SpecFor(Kind kind);

// ISC's ErrorResponseDto body.
std::string ErrorResponse(std::string_view detail_code, std::string_view text);

// "/a/b/c" -> {"a", "b", "c"}
std::vector<std::string_view> SplitPath(std::string_view path);

// Task statuses' completionStatus values; -1 for anything else.
int CompletionStatusIndex(std::string_view name);
std::string_view CompletionStatusName(int index);

// What an action or control call answers: an HTTP status and a JSON body (maybe empty).
struct Reply {
  int status = 200;
  std::string body;
};

struct ListQuery {
  Kind kind;
  // The parent's id for child collections: a certification, DAS application, identity
  // profile or governance group.
  std::string scope;
  // GET /v2024/identities without defaultFilter=NONE lists correlated identities only.
  bool correlated_only = false;
  std::optional<std::string> filters;
  std::optional<std::string> sorters;
  PageRequest page;
};

// POST /v3/search: the JSON body and the page parameters.
struct SearchRequest {
  std::string body;
  PageRequest page;
};

struct ListResult {
  int status = 200;  // 400 or 404 with an error message instead of a body
  std::string error;
  std::string body;
  int64_t total = 0;
};

class Tenant {
 public:
  explicit Tenant(const TenantOptions& options);
  ~Tenant();
  Tenant(const Tenant&) = delete;
  Tenant& operator=(const Tenant&) = delete;

  ListResult List(const ListQuery& query) const;
  ListResult Search(const SearchRequest& request) const;
  // A single object by id (GET /path/{id}); nullopt when unknown.
  std::optional<std::string> Get(Kind kind, std::string_view id) const;

  // GET /das/v1/owners/{owner}/resources: the resources the identity owns (not paged, as ISC).
  Reply DasResourcesOf(std::string_view owner) const;

  // Actions (docs/rules-and-actions.md), with ISC's effect on the data.
  Reply DasReassign(std::string_view from, std::string_view to);
  Reply DasAssign(std::string_view body);
  Reply DasReelect(std::string_view body);
  Reply DasTaskRerun(std::string_view id);
  Reply DasTaskCancel(std::string_view id);
  Reply CertificationReassign(std::string_view certification_id, std::string_view body);
  Reply IdentitiesAccountsToggle(std::string_view body, bool disable);
  Reply IdentityAccountsToggle(std::string_view identity_id, bool disable);
  Reply AccountToggle(std::string_view account_id, bool disable);
  Reply AccountUnlock(std::string_view account_id);
  Reply AccountReload(std::string_view account_id);
  Reply TaskStatusPatch(std::string_view id, std::string_view body);

  // Control API (/__sim/...): changes a test makes to the tenant while it runs.
  Reply Control(std::string_view method, std::string_view path, std::string_view body);

  // After `after_requests` more list requests of `kind`, insert `count` objects that sort first.
  void ScheduleShift(Kind kind, int after_requests, int count);
  void NoteListRequest(Kind kind);

  int64_t Now() const;

  // Defined in tenant_state.hpp, shared by the files that implement the tenant.
  struct State;

 private:
  std::unique_ptr<State> state_;
  mutable std::shared_mutex mutex_;
};

}  // namespace isc_mirror::sim
