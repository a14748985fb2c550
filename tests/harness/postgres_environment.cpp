#include "tests/harness/postgres_environment.hpp"

namespace isc_mirror::testing {
namespace {
// Test-only: GoogleTest environments are process-wide by design.
std::unique_ptr<PostgresCluster> cluster;
}  // namespace

void PostgresEnvironment::SetUp() {}
void PostgresEnvironment::TearDown() {
  cluster.reset();
}

PostgresCluster& PostgresEnvironment::Cluster() {
  if (!cluster) cluster = PostgresCluster::Start();
  return *cluster;
}

}  // namespace isc_mirror::testing
