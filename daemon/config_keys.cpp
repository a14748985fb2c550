#include "daemon/config_keys.hpp"

#include <fmt/format.h>

#include "daemon/config.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::daemon {
namespace {

std::string Code(std::string_view text) {
  return fmt::format("`{}`", text);
}

std::string Code(Duration d) {
  return Code(FormatDuration(d));
}

std::string Code(bool b) {
  return Code(std::string_view(b ? "true" : "false"));
}

std::string List(const std::vector<std::string>& items) {
  return Code(fmt::format("[{}]", fmt::join(items, ", ")));
}

std::vector<ConfigKey> TenantKeys() {
  const TenantConfig tenant;
  return {
      {"tenants[]", "list of mappings",
       "one tenant named `default` from `SAIL_*` variables, if `SAIL_BASE_URL` is set",
       "the ISC tenants to mirror (at least one)"},
      {"tenants[].name", "string", "required",
       "letters, digits, `-`, `_`, `.`; unique; stored in every row as `tenant`"},
      {"tenants[].base_url", "URL", "`$SAIL_BASE_URL`", "`https://{tenant}.api.identitynow.com`"},
      {"tenants[].token_url", "URL", "`{base_url}/oauth/token`",
       "OAuth client-credentials endpoint"},
      {"tenants[].client_id", "string", "`$SAIL_CLIENT_ID`",
       "a personal access token's client id ([credentials.md](credentials.md))"},
      {"tenants[].client_secret_file", "path", "",
       "file holding the secret (trailing newline ignored); preferred"},
      {"tenants[].client_secret", "string", "`$SAIL_CLIENT_SECRET`",
       "the secret itself; give this or `client_secret_file`, not both"},
      {"tenants[].allow_insecure_http", "boolean", Code(tenant.allow_insecure_http),
       "allow `http://` in `base_url`/`token_url` (the secret and tokens then cross the network "
       "in clear: a local simulator only)"},
      {"tenants[].ca_file", "path", "the system's CAs",
       "a CA bundle to trust for this tenant (a TLS-inspecting proxy's CA)"},
      {"tenants[].rate_limit", "mapping", "",
       "the tenant's request budget, shared by every API version, every poller and every action "
       "worker"},
      {"tenants[].rate_limit.requests", "integer", Code(std::to_string(tenant.rate_limit.requests)),
       "requests allowed per `per`"},
      {"tenants[].rate_limit.per", "duration", Code(tenant.rate_limit.per), "the budget's window"},
      {"tenants[].rate_limit.per_version", "boolean", Code(tenant.rate_limit.per_version),
       "one budget per API version instead (only if the tenant is known to count that way)"},
      {"tenants[].retry", "mapping", "",
       "429s, 5xx, timeouts, resets, truncated or malformed bodies are tried again"},
      {"tenants[].retry.attempts", "integer", Code(std::to_string(tenant.retry.max_attempts)),
       "tries in all, the first included"},
      {"tenants[].retry.base_delay", "duration", Code(tenant.retry.base_delay),
       "the exponential backoff's first wait"},
      {"tenants[].retry.max_delay", "duration", Code(tenant.retry.max_delay),
       "the backoff's longest wait"},
      {"tenants[].triggers", "mapping", "none: deliveries for the tenant are refused",
       "accept Event Trigger deliveries for this tenant ([triggers.md](triggers.md))"},
      {"tenants[].triggers.auth", "string", Code(std::string_view("bearer")),
       "what the subscription sends: `bearer` (BEARER_TOKEN), `basic` (BASIC_AUTH) or `none` "
       "(NO_AUTH: any caller is believed; only behind a proxy that authenticates)"},
      {"tenants[].triggers.token_file", "path", "required for `bearer`",
       "file holding the bearer token (at least 16 characters; a systemd credential: "
       "`${CREDENTIALS_DIRECTORY}/trigger_token`)"},
      {"tenants[].triggers.user", "string", "required for `basic`", "the basic-auth user"},
      {"tenants[].triggers.password_file", "path", "required for `basic`",
       "file holding the basic-auth password (at least 16 characters)"},
      {"tenants[].triggers.filters", "mapping", "none: ISC sends every event",
       "trigger id -> the JSONPath filter its subscription carries, e.g. "
       "`idn:identity-attributes-changed: \"$.changes[?(@.attribute == 'manager')]\"`; "
       "`triggers subscribe` checks each with ISC's validate-filter "
       "([triggers.md](triggers.md#filters))"},
  };
}

std::vector<ConfigKey> StoreKeys() {
  const automation::Lifecycle lifecycle;
  return {
      {"database", "mapping", "", "the mirror's PostgreSQL database"},
      {"database.url", "string", "`$DATABASE_URL`, then libpq's `PG*` variables",
       "libpq connection string or URI"},
      {"database.migrations_dir", "path",
       "beside the binary, then `../share/isc-mirror/migrations`",
       "where `migrate` reads `NNNN_name.sql`"},
      {"resources", "mapping", "", "per resource, by name; every resource is synced by default"},
      {"resources.<name>", "mapping", "", "one resource's settings"},
      {"resources.<name>.enabled", "boolean", Code(ResourceConfig{}.enabled), "sync this resource"},
      {"resources.<name>.interval", "duration", "per resource, below",
       "time between syncs (at least 1s)"},
      {"resources.<name>.full_every", "duration", "per resource, below",
       "full reconciliation between incremental cycles (incremental resources only: accounts, "
       "entitlements)"},
      {"resources.<name>.ignore_paths", "list of strings", "per resource, below",
       "JSON pointers whose changes are not changes; a given list replaces the default"},
      {"lifecycle", "mapping", "", "what makes joiners, movers and leavers"},
      {"lifecycle.leaver_states", "list of strings", List(lifecycle.leaver_states),
       "`lifecycleState.stateName` values that make a leaver"},
      {"lifecycle.mover_attributes", "list of strings", List(lifecycle.mover_attributes),
       "attributes whose change makes a mover"},
  };
}

std::vector<ConfigKey> RuleKeys() {
  return {
      {"rules[]", "list of mappings", "none",
       "what to do on changes ([rules-and-actions.md](rules-and-actions.md))"},
      {"rules[].name", "string", "required", "unique; names the rule's actions"},
      {"rules[].description", "string", "", "for people"},
      {"rules[].on", "string", "required", "`joiner`, `leaver`, `rehire`, `mover` or `change`"},
      {"rules[].match", "mapping", "", "required for `change`: which changes"},
      {"rules[].match.resource", "string", "required", "a resource name"},
      {"rules[].match.op", "string", "any", "`insert`, `update`, `delete` or `expire`"},
      {"rules[].match.path", "string", "any", "a JSON pointer the change touches"},
      {"rules[].match.from", "string", "any", "the value at `path` before"},
      {"rules[].match.to", "string", "any", "the value at `path` after"},
      {"rules[].match.older_than", "duration", "",
       "a state rule: objects that stayed in the `to` state this long"},
      {"rules[].do", "list", "required", "the actions, each `- action_name: {params}`"},
      {"rules[].dry_run", "boolean", "`actions.dry_run`", "this rule's actions call nothing"},
      {"rules[].max_per_hour", "integer", "`actions.max_per_hour`", "this rule's own cap"},
  };
}

std::vector<ConfigKey> ActionAndServiceKeys() {
  const ActionsConfig actions;
  const GuardsConfig guards;
  const HttpConfig http;
  const LogConfig log;
  return {
      {"actions", "mapping", "", "the outbox and its worker"},
      {"actions.dry_run", "boolean", Code(actions.outbox.dry_run),
       "record actions as `dry_run` without calling ISC"},
      {"actions.max_per_hour", "integer", Code(std::to_string(actions.outbox.max_per_hour)),
       "per rule; beyond it new actions are `held`"},
      {"actions.max_attempts", "integer", Code(std::to_string(actions.worker.max_attempts)),
       "tries of an action that fails transiently (5xx, 429, timeouts) before it is `dead`"},
      {"actions.retry_delay", "duration", Code(actions.worker.base_delay),
       fmt::format("wait before the first retry; it doubles each time, up to {}",
                   FormatDuration(actions.worker.max_delay))},
      {"actions.lease", "duration", Code(actions.worker.lease),
       "how long a claimed action is its worker's; the worker renews it before every call and "
       "gives up any wait (a long `Retry-After`) that would outlive it, and a worker whose lease "
       "ran out records nothing"},
      {"actions.webhook_ca_file", "path", "the system's CAs",
       "a CA bundle to trust for webhook receivers (a private CA)"},
      {"guards", "mapping", "", "the guard on deletes"},
      {"guards.max_delete_share", "number", Code(fmt::format("{:.2f}", guards.max_delete_share)),
       "a scan that would delete more than this share of a table deletes nothing and is `held`"},
      {"guards.delete_floor", "integer", Code(std::to_string(guards.delete_floor)),
       "a scan may always delete this many objects, whatever the share (small tables such as "
       "identity collectors)"},
      {"http", "mapping", "", "the daemon's HTTP endpoint"},
      {"http.listen", "host:port", Code(http.listen), "`/metrics` and `/healthz`; `\"\"` disables"},
      {"http.overdue_factor", "number", Code(fmt::format("{:g}", http.overdue_factor)),
       "`/healthz` fails when a resource has had no successful run for this many intervals"},
      {"triggers", "mapping", "", "the Event Trigger receiver ([triggers.md](triggers.md))"},
      {"triggers.listen", "host:port", "off",
       "where ISC's deliveries arrive, `POST /triggers/{tenant}[/{trigger}]`"},
      {"triggers.tls", "mapping", "plain HTTP (TLS at a reverse proxy)",
       "serve HTTPS with this certificate and key"},
      {"triggers.tls.cert_file", "path", "", "PEM certificate chain"},
      {"triggers.tls.key_file", "path", "", "PEM private key"},
      {"triggers.dedup_window", "duration", Code(TriggersConfig{}.dedup_window),
       "a copy of a delivery received within this time of the first does nothing"},
      {"log", "mapping", "", "logging"},
      {"log.level", "string", Code(log.level),
       "`trace`, `debug`, `info`, `warn`, `error`, `critical`, `off`; `--log-level` overrides"},

  };
}

// In the order the reference lists them.
std::vector<ConfigKey> Keys() {
  std::vector<ConfigKey> all;
  for (auto part : {TenantKeys, StoreKeys, RuleKeys, ActionAndServiceKeys}) {
    for (auto& key : part()) all.push_back(std::move(key));
  }
  return all;
}

}  // namespace

