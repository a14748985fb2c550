#include "daemon/completion.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "daemon/cli.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::daemon {
namespace {

// The first flag of "-c, --config FILE" and the rest: ("-c | --config", "FILE").
std::pair<std::string, std::string_view> SplitFlags(std::string_view flags) {
  std::string patterns;
  std::string_view value;
  size_t start = 0;
  while (start < flags.size()) {
    size_t end = flags.find_first_of(", ", start);
    std::string_view word = flags.substr(start, end == std::string_view::npos ? end : end - start);
    if (word.starts_with("-")) {
      patterns += patterns.empty() ? std::string(word) : fmt::format(" | {}", word);
    } else if (!word.empty()) {
      value = word;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return {patterns, value};
}

// What a value named FILE, DIR or by its completion words completes to; nothing for others.
std::string ValueCompletion(std::string_view value, std::string_view words) {
  if (value == "FILE")
    return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))";
  if (value == "DIR")
    return "compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\"))";
  if (!words.empty()) return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", words);
  return ":";
}

struct Flags {
  std::string value_cases;          // case arms completing an option's value
  std::string value_patterns;       // every option that takes a value, as a case pattern
  std::vector<std::string> global;  // every global flag
};

Flags CollectFlags() {
  Flags flags;
  auto add_value = [&](const std::string& patterns, std::string_view value,
                       std::string_view words) {
    flags.value_cases +=
        fmt::format("    {}) {}; return ;;\n", patterns, ValueCompletion(value, words));
    flags.value_patterns += flags.value_patterns.empty() ? patterns : " | " + patterns;
  };
  for (const auto& option : GlobalOptions()) {
    auto [patterns, value] = SplitFlags(option.flags);
    if (!value.empty()) add_value(patterns, value, option.completion);
    size_t last = patterns.rfind(' ');
    flags.global.emplace_back(last == std::string::npos ? patterns : patterns.substr(last + 1));
  }
  for (const auto& spec : CommandSpecs()) {
    for (const auto& option : spec.options) {
      if (option.value.empty() || flags.value_patterns.find(option.flag) != std::string::npos) {
        continue;
      }
      add_value(std::string(option.flag), option.value, {});
    }
  }
  return flags;
}

std::string CommandNames() {
  std::vector<std::string_view> names;
  for (const auto& spec : CommandSpecs()) names.push_back(spec.name);
  names.push_back("help");
  return fmt::format("{}", fmt::join(names, " "));
}

// The words a command's next argument completes to, by what it names.
std::string OperandCompletion(const CommandSpec& spec) {
  size_t before = spec.verbs.empty() ? 0 : 1;  // arguments before the operand
  std::string out;
  if (!spec.verbs.empty()) {
    out += fmt::format(
        "      if ((${{#operands[@]}} == 0)); then COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); "
        "return; fi\n",
        fmt::join(spec.verbs, " "));
  }
  switch (spec.operand) {
    case Operand::kResources:
      return out +
             "      COMPREPLY=($(compgen -W \"$(_isc_mirror_names resources)\" -- \"$cur\"))\n";
    case Operand::kTenantResource:
      return out + fmt::format(
                       "      ((${{#operands[@]}} == {})) && COMPREPLY=($(compgen -W "
                       "\"$(_isc_mirror_tenant_resources)\" -- \"$cur\"))\n",
                       before);
    case Operand::kTenant:
      return out + fmt::format(
                       "      ((${{#operands[@]}} == {})) && COMPREPLY=($(compgen -W "
                       "\"$(_isc_mirror_names tenants)\" -- \"$cur\"))\n",
                       before);
    case Operand::kNone:
      return out;
  }
  return out;
}

std::string CommandCases(const std::vector<std::string>& global) {
  std::string out;
  for (const auto& spec : CommandSpecs()) {
    std::vector<std::string_view> options;
    for (const auto& option : spec.options) options.push_back(option.flag);
    options.insert(options.end(), global.begin(), global.end());
    out += fmt::format(
        "    {})\n"
        "      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return; fi\n"
        "{}      ;;\n",
        spec.name, fmt::join(options, " "), OperandCompletion(spec));
  }
  return out +
         fmt::format(
             "    help)\n"
             "      ((${{#operands[@]}} == 0)) && COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))\n"
             "      ;;\n",
             CommandNames());
}

constexpr std::string_view kHelpers =
    R"(# The tenant or resource names of the config the line names with -c, else of the default one.
_isc_mirror_names() {
  local config=%DEFAULT_CONFIG% i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -c | --config)
        config=${COMP_WORDS[i + 1]}
        [[ $config == = ]] && config=${COMP_WORDS[i + 2]}
        ;;
    esac
  done
  "${COMP_WORDS[0]}" -c "${config/#\~/$HOME}" %NAMES% "$1" 2>/dev/null
}

