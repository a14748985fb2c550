#include "sync/resource_catalog.hpp"

#include <array>

namespace isc_mirror::sync {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr std::array<std::string_view, 1> kIdentityVolatile = {"/lastRefresh"};

constexpr std::array<ResourceInfo, 12> kResources = {{
    {"identities", minutes(5), {}, kIdentityVolatile},
    {"accounts", minutes(15), hours(24)},
    {"task_statuses", minutes(5)},
    {"certifications", minutes(15)},
    {"certification_reviewers", minutes(15)},
    {"access_review_items", minutes(15)},
    {"certification_tasks", minutes(15)},
    {"das_applications", hours(1)},
    {"das_tasks", minutes(5)},
    {"das_schedules", hours(1)},
    {"das_identity_collectors", hours(1)},
    {"das_resource_owners", hours(1)},
}};

}  // namespace

std::span<const ResourceInfo> Resources() {
  return kResources;
}

const ResourceInfo* FindResource(std::string_view name) {
  for (const auto& r : kResources) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

}  // namespace isc_mirror::sync
