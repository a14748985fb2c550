// das_task_rerun and das_task_cancel: POST /das/v1/tasks/{id}/rerun|cancel, answered 204.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> PlanDasTask(const PlanInput& input, std::string_view verb) {
  auto task = ObjectParam(input, "task_id", "das_tasks");
  std::string summary = fmt::format("{} DAS task {} ({})", verb, task ? *task : "?", input.why);
  if (!task) return {Failed(summary, task.error())};
  return IscRow(summary,
                {{.method = "POST",
                  .path = fmt::format("/das/v1/tasks/{}/{}", verb, isc::PercentEncode(*task)),
                  .expect = Expect::kNoContent}});
}

ActionSpec DasTask(std::string_view name, Planner plan) {
  return {.name = name,
          .params = {"task_id"},
          .scopes = {"das:task:manage"},
          .user_levels = {"ORG_ADMIN"},
          .read_check = "/das/v1/tasks?limit=1",
          .plan = plan};
}

}  // namespace

const ActionSpec& DasTaskRerunAction() {
  static const ActionSpec kSpec =
      DasTask("das_task_rerun", [](const PlanInput& input) { return PlanDasTask(input, "rerun"); });
  return kSpec;
}

const ActionSpec& DasTaskCancelAction() {
  static const ActionSpec kSpec = DasTask(
      "das_task_cancel", [](const PlanInput& input) { return PlanDasTask(input, "cancel"); });
  return kSpec;
}

}  // namespace isc_mirror::automation
