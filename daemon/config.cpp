#include "daemon/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "automation/actions.hpp"
#include "base/log.hpp"
#include "base/names.hpp"
#include "daemon/config_keys.hpp"
#include "db/connection.hpp"
#include "sync/resource_schema.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::daemon {
namespace {

using triggers::AuthScheme;

template <typename Range>
bool Contains(const Range& range, std::string_view value) {
  for (std::string_view item : range) {
    if (item == value) return true;
  }
  return false;
}

template <typename Range>
std::string JoinNames(const Range& range) {
  std::string out;
  for (std::string_view item : range) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// Levenshtein distance, for "did you mean" hints on misspelt names.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "did you mean 'x'" for the closest known name within two edits, otherwise the whole list.
template <typename Range>
std::string UnknownNameHint(std::string_view name, const Range& known) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : known) {
    size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty()) return fmt::format("did you mean '{}'?", best);
  return fmt::format("expected one of: {}", JoinNames(known));
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return fmt::format("'{}'", node.Scalar());
    default:
      return "an undefined value";
  }
}

bool IsHttpUrl(std::string_view url) {
  auto rest = url.starts_with("https://")  ? url.substr(8)
              : url.starts_with("http://") ? url.substr(7)
                                           : std::string_view{};
  return !rest.empty() && rest.front() != '/';
}

// Tenant and rule names: letters, digits, '-', '_', '.'; they end up in rows, logs and keys.
bool IsName(std::string_view name, size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.front() != '-' && name.front() != '.';
}

bool IsListenAddress(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

std::string TrimTrailingWhitespace(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t')) {
    text.pop_back();
  }
  return text;
}

// Walks the YAML tree, converting what is valid and recording an error for everything that
// is not, so that one run reports every problem in the file.
class Parser {
 public:
  Parser(const std::string& file, const ConfigHost& host, std::vector<ConfigError>& errors)
      : file_(file), host_(host), errors_(errors) {}

  void Fail(const YAML::Node& at, std::string_view key, std::string message) {
    auto mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    int line = mark.line >= 0 ? mark.line + 1 : 0;
    int column = mark.column >= 0 ? mark.column + 1 : 0;
    errors_.push_back({file_, line, column, std::string(key), std::move(message)});
  }

  // True for a mapping to read. Absent or null (an empty section) is false without an error,
  // because yaml-cpp throws when asked for a child of an absent node.
  bool Map(const YAML::Node& node, std::string_view key) {
    if (!node.IsDefined() || node.IsNull()) return false;
    if (node.IsMap()) return true;
    Fail(node, key, fmt::format("expected a mapping, got {}", Describe(node)));
    return false;
  }

  // Reports unknown and repeated keys of a mapping; `table` names it in the key table
  // (config_keys.cpp), which says what it may hold.
  void CheckKeys(const YAML::Node& map, std::string_view key, std::string_view table) {
    if (!map.IsDefined() || !map.IsMap()) return;
    std::vector<std::string_view> allowed = ChildKeys(table);
    std::set<std::string> seen;
    for (const auto& item : map) {
      const YAML::Node& k = item.first;
      if (!k.IsScalar()) {
        Fail(k, key, "keys must be plain names");
        continue;
      }
      std::string name = k.Scalar();
      std::string path = Join(key, name);
      if (!seen.insert(name).second) {
        Fail(k, path, "repeated key (the later value would silently win)");
      } else if (!Contains(allowed, name)) {
        Fail(k, path, fmt::format("unknown key ({})", UnknownNameHint(name, allowed)));
      }
    }
  }

  // A scalar with ${VAR} expanded. Secret values are never quoted back in an error.
  std::optional<std::string> String(const YAML::Node& node, std::string_view key,
                                    bool secret = false) {
    return Scalar(node, key, "a string", secret);
  }

  // Any scalar, as text; `wanted` names the type in the error for lists and mappings.
  std::optional<std::string> Scalar(const YAML::Node& node, std::string_view key,
                                    std::string_view wanted, bool secret = false) {
    if (!node.IsDefined() || node.IsNull()) return std::nullopt;
    if (!node.IsScalar()) {
      Fail(node, key,
           fmt::format("expected {}, got {}", wanted, secret ? "something else" : Describe(node)));
      return std::nullopt;
    }
    auto expanded = ExpandEnvironment(node.Scalar(), host_);
    if (!expanded) {
      Fail(node, key, expanded.error());
      return std::nullopt;
    }
    if (secret && *expanded == node.Scalar()) literal_secrets_.emplace_back(key);
    return std::move(expanded).value();
  }

  // Keys whose secret is written in the file itself, not taken from the environment.
  std::vector<std::string>& literal_secrets() { return literal_secrets_; }
  // Warns when a file holding `what` can be read by more than `allowed` bits let.
  void WarnIfReadable(const YAML::Node& at, std::string_view key, const std::string& path,
                      unsigned allowed, std::string_view what) {
    if (!host_.file_mode) return;
    auto mode = host_.file_mode(path);
    if (!mode || (*mode & 0044 & ~allowed) == 0) return;
    auto mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
    warnings_.push_back(
        {file_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0,
         std::string(key),
         fmt::format("{} holds {} and can be read by {} (mode {:04o}) (hint: chmod {:o} {})", path,
                     what, (*mode & 0004) != 0 ? "every user" : "its group", *mode, 0600 | allowed,
                     path)});
  }
  std::vector<ConfigError>& warnings() { return warnings_; }

