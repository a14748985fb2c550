#include "daemon/trigger_commands.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "daemon/commands.hpp"
#include "daemon/tenant_runtime.hpp"
#include "triggers/subscriptions.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr std::string_view kPath = "/v2025/trigger-subscriptions";
constexpr int kPage = 250;

using triggers::ExistingSubscription;

// Every subscription of the tenant, page by page.
base::Expected<std::vector<ExistingSubscription>> ListAll(CommandClient& c) {
  std::vector<ExistingSubscription> all;
  for (int offset = 0;; offset += kPage) {
    auto page = c.client.Get(fmt::format("{}?limit={}&offset={}", kPath, kPage, offset), c.stats);
    if (!page) return base::Error{page.error()};
    auto parsed = triggers::ParseSubscriptions(page->body);
    if (!parsed) return base::Error{fmt::format("GET {}: {}", kPath, parsed.error())};
    all.insert(all.end(), parsed->begin(), parsed->end());
    if (parsed->size() < static_cast<size_t>(kPage)) return all;
  }
}

// A created or replaced subscription as ISC answers it must be the one asked for.
base::Expected<ExistingSubscription> Written(const isc::IscResult& answer, std::string_view what,
                                             const triggers::TriggerSpec& spec) {
  if (!answer) return base::Error{answer.error()};
  auto parsed = triggers::ParseSubscriptions("[" + answer->body + "]");
  if (!parsed || parsed->size() != 1 || (*parsed)[0].trigger_id != spec.id) {
    return base::Error{
        fmt::format("{} {}: the answer is not the subscription asked for", what, spec.id)};
  }
  return (*parsed)[0];
}

// The trigger's example payload as ISC lists it (GET /v2025/triggers, filtered by id).
base::Expected<std::string> ExampleOf(CommandClient& c, const std::string& id) {
  auto listed = c.client.Get(fmt::format("/v2025/triggers?filters={}",
                                         isc::PercentEncode(fmt::format("id eq \"{}\"", id))),
                             c.stats);
  if (!listed) return base::Error{fmt::format("GET /v2025/triggers: {}", listed.error())};
  auto examples = triggers::ParseTriggerExamples(listed->body);
  if (!examples) return base::Error{fmt::format("GET /v2025/triggers: {}", examples.error())};
  for (const auto& [listed_id, example] : *examples) {
    if (listed_id == id) return example;
  }
  return base::Error{fmt::format("ISC lists no trigger {}, so its filter cannot be checked", id)};
}

// ISC's validate-filter on a filter, against the trigger's own example.
base::Expected<std::string> Judge(CommandClient& c, const std::string& id,
                                  const std::string& filter) {
  auto example = ExampleOf(c, id);
  if (!example) return base::Error{example.error()};
  auto answer =
      c.client.Send("POST", std::string(kPath) + "/validate-filter",
                    triggers::ValidateFilterBody(filter, *example), "application/json", c.stats);
  if (!answer) return base::Error{answer.error()};
  return triggers::JudgeFilter(id, filter, answer->body);
}

// Each configured filter, judged by ISC; one ISC would never pass stops the whole subscribe
// before any write.
bool CheckFilters(CommandClient& c, const TenantConfig& tenant) {
  bool ok = true;
  for (const auto& [id, filter] : tenant.trigger_filters) {
    auto verdict = Judge(c, id, filter);
    if (!verdict) {
      fmt::print(stderr, "{}: {}\n", tenant.name, verdict.error());
      ok = false;
      continue;
    }
    fmt::print("{}  {:<35}  {:<8}  {}\n", tenant.name, id, "filter", *verdict);
  }
  if (!ok)
    fmt::print(stderr, "{}: nothing subscribed (hint: mend tenants[].triggers.filters)\n",
               tenant.name);
  return ok;
}

std::string_view FilterOf(const TenantConfig& tenant, const triggers::TriggerSpec& spec) {
  auto it = tenant.trigger_filters.find(std::string(spec.id));
  return it == tenant.trigger_filters.end() ? std::string_view() : std::string_view(it->second);
}

