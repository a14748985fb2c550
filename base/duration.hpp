// Durations as written in the config: 500ms, 10s, 15m, 24h, 7d, or combined like 1h30m.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace isc_mirror::base {

using Duration = std::chrono::milliseconds;

// nullopt for anything that is not one or more <digits><unit> groups.
std::optional<Duration> ParseDuration(std::string_view text);

// The shortest form that parses back to the same value: 90s -> "1m30s", 0 -> "0s".
std::string FormatDuration(Duration duration);

}  // namespace isc_mirror::base
