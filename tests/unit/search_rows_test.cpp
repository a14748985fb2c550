// The rows of an identity search page: one per access item, entitlements with their accounts.
#include "sync/search_rows.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace isc_mirror::sync {
namespace {

// Two identities: Ada holds a role, an access profile and two entitlements of one source, one
// on each of her two accounts there; Ben holds nothing.
constexpr const char* kPage = R"([
  {"id": "a1", "name": "ada",
   "accounts": [
     {"id": "acc1", "name": "ada-ad", "source": {"id": "s1", "name": "AD"},
      "entitlementAttributes": {"memberOf": ["CN=Admins", "CN=Users"]}},
     {"id": "acc2", "name": "ada-admin", "source": {"id": "s1", "name": "AD"},
      "entitlementAttributes": {"memberOf": "CN=Ops"}},
     {"id": "acc3", "name": "ada-git", "source": {"id": "s2", "name": "GitHub"}}],
   "access": [
     {"id": "r1", "type": "ROLE", "name": "Engineering"},
     {"id": "p1", "type": "ACCESS_PROFILE", "name": "AD basics", "source": {"id": "s1"}},
     {"id": "e1", "type": "ENTITLEMENT", "name": "Admins", "attribute": "memberOf",
      "value": "CN=Admins", "privileged": true, "standalone": true, "source": {"id": "s1"}},
     {"id": "e2", "type": "ENTITLEMENT", "name": "Ops", "attribute": "memberOf",
      "value": "CN=Ops", "privileged": false, "standalone": false, "source": {"id": "s1"}},
     {"id": "e3", "type": "ENTITLEMENT", "name": "Org", "attribute": "teams",
      "value": "org", "source": {"id": "s2"}}]},
  {"id": "b2", "name": "ben", "accounts": []}
])";

TEST(IdentityAccessRows, OneRowPerAccessItemWithTheIdentityAndHoldingAccounts) {
  auto rows = IdentityAccessRows(kPage);
  ASSERT_TRUE(rows.ok()) << rows.error();
  simdjson::dom::parser parser;
  simdjson::dom::array items = parser.parse(*rows).get_array();
  ASSERT_EQ(items.size(), 5u);
  auto at = [&](size_t i, const char* pointer) {
    return simdjson::minify(items.at(i).at_pointer(pointer).value());
  };
  EXPECT_EQ(at(0, "/identity"), R"({"id":"a1","name":"ada"})");
  EXPECT_EQ(at(0, "/type"), R"("ROLE")");
  simdjson::dom::element none;
  EXPECT_TRUE(items.at(0)["accounts"].get(none)) << "roles name no account";
  // By value: Admins on the first AD account, Ops (a lone value, not a list) on the second.
  EXPECT_EQ(at(2, "/accounts"), R"([{"id":"acc1","name":"ada-ad"}])");
  EXPECT_EQ(at(2, "/privileged"), "true");
  EXPECT_EQ(at(3, "/accounts"), R"([{"id":"acc2","name":"ada-admin"}])");
  // No attribute says so, but the identity has one account on the source: that one.
  EXPECT_EQ(at(4, "/accounts"), R"([{"id":"acc3","name":"ada-git"}])");
}

TEST(IdentityAccessRows, RefusesAPageThatIsNotAnArray) {
  EXPECT_FALSE(IdentityAccessRows(R"({"id": "a1"})").ok());
  EXPECT_FALSE(IdentityAccessRows("[{").ok());
  auto empty = IdentityAccessRows("[]");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "[]");
}

TEST(IdentityAccessRows, IsFoundByTheNameSchemaFilesUse) {
  EXPECT_EQ(FindRows("identity_access"), &IdentityAccessRows);
  EXPECT_EQ(FindRows("nothing"), nullptr);
}

}  // namespace
}  // namespace isc_mirror::sync
