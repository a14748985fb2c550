// The daemon's configuration (docs/config.md): the model, and a strict loader that reports every
// error.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/action_worker.hpp"
#include "automation/outbox.hpp"
#include "automation/rules.hpp"
#include "base/duration.hpp"
#include "base/expected.hpp"
#include "base/secret.hpp"
#include "isc/isc_client.hpp"
#include "sync/retire.hpp"
#include "triggers/auth.hpp"

namespace isc_mirror::daemon {

using base::Duration;
using base::FormatDuration;
using base::ParseDuration;

struct RateLimit {
  int requests = 100;
  Duration per = std::chrono::seconds(10);
  // One budget for every API version (safe whichever of SailPoint's readings holds), or one
  // per version.
  bool per_version = false;
};

// retry: the client's policy for transient failures (5xx, timeouts, broken bodies), with its
// defaults; `attempts` in the config is its max_attempts.
using RetryConfig = isc::RetryPolicy;

struct TenantConfig {
  std::string name;
  std::string base_url;   // no trailing slash
  std::string token_url;  // default {base_url}/oauth/token
  std::string client_id;
  base::Secret client_secret;
  RateLimit rate_limit;
  RetryConfig retry;
  // http:// URLs send the client secret and tokens in clear: refused unless this says so.
  bool allow_insecure_http = false;
  std::string ca_file;  // trust this CA bundle for ISC instead of the system's
  // Event Trigger deliveries for this tenant are accepted with this auth; none: refused.
  std::optional<triggers::TriggerAuth> triggers;
  // Trigger id -> the JSONPath filter its subscription carries; absent: every event is sent.
  std::map<std::string, std::string> trigger_filters;
};

struct DatabaseConfig {
  base::Secret url;  // may carry a password; empty means libpq's PG* variables
  std::string migrations_dir;
};

struct ResourceConfig {
  std::string name;
  bool enabled = true;
  Duration interval{};
  std::optional<Duration> full_every;     // incremental resources only
  std::vector<std::string> ignore_paths;  // JSON pointers
};

// Lifecycle settings and rules are the sync engine's types; the config only reads them.
using LifecycleConfig = automation::Lifecycle;
using ActionStep = automation::ActionStep;
using RuleMatch = automation::ChangeMatch;
using RuleConfig = automation::Rule;

// actions: the outbox's settings (dry_run, max_per_hour) and the worker's (max_attempts,
// retry_delay as its base_delay, lease), with their defaults from those rooms.
struct ActionsConfig {
  automation::OutboxSettings outbox;
  automation::WorkerSettings worker;
  std::string webhook_ca_file;  // trust this CA bundle for webhooks instead of the system's
};

// guards: the sync engine's delete guard (allow_deletes is the command line's, never the config's).
using GuardsConfig = sync::DeleteGuard;

struct HttpConfig {
  std::string listen = "127.0.0.1:9464";  // empty disables the endpoint
  double overdue_factor = 3;  // /healthz fails for a resource without success this many intervals
};

// The Event Trigger receiver (docs/triggers.md): off unless `listen` is set.
struct TriggersConfig {
  std::string listen;
  std::string cert_file;  // TLS in the daemon itself; both or neither
  std::string key_file;
  Duration dedup_window = std::chrono::minutes(10);
};

struct LogConfig {
  std::string level = "info";
};

struct Config {
  std::string file;
  std::vector<TenantConfig> tenants;
  DatabaseConfig database;
  std::vector<ResourceConfig> resources;  // every known resource, in catalogue order
  LifecycleConfig lifecycle;
  std::vector<RuleConfig> rules;
  ActionsConfig actions;
  GuardsConfig guards;
  HttpConfig http;
  TriggersConfig triggers;
  LogConfig log;

  const ResourceConfig* FindResource(std::string_view name) const;
  // For a name FindResource does not know: "did you mean 'x'?" or the configured names.
  std::string ResourceHint(std::string_view name) const;
};

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error is about the file as a whole
  int column = 0;
  std::string key;  // dotted path, e.g. tenants[0].client_id
  std::string message;

  // file:line:column: key: message
  std::string ToString() const;
};

// The loader's access to the world, injected so that parsing is testable without it.
struct ConfigHost {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  std::function<base::Expected<std::string>(const std::string& path)> read_file;
  // A file's permission bits (st_mode & 0777), or nullopt when unknown; may be unset.
  std::function<std::optional<unsigned>(const std::string& path)> file_mode;

  static ConfigHost System();
};

struct ConfigResult {
  Config config;
  std::vector<ConfigError> errors;
  // Not reasons to refuse, but worth an operator's attention (secrets others can read).
  std::vector<ConfigError> warnings;
  bool ok() const { return errors.empty(); }
};

// Expands ${NAME} from the environment; $$ is a literal $. An unset variable is an error.
base::Expected<std::string> ExpandEnvironment(std::string_view text, const ConfigHost& host);

ConfigResult ParseConfig(std::string_view yaml, const std::string& file_name,
                         const ConfigHost& host);

ConfigResult LoadConfigFile(const std::string& path, const ConfigHost& host);

}  // namespace isc_mirror::daemon
