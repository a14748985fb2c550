#include "daemon/config_keys.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr std::string_view kBegin = "<!-- config-keys: generated from daemon/config_keys.cpp -->\n";
constexpr std::string_view kEnd = "<!-- end config-keys -->";

// docs/config.md holds the reference the table renders, so that the two cannot drift apart.
TEST(ConfigKeys, TheDocumentedReferenceIsTheTable) {
  std::ifstream in(ISC_MIRROR_SOURCE_DIR "/docs/config.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  auto begin = doc.find(kBegin);
  auto end = doc.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "docs/config.md lacks " << kBegin;
  ASSERT_NE(end, std::string::npos);
  std::string documented = doc.substr(begin + kBegin.size(), end - begin - kBegin.size());
  EXPECT_EQ(documented, RenderConfigReference())
      << "docs/config.md is out of date; put this between its markers:\n"
      << RenderConfigReference();
}

TEST(ConfigKeys, EveryKeyIsDeclaredOnceWithAMeaning) {
  std::set<std::string_view> keys;
  for (const auto& k : ConfigKeys()) {
    EXPECT_TRUE(keys.insert(k.key).second) << k.key << " is declared twice";
    EXPECT_FALSE(k.meaning.empty()) << k.key;
    EXPECT_FALSE(k.type.empty()) << k.key;
  }
}

TEST(ConfigKeys, DefaultsAreTheModelsOwn) {
  // The table renders what the structs hold, so a default changed there shows here.
  auto find = [](std::string_view key) {
    for (const auto& k : ConfigKeys()) {
      if (k.key == key) return k.default_text;
    }
    return std::string("(missing)");
  };
  EXPECT_EQ(find("actions.max_attempts"), "`5`");
  EXPECT_EQ(find("actions.retry_delay"), "`30s`");
  EXPECT_EQ(find("actions.lease"), "`5m`");
  EXPECT_EQ(find("guards.max_delete_share"), "`0.10`");
  EXPECT_EQ(find("tenants[].retry.attempts"), "`6`");
  EXPECT_EQ(find("tenants[].rate_limit.per"), "`10s`");
  EXPECT_EQ(find("lifecycle.leaver_states"), "`[terminated, inactive]`");
}

TEST(ConfigKeys, ChildKeysAreWhatAMappingMayHold) {
  EXPECT_EQ(ChildKeys("tenants[].retry"),
            (std::vector<std::string_view>{"attempts", "base_delay", "max_delay"}));
  EXPECT_EQ(ChildKeys(""),
            (std::vector<std::string_view>{"tenants", "database", "resources", "lifecycle", "rules",
                                           "actions", "guards", "http", "triggers", "log"}));
  EXPECT_EQ(ChildKeys("rules[].match"),
            (std::vector<std::string_view>{"resource", "op", "path", "from", "to", "older_than"}));
  EXPECT_TRUE(ChildKeys("nothing").empty());
}

}  // namespace
}  // namespace isc_mirror::daemon
