#include "tests/harness/postgres_environment.hpp"

#include <stdexcept>

namespace isc_mirror::testing {
namespace {
// Test-only: GoogleTest environments are process-wide by design.
std::unique_ptr<PostgresCluster> cluster;
}  // namespace

void PostgresEnvironment::SetUp() {
  try {
    cluster = PostgresCluster::Start();
  } catch (const std::exception& e) {
    // Every test then fails on Cluster() with this reason in front of it.
    ADD_FAILURE() << "cannot start the PostgreSQL test cluster: " << e.what();
  }
}
void PostgresEnvironment::TearDown() {
  cluster.reset();
}

PostgresCluster& PostgresEnvironment::Cluster() {
  if (!cluster) throw std::logic_error("the PostgreSQL test cluster is not running");
  return *cluster;
}

}  // namespace isc_mirror::testing