std::span<const ConfigKey> ConfigKeys() {
  static const std::vector<ConfigKey> kKeys = Keys();
  return kKeys;
}

std::vector<std::string_view> ChildKeys(std::string_view parent) {
  std::vector<std::string_view> out;
  for (const auto& k : ConfigKeys()) {
    std::string_view key = k.key;
    if (!parent.empty()) {
      if (!key.starts_with(parent) || key.size() <= parent.size() + 1 ||
          key[parent.size()] != '.') {
        continue;
      }
      key.remove_prefix(parent.size() + 1);
    }
    if (key.find('.') != std::string_view::npos) continue;
    if (key.ends_with("[]")) key.remove_suffix(2);
    out.push_back(key);
  }
  return out;
}

// The resources' own defaults, from schema/*.yaml.
std::string ResourceDefaults() {
  std::vector<std::string> each;
  for (const auto& s : sync::BuiltinSchemas()) {
    std::string text = fmt::format("`{}` {}", s.name, FormatDuration(s.interval));
    if (s.full_every) text += fmt::format(" (full every {})", FormatDuration(*s.full_every));
    if (!s.ignore_paths.empty()) {
      text += fmt::format(" (ignoring {})", fmt::join(s.ignore_paths, ", "));
    }
    each.push_back(std::move(text));
  }
  return fmt::format("Resources and their default intervals: {}.\n", fmt::join(each, ", "));
}

std::string RenderConfigReference() {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& k : ConfigKeys()) {
    out += fmt::format("| `{}` | {} | {} | {} |\n", k.key, k.type, k.default_text, k.meaning);
  }
  return out + "\n" + ResourceDefaults();
}

}  // namespace isc_mirror::daemon
