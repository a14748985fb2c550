// The manual pages isc-mirror(1) and isc-mirror.yaml(5), rendered from the command table
// (cli.cpp) and the config key table (config_keys.cpp) that `help` and docs/ come from.
#pragma once

#include <string>
#include <string_view>

namespace isc_mirror::daemon {

// Text with markdown's `code` and [text](link) as troff: code bold, links their text, and
// what troff would read as its own (backslashes, hyphens, a leading dot) escaped.
std::string ManText(std::string_view markdown);

std::string RenderCommandManPage(std::string_view version);
// The exit statuses isc-mirror(1) lists, as the table docs/command-line.md holds.
std::string RenderExitStatusMarkdown();
std::string RenderConfigManPage(std::string_view version);

}  // namespace isc_mirror::daemon
