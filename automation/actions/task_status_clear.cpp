// task_status_clear: PATCH /v2025/task-status/{id}, setting completionStatus and completed.
// v2025: "Use this API to clear a pending task by updating the completionStatus and completed
// attributes."
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {
namespace {

std::string ClearBody(const std::string& status) {
  std::string body;
  base::JsonWriter(body)
      .BeginArray()
      .BeginObject()
      .Field("op", "replace")
      .Field("path", "/completionStatus")
      .Field("value", status)
      .EndObject()
      .BeginObject()
      .Field("op", "replace")
      .Field("path", "/completed")
      .Field("value", NowIso())
      .EndObject()
      .EndArray();
  return body;
}

std::vector<PlannedAction> Plan(const PlanInput& input) {
  auto task = ObjectParam(input, "task_id", "task_statuses");
  std::string status = input.Param("completion_status");
  if (status.empty()) status = "ERROR";
  std::string summary =
      fmt::format("clear pending task {} as {} ({})", task ? *task : "?", status, input.why);
  if (!task) return {Failed(summary, task.error())};
  return IscRow(summary, {{.method = "PATCH",
                           .path = "/v2025/task-status/" + isc::PercentEncode(*task),
                           .body = ClearBody(status),
                           .content_type = "application/json-patch+json",
                           .expect = Expect::kTaskStatus,
                           .expect_value = status}});
}

}  // namespace

const ActionSpec& TaskStatusClearAction() {
  static const ActionSpec kSpec = {
      .name = "task_status_clear",
      .params = {"task_id", "completion_status"},
      .scopes = {"idn:task-management:write"},
      .user_token_only = true,
      .user_levels = {"ORG_ADMIN", "CERT_ADMIN", "REPORT_ADMIN", "ROLE_ADMIN", "ROLE_SUBADMIN",
                      "SOURCE_ADMIN", "SOURCE_SUBADMIN"},
      .read_check = "/v2025/task-status?limit=1",
      .plan = Plan};
  return kSpec;
}

}  // namespace isc_mirror::automation
