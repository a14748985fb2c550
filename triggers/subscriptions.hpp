// The HTTP subscriptions a tenant's config needs in ISC (/v2025/trigger-subscriptions): what
// each should say, which exist, and what to create, replace or delete to get there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "triggers/auth.hpp"
#include "triggers/delivery.hpp"

namespace isc_mirror::triggers {

// A subscription as ISC lists it (secrets are never listed).
struct ExistingSubscription {
  std::string id;
  std::string name;
  std::string trigger_id;
  std::string url;
  std::string auth_type;
  bool enabled = true;
  std::string filter;  // empty: none
};

// The subscription's name, which marks it as this tenant's: "isc-mirror <tenant> <trigger>".
std::string SubscriptionName(std::string_view tenant, const TriggerSpec& spec);
bool IsMirrorSubscription(std::string_view tenant, const ExistingSubscription& s);

// Where ISC posts a trigger's deliveries: {public_url}/triggers/{tenant}/{trigger name}.
std::string DeliveryUrl(std::string_view public_url, std::string_view tenant,
                        const TriggerSpec& spec);

// The body of a POST (create) or PUT (replace) of the subscription, with the auth's secret and
// the filter (empty: none; a PUT without one removes it).
struct SubscriptionFields {
  std::string_view tenant;
  std::string_view public_url;
  const TriggerAuth& auth;
  std::string_view filter;
  bool create = false;
};
std::string SubscriptionBody(const TriggerSpec& spec, const SubscriptionFields& fields);

// Each trigger's exampleInput in an answer of GET /v2025/triggers, as JSON text by trigger id.
base::Expected<std::vector<std::pair<std::string, std::string>>> ParseTriggerExamples(
    std::string_view body);

// The body of POST /v2025/trigger-subscriptions/validate-filter.
std::string ValidateFilterBody(std::string_view filter, std::string_view example_input);

// ISC's verdict on a filter against the trigger's example: an error naming what is wrong when
// ISC would never send an event through it, else a note on whether the example passes.
base::Expected<std::string> JudgeFilter(std::string_view trigger_id, std::string_view filter,
                                        std::string_view answer);

// A page of GET /v2025/trigger-subscriptions.
base::Expected<std::vector<ExistingSubscription>> ParseSubscriptions(std::string_view body);

// What subscribing needs: each trigger's subscription created, or the first existing one
// replaced (its secret may have changed: ISC never shows it) and any further copies deleted.
struct SubscribePlan {
  std::vector<const TriggerSpec*> create;
  std::vector<std::pair<std::string, const TriggerSpec*>> replace;  // (id, trigger)
  std::vector<std::string> remove;                                  // ids
};
SubscribePlan PlanSubscribe(std::string_view tenant,
                            const std::vector<ExistingSubscription>& existing);

}  // namespace isc_mirror::triggers
