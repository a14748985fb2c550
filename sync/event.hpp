// A change event as the engine records it and rules see it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/names.hpp"

namespace isc_mirror::sync {

enum class EventOp { kInsert, kUpdate, kDelete, kExpire };

// The op's names, as mirror.change_events.op holds them (its CHECK lists the same four).
inline constexpr base::NameTable<EventOp> kEventOps[] = {
    {EventOp::kInsert, "insert"},
    {EventOp::kUpdate, "update"},
    {EventOp::kDelete, "delete"},
    {EventOp::kExpire, "expire"},
};

constexpr std::string_view EventOpName(EventOp op) {
  return base::NameOf(kEventOps, op, "update");
}

// The op a stored name stands for; the table's CHECK admits no other, so an unknown name is a
// programmer's error.
inline EventOp EventOpOf(std::string_view name) {
  if (auto op = base::FromName(kEventOps, name)) return *op;
  throw std::logic_error("unknown change event op '" + std::string(name) + "'");
}

struct Event {
  int64_t event_id = 0;
  std::string resource;
  std::string object_id;
  EventOp op = EventOp::kUpdate;
  std::vector<std::string> changed_paths;
  std::optional<std::string> before;  // canonical JSON
  std::optional<std::string> after;
};

}  // namespace isc_mirror::sync
