// isc-sim's Event Trigger filters: the part of Jayway JSONPath that trigger filters use, so
// that a subscription's filter decides which deliveries are sent, as in ISC.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace isc_mirror::sim {

// What POST /v2025/trigger-subscriptions/validate-filter answers of a filter and a mock input.
struct FilterCheck {
  bool valid_json_path = false;  // isValidJSONPath: the filter parses
  bool path_exists = false;      // isPathExist: every path it names is in the input
  bool matches = false;          // isValid: it selects something, so the trigger would fire
  // Set when the filter uses JSONPath isc-sim does not evaluate (regular expressions, `in`,
  // unions, slices, functions); the fields above are then meaningless.
  std::string unsupported;
};

// SailPoint: "Event trigger filters are constructed using a Jayway JSONpath expression", and
// an event is sent only when the filter matches, i.e. selects a non-empty result
// (developer.sailpoint.com/docs/extensibility/event-triggers/filtering-events). As in Jayway,
// a filter `[?(...)]` on an array tests each element and on an object tests the object itself,
// so both `$.changes[?(@.attribute == 'manager')]` and `$[?($.identity.name == 'x')]` work.
// isc-sim evaluates: `$`, `@`, `.name`, `['name']`, `[n]`, `*`, `..name`, and filters with
// == != < <= > >=, && || !, parentheses, existence tests, and string, number, boolean and null
// literals.
FilterCheck CheckFilter(std::string_view filter, simdjson::dom::element input);

}  // namespace isc_mirror::sim
