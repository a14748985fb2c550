// Checks a mirror against the tenant it mirrors (isc-sim), object by object, for every resource.
//   verify-mirror BASE_URL DATABASE_URL TENANT
// Prints one line per resource and exits 1 if any differs.
#include <fmt/format.h>

#include <chrono>

#include "sync/resource_schema.hpp"
#include "tests/harness/mirror_compare.hpp"
#include "tests/harness/sim_connection.hpp"

int main(int argc, char** argv) {
  using namespace isc_mirror;
  if (argc != 4) {
    fmt::print(stderr, "usage: verify-mirror BASE_URL DATABASE_URL TENANT\n");
    return 2;
  }
  testing::SimConnection::Options options;
  options.requests = 1'000'000;
  testing::SimConnection tenant(argv[1], options);
  pqxx::connection db(argv[2]);
  bool all_equal = true;
  fmt::print("| resource | objects in the tenant | rows in the mirror | differences |\n");
  fmt::print("|---|---|---|---|\n");
  for (const auto& schema : sync::BuiltinSchemas()) {
    std::set<std::string> parents;
    auto expected = testing::TenantObjects(*tenant.client, schema, &parents);
    auto actual = testing::MirrorObjects(db, argv[3], schema, &parents);
    auto difference = testing::Difference(expected, actual);
    all_equal = all_equal && difference.empty();
    fmt::print("| {} | {} | {} | {} |\n", schema.name, expected.size(), actual.size(),
               difference.empty() ? "none" : difference);
  }
  return all_equal ? 0 : 1;
}
