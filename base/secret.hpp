// A string that must never reach a log line, an error message or the database.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace isc_mirror::base {

inline constexpr std::string_view kRedacted = "[redacted]";

// Holding a secret in its own type makes every use explicit: the only way to read it is
// Reveal(), and formatting it prints kRedacted.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

}  // namespace isc_mirror::base

template <>
struct fmt::formatter<isc_mirror::base::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const isc_mirror::base::Secret&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(isc_mirror::base::kRedacted, ctx);
  }
};
