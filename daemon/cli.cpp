#include "daemon/cli.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace isc_mirror::daemon {
namespace {

bool IsActionId(std::string_view text) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The commands that take `flag`, as "sync" or "status, actions and plan".
std::string Takers(std::string_view flag) {
  std::vector<std::string_view> names;
  for (const auto& spec : CommandSpecs()) {
    for (const auto& option : spec.options) {
      if (option.flag == flag) names.push_back(spec.name);
    }
  }
  if (names.size() == 1) return fmt::format("only to {}", names[0]);
  return fmt::format("to {} and {}", fmt::join(names.begin(), names.end() - 1, ", "), names.back());
}

// An option given to a command the table does not list it for.
std::optional<std::string> OptionOutOfPlace(const CommandLine& line) {
  const std::pair<std::string_view, bool> given[] = {{"--full", line.full},
                                                     {"--json", line.json},
                                                     {"--online", line.online},
                                                     {"--watch", line.watch},
                                                     {"--url", line.url.has_value()}};
  const CommandSpec* spec = FindCommand(CommandName(line.command));
  for (const auto& [flag, set] : given) {
    if (!set) continue;
    static const std::vector<CommandOption> kNone;
    bool takes = false;
    for (const auto& option : spec != nullptr ? spec->options : kNone) {
      takes = takes || option.flag == flag;
    }
    if (!takes) {
      return fmt::format("{} applies {}, not to {}", flag, Takers(flag), CommandName(line.command));
    }
  }
  return std::nullopt;
}

base::Expected<CommandLine> CheckArguments(CommandLine line) {
  const auto& args = line.args;
  auto name = CommandName(line.command);
  if (line.allow_deletes && (line.command != Command::kSync || !line.full || line.args.empty())) {
    return base::Error{
        "--allow-deletes needs sync --full and the resources it applies to, e.g. sync --full "
        "--allow-deletes accounts"};
  }
  if (auto wrong = OptionOutOfPlace(line)) return base::Error{*wrong};
  if (line.watch && line.json) {
    return base::Error{"--watch redraws the text; --json prints once (run it on a schedule)"};
  }
  if (line.url && (line.command != Command::kTriggers || args.empty() || args[0] != "subscribe")) {
    return base::Error{"--url applies only to triggers subscribe"};
  }
  switch (line.command) {
    case Command::kSync:
      return line;
    case Command::kSyncNow:
      if (args.size() != 1) return base::Error{"sync-now takes exactly one RESOURCE"};
      return line;
    case Command::kActions: {
      if (args.empty()) return base::Error{"actions takes list, approve ID, retry ID or cancel ID"};
      const auto& verb = args[0];
      if (verb == "list") {
        if (args.size() != 1) return base::Error{"actions list takes no further arguments"};
        return line;
      }
      if (verb == "approve" || verb == "retry" || verb == "cancel") {
        if (args.size() != 2 || !IsActionId(args[1])) {
          return base::Error{fmt::format("actions {} takes one numeric action ID", verb)};
        }
        return line;
      }
      return base::Error{
          fmt::format("unknown actions verb '{}' (expected list, approve, retry or cancel)", verb)};
    }
    case Command::kTriggers: {
      if (args.empty() || args.size() > 2 ||
          (args[0] != "subscribe" && args[0] != "list" && args[0] != "unsubscribe")) {
        return base::Error{
            "triggers takes subscribe, list or unsubscribe, and optionally a TENANT"};
      }
      if (args[0] == "subscribe" && (!line.url || line.url->empty())) {
        return base::Error{
            "triggers subscribe needs --url PUBLIC_URL: the address ISC reaches the receiver at"};
      }
      return line;
    }
    case Command::kNames:
      if (args.size() != 1 || (args[0] != "tenants" && args[0] != "resources")) {
        return base::Error{"__names takes tenants or resources"};
      }
      return line;
    case Command::kHelp:
      if (args.size() > 1) return base::Error{"help takes at most one COMMAND"};
      if (!args.empty() && FindCommand(args[0]) == nullptr) {
        return base::Error{fmt::format("unknown command '{}' (help lists them)", args[0])};
      }
      return line;
    default:
      if (!args.empty()) {
        return base::Error{fmt::format("{} takes no arguments, got '{}'", name, args[0])};
      }
      return line;
  }
}

}  // namespace

std::string_view CommandName(Command command) {
  for (const auto& spec : CommandSpecs()) {
    if (spec.command == command) return spec.name;
  }
  if (command == Command::kNames) return kNamesCommand;
  return command == Command::kVersion ? "--version" : "help";
}

