// Canonical bytes, content hashes and changed paths of API objects: the pure core of change
// detection.
#pragma once

#include <simdjson.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace isc_mirror::sync {

// JSON pointers left out of canonical bytes (a resource's ignore_paths).
using IgnoreSet = std::set<std::string, std::less<>>;

// The object with keys sorted, no insignificant whitespace, strings escaped one way, numbers
// as written and ignored paths removed (an error for what PostgreSQL cannot store: a number
// beyond numeric's range, nesting deeper than 512, a lone UTF-16 surrogate): equal content gives
// equal bytes, whatever the order ISC sends fields in. Consumes `value` (on-demand: one pass, no
// DOM).
base::Expected<std::string> CanonicalJson(simdjson::ondemand::value value, const IgnoreSet& ignore);

// The elements of a JSON array's text, split without parsing them, so that one element the
// parser refuses (a lone surrogate, a number jsonb cannot hold) can be refused alone. Only the
// brackets, strings and commas are read; each element is still parsed on its own.
base::Expected<std::vector<std::string_view>> SplitJsonArray(std::string_view page);

// A 128-bit content hash of canonical bytes, as 32 hex characters.
std::string ContentHash(std::string_view canonical);

// JSON pointers of what differs between two canonical documents: leaves that changed, were
// added or were removed; an array that differs in any way is reported as one path.
std::vector<std::string> ChangedPaths(std::string_view before, std::string_view after);

// The changed values, as stored on a change event: {"pointer": [old, new], ...} with each
// side's JSON text as it stands in its document (null where the pointer names nothing), for
// the given pointers; empty when there are none. Pointers resolve as PostgreSQL's #> does
// with report.pointer_path, so a migrated event's diff and a new one's mean the same.
std::string ChangeDiff(std::string_view before, std::string_view after,
                       const std::vector<std::string>& pointers);

// An identity id in 32-hex form or dashed UUID form, any case, as 32 lowercase hex
// characters; nullopt for anything else.
std::optional<std::string> NormalizeIdentityId(std::string_view id);

// The RFC 6901 escaping of one pointer segment (~ as ~0, / as ~1).
std::string EscapePointerSegment(std::string_view segment);

}  // namespace isc_mirror::sync
