#include "daemon/man_pages.hpp"

#include <fmt/format.h>

#include <cctype>

#include "daemon/cli.hpp"
#include "daemon/config_keys.hpp"

namespace isc_mirror::daemon {
namespace {

// One troff-escaped character of plain text.
void Escape(char c, std::string& out) {
  if (c == '\\') {
    out += "\\e";
  } else if (c == '-') {
    out += "\\-";
  } else {
    out += c;
  }
}

// A line troff would take for a request is made plain text.
std::string Guard(std::string text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (line.starts_with('.') || line.starts_with('\'')) out += "\\&";
    out += line;
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

std::string Header(std::string_view name, int section, std::string_view version,
                   std::string_view manual) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format(".TH {} {} \"\" \"isc\\-mirror {}\" \"{}\"\n", ManText(upper), section,
                     ManText(version), manual);
}

constexpr std::string_view kExitCodes[][2] = {
    {"0", "success"},
    {"1",
     "the operation failed: the database unreachable, a migration refused, a sync run failed, "
     "a call to ISC refused"},
    {"2", "a usage error: an unknown command, option or argument"},
    {"78",
     "(EX_CONFIG) the config is invalid: every command but `check-config` refuses to start, "
     "and the systemd unit does not restart on it"},
};

constexpr std::string_view kEnvironment[][2] = {
    {"SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET",
     "a tenant's `base_url`, `client_id` and `client_secret` when its config leaves them out; "
     "with no `tenants` at all, one tenant named `default` made of them (SailPoint's CLI and "
     "SDKs read the same variables)"},
    {"DATABASE_URL",
     "the database when `database.url` is not set; without either, libpq's `PG*` "
     "variables (`PGHOST`, `PGDATABASE`, `PGUSER`, ...)"},
    {"CREDENTIALS_DIRECTORY",
     "set by systemd's `LoadCredential=`; the config names secret files "
     "in it as `${CREDENTIALS_DIRECTORY}/name`"},
    {"JOURNAL_STREAM", "set by systemd: the log is written for journald, without timestamps"},
    {"VAR", "any variable a config value names as `${VAR}`"},
};

constexpr std::string_view kFiles[][2] = {
    {"/etc/isc-mirror/config.yaml", "the config, isc-mirror.yaml(5); `-c` names another"},
    {"/etc/isc-mirror/client_secret",
     "the client secret the unit hands to the service with `LoadCredential=`"},
    {"/usr/share/isc-mirror/migrations/", "the database migrations `migrate` applies"},
    {"/usr/lib/systemd/system/isc-mirror.service", "the unit: `migrate`, then `run`"},
    {"/usr/share/isc-mirror/config.example.yaml",
     "the example config; the package copies it to the config on its first install"},
    {"/usr/share/isc-mirror/roles.sql", "the database roles, run once by a superuser"},
    {"/usr/share/isc-mirror/prometheus/isc-mirror-alerts.yml", "Prometheus alert rules"},
    {"/usr/share/isc-mirror/grafana/isc-mirror.json", "the Grafana dashboard"},
    {"/usr/share/bash-completion/completions/isc-mirror", "the bash completion"},
};

std::string CommandsSection() {
  std::string out = ".SH COMMANDS\n";
  for (const auto& spec : CommandSpecs()) {
    for (size_t i = 0; i < spec.synopses.size(); ++i) {
      out += fmt::format("{}\n\\fB{}\\fR\n", i == 0 ? ".TP" : ".TQ", ManText(spec.synopses[i]));
    }
    std::string summary(spec.summary);
    summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
    out += Guard(ManText(summary)) + ".\n";
    std::string details(spec.details);
    for (char& c : details) c = c == '\n' ? ' ' : c;
    out += Guard(ManText(details)) + "\n";
  }
  return out;
}

std::string Pairs(std::string_view title, std::span<const std::string_view[2]> rows) {
  std::string out = fmt::format(".SH {}\n", title);
  for (const auto& row : rows) {
    out += fmt::format(".TP\n.B {}\n{}\n", ManText(row[0]), Guard(ManText(row[1])));
  }
  return out;
}

}  // namespace

std::string RenderExitStatusMarkdown() {
  std::string out = "| status | meaning |\n|---|---|\n";
  for (const auto& [code, meaning] : kExitCodes)
    out += fmt::format("| `{}` | {} |\n", code, meaning);
  return out;
}

std::string ManText(std::string_view markdown) {
  std::string out;
  for (size_t i = 0; i < markdown.size(); ++i) {
    char c = markdown[i];
    if (c == '`') {
      size_t close = markdown.find('`', i + 1);
      if (close != std::string_view::npos) {
        out += "\\fB";
        for (char code : markdown.substr(i + 1, close - i - 1)) Escape(code, out);
        out += "\\fR";
        i = close;
        continue;
      }
    }
    if (c == '[') {
      size_t middle = markdown.find("](", i);
      size_t close = middle == std::string_view::npos ? middle : markdown.find(')', middle);
      if (close != std::string_view::npos) {
        out += ManText(markdown.substr(i + 1, middle - i - 1));
        i = close;
        continue;
      }
    }
    Escape(c, out);
  }
  return out;
}

std::string RenderCommandManPage(std::string_view version) {
  std::string out = Header("isc-mirror", 1, version, "User Commands");
  out +=
      ".SH NAME\nisc\\-mirror \\- keep a PostgreSQL mirror of SailPoint Identity Security "
      "Cloud tenants and act on its changes\n.SH SYNOPSIS\n.nf\n";
  std::string synopsis = RenderSynopsis();
  for (size_t at = 0; at < synopsis.size();) {
    size_t end = synopsis.find('\n', at);
    std::string_view line(synopsis.data() + at, end - at);
    while (line.starts_with(' ')) line.remove_prefix(1);
    out += ManText(line) + "\n";
    at = end + 1;
  }
  out +=
      ".fi\n.SH DESCRIPTION\n"
      "isc\\-mirror reads a tenant's identities, accounts, certifications, tasks and data "
      "access security through ISC's API into PostgreSQL, records every change as an event, "
      "and runs the actions its rules stage on those changes. It runs as a systemd service "
      "(\\fBrun\\fR); the other commands set it up, look at it and drive it.\n";
  out += CommandsSection();
  out += ".SH OPTIONS\nEvery command takes these, before or after it.\n";
  for (const auto& o : GlobalOptions()) {
    out += fmt::format(".TP\n.B {}\n{}.\n", ManText(o.flags), Guard(ManText(o.text)));
  }
  out += Pairs("EXIT STATUS", kExitCodes);
  out += Pairs("ENVIRONMENT", kEnvironment);
  out += Pairs("FILES", kFiles);
  return out + ".SH SEE ALSO\n\\fBisc\\-mirror.yaml\\fR(5)\n";
}

std::string RenderConfigManPage(std::string_view version) {
  std::string out = Header("isc-mirror.yaml", 5, version, "File Formats");
  out +=
      ".SH NAME\nisc\\-mirror.yaml \\- the configuration of isc\\-mirror\n"
      ".SH DESCRIPTION\n"
      "A YAML file, by default \\fI/etc/isc\\-mirror/config.yaml\\fR. Durations are a number "
      "and a unit (\\fB30s\\fR, \\fB5m\\fR, \\fB1h\\fR, \\fB1d\\fR) or several combined "
      "(\\fB1h30m\\fR). \\fB${VAR}\\fR in a value is the environment variable VAR; "
      "\\fB$$\\fR is a literal dollar. Unknown keys, wrong types and bad values are errors: "
      "\\fBisc\\-mirror check\\-config\\fR prints them all, and the daemon refuses to start "
      "with any.\n.SH KEYS\n";
  for (const auto& k : ConfigKeys()) {
    out += fmt::format(".TP\n.B {}\n", ManText(k.key));
    out += Guard(ManText(k.type));
    if (!k.default_text.empty()) out += Guard(" (default: " + ManText(k.default_text) + ")");
    out += "\n.br\n" + Guard(ManText(k.meaning)) + "\n";
  }
  out += ".SH RESOURCES\n" + Guard(ManText(ResourceDefaults()));
  return out + ".SH SEE ALSO\n\\fBisc\\-mirror\\fR(1)\n";
}

}  // namespace isc_mirror::daemon
