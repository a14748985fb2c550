// A change event as the engine records it and rules see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::sync {

// What a change event's op may be, as mirror.change_events.op holds it.
inline constexpr std::string_view kEventOps[] = {"insert", "update", "delete", "expire"};

struct Event {
  int64_t event_id = 0;
  std::string resource;
  std::string object_id;
  std::string op;  // insert, update, delete, expire
  std::vector<std::string> changed_paths;
  std::optional<std::string> before;  // canonical JSON
  std::optional<std::string> after;
};

}  // namespace isc_mirror::sync
