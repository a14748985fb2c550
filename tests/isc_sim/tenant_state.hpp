// The simulated tenant's data, kept compact: what can be derived from (seed, index) is
// computed when rendered, so a million accounts take tens of megabytes.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/json_writer.hpp"
#include "tests/isc_sim/tenant.hpp"

namespace isc_mirror::sim {

struct IdHash {
  size_t operator()(const Id128& id) const { return id.hi ^ (id.lo * 31); }
};

struct Identity {
  Id128 id;
  uint32_t serial = 0;
  uint32_t manager = kNone;
  uint32_t department = 0;  // index into State::departments
  uint32_t location = 0;
  uint32_t lifecycle = 0;  // index into State::lifecycle_states
  bool deleted = false;
  bool uncorrelated = false;    // no correlated authoritative account
  bool login_disabled = false;  // the ISC (IDN) login, as identities-accounts/disable sets it
  int64_t created = 0;
  int64_t modified = 0;
};

struct Account {
  Id128 id;
  uint32_t identity = kNone;
  uint32_t serial = 0;
  uint16_t source = 0;
  bool disabled = false;
  bool locked = false;
  bool uncorrelated = false;
  bool deleted = false;
  int64_t created = 0;
  int64_t modified = 0;
};

struct TaskStatus {
  Id128 id;
  uint32_t definition = 0;
  uint32_t source = 0;
  int64_t created = 0;
  int64_t launched = 0;
  int64_t completed = 0;  // 0: null (pending)
  int64_t modified = 0;
  int completion = -1;  // index into kCompletionStatuses; -1: null
  int percent = 0;
  bool deleted = false;
};

struct Certification {
  Id128 id;
  uint32_t campaign = 0;
  uint32_t reviewer = 0;          // for a governance group: the member who reviews
  bool governance_group = false;  // reviewed by a governance group
  bool signed_off = false;
  int64_t created = 0;
  int64_t modified = 0;
  int64_t due = 0;
  int64_t signed_at = 0;
  uint32_t reassigned_from = kNone;
  std::string reassign_comment;
  std::vector<uint32_t> items;
};

struct ReviewItem {
  Id128 id;
  uint32_t certification = 0;
  uint32_t identity = 0;
  uint32_t entitlement = 0;
  int decision = -1;  // -1 undecided, 0 APPROVE, 1 REVOKE
};

struct CertificationTask {
  Id128 id;
  uint32_t certification = 0;
  std::string status = "SUCCESS";
  int64_t created = 0;
};

struct DasApplication {
  int64_t id = 0;
  uint32_t serial = 0;
  std::vector<uint32_t> resources;
};

struct DasResource {
  int64_t id = 0;
  uint32_t application = 0;
  std::string path;
};

struct Ownership {
  uint32_t resource = 0;
  uint32_t identity = 0;
  bool deleted = false;
};

struct DasTask {
  int64_t id = 0;
  uint32_t type = 0;
  uint32_t application = 0;
  std::string status;
  int64_t start = 0;  // epoch seconds
  int64_t end = 0;    // 0: null
  int progress = 0;
  int64_t schedule = 0;  // 0: null
};

struct DasSchedule {
  int64_t id = 0;
  uint32_t type = 0;
  uint32_t application = 0;
  bool active = true;
  int interval = 1;
  int64_t start = 0;
  int64_t next_run = 0;
  int64_t last_run = 0;
};

struct Collector {
  Id128 id;
  uint32_t serial = 0;
  uint32_t source = 0;
};

// The access model. What changes (through the control API) is stored; the rest is derived
// from (seed, index) when rendered, in access_model.cpp.
struct Source {
  uint32_t owner = kNone;
  bool deleted = false;
  int64_t created = 0;
  int64_t modified = 0;
};

struct Entitlement {
  uint32_t source = 0;
  uint32_t owner = kNone;
  bool privileged = false;
  bool deleted = false;
  int64_t created = 0;
  int64_t modified = 0;
};

struct AccessProfile {
  uint32_t source = 0;
  uint32_t owner = 0;
  std::vector<uint32_t> entitlements;
  int64_t created = 0;
  int64_t modified = 0;
};

struct Role {
  uint32_t owner = 0;
  std::vector<uint32_t> access_profiles;
  std::vector<uint32_t> entitlements;  // granted directly, beside the access profiles'
  int64_t created = 0;
  int64_t modified = 0;
};

struct GovernanceGroup {
  uint32_t owner = 0;
  std::vector<uint32_t> members;  // identities
  int64_t created = 0;
  int64_t modified = 0;
};

// An identity's access beyond what its roles give: the control API's grants and revokes.
struct AccessChanges {
  std::vector<uint32_t> granted;  // entitlements, held standalone
  std::vector<uint32_t> revoked;
};

// What an identity holds, as its search document lists it.
struct HeldAccess {
  std::vector<uint32_t> roles;
  std::vector<uint32_t> access_profiles;
  // Entitlement and whether it is standalone (not given by an access profile or role the
  // identity holds: the SailPoint developer forum, topic 54919).
  std::vector<std::pair<uint32_t, bool>> entitlements;
};

struct PendingShift {
  Kind kind;
  int after_requests;
  int count;
};

struct Tenant::State {
  TenantOptions options;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  int64_t clock_offset_ms = 0;
  int64_t last_refresh = 0;
  uint64_t generation = 1;  // bumped by every change; list caches compare against it
  uint32_t next_serial = 0;

  std::vector<std::string> departments;
  std::vector<std::string> locations;
  std::vector<std::string> lifecycle_states;

