// One structured log style for the whole daemon: a lowercase message, then key=value fields.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::base::log {

// One key=value pair. Values are formatted with fmt, so a base::Secret prints as [redacted].
class Field {
 public:
  template <typename T>
  Field(std::string_view key, const T& value) : key_(key), value_(fmt::format("{}", value)) {}

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  std::string_view key_;
  std::string value_;
};

// A vector, so that callers can add fields conditionally.
using Fields = std::vector<Field>;

// `message key=value key="value with spaces"`; values that need it are quoted and escaped
// so that a line always splits back into the same fields.
std::string FormatLine(std::string_view message, const Fields& fields);

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name);

// Receives each formatted log line (ending in a newline) instead of stderr.
using LineWriter = std::function<void(std::string_view line)>;

// Sends the default logger to stderr, or to `writer`. Under journald (JOURNAL_STREAM set) lines
// carry a syslog priority prefix instead of a timestamp, so `journalctl -p warning` works.
void Setup(spdlog::level::level_enum level, LineWriter writer = nullptr);

inline void Write(spdlog::level::level_enum level, std::string_view message, const Fields& fields) {
  if (!spdlog::should_log(level)) return;
  spdlog::log(level, "{}", FormatLine(message, fields));
}
inline void Debug(std::string_view message, const Fields& fields = {}) {
  Write(spdlog::level::debug, message, fields);
}
inline void Info(std::string_view message, const Fields& fields = {}) {
  Write(spdlog::level::info, message, fields);
}
inline void Warn(std::string_view message, const Fields& fields = {}) {
  Write(spdlog::level::warn, message, fields);
}
inline void Error(std::string_view message, const Fields& fields = {}) {
  Write(spdlog::level::err, message, fields);
}

}  // namespace isc_mirror::base::log
