#include "daemon/completion.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/cli.hpp"

namespace isc_mirror::daemon {
namespace {

bool Has(const std::vector<std::string>& names, std::string_view name) {
  return std::ranges::find(names, name) != names.end();
}

TEST(ConfiguredNames, ReadsTheTenantsInEitherStyleWithoutExpandingAnything) {
  auto names = ConfiguredNames(
      "tenants:\n"
      "  - { name: acme, client_id: '${NOT_SET}' }\n"
      "  - name: beta\n"
      "    client_secret_file: /nowhere\n"
      "  - base_url: https://nameless\n",
      "tenants");
  EXPECT_EQ(names, (std::vector<std::string>{"acme", "beta"}));
}

TEST(ConfiguredNames, ListsTheBuiltInResourcesTheConfigDoesNotDisable) {
  auto names = ConfiguredNames(
      "resources:\n  accounts: { enabled: false }\n  identities: { interval: 1m }\n", "resources");
  EXPECT_FALSE(Has(names, "accounts"));
  EXPECT_TRUE(Has(names, "identities"));
  EXPECT_TRUE(Has(names, "das_tasks"));
  EXPECT_TRUE(Has(ConfiguredNames("", "resources"), "accounts"));
}

TEST(ConfiguredNames, YamlThatCannotBeReadHasNoTenantsAndDisablesNothing) {
  EXPECT_TRUE(ConfiguredNames("tenants: [ {name: a", "tenants").empty());
  EXPECT_TRUE(ConfiguredNames("tenants: a scalar", "tenants").empty());
  EXPECT_TRUE(Has(ConfiguredNames("resources: [", "resources"), "accounts"));
  EXPECT_TRUE(Has(ConfiguredNames("resources:\n  accounts: 5m\n", "resources"), "accounts"));
}

TEST(RenderBashCompletion, OffersEveryCommandOptionAndVerbOfTheTable) {
  std::string script = RenderBashCompletion("1.2.3");
  EXPECT_NE(script.find("isc-mirror 1.2.3"), std::string::npos);
  EXPECT_NE(script.find("complete -F _isc_mirror isc-mirror"), std::string::npos);
  for (const auto& spec : CommandSpecs()) {
    EXPECT_NE(script.find(fmt::format("    {})\n", spec.name)), std::string::npos) << spec.name;
    for (const auto& option : spec.options) {
      EXPECT_NE(script.find(option.flag), std::string::npos) << option.flag;
    }
    for (auto verb : spec.verbs) EXPECT_NE(script.find(verb), std::string::npos) << verb;
  }
  EXPECT_NE(script.find(kNamesCommand), std::string::npos);
}

}  // namespace
}  // namespace isc_mirror::daemon