  std::optional<long long> Integer(const YAML::Node& node, std::string_view key, long long min,
                                   long long max) {
    auto text = Scalar(node, key, "a whole number");
    if (!text) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || errno == ERANGE) {
      Fail(node, key, fmt::format("expected a whole number, got '{}'", *text));
      return std::nullopt;
    }
    if (value < min || value > max) {
      Fail(node, key, fmt::format("{} is out of range ({} to {})", value, min, max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> Number(const YAML::Node& node, std::string_view key, double min,
                               double max) {
    auto text = Scalar(node, key, "a number");
    if (!text) return std::nullopt;
    char* end = nullptr;
    double value = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !std::isfinite(value)) {
      Fail(node, key, fmt::format("expected a number, got '{}'", *text));
      return std::nullopt;
    }
    if (value < min || value > max) {
      Fail(node, key, fmt::format("{} is out of range ({} to {})", *text, min, max));
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> Bool(const YAML::Node& node, std::string_view key) {
    auto text = Scalar(node, key, "true or false");
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "yes" || *text == "on") return true;
    if (*text == "false" || *text == "no" || *text == "off") return false;
    Fail(node, key, fmt::format("expected true or false, got '{}'", *text));
    return std::nullopt;
  }

  std::optional<Duration> Dur(const YAML::Node& node, std::string_view key, Duration min) {
    auto text = Scalar(node, key, "a duration such as 30s, 15m or 24h");
    if (!text) return std::nullopt;
    auto value = ParseDuration(*text);
    if (!value) {
      Fail(node, key, fmt::format("expected a duration such as 30s, 15m or 24h, got '{}'", *text));
      return std::nullopt;
    }
    if (*value < min) {
      Fail(node, key, fmt::format("{} is too short (at least {})", *text, FormatDuration(min)));
      return std::nullopt;
    }
    return value;
  }

  std::optional<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view key) {
    if (!node.IsDefined() || node.IsNull()) return std::nullopt;
    if (!node.IsSequence()) {
      Fail(node, key, fmt::format("expected a list of strings, got {}", Describe(node)));
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      std::string item_key = Index(key, i);
      if (node[i].IsNull()) {
        Fail(node[i], item_key, "empty list item");
        ok = false;
        continue;
      }
      auto item = String(node[i], item_key);
      if (!item) {
        ok = false;
        continue;
      }
      if (item->empty()) {
        Fail(node[i], item_key, "empty string");
        ok = false;
        continue;
      }
      out.push_back(std::move(*item));
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // The value of an environment variable, treating an empty one as unset.
  std::optional<std::string> Env(const std::string& name) {
    auto value = host_.getenv(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  }

  const ConfigHost& host() const { return host_; }

  static std::string Join(std::string_view parent, std::string_view child) {
    return parent.empty() ? std::string(child) : fmt::format("{}.{}", parent, child);
  }
  static std::string Index(std::string_view parent, size_t index) {
    return fmt::format("{}[{}]", parent, index);
  }

 private:
  const std::string& file_;
  const ConfigHost& host_;
  std::vector<ConfigError>& errors_;
  std::vector<ConfigError> warnings_;
  std::vector<std::string> literal_secrets_;
};

void ParseRateLimit(Parser& p, const YAML::Node& node, const std::string& key, RateLimit& out) {
  if (!p.Map(node, key)) return;
  p.CheckKeys(node, key, "tenants[].rate_limit");
  if (auto v = p.Integer(node["requests"], Parser::Join(key, "requests"), 1, 100000)) {
    out.requests = static_cast<int>(*v);
  }
  if (auto v = p.Dur(node["per"], Parser::Join(key, "per"), std::chrono::milliseconds(1))) {
    out.per = *v;
  }
  if (auto v = p.Bool(node["per_version"], Parser::Join(key, "per_version"))) out.per_version = *v;
}

void ParseRetry(Parser& p, const YAML::Node& node, const std::string& key, RetryConfig& out) {
  if (!p.Map(node, key)) return;
  p.CheckKeys(node, key, "tenants[].retry");
  if (auto v = p.Integer(node["attempts"], Parser::Join(key, "attempts"), 1, 100)) {
    out.max_attempts = static_cast<int>(*v);
  }
  if (auto v = p.Dur(node["base_delay"], Parser::Join(key, "base_delay"), Duration(1))) {
    out.base_delay = *v;
  }
  if (auto v = p.Dur(node["max_delay"], Parser::Join(key, "max_delay"), Duration(1))) {
    out.max_delay = *v;
  }
}

// base_url, token_url and what may carry them: https, unless allow_insecure_http says
// otherwise, and ca_file.
bool ParseTenantUrls(Parser& p, const YAML::Node& node, const std::string& key, TenantConfig& t) {
  bool ok = true;
  t.allow_insecure_http =
      p.Bool(node["allow_insecure_http"], Parser::Join(key, "allow_insecure_http")).value_or(false);
  auto check = [&](const YAML::Node& at, std::string_view field, const std::string& url) {
    if (!IsHttpUrl(url)) {
      p.Fail(at, Parser::Join(key, field),
             fmt::format("'{}' is not an http:// or https:// URL", url));
      ok = false;
    } else if (url.starts_with("http://") && !t.allow_insecure_http) {
      p.Fail(at, Parser::Join(key, field),
             fmt::format("'{}' is plain http: the client secret and tokens would cross the "
                         "network in clear (hint: use https://; a local simulator may be allowed "
                         "with allow_insecure_http: true)",
                         url));
      ok = false;
    }
  };
  auto base_url = p.String(node["base_url"], Parser::Join(key, "base_url"));
  if (!node["base_url"].IsDefined()) base_url = p.Env("SAIL_BASE_URL");
  if (!base_url || base_url->empty()) {
    p.Fail(node, Parser::Join(key, "base_url"),
           "missing required value (set base_url or SAIL_BASE_URL)");
    ok = false;
  } else {
    t.base_url = std::move(*base_url);
    while (t.base_url.ends_with('/')) t.base_url.pop_back();
    check(node["base_url"].IsDefined() ? node["base_url"] : node, "base_url", t.base_url);
  }
  auto token_url = p.String(node["token_url"], Parser::Join(key, "token_url"));
  if (token_url && !token_url->empty()) {
    t.token_url = *token_url;
    check(node["token_url"], "token_url", t.token_url);
  } else if (!t.base_url.empty()) {
    t.token_url = t.base_url + "/oauth/token";
  }
  if (auto ca = p.String(node["ca_file"], Parser::Join(key, "ca_file")); ca && !ca->empty()) {
    if (auto content = p.host().read_file(*ca); !content) {
      p.Fail(node["ca_file"], Parser::Join(key, "ca_file"), content.error());
      ok = false;
    }
    t.ca_file = *ca;
  }
  return ok;
}

// A secret read from a file, its trailing newline dropped; warned about when others can read it.
std::optional<base::Secret> SecretFile(Parser& p, const YAML::Node& node, const std::string& key,
                                       std::string_view what) {
  auto path = p.String(node, key);
  if (!path || path->empty()) {
    if (path) p.Fail(node, key, "empty path");
    return std::nullopt;
  }
  auto content = p.host().read_file(*path);
  if (!content) {
    p.Fail(node, key, content.error());
    return std::nullopt;
  }
  p.WarnIfReadable(node, key, *path, 0, what);
  base::Secret secret(TrimTrailingWhitespace(std::move(content).value()));
  if (secret.empty()) {
    p.Fail(node, key, fmt::format("{} is empty", *path));
    return std::nullopt;
  }
  return secret;
}

// tenants[].triggers.filters: trigger id -> the JSONPath filter ISC applies before it sends.
// Only the shape is checked here; `triggers subscribe` asks ISC's validate-filter.
bool ParseTriggerFilters(Parser& p, const YAML::Node& node, const std::string& key,
                         TenantConfig& t) {
  if (!node.IsDefined() || node.IsNull()) return true;
  if (!p.Map(node, key)) return false;
  bool ok = true;
  for (const auto& item : node) {
    std::string id = item.first.IsScalar() ? item.first.Scalar() : "";
    std::string path = Parser::Join(key, id);
    const triggers::TriggerSpec* spec = triggers::FindTrigger(id);
    if (spec == nullptr) {
      std::vector<std::string_view> ids;
      for (const auto& spec : triggers::TriggerSpecs()) ids.push_back(spec.id);
      p.Fail(item.first, path,
             fmt::format("not a trigger the mirror subscribes to (expected one of {})",
                         fmt::join(ids, ", ")));
      ok = false;
      continue;
    }
    auto filter = p.String(item.second, path);
    if (!filter || !filter->starts_with('$')) {
      p.Fail(item.second, path,
             "expected a JSONPath filter starting with $ (hint: $.changes[?(@.attribute == "
             "'cloudLifecycleState')], docs/triggers.md)");
      ok = false;
    } else if (!t.trigger_filters.emplace(spec->id, std::move(*filter)).second) {
      p.Fail(item.first, path, "repeated key (the later value would silently win)");
      ok = false;
    }
  }
  return ok;
}

// tenants[].triggers: how this tenant's deliveries authenticate. A secret shorter than 16
// characters is refused: anyone who can reach the receiver could guess it.
bool ParseTenantTriggers(Parser& p, const YAML::Node& node, const std::string& key,
                         TenantConfig& t) {
  constexpr size_t kMinSecret = 16;
  if (!node.IsDefined()) return true;
  if (!node.IsNull() && !p.Map(node, key)) return false;
  p.CheckKeys(node, key, "tenants[].triggers");
  triggers::TriggerAuth auth;
  const YAML::Node empty(YAML::NodeType::Map);
  const YAML::Node& n = node.IsNull() ? empty : node;
  std::string scheme = p.String(n["auth"], Parser::Join(key, "auth")).value_or("bearer");
  auto parsed = triggers::ParseAuthScheme(scheme);
  if (!parsed) {
    p.Fail(n["auth"], Parser::Join(key, "auth"),
           fmt::format("unknown auth '{}' (expected bearer, basic or none)", scheme));
    return false;
  }
  auth.scheme = *parsed;
  auto secret = [&](std::string_view field, std::string_view what) -> std::optional<base::Secret> {
    std::string field_key = Parser::Join(key, field);
    if (!n[std::string(field)].IsDefined()) {
      p.Fail(node, field_key, fmt::format("missing required value for auth: {}", scheme));
      return std::nullopt;
    }
    auto value = SecretFile(p, n[std::string(field)], field_key, what);
    if (value && value->Reveal().size() < kMinSecret) {
      p.Fail(n[std::string(field)], field_key,
             fmt::format("the {} is shorter than {} characters (hint: openssl rand -hex 32)", what,
                         kMinSecret));
      return std::nullopt;
    }
    return value;
  };
  bool ok = true;
  std::vector<std::string_view> unused;
  if (auth.scheme == AuthScheme::kBearer) {
    auto token = secret("token_file", "the trigger token");
    ok = token.has_value();
    if (token) auth.token = std::move(*token);
    unused = {"user", "password_file"};
  } else if (auth.scheme == AuthScheme::kBasic) {
    auth.user = p.String(n["user"], Parser::Join(key, "user")).value_or("");
    if (auth.user.empty() || auth.user.find(':') != std::string::npos) {
      p.Fail(n["user"].IsDefined() ? n["user"] : node, Parser::Join(key, "user"),
             "basic auth needs a user without ':'");
      ok = false;
    }
    auto password = secret("password_file", "the trigger password");
    ok = ok && password.has_value();
    if (password) auth.password = std::move(*password);
    unused = {"token_file"};
  } else {
    unused = {"token_file", "user", "password_file"};
  }
  ok = ParseTriggerFilters(p, n["filters"], Parser::Join(key, "filters"), t) && ok;
  for (std::string_view field : unused) {
    if (n[std::string(field)].IsDefined()) {
      p.Fail(n[std::string(field)], Parser::Join(key, field),
             fmt::format("not used with auth: {}", scheme));
      ok = false;
    }
  }
  if (ok) t.triggers = std::move(auth);
  return ok;
}

std::optional<TenantConfig> ParseTenant(Parser& p, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) {
    p.Fail(node, key, fmt::format("expected a tenant mapping, got {}", Describe(node)));
    return std::nullopt;
  }
  p.CheckKeys(node, key, "tenants[]");
  TenantConfig t;
  bool ok = true;
  auto require = [&](std::optional<std::string> value, std::string_view field, std::string hint) {
    if (value && !value->empty()) return std::move(*value);
    p.Fail(node, Parser::Join(key, field), fmt::format("missing required value{}", hint));
    ok = false;
    return std::string();
  };

  t.name = require(p.String(node["name"], Parser::Join(key, "name")), "name", "");
  if (!t.name.empty() && !IsName(t.name, 63)) {
    p.Fail(node["name"], Parser::Join(key, "name"),
           fmt::format("'{}' is not a valid tenant name (letters, digits, '-', '_', '.')", t.name));
    ok = false;
  }

  ok = ParseTenantUrls(p, node, key, t) && ok;

  auto client_id = p.String(node["client_id"], Parser::Join(key, "client_id"));
  if (!node["client_id"].IsDefined()) client_id = p.Env("SAIL_CLIENT_ID");
  t.client_id = require(std::move(client_id), "client_id", " (set client_id or SAIL_CLIENT_ID)");

  const YAML::Node& secret_node = node["client_secret"];
  const YAML::Node& secret_file_node = node["client_secret_file"];
  if (secret_node.IsDefined() && secret_file_node.IsDefined()) {
    p.Fail(secret_file_node, Parser::Join(key, "client_secret_file"),
           "give client_secret or client_secret_file, not both");
    ok = false;
  } else if (secret_file_node.IsDefined()) {
    auto secret = SecretFile(p, secret_file_node, Parser::Join(key, "client_secret_file"),
                             "the client secret");
    if (secret) t.client_secret = std::move(*secret);
    ok = ok && secret.has_value();
  } else {
    auto secret = secret_node.IsDefined()
                      ? p.String(secret_node, Parser::Join(key, "client_secret"), /*secret=*/true)
                      : p.Env("SAIL_CLIENT_SECRET");
    t.client_secret =
        base::Secret(require(std::move(secret), "client_secret",
                             " (set client_secret_file, client_secret or SAIL_CLIENT_SECRET)"));
  }

  ParseRateLimit(p, node["rate_limit"], Parser::Join(key, "rate_limit"), t.rate_limit);
  ParseRetry(p, node["retry"], Parser::Join(key, "retry"), t.retry);
  ok = ParseTenantTriggers(p, node["triggers"], Parser::Join(key, "triggers"), t) && ok;
  if (!ok) return std::nullopt;
  return t;
}

void ParseTenants(Parser& p, const YAML::Node& root, Config& config) {
  const YAML::Node& node = root["tenants"];
  if (!node.IsDefined() || node.IsNull()) {
    // The SailPoint SDK convention: three environment variables describe one tenant.
    if (p.Env("SAIL_BASE_URL")) {
      YAML::Node synthetic(YAML::NodeType::Map);
      synthetic["name"] = "default";
      if (auto t = ParseTenant(p, synthetic, "tenants[default]")) config.tenants.push_back(*t);
      return;
    }
    p.Fail(root, "tenants",
           "at least one tenant is required (or set SAIL_BASE_URL, SAIL_CLIENT_ID and "
           "SAIL_CLIENT_SECRET)");
    return;
  }
  if (!node.IsSequence()) {
    p.Fail(node, "tenants", fmt::format("expected a list of tenants, got {}", Describe(node)));
    return;
  }
  if (node.size() == 0) p.Fail(node, "tenants", "at least one tenant is required");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    auto key = Parser::Index("tenants", i);
    auto tenant = ParseTenant(p, node[i], key);
    if (!tenant) continue;
    if (!names.insert(tenant->name).second) {
      p.Fail(node[i]["name"], Parser::Join(key, "name"),
             fmt::format("tenant name '{}' is used twice", tenant->name));
      continue;
    }
    config.tenants.push_back(std::move(*tenant));
  }
}

void ParseDatabase(Parser& p, const YAML::Node& node, Config& config) {
  if (auto env = p.Env("DATABASE_URL")) config.database.url = base::Secret(*env);
  if (!p.Map(node, "database")) return;
  p.CheckKeys(node, "database", "database");
  if (auto url = p.String(node["url"], "database.url", /*secret=*/true)) {
    config.database.url = base::Secret(*url);
    // A URL without a password is no secret.
    auto& literal = p.literal_secrets();
    if (!literal.empty() && literal.back() == "database.url" &&
        db::RedactConnectionString(*url).find(base::kRedacted) == std::string::npos) {
      literal.pop_back();
    }
  }
  if (auto dir = p.String(node["migrations_dir"], "database.migrations_dir")) {
    config.database.migrations_dir = *dir;
  }
}

void ParseResources(Parser& p, const YAML::Node& node, Config& config) {
  for (const auto& schema : sync::BuiltinSchemas()) {
    ResourceConfig r;
    r.name = schema.name;
    r.interval = schema.interval;
    r.full_every = schema.full_every;
    r.ignore_paths = schema.ignore_paths;
    config.resources.push_back(std::move(r));
  }
  if (!p.Map(node, "resources")) return;
  std::set<std::string> seen;
  for (const auto& item : node) {
    const YAML::Node& k = item.first;
    const YAML::Node& v = item.second;
    std::string name = k.IsScalar() ? k.Scalar() : std::string();
    std::string key = Parser::Join("resources", name);
    const sync::ResourceSchema* info = sync::FindSchema(name);
    if (info == nullptr) {
      std::vector<std::string_view> names;
      for (const auto& r : sync::BuiltinSchemas()) names.push_back(r.name);
      p.Fail(k, key, fmt::format("unknown resource ({})", UnknownNameHint(name, names)));
      continue;
    }
    if (!seen.insert(name).second) {
      p.Fail(k, key, "repeated key (the later value would silently win)");
      continue;
    }
    if (!p.Map(v, key)) continue;
    p.CheckKeys(v, key, "resources.<name>");
    ResourceConfig& r = *std::find_if(config.resources.begin(), config.resources.end(),
                                      [&](const ResourceConfig& c) { return c.name == name; });
    if (auto enabled = p.Bool(v["enabled"], Parser::Join(key, "enabled"))) r.enabled = *enabled;
    if (auto interval =
            p.Dur(v["interval"], Parser::Join(key, "interval"), std::chrono::seconds(1))) {
      r.interval = *interval;
    }
    if (v["full_every"].IsDefined()) {
      if (!info->incremental) {
        p.Fail(v["full_every"], Parser::Join(key, "full_every"),
               fmt::format("{} is always synced with a full scan; full_every applies to accounts",
                           name));
      } else if (auto full = p.Dur(v["full_every"], Parser::Join(key, "full_every"),
                                   std::chrono::seconds(1))) {
        r.full_every = *full;
      }
    }
    if (auto paths = p.StringList(v["ignore_paths"], Parser::Join(key, "ignore_paths"))) {
      bool ok = true;
      for (size_t i = 0; i < paths->size(); ++i) {
        if (!(*paths)[i].starts_with('/')) {
          p.Fail(v["ignore_paths"][i], Parser::Index(Parser::Join(key, "ignore_paths"), i),
                 fmt::format("'{}' is not a JSON pointer (it must start with /)", (*paths)[i]));
          ok = false;
        }
      }
      if (ok) r.ignore_paths = std::move(*paths);
    }
  }
}

void ParseLifecycle(Parser& p, const YAML::Node& node, Config& config) {
  if (!p.Map(node, "lifecycle")) return;
  p.CheckKeys(node, "lifecycle", "lifecycle");
  for (auto [field, target] : {std::pair{"leaver_states", &config.lifecycle.leaver_states},
                               std::pair{"mover_attributes", &config.lifecycle.mover_attributes}}) {
    std::string key = Parser::Join("lifecycle", field);
    auto list = p.StringList(node[field], key);
    if (!list) continue;
    if (list->empty()) {
      p.Fail(node[field], key, "the list is empty");
      continue;
    }
    *target = std::move(*list);
  }
}

std::optional<RuleMatch> ParseMatch(Parser& p, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) {
    p.Fail(node, key, fmt::format("expected a mapping, got {}", Describe(node)));
    return std::nullopt;
  }
  p.CheckKeys(node, key, "rules[].match");
  RuleMatch m;
  bool ok = true;
  if (auto resource = p.String(node["resource"], Parser::Join(key, "resource"))) {
    if (sync::FindSchema(*resource) == nullptr) {
      p.Fail(node["resource"], Parser::Join(key, "resource"),
             fmt::format("unknown resource '{}'", *resource));
      ok = false;
    }
    m.resource = *resource;
  } else {
    p.Fail(node, Parser::Join(key, "resource"), "missing required value");
    ok = false;
  }
  if (auto op = p.String(node["op"], Parser::Join(key, "op"))) {
    m.op = base::FromName(sync::kEventOps, *op);
    if (!m.op) {
      p.Fail(node["op"], Parser::Join(key, "op"),
             fmt::format("unknown op '{}' (expected one of: {})", *op,
                         JoinNames(base::NamesOf(sync::kEventOps))));
      ok = false;
    }
  }
  if (auto path = p.String(node["path"], Parser::Join(key, "path"))) {
    if (!path->starts_with('/')) {
      p.Fail(node["path"], Parser::Join(key, "path"),
             fmt::format("'{}' is not a JSON pointer (it must start with /)", *path));
      ok = false;
    }
    m.path = *path;
  }
  m.from = p.String(node["from"], Parser::Join(key, "from"));
  m.to = p.String(node["to"], Parser::Join(key, "to"));
  m.older_than =
      p.Dur(node["older_than"], Parser::Join(key, "older_than"), std::chrono::seconds(1));
  if (!ok) return std::nullopt;
  return m;
}

std::optional<ActionStep> ParseStep(Parser& p, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap() || node.size() != 1) {
    p.Fail(
        node, key,
        fmt::format("expected one action as `- action_name: {{params}}`, got {}", Describe(node)));
    return std::nullopt;
  }
  auto item = *node.begin();
  ActionStep step;
  step.action = item.first.Scalar();
  step.line = item.first.Mark().line + 1;
  std::string action_key = Parser::Join(key, step.action);
  std::vector<std::string_view> actions;
  for (const auto* spec : automation::ActionSpecs()) actions.push_back(spec->name);
  const automation::ActionSpec* spec = automation::FindActionSpec(step.action);
  if (spec == nullptr) {
    p.Fail(item.first, action_key,
           fmt::format("unknown action ({})", UnknownNameHint(step.action, actions)));
    return std::nullopt;
  }
  const YAML::Node& params = item.second;
  if (!params.IsNull() && !p.Map(params, action_key)) return std::nullopt;
  bool ok = true;
  if (params.IsMap()) {
    for (const auto& param : params) {
      std::string name = param.first.Scalar();
      bool secret = name.find("secret") != std::string::npos || Contains(spec->secrets, name);
      auto value = p.String(param.second, Parser::Join(action_key, name), secret);
      if (!value) {
        if (param.second.IsNull())
          p.Fail(param.second, Parser::Join(action_key, name), "missing value");
        ok = false;
        continue;
      }
      step.params[name] = std::move(*value);
    }
  }
  if (!ok) return std::nullopt;
  if (auto checked = automation::CheckStep(step); !checked) {
    p.Fail(item.first, action_key, checked.error());
    return std::nullopt;
  }
  return step;
}

void ParseRules(Parser& p, const YAML::Node& node, Config& config) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsSequence()) {
    p.Fail(node, "rules", fmt::format("expected a list of rules, got {}", Describe(node)));
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& r = node[i];
    std::string key = Parser::Index("rules", i);
    if (!r.IsMap()) {
      p.Fail(r, key, fmt::format("expected a rule mapping, got {}", Describe(r)));
      continue;
    }
    p.CheckKeys(r, key, "rules[]");
    RuleConfig rule;
    rule.line = r.Mark().line + 1;
    bool ok = true;
    auto name = p.String(r["name"], Parser::Join(key, "name"));
    if (!name || name->empty()) {
      p.Fail(r, Parser::Join(key, "name"), "missing required value");
      ok = false;
    } else if (!IsName(*name, 100)) {
      p.Fail(r["name"], Parser::Join(key, "name"),
             fmt::format("'{}' is not a valid rule name (letters, digits, '-', '_', '.')", *name));
      ok = false;
    } else if (!names.insert(*name).second) {
      p.Fail(r["name"], Parser::Join(key, "name"),
             fmt::format("rule name '{}' is used twice", *name));
      ok = false;
    } else {
      rule.name = *name;
    }
    p.String(r["description"], Parser::Join(key, "description"));
    auto on = p.String(r["on"], Parser::Join(key, "on"));
    if (!on) {
      p.Fail(
          r, Parser::Join(key, "on"),
          fmt::format("missing required value (one of: {})", JoinNames(automation::kRuleTriggers)));
      ok = false;
    } else if (!Contains(automation::kRuleTriggers, *on)) {
      p.Fail(r["on"], Parser::Join(key, "on"),
             fmt::format("unknown event '{}' (expected one of: {})", *on,
                         JoinNames(automation::kRuleTriggers)));
      ok = false;
    } else {
      rule.on = *on;
    }
    if (r["match"].IsDefined()) {
      rule.match = ParseMatch(p, r["match"], Parser::Join(key, "match"));
      ok = ok && rule.match.has_value();
    } else if (on && *on == "change") {
      p.Fail(r, Parser::Join(key, "match"), "a rule on change needs a match (resource, op, path)");
      ok = false;
    }
    const YAML::Node& steps = r["do"];
    std::string do_key = Parser::Join(key, "do");
    if (!steps.IsDefined() || steps.IsNull()) {
      p.Fail(r, do_key, "missing required value: a list of actions");
      ok = false;
    } else if (!steps.IsSequence() || steps.size() == 0) {
      p.Fail(steps, do_key,
             fmt::format("expected a non-empty list of actions, got {}", Describe(steps)));
      ok = false;
    } else {
      for (size_t j = 0; j < steps.size(); ++j) {
        auto step = ParseStep(p, steps[j], Parser::Index(do_key, j));
        if (!step) {
          ok = false;
          continue;
        }
        rule.steps.push_back(std::move(*step));
      }
    }
    rule.dry_run = p.Bool(r["dry_run"], Parser::Join(key, "dry_run"));
    if (auto v = p.Integer(r["max_per_hour"], Parser::Join(key, "max_per_hour"), 0, 1'000'000)) {
      rule.max_per_hour = static_cast<int>(*v);
    }
    if (ok) config.rules.push_back(std::move(rule));
  }
}

