// certification_reassign: the subject's undecided review items of each open certification go
// to another reviewer, 500 at a time (ISC's limit), by POST
// /v3/certifications/{id}/reassign-async. Reassigned items leave the certification, which is
// how a repeat tells the work done.
#include <fmt/format.h>

#include "automation/actions/planning.hpp"
#include "base/json_writer.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::automation {
namespace {

// One row for items [begin, end) of one certification.
PlannedAction Chunk(const PlanContext::Review& review, size_t chunk, const std::string& subject,
                    const Target& to, const std::string& reason, const std::string& why) {
  size_t begin = chunk * kMaxReassignItems;
  size_t end = std::min(review.item_ids.size(), begin + kMaxReassignItems);
  std::string body;
  base::JsonWriter w(body);
  w.BeginObject().Key("reassign").BeginArray();
  for (size_t i = begin; i < end; ++i) {
    w.BeginObject().Field("id", review.item_ids[i]).Field("type", "ITEM").EndObject();
  }
  w.EndArray().Field("reassignTo", to.id).Field("reason", reason).EndObject();
  PlannedAction a;
  a.part = fmt::format("{}/{}", review.certification_id, chunk);
  a.summary =
      fmt::format("reassign {} review items of certification {} from identity {} to {} {} ({})",
                  end - begin, review.certification_id, subject, to.how, to.id, why);
  std::string certification = isc::PercentEncode(review.certification_id);
  a.calls.push_back({.method = "POST",
                     .path = fmt::format("/v3/certifications/{}/reassign-async", certification),
                     .body = body,
                     .expect = Expect::kCertificationTask});
  a.done.path = fmt::format("/v3/certifications/{}/access-review-items", certification);
  a.done.absent.assign(review.item_ids.begin() + static_cast<std::ptrdiff_t>(begin),
                       review.item_ids.begin() + static_cast<std::ptrdiff_t>(end));
  return a;
}

std::vector<PlannedAction> Plan(const PlanInput& input) {
  auto subject = SubjectIdentity(input, "reviewer");
  if (!subject) {
    return {Failed(fmt::format("certification_reassign ({})", input.why), subject.error())};
  }
  std::string summary = fmt::format("reassign the open reviews of identity {}", *subject);
  auto to = ResolveTarget(input, "to", *subject);
  if (!to) return {Failed(summary + " (" + input.why + ")", to.error())};
  std::string reason = input.Param("reason");
  if (reason.empty()) {
    reason = fmt::format("reassigned by isc-mirror rule {}: reviewer {} changed", input.rule.name,
                         *subject);
  } else if (auto expanded = ExpandTemplate(reason, input.event)) {
    reason = *expanded;
  }
  std::vector<PlannedAction> out;
  for (const auto& review : input.context.OpenReviewsOf(*subject)) {
    size_t chunks = (review.item_ids.size() + kMaxReassignItems - 1) / kMaxReassignItems;
    for (size_t c = 0; c < chunks; ++c)
      out.push_back(Chunk(review, c, *subject, *to, reason, input.why));
  }
  return out;
}

}  // namespace

const ActionSpec& CertificationReassignAction() {
  static const ActionSpec kSpec = {.name = "certification_reassign",
                                   .params = {"to", "fallback", "reviewer", "reason"},
                                   .required = {"to"},
                                   .scopes = {"idn:campaign:manage"},
                                   .user_token_only = true,
                                   .user_levels = {"ORG_ADMIN", "CERT_ADMIN"},
                                   .read_check = "/v3/certification-tasks?limit=1",
                                   .plan = Plan};
  return kSpec;
}

}  // namespace isc_mirror::automation
