// Reading the stored and answered JSON the automation handles: a field's text, or "".
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace isc_mirror::automation {

// The string at `key`, or "" when it is absent or not a string.
inline std::string TextOf(simdjson::dom::element e, std::string_view key) {
  std::string_view v;
  return e[key].get(v) ? std::string() : std::string(v);
}

}  // namespace isc_mirror::automation
