// GoogleTest wiring for integration tests: one cluster per test binary, one database per test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/harness/postgres_cluster.hpp"

namespace isc_mirror::testing {

// Registered by integration_main.cpp; starts the cluster when a test first asks for it, so
// binaries whose tests need only the simulator never start one.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  static PostgresCluster& Cluster();
};

// Fixture base: url_ is a fresh, empty database of its own.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { url_ = PostgresEnvironment::Cluster().CreateDatabase(); }
  std::string url_;
};

}  // namespace isc_mirror::testing
