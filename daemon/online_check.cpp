#include "daemon/online_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>
#include <set>

#include "automation/actions.hpp"
#include "automation/rules.hpp"
#include "daemon/commands.hpp"
#include "daemon/tenant_runtime.hpp"
#include "isc/isc_client.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr int kParentsTried = 5;  // open parents tried before a child probe gives up

std::string WithQuery(std::string path, std::initializer_list<std::string_view> params) {
  for (auto p : params) {
    if (p.empty()) continue;
    path += path.find('?') == std::string::npos ? '?' : '&';
    path += p;
  }
  return path;
}

// Reads one call: ok on 2xx; `absent_ok` also takes 404 (the probe's object need not exist).
// GET probe.request, or with a search body, a POST of it (a search reads, as a GET does).
Probe Read(isc::IscClient& client, isc::RequestStats& stats, Probe probe, bool absent_ok,
           std::string_view search = {}) {
  auto answer = search.empty() ? client.Get(probe.request, stats)
                               : client.Query(probe.request, search, stats);
  probe.request = (search.empty() ? "GET " : "POST ") + probe.request;
  if (answer) {
    probe.ok = true;
    probe.detail = fmt::format("HTTP {}", answer->status);
    return probe;
  }
  probe.ok = absent_ok && answer.failure().status == 404;
  probe.detail = probe.ok ? "HTTP 404" : answer.error();
  return probe;
}

// Keys of up to kParentsTried parents of a child resource, open ones only.
std::vector<std::string> ParentKeys(isc::IscClient& client, isc::RequestStats& stats,
                                    const sync::ResourceSchema& child) {
  const auto* parent = sync::FindSchema(child.parent->resource);
  auto answer = client.Get(
      WithQuery(parent->path, {parent->query, parent->paging == isc::Paging::kOffset
                                                  ? fmt::format("limit={}", parent->page_size)
                                                  : ""}),
      stats);
  std::vector<std::string> keys;
  simdjson::dom::parser parser;
  simdjson::dom::array items;
  if (!answer || parser.parse(answer->body).get(items)) return keys;
  std::string key_path = parent->FindColumn(parent->key.front())->path;
  for (auto item : items) {
    std::string json = simdjson::minify(item);
    if (child.parent->open_when_path && automation::ValueAt(json, *child.parent->open_when_path) !=
                                            child.parent->open_when_equals) {
      continue;
    }
    if (auto key = automation::ValueAt(json, key_path)) {
      std::string text = *key;
      if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
      keys.push_back(text);
    }
    if (keys.size() >= kParentsTried) break;
  }
  return keys;
}

Probe ProbeResource(isc::IscClient& client, isc::RequestStats& stats, const std::string& tenant,
                    const sync::ResourceSchema& schema) {
  Probe probe{.tenant = tenant, .check = "resource " + schema.name};
  std::string limit = schema.paging == isc::Paging::kNone ? "" : "limit=1";
  if (!schema.parent) {
    probe.request = WithQuery(schema.path, {schema.query, limit});
    return Read(client, stats, probe, false, schema.search_body);
  }
  auto keys = ParentKeys(client, stats, schema);
  if (keys.empty()) {
    return {.tenant = tenant,
            .check = probe.check,
            .request = schema.path,
            .ok = true,
            .detail = fmt::format("not read: no open {} to read it for", schema.parent->resource)};
  }
  Probe last;
  for (const auto& key : keys) {
    std::string path = schema.path;
    path.replace(path.find("{id}"), 4, isc::PercentEncode(key));
    probe.request = WithQuery(path, {schema.query, limit});
    last = Read(client, stats, probe, false);
    // A parent ISC will not list children of (a certification reviewed by a governance group
    // answers 400) says nothing of the credentials: try the next.
    if (last.ok || last.detail.find("HTTP 401") != std::string::npos ||
        last.detail.find("HTTP 403") != std::string::npos) {
      break;
    }
  }
  return last;
}

// What the token's claims say against what the action's calls need; empty when fine or unknown.
std::string ClaimsRefusal(const automation::ActionSpec& spec, const isc::TokenClaims& claims) {
  if (!claims.readable || spec.scopes.empty()) return {};
  if (spec.user_token_only && !claims.user) {
    return "its calls take a user's token: configure a personal access token's client id and "
           "secret, not an API client's";
  }
  bool scoped = claims.scopes.contains("sp:scopes:all") ||
                std::any_of(spec.scopes.begin(), spec.scopes.end(), [&](std::string_view s) {
                  return claims.scopes.contains(std::string(s));
                });
  if (!scoped) return fmt::format("the token lacks the scope {}", fmt::join(spec.scopes, " or "));
  if (claims.user && !spec.user_levels.empty() &&
      std::none_of(spec.user_levels.begin(), spec.user_levels.end(), [&](std::string_view l) {
        return claims.authorities.contains(std::string(l));
      })) {
    return fmt::format("the user is {} but the calls need one of {}",
                       fmt::join(claims.authorities, ", "), fmt::join(spec.user_levels, ", "));
  }
  return {};
}

