#include "automation/action_status.hpp"

#include "base/names.hpp"

namespace isc_mirror::automation {
namespace {

// As migration 0001's check on mirror.actions.status spells them.
constexpr base::NameTable<ActionStatus> kNames[] = {
    {ActionStatus::kPending, "pending"}, {ActionStatus::kRunning, "running"},
    {ActionStatus::kHeld, "held"},       {ActionStatus::kSucceeded, "succeeded"},
    {ActionStatus::kFailed, "failed"},   {ActionStatus::kDead, "dead"},
    {ActionStatus::kDryRun, "dry_run"},  {ActionStatus::kCancelled, "cancelled"},
};

}  // namespace

std::string_view ActionStatusName(ActionStatus status) {
  return base::NameOf(kNames, status, "failed");
}

std::optional<ActionStatus> ActionStatusFromName(std::string_view name) {
  return base::FromName(kNames, name);
}

}  // namespace isc_mirror::automation
