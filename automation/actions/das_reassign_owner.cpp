// das_reassign_owner: every DAS resource the subject owns goes to another identity, in one
// POST /das/v1/owners/{from}/reassign/{to}; its answer counts the resources moved.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"

namespace isc_mirror::automation {
namespace {

std::vector<PlannedAction> Plan(const PlanInput& input) {
  auto subject = SubjectIdentity(input, "from");
  if (!subject) return {Failed(fmt::format("das_reassign_owner ({})", input.why), subject.error())};
  std::string summary = fmt::format("reassign the DAS resources owned by identity {}", *subject);
  auto to = ResolveTarget(input, "to", *subject);
  if (!to) return {Failed(summary + " (" + input.why + ")", to.error())};
  auto planned = IscRow(fmt::format("{} to {} {} ({})", summary, to->how, to->id, input.why),
                        {{.method = "POST",
                          .path = fmt::format("/das/v1/owners/{}/reassign/{}", DashedUuid(*subject),
                                              DashedUuid(to->id)),
                          .expect = Expect::kCount}});
  // Done when the old owner owns nothing; the owner's listing is not paged.
  planned[0].done.path = fmt::format("/das/v1/owners/{}/resources", DashedUuid(*subject));
  planned[0].done.paged = false;
  return planned;
}

}  // namespace

const ActionSpec& DasReassignOwnerAction() {
  static const ActionSpec kSpec =
      DasOwnerSpec("das_reassign_owner", {"to", "fallback", "from"}, {"to"}, Plan);
  return kSpec;
}

}  // namespace isc_mirror::automation