  std::vector<Identity> identities;
  std::unordered_map<Id128, uint32_t, IdHash> identity_index;
  // Attributes set through the control API beyond the generated ones: name -> raw JSON.
  std::unordered_map<uint32_t, std::map<std::string, std::string>> identity_extra;
  // Raw JSON text, unchecked, for what a parser may refuse (poisoned objects): "created"
  // replaces the identity's created, any other name is an attribute.
  std::unordered_map<uint32_t, std::map<std::string, std::string>> identity_raw;
  std::vector<Account> accounts;
  // Top-level fields that replace (or join) what an account renders: adversarial values set
  // through the control API. Few, so kept apart from the compact Account.
  std::map<uint32_t, std::string> account_overrides;
  std::unordered_map<Id128, uint32_t, IdHash> account_index;
  std::vector<std::vector<uint32_t>> accounts_of;  // by identity
  std::vector<TaskStatus> task_statuses;
  std::vector<Certification> certifications;
  std::vector<ReviewItem> review_items;
  std::vector<CertificationTask> certification_tasks;
  std::vector<DasApplication> das_applications;
  std::vector<DasResource> das_resources;
  std::vector<Ownership> ownerships;
  std::vector<DasTask> das_tasks;
  std::vector<DasSchedule> das_schedules;
  std::vector<Collector> collectors;
  std::vector<Source> sources;
  std::vector<Entitlement> entitlements;
  std::vector<AccessProfile> access_profiles;
  std::vector<Role> roles;
  std::vector<GovernanceGroup> governance_groups;
  std::unordered_map<uint32_t, AccessChanges> access_changes;  // by identity
  std::vector<PendingShift> shifts;

  // Ordered results of list queries on the large collections, valid while generation holds;
  // shared so that a page request takes a reference instead of copying a million indices.
  struct OrderCache {
    uint64_t generation = 0;
    std::shared_ptr<const std::vector<uint32_t>> order;
  };
  mutable std::mutex cache_mutex;
  mutable std::map<std::string, OrderCache> query_cache;

  int64_t Now() const {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
    return options.now_ms + elapsed + clock_offset_ms;
  }
  uint64_t H(uint64_t kind, uint64_t index) const { return Hash(options.seed, kind, index); }
};

// Field access (filters, sorters) and rendering for each kind, in tenant_render.cpp.
Value FieldOf(const Tenant::State& s, Kind kind, uint32_t index, std::string_view field);
Id128 OrderKeyOf(const Tenant::State& s, Kind kind, uint32_t index);
void Render(const Tenant::State& s, Kind kind, uint32_t index, base::JsonWriter& w);
// `object` with the top-level members of `fields` in place of its own, new ones at the end.
std::string WithFields(std::string_view object, std::string_view fields);
std::string IdentityName(const Tenant::State& s, uint32_t identity);
// The id of the (certification, identity) summary that review items are grouped under.
Id128 ReviewSummaryId(const Tenant::State& s, const ReviewItem& item);
std::string IdentityEmail(const Tenant::State& s, uint32_t identity);
// {type IDENTITY, id, name, email}: a certification's reviewer, a governance group's member.
void RenderReviewer(base::JsonWriter& w, const Tenant::State& s, uint32_t identity);
// A present identity by id, in either form.
std::optional<uint32_t> FindIdentity(const Tenant::State& s, std::string_view text);
std::string SourceName(const Tenant::State& s, uint32_t source);
Id128 SourceId(const Tenant::State& s, uint32_t source);
Id128 EntitlementId(const Tenant::State& s, uint32_t entitlement);
Id128 GovernanceGroupId(const Tenant::State& s, uint32_t group);
std::string GovernanceGroupName(uint32_t group);
// The governance group that reviews a certification reviewed by one.
uint32_t ReviewingGroup(const Tenant::State& s, uint32_t certification);
// "Group 7" and its value, "CN=Group 7,OU=Groups,DC=example,DC=com".
std::string EntitlementName(uint32_t entitlement);
std::string EntitlementValue(uint32_t entitlement);
// The identity profile an identity belongs to: its name is the identityProfile attribute.
uint32_t IdentityProfileOf(const Tenant::State& s, uint32_t identity);
std::string_view IdentityProfileName(uint32_t profile);

// The access model (sources, entitlements, access profiles, roles, identity profiles and
// their lifecycle states, governance groups and their members), in access_model.cpp.
void GenerateAccessModel(Tenant::State& s);
bool IsAccessModel(Kind kind);
size_t AccessModelSlots(const Tenant::State& s, Kind kind);
bool AccessModelLive(const Tenant::State& s, Kind kind, uint32_t index);
Id128 AccessModelOrderKey(const Tenant::State& s, Kind kind, uint32_t index);
Value AccessModelField(const Tenant::State& s, Kind kind, uint32_t index, std::string_view field);
void RenderAccessModel(const Tenant::State& s, Kind kind, uint32_t index, base::JsonWriter& w);
// A child list's parent (identity profile or governance group) by id, and its children.
std::optional<uint32_t> FindAccessModelParent(const Tenant::State& s, Kind kind,
                                              std::string_view id);
std::vector<uint32_t> AccessModelChildren(const Tenant::State& s, Kind kind, uint32_t parent);
std::string RoleName(uint32_t role);
std::string AccessProfileName(const Tenant::State& s, uint32_t access_profile);
// What an identity holds: its roles, their access profiles and entitlements, its standalone
// entitlements; only entitlements of sources it has an account on.
HeldAccess AccessOf(const Tenant::State& s, uint32_t identity);

ListResult SearchIdentities(const Tenant::State& s, const SearchRequest& request);

// /__sim/sources, /__sim/entitlements, /__sim/roles, /__sim/governance-groups.
std::optional<Reply> ControlAccessModel(Tenant::State& s,
                                        const std::vector<std::string_view>& parts,
                                        std::string_view method,
                                        const simdjson::dom::element& body);

}  // namespace isc_mirror::sim
