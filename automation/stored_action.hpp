// The stored form of a planned action (mirror.actions.params): one codec writes and reads it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "automation/actions.hpp"
#include "base/expected.hpp"

namespace isc_mirror::automation {

struct StoredAction {
  PlannedAction planned;  // its error is not stored: a row that cannot be done is failed
  size_t step = 0;        // the rule's step that planned it (a webhook's URL and secret)
};

std::string EncodeStoredAction(const StoredAction& action);

// Reads what EncodeStoredAction wrote, and the forms older versions wrote: calls without
// `expect`, and the done check as verify_path and verify_absent. The error says what is
// missing or malformed.
base::Expected<StoredAction> DecodeStoredAction(std::string_view json);

}  // namespace isc_mirror::automation