const std::vector<CommandSpec>& CommandSpecs() {
  static const std::vector<CommandSpec> kSpecs = {
      {.command = Command::kMigrate,
       .name = "migrate",
       .synopses = {"migrate [--migrations-dir DIR]"},
       .summary = "apply pending database migrations",
       .details = "Applies the numbered SQL files not yet applied, in order, each once, under an\n"
                  "advisory lock. DIR defaults to database.migrations_dir, then the directory\n"
                  "beside the binary, then ../share/isc-mirror/migrations.",
       .options = {{.flag = "--migrations-dir", .value = "DIR"}}},
      {.command = Command::kSync,
       .name = "sync",
       .synopses = {"sync [--full] [RESOURCE...]", "sync --full --allow-deletes RESOURCE..."},
       .summary = "run one sync cycle, then exit (non-zero on failure)",
       .details = "Scans every enabled resource (or those named) once, incrementally where a\n"
                  "resource allows it; --full forces full scans. Deletes the guard holds are\n"
                  "recorded, not made; after checking the tenant, --full --allow-deletes\n"
                  "applies them for the resources named.",
       .options = {{.flag = "--full"}, {.flag = "--allow-deletes"}},
       .operand = Operand::kResources},
      {.command = Command::kRun,
       .name = "run",
       .synopses = {"run"},
       .summary = "run the daemon",
       .details = "Syncs every tenant's resources at their intervals, runs the actions that\n"
                  "are due, serves /metrics and /healthz, and receives Event Trigger\n"
                  "deliveries when triggers.listen is set. SIGHUP reloads the config; SIGTERM\n"
                  "stops it after the page being written."},
      {.command = Command::kSyncNow,
       .name = "sync-now",
       .synopses = {"sync-now [TENANT/]RESOURCE"},
       .summary = "ask a running daemon to sync RESOURCE now",
       .details = "Sends NOTIFY isc_mirror_sync_now; every running daemon syncs the resource\n"
                  "at once.",
       .operand = Operand::kTenantResource},
      {.command = Command::kStatus,
       .name = "status",
       .synopses = {"status [--json | --watch]"},
       .summary = "per resource: last run, counts, lag; actions",
       .details = "Prints each tenant's resources (interval, last run, lag, next run), the\n"
                  "outbox and the actions waiting for something, and the Event Trigger\n"
                  "deliveries; --json prints the same as one JSON object. --watch redraws\n"
                  "it every 2 seconds until Ctrl-C.",
       .options = {{.flag = "--json"}, {.flag = "--watch"}}},
      {.command = Command::kActions,
       .name = "actions",
       .synopses = {"actions list [--json]", "actions approve|retry|cancel ID"},
       .summary = "list the outbox, or approve, retry or cancel one action",
       .details = "list shows the actions that wait (held, failed, dead, pending); approve\n"
                  "releases a held action, retry makes a failed or dead one due again, cancel\n"
                  "ends it without a call to ISC.",
       .options = {{.flag = "--json"}},
       .verbs = {"list", "approve", "retry", "cancel"}},
      {.command = Command::kPlan,
       .name = "plan",
       .synopses = {"plan [--json]"},
       .summary = "show what the rules would do, without doing it",
       .details = "Matches the rules against the mirror as it is and prints the actions they\n"
                  "would stage; nothing is written and ISC is not called.",
       .options = {{.flag = "--json"}}},
      {.command = Command::kCheckConfig,
       .name = "check-config",
       .synopses = {"check-config [--online]"},
       .summary = "validate the config and print every error found",
       .details = "Prints every error as FILE:LINE:COLUMN: KEY: MESSAGE. --online also gets a\n"
                  "token for every tenant, reads a page of every enabled resource and checks\n"
                  "each configured action's access, and prints what works and what is\n"
                  "refused.",
       .options = {{.flag = "--online"}}},
      {.command = Command::kTriggers,
       .name = "triggers",
       .synopses = {"triggers subscribe [TENANT] --url PUBLIC_URL",
                    "triggers list|unsubscribe [TENANT]"},
       .summary = "manage the tenant's Event Trigger subscriptions",
       .details = "subscribe creates or replaces one HTTP subscription per trigger, pointing at\n"
                  "PUBLIC_URL/triggers/TENANT/TRIGGER with the tenant's auth and filters;\n"
                  "list shows every subscription; unsubscribe removes the mirror's only.",
       .options = {{.flag = "--url", .value = "PUBLIC_URL"}},
       .verbs = {"subscribe", "list", "unsubscribe"},
       .operand = Operand::kTenant},
  };
  return kSpecs;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& spec : CommandSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

base::Expected<CommandLine> ParseCommandLine(std::span<const std::string_view> args) {
  CommandLine line;
  bool have_command = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    // Options that take a value accept both "--opt value" and "--opt=value".
    auto take_value = [&](std::string_view option) -> std::optional<std::string> {
      if (arg == option) {
        if (i + 1 >= args.size()) return std::nullopt;
        return std::string(args[++i]);
      }
      return std::string(arg.substr(option.size() + 1));
    };
    auto is_option = [&](std::string_view option) {
      return arg == option ||
             (arg.starts_with(option) && arg.size() > option.size() && arg[option.size()] == '=');
    };
    if (arg == "-c" || is_option("--config")) {
      auto value = take_value(arg == "-c" ? "-c" : "--config");
      if (!value || value->empty()) return base::Error{"-c/--config needs a FILE"};
      line.config_path = *value;
    } else if (is_option("--log-level")) {
      auto value = take_value("--log-level");
      if (!value) return base::Error{"--log-level needs a level"};
      line.log_level = *value;
    } else if (is_option("--migrations-dir")) {
      auto value = take_value("--migrations-dir");
      if (!value || value->empty()) return base::Error{"--migrations-dir needs a DIR"};
      line.migrations_dir = *value;
    } else if (is_option("--url")) {
      auto value = take_value("--url");
      if (!value || value->empty()) return base::Error{"--url needs a PUBLIC_URL"};
      line.url = *value;
    } else if (arg == "--full") {
      line.full = true;
    } else if (arg == "--allow-deletes") {
      line.allow_deletes = true;
    } else if (arg == "--json") {
      line.json = true;
    } else if (arg == "--online") {
      line.online = true;
    } else if (arg == "--watch") {
      line.watch = true;
    } else if (arg == "--version" || arg == "-V") {
      line.command = Command::kVersion;
      return line;
    } else if (arg == "--help" || arg == "-h") {
      // COMMAND --help asks about the command, whatever else the line says; alone, about them
      // all.
      CommandLine help{.command = Command::kHelp};
      if (have_command && line.command != Command::kHelp) {
        help.args = {std::string(CommandName(line.command))};
      } else if (have_command) {
        help.args = line.args;
      }
      return CheckArguments(std::move(help));
    } else if (arg.starts_with("-") && arg.size() > 1) {
      return base::Error{fmt::format("unknown option '{}'", arg)};
    } else if (!have_command) {
      if (arg == kNamesCommand) {
        line.command = Command::kNames;
        have_command = true;
        continue;
      }
      const CommandSpec* spec = FindCommand(arg);
      if (spec == nullptr && arg != "help") {
        return base::Error{fmt::format("unknown command '{}'", arg)};
      }
      line.command = spec != nullptr ? spec->command : Command::kHelp;
      have_command = true;
    } else {
      line.args.emplace_back(arg);
    }
  }
  if (!have_command) return base::Error{"no command given"};
  return CheckArguments(std::move(line));
}

