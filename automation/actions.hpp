// The actions rules can take: the registry of their definitions, and what a planned action is.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "automation/rules.hpp"
#include "base/expected.hpp"

namespace isc_mirror::automation {

// What a call's answer must say for the call to have worked, from its definition: a 2xx
// status alone is not enough where ISC answers 200 with a body that says failure.
enum class Expect {
  kAny,                // any 2xx (rows planned before answers were read)
  kNoContent,          // 204 (DAS task rerun and cancel)
  kOne,                // the integer 1: "1 - success, otherwise failure" (DAS owner assign)
  kCount,              // an integer of at least 0 (DAS owner reassign: resources overwritten)
  kPositiveCount,      // an integer of at least 1 (DAS owner re-elect: elections created)
  kTask,               // an object with a task id (AccountsAsyncResult)
  kCertificationTask,  // a CertificationTask whose status is not ERROR and has no errors
  kMultiStatus,        // 207: every item's statusCode 2xx (BulkIdentitiesAccountsResponse)
  kTaskStatus,         // the patched TaskStatus, with completionStatus equal to expect_value
};

std::string_view ExpectName(Expect expect);
std::optional<Expect> ExpectFromName(std::string_view name);

// One HTTP call to ISC, decided when the rule fires.
struct Call {
  std::string method;
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  bool experimental = false;
  Expect expect = Expect::kAny;
  std::string expect_value;  // kTaskStatus: the completionStatus set
  std::string object;        // the object the call acts on, as the done check lists it
};

// What a 2xx answer says. A body that cannot be read leaves the outcome unknown: ISC carried
// the call out, but whether it worked is read from the tenant before any repeat.
enum class AnswerVerdict { kWorked, kSaysFailure, kUnreadable };
struct AnswerCheck {
  AnswerVerdict verdict = AnswerVerdict::kWorked;
  std::string error;  // what the answer said, when it did not say it worked
};

// Reads an answer the way its definition says.
AnswerCheck CheckAnswer(const Call& call, int status, std::string_view body);

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
// page that is not an array of objects is an error. With `every`, the ids of the objects that
// already show the work done are added to `done_ids` when given.
base::Expected<bool> PageShowsDone(const DoneCheck& check, std::string_view page, bool done,
                                   std::set<std::string>* done_ids = nullptr);

// How an action reaches the world: calls to ISC, a signed POST, or a PostgreSQL notification.
enum class ActionKind { kIsc, kWebhook, kNotify };
std::string_view KindName(ActionKind kind);
std::optional<ActionKind> KindFromName(std::string_view name);

// What one outbox row will do.
struct PlannedAction {
  std::string part;     // tells apart the rows of one step (one per certification and chunk)
  std::string summary;  // plain words: what, to whom, why
  ActionKind kind = ActionKind::kIsc;
  // isc: every call is made in order when `each` (one per source account); otherwise
  // calls[0] is the call, and if it fails with a 4xx the rest are made instead.
  std::vector<Call> calls;
  bool each = false;
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
  // The identity's accounts present in the mirror that are not already disabled (when
  // `disable`) or enabled.
  virtual std::vector<std::string> AccountsToToggle(const std::string& identity, bool disable) = 0;
};

inline constexpr size_t kMaxReassignItems = 500;  // ISC's limit per reassign call

// What an action's planner is given: the rule's step, the event that fired it, the mirror.
struct PlanInput {
  const Rule& rule;
  const ActionStep& step;
  const sync::Event& event;
  PlanContext& context;
  std::string why;  // "rule r, identities update x (event n)", for summaries

  // The step's parameter, or "" when not given.
  std::string Param(std::string_view name) const;
};

using Planner = std::vector<PlannedAction> (*)(const PlanInput& input);

// One action of the registry: everything the config checker, the online check, the planner
// and the worker need to know about it. Each lives in a file of its own under
// automation/actions/ and is listed once in action_registry.cpp.
struct ActionSpec {
  std::string_view name;
  ActionKind kind = ActionKind::kIsc;
  std::vector<std::string_view> params;    // every parameter it accepts
  std::vector<std::string_view> required;  // of which these must be given
  // Of which these are credentials: kept out of logs, errors and the outbox.
  std::vector<std::string_view> secrets;
  // What ISC asks of the credentials for the action's calls, from each operation's `security`
  // and `x-sailpoint-userLevels` (third_party/isc-api): any one of `scopes`; a user's token (a
  // personal access token) when `user_token_only`; for a user's token, one of `user_levels`.
  std::vector<std::string_view> scopes;
  bool user_token_only = false;
  std::vector<std::string_view> user_levels;
  // A read-only call needing the same access to the data as the action (check-config
  // --online); empty when the action calls no ISC.
  std::string_view read_check;
  // A success changes DAS resource owners: the daemon reads them again after the actions.
  bool touches_das_owners = false;
  // The rows one step makes for an event; empty when there is nothing to do. A row that
  // cannot be done carries its error (Failed).
  Planner plan = nullptr;
  // A config-time check beyond the parameters' names and templates; the error names the
  // parameter.
  base::Expected<void> (*check)(const ActionStep& step) = nullptr;
};

std::span<const ActionSpec* const> ActionSpecs();
const ActionSpec* FindActionSpec(std::string_view name);

// A config-time check of one step: known action, known and required parameters, templates,
// and the action's own check. The error names the parameter.
base::Expected<void> CheckStep(const ActionStep& step);

// The rows one step of a rule makes for an event. Empty when there is nothing to do (a
// reviewer without open certifications).
std::vector<PlannedAction> PlanAction(const Rule& rule, size_t step, const sync::Event& event,
                                      PlanContext& context);

// A 32-hex identity id in the dashed UUID form DAS wants.
std::string DashedUuid(std::string_view hex32);

}  // namespace isc_mirror::automation
