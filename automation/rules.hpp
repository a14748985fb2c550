// Joiner-mover-leaver events and rule matching: pure functions over change events.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sync/event.hpp"

namespace isc_mirror::automation {

struct Lifecycle {
  std::vector<std::string> leaver_states = {"terminated", "inactive"};
  std::vector<std::string> mover_attributes = {"managerRef.id", "attributes.department",
                                               "attributes.location"};
};

// What a rule's `on` may name: the lifecycle events of identities, or any change.
inline constexpr std::string_view kRuleTriggers[] = {"joiner", "leaver", "rehire", "mover",
                                                     "change"};

struct ActionStep {
  std::string action;
  std::map<std::string, std::string> params;
  int line = 0;
};

// A change rule: which events of which resource it matches. With `older_than` it is a state
// rule instead: it matches objects that have stayed in the `to` state longer than that.
struct ChangeMatch {
  std::string resource;
  std::optional<sync::EventOp> op;  // any when unset
  std::string path;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::chrono::milliseconds> older_than;
};

struct Rule {
  std::string name;
  std::string on;  // joiner, leaver, rehire, mover or change
  std::optional<ChangeMatch> match;
  std::vector<ActionStep> steps;
  std::optional<bool> dry_run;
  std::optional<int> max_per_hour;
  int line = 0;
};

// The lifecycle events an identities change stands for: joiner (inserted), leaver (its
// lifecycleState.stateName moves into a leaver state), rehire (out of one), mover (a mover
// attribute changed). None for other resources.
std::vector<std::string> LifecycleEvents(const sync::Event& event, const Lifecycle& lifecycle);

// Whether a rule fires for an event whose lifecycle events are `lifecycle`. State rules
// (older_than) never fire on an event; EvaluateState does.
bool Matches(const Rule& rule, const sync::Event& event, const std::vector<std::string>& lifecycle);

// Whether an object is in the state a state rule waits for (its `to` value at `path`).
bool InState(const ChangeMatch& match, std::string_view object);

// InState as an SQL condition on the jsonb `column`, so that the database, not the daemon,
// picks the objects in the state; `quote` makes an SQL literal of a string.
std::string InStateSql(const ChangeMatch& match, std::string_view column,
                       const std::function<std::string(std::string_view)>& quote);

// The value at a JSON pointer as text: a string without its quotes, null or absent as
// nullopt, anything else as compact JSON.
std::optional<std::string> ValueAt(std::string_view json, std::string_view pointer);

// "managerRef.id" -> "/managerRef/id".
std::string DottedToPointer(std::string_view dotted);

// Expands {{before.a.b}}, {{after.a.b}} and {{event.object_id|resource|op|event_id}}. A
// field that is absent is an error naming it.
base::Expected<std::string> ExpandTemplate(std::string_view text, const sync::Event& event);

// A config-time check of a template's placeholders; the error names the first bad one.
base::Expected<void> CheckTemplate(std::string_view text);

}  // namespace isc_mirror::automation
