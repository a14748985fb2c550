// Text from outside (answers of ISC and webhooks, API values) made safe to store and to show.
#pragma once

#include <string>
#include <string_view>

namespace isc_mirror::base {

// At most `max_bytes` of `in` as valid UTF-8 that PostgreSQL's text accepts: invalid bytes
// (Latin-1, binary, a character cut by an earlier truncation) become U+FFFD, NUL becomes
// U+FFFD too, and the cut never splits a character. Appends "…" when something was cut.
std::string StorableText(std::string_view in, size_t max_bytes = std::string_view::npos);

// `in` for a terminal: control characters (C0 but tab, DEL, C1, and ESC sequences with them)
// are shown as \xNN or \u{NNNN}, so that an API value cannot move the cursor, retitle the
// window or hide a line. Invalid UTF-8 is shown as \xNN too.
std::string TerminalSafe(std::string_view in);

// A URL as it may be shown: scheme, host and port, with any user, path, query or fragment
// replaced by "[redacted]" (a webhook's path often is its credential).
std::string RedactUrl(std::string_view url);

}  // namespace isc_mirror::base
