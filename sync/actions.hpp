// The actions rules can take (DESIGN §5): their parameters, and the calls each one makes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sync/rules.hpp"

namespace isc_mirror::sync {

struct ActionSpec {
  std::string_view name;
  std::vector<std::string_view> params;    // every parameter it accepts
  std::vector<std::string_view> required;  // of which these must be given
};

std::span<const ActionSpec> ActionSpecs();
const ActionSpec* FindActionSpec(std::string_view name);

// A config-time check of one step: known action, known and required parameters, templates.
// The error names the parameter.
std::optional<std::string> CheckStep(const ActionStep& step);

// One HTTP call to ISC, decided when the rule fires.
struct Call {
  std::string method;
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  bool experimental = false;
};

// How the tenant shows that an action's work is done. ISC takes no idempotency key, so before
// repeating a call whose earlier attempt may have done the work (the worker died or the answer
// was lost), the worker reads this listing and makes no call if the work is there.
struct DoneCheck {
  std::string path;   // empty: the action has no check and a repeat calls again
  std::string query;  // encoded filters for the listing
  bool paged = true;  // offset-paged; else one request (DAS owner listings)
  // Done when none of these ids is listed; when empty and `every` is empty, when nothing is.
  std::vector<std::string> absent;
  // Or, when set: done when every listed object has this boolean field equal to `is`.
  std::string every;
  bool is = true;
};

// Folds one page of the check's listing into `done`, which starts true. Pure, for tests; a
// page that is not an array of objects is an error.
base::Expected<bool> PageShowsDone(const DoneCheck& check, std::string_view page, bool done);

// What one outbox row will do.
struct PlannedAction {
  std::string part;     // tells apart the rows of one step (one per certification and chunk)
  std::string summary;  // plain words: what, to whom, why
  std::string kind;     // isc, webhook or notify
  // isc: calls[0] is the call; if it fails with a 4xx, the rest are made instead (accounts
  // one by one when the bulk call is not available).
  std::vector<Call> calls;
  DoneCheck done;
  std::string target;                // webhook URL or notify channel
  std::string payload;               // webhook or notify body
  std::optional<std::string> error;  // it cannot be done (no manager, no fallback): failed
};

// What planning reads from the mirror; behind an interface so planning is testable alone.
class PlanContext {
 public:
  virtual ~PlanContext() = default;
  // The identity's manager if it is present in the mirror and not a leaver.
  virtual std::optional<std::string> ManagerOf(const std::string& identity) = 0;
  // Whether the identity is present in the mirror and not a leaver.
  virtual bool Usable(const std::string& identity) = 0;
  struct Review {
    std::string certification_id;
    std::vector<std::string> item_ids;
  };
  // Open certifications the identity reviews, with their review items.
  virtual std::vector<Review> OpenReviewsOf(const std::string& identity) = 0;
  // The identity's accounts present in the mirror.
  virtual std::vector<std::string> AccountsOf(const std::string& identity) = 0;
};

inline constexpr size_t kMaxReassignItems = 500;  // ISC's limit per reassign call

// The rows one step of a rule makes for an event. Empty when there is nothing to do (a
// reviewer without open certifications).
std::vector<PlannedAction> PlanAction(const Rule& rule, size_t step, const Event& event,
                                      PlanContext& context);

// A 32-hex identity id in the dashed UUID form DAS wants.
std::string DashedUuid(std::string_view hex32);

}  // namespace isc_mirror::sync
