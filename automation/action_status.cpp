#include "automation/action_status.hpp"

#include <utility>

namespace isc_mirror::automation {
namespace {

// As migration 0001's check on mirror.actions.status spells them.
constexpr std::pair<ActionStatus, std::string_view> kNames[] = {
    {ActionStatus::kPending, "pending"}, {ActionStatus::kRunning, "running"},
    {ActionStatus::kHeld, "held"},       {ActionStatus::kSucceeded, "succeeded"},
    {ActionStatus::kFailed, "failed"},   {ActionStatus::kDead, "dead"},
    {ActionStatus::kDryRun, "dry_run"},  {ActionStatus::kCancelled, "cancelled"},
};

}  // namespace

std::string_view ActionStatusName(ActionStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<ActionStatus> ActionStatusFromName(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace isc_mirror::automation
