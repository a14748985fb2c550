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
// The hidden command the bash completion asks for the config's tenant and resource names.
inline constexpr std::string_view kNamesCommand = "__names";

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
  kNames,  // __names tenants|resources: for the shell completion, not in the table
};

struct CommandLine {
  Command command = Command::kHelp;
  std::string config_path{kDefaultConfigPath};
  std::optional<std::string> log_level;
  std::optional<std::string> migrations_dir;
  bool full = false;               // sync --full
  bool allow_deletes = false;      // sync --allow-deletes: apply deletes the guard would hold
  bool json = false;               // status --json
  bool watch = false;              // status --watch: redraw every few seconds
  bool online = false;             // check-config --online: ask ISC what the credentials may do
  std::optional<std::string> url;  // triggers subscribe --url: the receiver's public address
  // sync: resources; sync-now: one resource; actions: verb and optional id; triggers: verb and
  // optional tenant; help: the command asked about, if any.
  std::vector<std::string> args;
};

base::Expected<CommandLine> ParseCommandLine(std::span<const std::string_view> args);

std::string_view CommandName(Command command);

// What a command's arguments name, for the shell completion.
enum class Operand {
  kNone,
  kResources,       // RESOURCE...
  kTenantResource,  // [TENANT/]RESOURCE
  kTenant,          // [TENANT], after a verb
};

// An option only some commands take.
struct CommandOption {
  std::string_view flag;
  std::string_view value;  // "DIR", or empty for a switch
};

// A command as the parser, `help`, the completion and docs/command-line.md know it: declared
// once, in cli.cpp's table.
struct CommandSpec {
  Command command;
  std::string_view name;
  std::vector<std::string_view> synopses;  // each follows "isc-mirror [OPTIONS] "
  std::string_view summary;                // one line, for the list of commands
  std::string_view details;                // what `help COMMAND` adds, wrapped at 79
  std::vector<CommandOption> options;      // as the synopses show them
  std::vector<std::string_view> verbs;     // the first argument's choices, if it is a verb
  Operand operand = Operand::kNone;
};
const std::vector<CommandSpec>& CommandSpecs();
const CommandSpec* FindCommand(std::string_view name);

// An option every command takes.
struct GlobalOption {
  std::string_view flags;  // "-c, --config FILE"
  std::string_view text;
  std::string_view completion = {};  // the words its value takes, for the shell completion
};
std::span<const GlobalOption> GlobalOptions();

// `help`, `--help`: every command and the global options.
std::string UsageText();
// `help COMMAND`, `COMMAND --help`.
std::string CommandHelp(const CommandSpec& spec);
// The synopsis block that opens docs/command-line.md (indented as a code block).
std::string RenderSynopsis();

}  // namespace isc_mirror::daemon
