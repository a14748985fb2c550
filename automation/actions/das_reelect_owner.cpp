// das_reelect_owner: starts an owner election campaign for the DAS resources of an owner, in
// one POST /das/v1/owners/reelect; its answer counts the elections created (at least 1).
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"
#include "sync/canonical.hpp"

namespace isc_mirror::automation {
namespace {

// "a, b,c" as a JSON array of dashed identity ids.
void WriteReviewers(base::JsonWriter& w, const std::string& reviewers) {
  w.Key("reviewers").BeginArray();
  size_t at = 0;
  while (at <= reviewers.size()) {
    size_t comma = std::min(reviewers.find(',', at), reviewers.size());
    std::string one = reviewers.substr(at, comma - at);
    one.erase(0, one.find_first_not_of(' '));
    one.erase(one.find_last_not_of(' ') + 1);
    if (!one.empty()) w.String(DashedUuid(sync::NormalizeIdentityId(one).value_or(one)));
    at = comma + 1;
  }
  w.EndArray();
}

std::vector<PlannedAction> Plan(const PlanInput& input) {
  std::string failed = "re-elect a DAS resource owner (" + input.why + ")";
  std::string subject = input.event.resource == "identities" ? input.event.object_id : "";
  auto owner = ResolveTarget(input, "owner", subject);
  if (!owner) return {Failed(failed, owner.error())};
  std::string body;
  base::JsonWriter w(body);
  w.BeginObject().Field("ownerId", DashedUuid(owner->id));
  if (auto name = input.Param("campaign_name"); !name.empty()) {
    auto expanded = ExpandTemplate(name, input.event);
    if (!expanded) return {Failed(failed, expanded.error())};
    w.Field("campaignName", *expanded);
  }
  if (auto reviewers = input.Param("reviewers"); !reviewers.empty()) WriteReviewers(w, reviewers);
  w.EndObject();
  return IscRow(
      fmt::format("re-elect {} {} as DAS resource owner ({})", owner->how, owner->id, input.why),
      {{.method = "POST",
        .path = "/das/v1/owners/reelect",
        .body = body,
        .expect = Expect::kPositiveCount}});
}

}  // namespace

const ActionSpec& DasReelectOwnerAction() {
  static const ActionSpec kSpec = DasOwnerSpec(
      "das_reelect_owner", {"owner", "fallback", "campaign_name", "reviewers"}, {"owner"}, Plan);
  return kSpec;
}

}  // namespace isc_mirror::automation
