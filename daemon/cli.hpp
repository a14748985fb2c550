// The command line (docs/command-line.md), parsed into a plain struct with no side effects.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace isc_mirror::daemon {

inline constexpr std::string_view kDefaultConfigPath = "/etc/isc-mirror/config.yaml";

enum class Command {
  kMigrate,
  kSync,
  kRun,
  kSyncNow,
  kStatus,
  kActions,
  kPlan,
  kCheckConfig,
  kTriggers,
  kVersion,
  kHelp,
};

struct CommandLine {
  Command command = Command::kHelp;
  std::string config_path{kDefaultConfigPath};
  std::optional<std::string> log_level;
  std::optional<std::string> migrations_dir;
  bool full = false;               // sync --full
  bool allow_deletes = false;      // sync --allow-deletes: apply deletes the guard would hold
  bool json = false;               // status --json
  bool online = false;             // check-config --online: ask ISC what the credentials may do
  std::optional<std::string> url;  // triggers subscribe --url: the receiver's public address
  // sync: resources; sync-now: one resource; actions: verb and optional id; triggers: verb and
  // optional tenant.
  std::vector<std::string> args;
};

base::Expected<CommandLine> ParseCommandLine(std::span<const std::string_view> args);

std::string_view CommandName(Command command);

std::string UsageText();

}  // namespace isc_mirror::daemon