namespace {

constexpr GlobalOption kGlobalOptions[] = {
    {"-c, --config FILE", "config file (default /etc/isc-mirror/config.yaml)"},
    {"--log-level LEVEL", "trace, debug, info, warn, error, critical or off",
     "trace debug info warn error critical off"},
    {"-h, --help", "print this help, or after a COMMAND that command's"},
    {"--version", "print the version"},
};

constexpr size_t kSummaryColumn = 35;

std::string OptionLines() {
  std::string out = "options:\n";
  for (const auto& o : kGlobalOptions) out += fmt::format("  {:<20}  {}\n", o.flags, o.text);
  return out;
}

// "  SYNOPSIS   summary", the summary on a line of its own when the synopsis is long.
std::string CommandLines(const CommandSpec& spec) {
  std::string out;
  for (size_t i = 0; i < spec.synopses.size(); ++i) {
    std::string line = fmt::format("  {}", spec.synopses[i]);
    if (i == 0 && line.size() + 1 < kSummaryColumn) {
      line += std::string(kSummaryColumn - line.size(), ' ') + std::string(spec.summary);
    } else if (i == 0) {
      line += "\n" + std::string(kSummaryColumn, ' ') + std::string(spec.summary);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::span<const GlobalOption> GlobalOptions() {
  return kGlobalOptions;
}

std::string UsageText() {
  std::string out = "usage: isc-mirror [-c FILE] [--log-level LEVEL] COMMAND\n\ncommands:\n";
  for (const auto& spec : CommandSpecs()) out += CommandLines(spec);
  out += "  help [COMMAND]                   print this help, or the command's\n\n";
  return out + OptionLines();
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out;
  for (const auto& synopsis : spec.synopses) {
    out += fmt::format("{} isc-mirror [OPTIONS] {}\n", out.empty() ? "usage:" : "      ", synopsis);
  }
  out += fmt::format("\n{}\n\n{}\n\n", spec.summary, spec.details);
  return out + OptionLines() + "\nMore in docs/command-line.md.\n";
}

std::string RenderSynopsis() {
  std::string out;
  for (const auto& spec : CommandSpecs()) {
    for (const auto& synopsis : spec.synopses) {
      out += fmt::format("    isc-mirror [-c FILE] {}\n", synopsis);
    }
  }
  return out + "    isc-mirror help [COMMAND]\n    isc-mirror --version\n";
}

}  // namespace isc_mirror::daemon