// triggers: the receiver; it needs a tenant to receive for, and TLS needs both files.
void ParseTriggers(Parser& p, const YAML::Node& n, Config& config) {
  if (!p.Map(n, "triggers")) return;
  p.CheckKeys(n, "triggers", "triggers");
  if (auto v = p.String(n["listen"], "triggers.listen")) {
    if (!v->empty() && !IsListenAddress(*v)) {
      p.Fail(n["listen"], "triggers.listen",
             fmt::format("'{}' is not HOST:PORT (or \"\" to turn the receiver off)", *v));
    } else {
      config.triggers.listen = *v;
    }
  }
  if (auto v = p.Dur(n["dedup_window"], "triggers.dedup_window", std::chrono::seconds(1))) {
    config.triggers.dedup_window = *v;
  }
  bool any = std::ranges::any_of(config.tenants,
                                 [](const TenantConfig& t) { return t.triggers.has_value(); });
  if (!config.triggers.listen.empty() && !any && !config.tenants.empty()) {
    p.Fail(n["listen"], "triggers.listen",
           "no tenant accepts deliveries (hint: give a tenant a triggers section with its auth)");
  }
  const YAML::Node& tls = n["tls"];
  if (!p.Map(tls, "triggers.tls")) return;
  p.CheckKeys(tls, "triggers.tls", "triggers.tls");
  for (auto [field, target] : {std::pair{"cert_file", &config.triggers.cert_file},
                               std::pair{"key_file", &config.triggers.key_file}}) {
    std::string key = Parser::Join("triggers.tls", field);
    auto path = p.String(tls[field], key);
    if (!path || path->empty()) {
      p.Fail(tls, key, "missing required value (TLS needs cert_file and key_file)");
      continue;
    }
    if (auto content = p.host().read_file(*path); !content) {
      p.Fail(tls[field], key, content.error());
      continue;
    }
    if (std::string_view(field) == "key_file") {
      p.WarnIfReadable(tls[field], key, *path, 0, "the receiver's private key");
    }
    *target = *path;
  }
}

