#include "daemon/cli.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace isc_mirror::daemon {
namespace {

constexpr std::array<std::pair<std::string_view, Command>, 9> kCommands = {{
    {"migrate", Command::kMigrate},
    {"sync", Command::kSync},
    {"run", Command::kRun},
    {"sync-now", Command::kSyncNow},
    {"status", Command::kStatus},
    {"actions", Command::kActions},
    {"plan", Command::kPlan},
    {"check-config", Command::kCheckConfig},
    {"triggers", Command::kTriggers},
}};

bool IsActionId(std::string_view text) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

base::Expected<CommandLine> CheckArguments(CommandLine line) {
  const auto& args = line.args;
  auto name = CommandName(line.command);
  if (line.full && line.command != Command::kSync) {
    return base::Error{fmt::format("--full applies only to sync, not to {}", name)};
  }
  if (line.allow_deletes && (line.command != Command::kSync || !line.full || line.args.empty())) {
    return base::Error{
        "--allow-deletes needs sync --full and the resources it applies to, e.g. sync --full "
        "--allow-deletes accounts"};
  }
  if (line.json && line.command != Command::kStatus && line.command != Command::kActions &&
      line.command != Command::kPlan) {
    return base::Error{fmt::format("--json applies to status, actions and plan, not to {}", name)};
  }
  if (line.online && line.command != Command::kCheckConfig) {
    return base::Error{fmt::format("--online applies only to check-config, not to {}", name)};
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
    default:
      if (!args.empty()) {
        return base::Error{fmt::format("{} takes no arguments, got '{}'", name, args[0])};
      }
      return line;
  }
}

}  // namespace

std::string_view CommandName(Command command) {
  for (const auto& [name, value] : kCommands) {
    if (value == command) return name;
  }
  return command == Command::kVersion ? "--version" : "help";
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
    } else if (arg == "--version" || arg == "-V") {
      line.command = Command::kVersion;
      return line;
    } else if (arg == "--help" || arg == "-h" || (!have_command && arg == "help")) {
      line.command = Command::kHelp;
      return line;
    } else if (arg.starts_with("-") && arg.size() > 1) {
      return base::Error{fmt::format("unknown option '{}'", arg)};
    } else if (!have_command) {
      bool found = false;
      for (const auto& [name, command] : kCommands) {
        if (name == arg) {
          line.command = command;
          found = true;
        }
      }
      if (!found) return base::Error{fmt::format("unknown command '{}'", arg)};
      have_command = true;
    } else {
      line.args.emplace_back(arg);
    }
  }
  if (!have_command) return base::Error{"no command given"};
  return CheckArguments(std::move(line));
}

std::string UsageText() {
  return R"(usage: isc-mirror [-c FILE] [--log-level LEVEL] COMMAND

commands:
  migrate [--migrations-dir DIR]   apply pending database migrations
  sync [--full] [RESOURCE...]      run one sync cycle, then exit (non-zero on failure)
  sync --full --allow-deletes RESOURCE...
                                   apply deletes the guard held, after checking the tenant
  run                              run the daemon
  sync-now RESOURCE                ask a running daemon to sync RESOURCE now
  status [--json]                  per resource: last run, counts, lag; actions
  actions list|approve ID|retry ID|cancel ID
  plan                             show what the rules would do, without doing it
  check-config [--online]          validate the config and print every error found;
                                   --online: get a token, read a page of every enabled
                                   resource, check each configured action's access
  triggers subscribe [TENANT] --url PUBLIC_URL
                                   create or update the tenant's Event Trigger subscriptions
  triggers list|unsubscribe [TENANT]
                                   show them, or remove the mirror's

options:
  -c, --config FILE     config file (default /etc/isc-mirror/config.yaml)
  --log-level LEVEL     trace, debug, info, warn, error, critical or off
  --version             print the version
)";
}

}  // namespace isc_mirror::daemon
