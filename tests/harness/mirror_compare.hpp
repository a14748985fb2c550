// Compares the mirror with what a tenant (isc-sim) serves, object by object, by content hash.
#pragma once

#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <string_view>

#include "isc/isc_client.hpp"
#include "sync/resource_schema.hpp"

namespace isc_mirror::testing {

// object_id -> content hash of the canonical object, the resource's ignored paths left out.
using ObjectHashes = std::map<std::string, std::string>;

// Everything the tenant serves for a resource now; for a child resource, the children of
// every open parent (whose keys go to `parents_read`). Throws on a failed or broken scan.
ObjectHashes TenantObjects(isc::IscClient& client, const sync::ResourceSchema& schema,
                           std::set<std::string>* parents_read = nullptr);

// The present rows of a resource's table; for a child resource only those whose parent is in
// `parents_read` (children of closed parents keep their last state, by design).
ObjectHashes MirrorObjects(pqxx::connection& connection, std::string_view tenant,
                           const sync::ResourceSchema& schema,
                           const std::set<std::string>* parents_read = nullptr);

// The content hash of one object as the tenant or the mirror holds it (raw JSON), the
// resource's ignored paths left out: comparable with the hashes above.
std::string ObjectHash(const sync::ResourceSchema& schema, std::string_view raw);

// Where two sets differ, the first few cases named; empty when equal. `allow_extra` accepts
// mirror rows the tenant no longer has.
std::string Difference(const ObjectHashes& expected, const ObjectHashes& actual,
                       bool allow_extra = false);

}  // namespace isc_mirror::testing
