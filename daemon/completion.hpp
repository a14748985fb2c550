// The bash completion, rendered from the command table, and the config names it asks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::daemon {

// The script for /usr/share/bash-completion/completions/isc-mirror: commands, options, verbs,
// and the tenant and resource names of the config the line names (via `isc-mirror __names`).
std::string RenderBashCompletion(std::string_view version);

// `__names tenants|resources`: the config's tenant names, or the built-in resources it does not
// disable. YAML that cannot be read has no tenants and disables nothing. Secrets and ${VAR} are
// not touched: only the names are read.
std::vector<std::string> ConfiguredNames(std::string_view yaml, std::string_view kind);

}  // namespace isc_mirror::daemon
