// Every config key, declared once: its type, default and meaning. The loader takes the keys a
// mapping may hold from here, and docs/config.md's reference is checked against it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::daemon {

struct ConfigKey {
  std::string_view key;      // dotted, with [] for a list's items and <name> for a resource
  std::string_view type;     // as an operator reads it: duration, integer, list of strings...
  std::string default_text;  // rendered from the model's own default (config.hpp and below)
  std::string meaning;
};

std::span<const ConfigKey> ConfigKeys();

// The names a mapping at `parent` may hold ("" for the top, "tenants[]", "resources.<name>").
std::vector<std::string_view> ChildKeys(std::string_view parent);

// "Resources and their default intervals: identities 5m, ...", with the markdown's backticks.
std::string ResourceDefaults();

// The reference of docs/config.md: the keys' table and the resources' default intervals.
std::string RenderConfigReference();

}  // namespace isc_mirror::daemon