bool Subscribe(CommandClient& c, const TenantConfig& tenant, const std::string& url) {
  if (!CheckFilters(c, tenant)) return false;
  auto existing = ListAll(c);
  if (!existing) {
    fmt::print(stderr, "{}: {}\n", tenant.name, existing.error());
    return false;
  }
  auto plan = triggers::PlanSubscribe(tenant.name, *existing);
  bool ok = true;
  auto report = [&](const base::Expected<ExistingSubscription>& done, std::string_view verb,
                    const triggers::TriggerSpec& spec) {
    if (!done) {
      fmt::print(stderr, "{}: {} {} failed: {}\n", tenant.name, verb, spec.id, done.error());
      ok = false;
      return;
    }
    fmt::print("{}  {:<35}  {:<8}  {}  {}\n", tenant.name, spec.id, verb, done->id, done->url);
  };
  auto fields = [&](const triggers::TriggerSpec& spec, bool create) {
    return triggers::SubscriptionFields{.tenant = tenant.name,
                                        .public_url = url,
                                        .auth = *tenant.triggers,
                                        .filter = FilterOf(tenant, spec),
                                        .create = create};
  };
  for (const auto* spec : plan.create) {
    auto body = triggers::SubscriptionBody(*spec, fields(*spec, true));
    report(Written(c.client.Send("POST", kPath, body, "application/json", c.stats), "POST", *spec),
           "created", *spec);
  }
  for (const auto& [id, spec] : plan.replace) {
    auto body = triggers::SubscriptionBody(*spec, fields(*spec, false));
    auto path = fmt::format("{}/{}", kPath, isc::PercentEncode(id));
    report(Written(c.client.Send("PUT", path, body, "application/json", c.stats), "PUT", *spec),
           "updated", *spec);
  }
  for (const auto& id : plan.remove) {
    auto done = c.client.Send("DELETE", fmt::format("{}/{}", kPath, isc::PercentEncode(id)), "",
                              "application/json", c.stats);
    if (!done) {
      fmt::print(stderr, "{}: removing the copy {} failed: {}\n", tenant.name, id, done.error());
      ok = false;
    } else {
      fmt::print("{}  {:<35}  {:<8}  {}\n", tenant.name, "(a copy)", "removed", id);
    }
  }
  return ok;
}

bool Unsubscribe(CommandClient& c, const TenantConfig& tenant) {
  auto existing = ListAll(c);
  if (!existing) {
    fmt::print(stderr, "{}: {}\n", tenant.name, existing.error());
    return false;
  }
  bool ok = true;
  for (const auto& s : *existing) {
    if (!triggers::IsMirrorSubscription(tenant.name, s)) continue;
    auto done = c.client.Send("DELETE", fmt::format("{}/{}", kPath, isc::PercentEncode(s.id)), "",
                              "application/json", c.stats);
    if (!done) {
      fmt::print(stderr, "{}: removing {} failed: {}\n", tenant.name, s.id, done.error());
      ok = false;
      continue;
    }
    fmt::print("{}  {:<35}  {:<8}  {}\n", tenant.name, s.trigger_id, "removed", s.id);
  }
  return ok;
}

bool List(CommandClient& c, const TenantConfig& tenant) {
  auto existing = ListAll(c);
  if (!existing) {
    fmt::print(stderr, "{}: {}\n", tenant.name, existing.error());
    return false;
  }
  for (const auto& s : *existing) {
    fmt::print("{}  {:<35}  {}  {:<12}  {:<8}  {}{}{}\n", tenant.name, s.trigger_id, s.id,
               s.auth_type, s.enabled ? "enabled" : "disabled", s.url,
               s.filter.empty() ? "" : "  filter " + s.filter,
               triggers::IsMirrorSubscription(tenant.name, s) ? "" : "  (not the mirror's)");
  }
  return true;
}

// The receiver's public address: https, or http for a tenant that allows it (a simulator).
base::Expected<void> CheckUrl(const std::string& url, const TenantConfig& tenant) {
  if (url.starts_with("https://") && url.size() > 8) return {};
  if (url.starts_with("http://") && url.size() > 7 && tenant.allow_insecure_http) return {};
  return base::Error{
      fmt::format("--url '{}' must be https:// (ISC would send the {} secret in clear otherwise)",
                  url, tenant.name)};
}

}  // namespace

int TriggersCommand(const CommandLine& line, const Config& config) {
  const std::string& verb = line.args.at(0);
  std::vector<const TenantConfig*> tenants;
  for (const auto& t : config.tenants) {
    if (line.args.size() > 1 && t.name != line.args[1]) continue;
    // Subscribing needs the auth the receiver will check.
    if (verb == "subscribe" && !t.triggers) {
      if (line.args.size() > 1) {
        fmt::print(stderr,
                   "isc-mirror: tenant {} has no triggers section: its deliveries would be "
                   "refused (hint: add tenants[].triggers with the auth, docs/triggers.md)\n",
                   t.name);
        return kExitConfig;
      }
      continue;
    }
    if (verb == "subscribe") {
      if (auto checked = CheckUrl(*line.url, t); !checked) {
        fmt::print(stderr, "isc-mirror: {}\n", checked.error());
        return kExitUsage;
      }
    }
    tenants.push_back(&t);
  }
  if (tenants.empty()) {
    fmt::print(stderr, "isc-mirror: no {}tenant to {} (hint: docs/triggers.md)\n",
               verb == "subscribe" ? "configured triggers " : "", verb);
    return kExitUsage;
  }
  isc::CurlGlobal curl;
  bool ok = true;
  for (const auto* tenant : tenants) {
    CommandClient c(*tenant, 3);
    if (verb == "subscribe") {
      ok = Subscribe(c, *tenant, *line.url) && ok;
    } else if (verb == "unsubscribe") {
      ok = Unsubscribe(c, *tenant) && ok;
    } else {
      ok = List(c, *tenant) && ok;
    }
  }
  return ok ? kExitOk : kExitFailure;
}

}  // namespace isc_mirror::daemon