void ParseSmallSections(Parser& p, const YAML::Node& root, Config& config) {
  if (const auto& n = root["actions"]; p.Map(n, "actions")) {
    p.CheckKeys(n, "actions", "actions");
    if (auto ca = p.String(n["webhook_ca_file"], "actions.webhook_ca_file"); ca && !ca->empty()) {
      if (auto content = p.host().read_file(*ca); !content) {
        p.Fail(n["webhook_ca_file"], "actions.webhook_ca_file", content.error());
      }
      config.actions.webhook_ca_file = *ca;
    }
    if (auto v = p.Bool(n["dry_run"], "actions.dry_run")) config.actions.outbox.dry_run = *v;
    if (auto v = p.Integer(n["max_per_hour"], "actions.max_per_hour", 0, 1'000'000)) {
      config.actions.outbox.max_per_hour = static_cast<int>(*v);
    }
    if (auto v = p.Integer(n["max_attempts"], "actions.max_attempts", 1, 100)) {
      config.actions.worker.max_attempts = static_cast<int>(*v);
    }
    if (auto v = p.Dur(n["retry_delay"], "actions.retry_delay", Duration(1))) {
      config.actions.worker.base_delay = *v;
    }
    if (auto v = p.Dur(n["lease"], "actions.lease", std::chrono::seconds(1)))
      config.actions.worker.lease = *v;
  }
  if (const auto& n = root["guards"]; p.Map(n, "guards")) {
    p.CheckKeys(n, "guards", "guards");
    if (auto v = p.Number(n["max_delete_share"], "guards.max_delete_share", 0.0, 1.0)) {
      config.guards.max_delete_share = *v;
    }
    if (auto v = p.Integer(n["delete_floor"], "guards.delete_floor", 0, 1'000'000'000)) {
      config.guards.delete_floor = *v;
    }
  }
  if (const auto& n = root["http"]; p.Map(n, "http")) {
    p.CheckKeys(n, "http", "http");
    if (auto v = p.Number(n["overdue_factor"], "http.overdue_factor", 1.0, 1000.0)) {
      config.http.overdue_factor = *v;
    }
    if (auto v = p.String(n["listen"], "http.listen")) {
      if (!v->empty() && !IsListenAddress(*v)) {
        p.Fail(n["listen"], "http.listen",
               fmt::format("'{}' is not HOST:PORT (or \"\" to disable the endpoint)", *v));
      } else {
        config.http.listen = *v;
      }
    }
  }
  ParseTriggers(p, root["triggers"], config);
  if (const auto& n = root["log"]; p.Map(n, "log")) {
    p.CheckKeys(n, "log", "log");
    if (auto v = p.String(n["level"], "log.level")) {
      if (!base::log::ParseLevel(*v)) {
        p.Fail(n["level"], "log.level",
               fmt::format("unknown level '{}' (expected trace, debug, info, warn, error, "
                           "critical or off)",
                           *v));
      } else {
        config.log.level = *v;
      }
    }
  }
}

}  // namespace

