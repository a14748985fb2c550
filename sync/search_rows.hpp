// Rows that a search page yields: documents turned into the rows a resource keeps (pure).
#pragma once

#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "isc/pager.hpp"

namespace isc_mirror::sync {

struct ResourceSchema;

// Turns a page of documents into a JSON array of row objects.
using RowsOfPage = base::Expected<std::string> (*)(std::string_view page);

// The transforms a schema file may name (`rows:`); nullptr for an unknown name.
RowsOfPage FindRows(std::string_view name);

// identity_access: one row per access item of each identity document (POST /v3/search,
// index identities): the item as the document holds it (a role, an access profile or an
// entitlement), with `identity` {id, name} and, for an entitlement, `accounts`: the
// identity's accounts on the entitlement's source whose entitlementAttributes hold its value
// under its attribute (if none does, the one account on that source, if there is exactly one).
base::Expected<std::string> IdentityAccessRows(std::string_view page);

// The consumer of a page as the schema reads it: a search's documents become rows first.
isc::PageConsumer ConsumeRowsOf(const ResourceSchema& schema, isc::PageConsumer consume);

}  // namespace isc_mirror::sync
