// notify: a PostgreSQL NOTIFY on the step's channel, sent when the worker marks the row
// succeeded, in the same transaction, so it goes out exactly once. It carries the event's
// keys only: pg_notify refuses 8000 bytes, and listeners read the rest from
// mirror.change_events.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> Plan(const PlanInput& input) {
  PlannedAction a;
  a.kind = ActionKind::kNotify;
  a.target = input.Param("channel");
  base::JsonWriter(a.payload)
      .BeginObject()
      .Field("rule", input.rule.name)
      .Field("event_id", input.event.event_id)
      .Field("resource", input.event.resource)
      .Field("object_id", input.event.object_id)
      .Field("op", sync::EventOpName(input.event.op))
      .EndObject();
  a.summary = fmt::format("notify channel {} about {}", a.target, input.why);
  return {std::move(a)};
}

}  // namespace

const ActionSpec& NotifyAction() {
  static const ActionSpec kSpec = {.name = "notify",
                                   .kind = ActionKind::kNotify,
                                   .params = {"channel"},
                                   .required = {"channel"},
                                   .plan = Plan};
  return kSpec;
}

}  // namespace isc_mirror::automation