const ResourceConfig* Config::FindResource(std::string_view name) const {
  for (const auto& r : resources) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string Config::ResourceHint(std::string_view name) const {
  std::vector<std::string_view> names;
  for (const auto& r : resources) names.push_back(r.name);
  return UnknownNameHint(name, names);
}

std::string ConfigError::ToString() const {
  std::string where = line > 0 ? fmt::format("{}:{}:{}", file, line, column) : file;
  return key.empty() ? fmt::format("{}: {}", where, message)
                     : fmt::format("{}: {}: {}", where, key, message);
}

ConfigHost ConfigHost::System() {
  ConfigHost host;
  host.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  host.file_mode = [](const std::string& path) -> std::optional<unsigned> {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) return std::nullopt;
    return static_cast<unsigned>(info.st_mode & 0777);
  };
  host.read_file = [](const std::string& path) -> base::Expected<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  };
  return host;
}

base::Expected<std::string> ExpandEnvironment(std::string_view text, const ConfigHost& host) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out.push_back(text[i]);
      continue;
    }
    if (text[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back('$');
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return base::Error{"unterminated ${ (write $$ for a literal $)"};
    std::string name(text.substr(i + 2, close - i - 2));
    bool valid = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name) {
      valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_');
    }
    if (!valid)
      return base::Error{fmt::format("'${{{}}}' is not a valid variable reference", name)};
    auto value = host.getenv(name);
    if (!value) return base::Error{fmt::format("environment variable {} is not set", name)};
    out += *value;
    i = close;
  }
  return out;
}

