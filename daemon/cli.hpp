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
  // optional tenant; help: the command asked about, if any.
  std::vector<std::string> args;
};

base::Expected<CommandLine> ParseCommandLine(std::span<const std::string_view> args);

std::string_view CommandName(Command command);

// A command as the parser, `help` and docs/command-line.md know it: declared once, in
// cli.cpp's table.
struct CommandSpec {
  Command command;
  std::string_view name;
  std::vector<std::string_view> synopses;  // each follows "isc-mirror [OPTIONS] "
  std::string_view summary;                // one line, for the list of commands
  std::string_view details;                // what `help COMMAND` adds, wrapped at 79
};
const std::vector<CommandSpec>& CommandSpecs();
const CommandSpec* FindCommand(std::string_view name);

// An option every command takes.
struct GlobalOption {
  std::string_view flags;  // "-c, --config FILE"
  std::string_view text;
};
std::span<const GlobalOption> GlobalOptions();

// `help`, `--help`: every command and the global options.
std::string UsageText();
// `help COMMAND`, `COMMAND --help`.
std::string CommandHelp(const CommandSpec& spec);
// The synopsis block that opens docs/command-line.md (indented as a code block).
std::string RenderSynopsis();

}  // namespace isc_mirror::daemon
