// main() for integration test binaries: GoogleTest plus the PostgreSQL environment.
#include <gtest/gtest.h>

#include "tests/harness/postgres_environment.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new isc_mirror::testing::PostgresEnvironment());
  return RUN_ALL_TESTS();
}
