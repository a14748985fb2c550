// das_assign_owner: one DAS resource (application and full path) gets an owner, in one
// POST /das/v1/owners/assign; its answer is 1 on success, anything else failure.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> Plan(const PlanInput& input) {
  std::string summary_base = fmt::format("assign DAS resource {} of application {}",
                                         input.Param("full_path"), input.Param("app_id"));
  auto app = ExpandTemplate(input.Param("app_id"), input.event);
  auto path = ExpandTemplate(input.Param("full_path"), input.event);
  if (!app || !path) return {Failed(summary_base, !app ? app.error() : path.error())};
  int64_t app_id = 0;
  try {
    app_id = std::stoll(*app);
  } catch (const std::exception&) {
    return {Failed(summary_base, fmt::format("app_id '{}' is not a number", *app))};
  }
  std::string subject = input.event.resource == "identities" ? input.event.object_id : "";
  auto target = ResolveTarget(input, "identity", subject);
  if (!target) return {Failed(summary_base + " (" + input.why + ")", target.error())};
  std::string body;
  base::JsonWriter(body)
      .BeginObject()
      .Field("appId", app_id)
      .Field("fullPath", *path)
      .Field("identityId", DashedUuid(target->id))
      .EndObject();
  return IscRow(
      fmt::format("{} to {} {} ({})", summary_base, target->how, target->id, input.why),
      {{.method = "POST", .path = "/das/v1/owners/assign", .body = body, .expect = Expect::kOne}});
}

}  // namespace

const ActionSpec& DasAssignOwnerAction() {
  static const ActionSpec kSpec =
      DasOwnerSpec("das_assign_owner", {"app_id", "full_path", "identity", "fallback"},
                   {"app_id", "full_path", "identity"}, Plan);
  return kSpec;
}

}  // namespace isc_mirror::automation
