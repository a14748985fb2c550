// The registry: every action rules can take, in the order the docs list them. Adding an
// action is a file under automation/actions/ and one line here (CONTRIBUTING.md).
#include <algorithm>

#include "automation/actions.hpp"

namespace isc_mirror::automation {

// Each defined in automation/actions/<its file>.cpp.
const ActionSpec& DasReassignOwnerAction();
const ActionSpec& DasAssignOwnerAction();
const ActionSpec& DasReelectOwnerAction();
const ActionSpec& DasTaskRerunAction();
const ActionSpec& DasTaskCancelAction();
const ActionSpec& CertificationReassignAction();
const ActionSpec& AccountsDisableAction();
const ActionSpec& AccountsEnableAction();
const ActionSpec& IdentityDisableAction();
const ActionSpec& IdentityEnableAction();
const ActionSpec& AccountUnlockAction();
const ActionSpec& AccountReloadAction();
const ActionSpec& TaskStatusClearAction();
const ActionSpec& WebhookAction();
const ActionSpec& NotifyAction();

std::span<const ActionSpec* const> ActionSpecs() {
  // Built on first use, after every definition's own static is ready.
  static const ActionSpec* const kAll[] = {
      &DasReassignOwnerAction(), &DasAssignOwnerAction(), &DasReelectOwnerAction(),
      &DasTaskRerunAction(),     &DasTaskCancelAction(),  &CertificationReassignAction(),
      &AccountsDisableAction(),  &AccountsEnableAction(), &IdentityDisableAction(),
      &IdentityEnableAction(),   &AccountUnlockAction(),  &AccountReloadAction(),
      &TaskStatusClearAction(),  &WebhookAction(),        &NotifyAction(),
  };
  return kAll;
}

const ActionSpec* FindActionSpec(std::string_view name) {
  auto all = ActionSpecs();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const ActionSpec* s) { return s->name == name; });
  return it == all.end() ? nullptr : *it;
}

}  // namespace isc_mirror::automation
