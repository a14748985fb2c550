// The states of an outbox row (mirror.actions.status), with their names in one place.
#pragma once

#include <optional>
#include <string_view>

namespace isc_mirror::automation {

enum class ActionStatus {
  kPending,    // due at next_attempt_at
  kRunning,    // claimed by a worker until its lease runs out
  kHeld,       // beyond the rule's max_per_hour: waits for `actions approve`
  kSucceeded,  // ISC (or the receiver) answered that it worked
  kFailed,     // refused, or cannot be done: waits for `actions retry`
  kDead,       // transient failures until max_attempts
  kDryRun,     // recorded, never called
  kCancelled,  // by an operator
};

std::string_view ActionStatusName(ActionStatus status);
std::optional<ActionStatus> ActionStatusFromName(std::string_view name);

}  // namespace isc_mirror::automation