ConfigResult ParseConfig(std::string_view yaml, const std::string& file_name,
                         const ConfigHost& host) {
  ConfigResult result;
  result.config.file = file_name;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, "",
                             fmt::format("invalid YAML: {}", e.msg)});
    return result;
  }
  Parser p(file_name, host, result.errors);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    p.Fail(root, "",
           fmt::format("expected a mapping at the top of the file, got {}", Describe(root)));
    return result;
  }
  const YAML::Node& top = root;
  p.CheckKeys(top, "", "");
  ParseTenants(p, top, result.config);
  ParseDatabase(p, top["database"], result.config);
  ParseResources(p, top["resources"], result.config);
  ParseLifecycle(p, top["lifecycle"], result.config);
  ParseRules(p, top["rules"], result.config);
  ParseSmallSections(p, top, result.config);
  if (!p.literal_secrets().empty()) {
    // The config's group is the service's (root:isc-mirror 0640); others must not read it.
    p.WarnIfReadable(YAML::Node(), "", file_name, 0040,
                     fmt::format("secrets ({})", fmt::join(p.literal_secrets(), ", ")));
  }
  result.warnings = std::move(p.warnings());
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                   });
  return result;
}

ConfigResult LoadConfigFile(const std::string& path, const ConfigHost& host) {
  auto text = host.read_file(path);
  if (!text) {
    ConfigResult result;
    result.config.file = path;
    result.errors.push_back(
        {path, 0, 0, "",
         fmt::format("{} (hint: pass the config file with -c FILE)", text.error())});
    return result;
  }
  return ParseConfig(*text, path, host);
}

}  // namespace isc_mirror::daemon