Probe ProbeAction(isc::IscClient& client, isc::RequestStats& stats, const std::string& tenant,
                  const automation::ActionSpec& spec, const isc::TokenClaims& claims) {
  Probe probe{.tenant = tenant, .check = fmt::format("action {}", spec.name)};
  if (spec.read_check.empty()) {
    probe.ok = true;
    probe.detail = "calls no ISC";
    return probe;
  }
  probe.request = std::string(spec.read_check);
  probe = Read(client, stats, probe, true);
  if (auto refusal = ClaimsRefusal(spec, claims); !refusal.empty()) {
    probe.ok = false;
    probe.detail = "refused: " + refusal;
  }
  return probe;
}

std::vector<Probe> ProbeTenant(const Config& config, const TenantConfig& tenant) {
  CommandClient connection(tenant, 3);
  const auto& options = connection.link.options;
  auto& tokens = *connection.link.tokens;
  auto& client = connection.client;
  auto& stats = connection.stats;
  std::vector<Probe> probes;
  auto token = tokens.Token();
  probes.push_back({.tenant = tenant.name,
                    .check = "token",
                    .request = "POST " + options.token_url,
                    .ok = token.ok(),
                    .detail = token.ok() ? "a token" : token.error()});
  if (!token) return probes;
  auto claims = isc::ReadTokenClaims(*token);
  if (claims.readable) {
    probes.back().detail =
        fmt::format("a {} token, scopes: {}", claims.user ? "user's" : "client's",
                    fmt::join(claims.scopes, " "));
  }
  for (const auto& schema : sync::BuiltinSchemas()) {
    const ResourceConfig* resource = config.FindResource(schema.name);
    if (resource != nullptr && resource->enabled) {
      probes.push_back(ProbeResource(client, stats, tenant.name, schema));
    }
  }
  std::set<std::string> actions;
  for (const auto& rule : config.rules) {
    for (const auto& step : rule.steps) actions.insert(step.action);
  }
  for (const auto& action : actions) {
    if (const auto* spec = automation::FindActionSpec(action)) {
      probes.push_back(ProbeAction(client, stats, tenant.name, *spec, claims));
    }
  }
  return probes;
}

}  // namespace

std::string RenderProbes(const std::vector<Probe>& probes) {
  size_t tenant_width = 6, check_width = 5, request_width = 7;
  for (const auto& p : probes) {
    tenant_width = std::max(tenant_width, p.tenant.size());
    check_width = std::max(check_width, p.check.size());
    request_width = std::min<size_t>(60, std::max(request_width, p.request.size()));
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "tenant", tenant_width, "check",
                                check_width, "request", request_width, "result");
  for (const auto& p : probes) {
    std::string result = p.ok ? "ok: " + p.detail
                              : (p.detail.starts_with("refused: ") ? p.detail
                                 : p.detail.find("HTTP 401") != std::string::npos ||
                                         p.detail.find("HTTP 403") != std::string::npos
                                     ? "refused: " + p.detail
                                     : "failed: " + p.detail);
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", p.tenant, tenant_width, p.check, check_width,
                       p.request, request_width, result);
  }
  return out;
}

int CheckOnline(const Config& config) {
  isc::CurlGlobal curl;
  std::vector<Probe> probes;
  for (const auto& tenant : config.tenants) {
    auto more = ProbeTenant(config, tenant);
    probes.insert(probes.end(), more.begin(), more.end());
  }
  fmt::print("{}", RenderProbes(probes));
  auto bad = std::count_if(probes.begin(), probes.end(), [](const Probe& p) { return !p.ok; });
  if (bad == 0) {
    fmt::print("all {} checks passed\n", probes.size());
    return kExitOk;
  }
  fmt::print(stderr,
             "{} of {} checks refused or failed (hint: docs/credentials.md lists the scopes and "
             "user levels each resource and action needs)\n",
             bad, probes.size());
  return kExitFailure;
}

}  // namespace isc_mirror::daemon