# RESOURCE and TENANT/RESOURCE.
_isc_mirror_tenant_resources() {
  local resources tenant resource
  resources=$(_isc_mirror_names resources)
  echo "$resources"
  for tenant in $(_isc_mirror_names tenants); do
    for resource in $resources; do echo "$tenant/$resource"; done
  done
}
)";

std::string Helpers() {
  std::string out(kHelpers);
  auto replace = [&](std::string_view key, std::string_view value) {
    out.replace(out.find(key), key.size(), value);
  };
  replace("%DEFAULT_CONFIG%", kDefaultConfigPath);
  replace("%NAMES%", kNamesCommand);
  return out;
}

}  // namespace

std::string RenderBashCompletion(std::string_view version) {
  Flags flags = CollectFlags();
  return fmt::format(
      "# bash completion for isc-mirror {version}, rendered from its command table "
      "(daemon/cli.cpp).\n\n"
      "{helpers}\n"
      "_isc_mirror() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD - 1]}}\n"
      "  # --option=value arrives as three words: --option, = and the value.\n"
      "  [[ $cur == = ]] && cur=\n"
      "  [[ $prev == = ]] && prev=${{COMP_WORDS[COMP_CWORD - 2]}}\n"
      "  COMPREPLY=()\n"
      "  case $prev in\n"
      "{value_cases}"
      "  esac\n\n"
      "  local command= i\n"
      "  local -a operands=()\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case ${{COMP_WORDS[i]}} in\n"
      "      {value_patterns})\n"
      "        ((i++))\n"
      "        [[ ${{COMP_WORDS[i]}} == = ]] && ((i++))\n"
      "        ;;\n"
      "      -* | =) ;;\n"
      "      *) if [[ -z $command ]]; then command=${{COMP_WORDS[i]}}; "
      "else operands+=(\"${{COMP_WORDS[i]}}\"); fi ;;\n"
      "    esac\n"
      "  done\n\n"
      "  if [[ -z $command ]]; then\n"
      "    COMPREPLY=($(compgen -W \"{commands} {global}\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  case $command in\n"
      "{command_cases}"
      "  esac\n"
      "}}\n\n"
      "complete -F _isc_mirror isc-mirror\n",
      fmt::arg("version", version), fmt::arg("helpers", Helpers()),
      fmt::arg("value_cases", flags.value_cases), fmt::arg("value_patterns", flags.value_patterns),
      fmt::arg("commands", CommandNames()), fmt::arg("global", fmt::join(flags.global, " ")),
      fmt::arg("command_cases", CommandCases(flags.global)));
}

std::vector<std::string> ConfiguredNames(std::string_view yaml, std::string_view kind) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception&) {
    root = YAML::Node();  // unreadable: no tenants, every resource
  }
  std::vector<std::string> names;
  if (kind == "tenants") {
    if (!root.IsMap() || !root["tenants"].IsSequence()) return names;
    for (const auto& tenant : root["tenants"]) {
      YAML::Node name = tenant.IsMap() ? tenant["name"] : YAML::Node();
      if (name.IsDefined() && name.IsScalar()) names.push_back(name.Scalar());
    }
    return names;
  }
  YAML::Node resources = root.IsMap() ? root["resources"] : YAML::Node();
  for (const auto& schema : sync::BuiltinSchemas()) {
    YAML::Node resource = resources.IsMap() ? resources[schema.name] : YAML::Node();
    YAML::Node enabled =
        resource.IsDefined() && resource.IsMap() ? resource["enabled"] : YAML::Node();
    if (enabled.IsDefined() && !enabled.as<bool>(true)) continue;
    names.push_back(schema.name);
  }
  return names;
}

}  // namespace isc_mirror::daemon
