#include "sync/retire.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace isc_mirror::sync {

RetirePlan PlanRetire(std::vector<MissingObject> missing, const RetireFacts& facts,
                      const DeleteGuard& guard) {
  RetirePlan plan;
  for (auto& m : missing) {
    bool aged = facts.retention && m.age &&
                ((facts.oldest_seen && *m.age <= *facts.oldest_seen) ||
                 *m.age < facts.now - std::chrono::duration<double>(*facts.retention).count());
    (aged ? plan.expire : m.parent_gone ? plan.orphans : plan.remove).push_back(std::move(m.id));
  }
  double limit = std::max(static_cast<double>(guard.delete_floor),
                          guard.max_delete_share * static_cast<double>(facts.live));
  if (static_cast<double>(plan.remove.size()) > limit) {
    plan.guard = guard.allow_deletes ? GuardVerdict::kAllowed : GuardVerdict::kHeld;
  }
  return plan;
}

std::string HeldMessage(size_t deletes, int64_t live, const std::string& resource,
                        double max_delete_share) {
  return fmt::format(
      "held: the scan would delete {} of {} {} ({:.1f} %, more than guards.max_delete_share "
      "{:.0f} %); nothing was deleted (hint: check the tenant, then run isc-mirror sync --full "
      "--allow-deletes {})",
      deletes, live, resource, 100.0 * static_cast<double>(deletes) / static_cast<double>(live),
      100.0 * max_delete_share, resource);
}

}  // namespace isc_mirror::sync
