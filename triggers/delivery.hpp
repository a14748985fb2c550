// Event Trigger deliveries: the triggers the mirror subscribes to, what each payload must hold
// (the Trigger* schemas of ISC's definitions), and the reads a delivery leads to.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"
#include "sync/sync_run.hpp"

namespace isc_mirror::triggers {

enum class TriggerKind {
  kIdentityAttributesChanged,
  kIdentityCreated,
  kIdentityDeleted,
  kAccountAttributesChanged,
  kAccountCorrelated,
  kAccountUncorrelated,
  kAccountAggregationCompleted,
  kCertificationSignedOff,
};

struct TriggerSpec {
  TriggerKind kind;
  std::string_view id;      // ISC's trigger id, e.g. idn:identity-created
  std::string_view name;    // ISC's trigger name
  std::string_view schema;  // the payload's schema in the definitions
};

// Every trigger the mirror subscribes to, in one table.
std::span<const TriggerSpec> TriggerSpecs();
const TriggerSpec& SpecOf(TriggerKind kind);
// By id (idn:identity-created) or the id's name part (identity-created).
const TriggerSpec* FindTrigger(std::string_view id);

// What a valid delivery names.
struct Delivery {
  TriggerKind kind;
  std::string identity_id;
  std::string account_id;
  std::string source_id;
  std::string certification_id;
  // Identity attributes changed: the lifecycle state among them, so its accounts change too.
  bool lifecycle_changed = false;
};

// Validates a body against its trigger's payload schema. `claimed` is the trigger the path
// names; without one the trigger is told from the payload's shape, and an identity created
// cannot be told from one deleted (both are {identity, attributes}): it is taken as created.
// The error names what is wrong.
base::Expected<Delivery> ParseDelivery(std::string_view body,
                                       std::optional<TriggerKind> claimed = std::nullopt);

// The delivery's identity: ISC sends no delivery id (the body is the trigger's input alone),
// so a copy is the same trigger with the same bytes for the same tenant.
std::string DeliveryDigest(std::string_view tenant, TriggerKind kind, std::string_view body);

// One read of a refresh: a resource and what to read of it.
struct Read {
  std::string resource;
  sync::RefreshRequest request;
};

// What a set of deliveries leads to, coalesced: each object read once, whatever the order or
// number of its deliveries (the read returns the current state), and the resources to sync
// now (an aggregation completed: an incremental accounts cycle).
struct ReadPlan {
  std::vector<Read> reads;
  std::vector<std::string> sync_now;
};
ReadPlan PlanReads(const std::vector<Delivery>& deliveries);

}  // namespace isc_mirror::triggers
