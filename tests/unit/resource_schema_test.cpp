#include "sync/resource_schema.hpp"

#include <gtest/gtest.h>

#include "sync/sync_run.hpp"

namespace isc_mirror::sync {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(BuiltinSchemas, DeclareTheResourcesInOrder) {
  auto schemas = BuiltinSchemas();
  std::vector<std::string> names;
  for (const auto& s : schemas) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"identities",
                                             "accounts",
                                             "task_statuses",
                                             "certifications",
                                             "certification_reviewers",
                                             "access_review_items",
                                             "certification_tasks",
                                             "das_applications",
                                             "das_tasks",
                                             "das_schedules",
                                             "das_identity_collectors",
                                             "das_resource_owners",
                                             "sources",
                                             "entitlements",
                                             "access_profiles",
                                             "roles",
                                             "identity_profiles",
                                             "lifecycle_states",
                                             "governance_groups",
                                             "governance_group_members",
                                             "identity_access"}));
}

TEST(BuiltinSchemas, CarryWhatThePollersNeed) {
  const auto* accounts = FindSchema("accounts");
  ASSERT_NE(accounts, nullptr);
  EXPECT_EQ(accounts->path, "/v2024/accounts");
  EXPECT_EQ(accounts->sort, "id");
  ASSERT_TRUE(accounts->incremental.has_value());
  EXPECT_EQ(accounts->incremental->sorters, "-modified");
  EXPECT_EQ(accounts->full_every, hours(24));
  EXPECT_EQ(accounts->interval, minutes(15));

  const auto* identities = FindSchema("identities");
  EXPECT_EQ(identities->sort, "") << "ISC cannot sort identities by id";
  EXPECT_EQ(identities->ignore_paths, std::vector<std::string>{"/lastRefresh"});
  EXPECT_EQ(identities->FindColumn("manager_id")->type, ColumnType::kIdentityId);

  const auto* owners = FindSchema("das_resource_owners");
  ASSERT_TRUE(owners->parent.has_value());
  EXPECT_EQ(owners->parent->resource, "das_applications");
  EXPECT_EQ(owners->key,
            (std::vector<std::string>{"application_id", "resource_id", "identity_id"}));
  const auto* reviewers = FindSchema("certification_reviewers");
  EXPECT_EQ(reviewers->parent->open_when_path, "/completed");
  EXPECT_EQ(reviewers->parent->open_when_equals, "false");
  // The definitions: DAS lists take limit, offset and count; owner lists must not be paged;
  // task statuses come from v2025 (beta lists completed ones only); identities with
  // defaultFilter=NONE (the default leaves uncorrelated ones out).
  for (auto name : {"das_applications", "das_tasks", "das_schedules", "das_identity_collectors"}) {
    EXPECT_EQ(FindSchema(name)->paging, isc::Paging::kOffset) << name;
  }
  EXPECT_EQ(owners->paging, isc::Paging::kNone);
  EXPECT_EQ(FindSchema("task_statuses")->path, "/v2025/task-status");
  EXPECT_EQ(FindSchema("identities")->query, "defaultFilter=NONE");
  EXPECT_EQ(FindSchema("task_statuses")->retention, hours(24 * 90));
  EXPECT_EQ(FindSchema("task_statuses")->retention_column, "created");
  EXPECT_EQ(accounts->recheck_filter, "id");
  EXPECT_EQ(FindSchema("das_tasks")->recheck_filter, "") << "DAS lists filter by taskIds only";
  EXPECT_EQ(FindSchema("das_tasks")->FindColumn("start_time")->type, ColumnType::kEpochSeconds);
  // Two lists take at most 50 a page ("for this API the maximum value for limit is 50").
  EXPECT_EQ(FindSchema("roles")->page_size, 50);
  EXPECT_EQ(FindSchema("governance_group_members")->page_size, 50);
  EXPECT_EQ(FindSchema("access_profiles")->page_size, 250);
  EXPECT_EQ(FindSchema("roles")->sort, "") << "roles sort by name, created and modified only";
  ASSERT_TRUE(FindSchema("entitlements")->incremental.has_value());
  EXPECT_EQ(FindSchema("entitlements")->incremental->field, "modified");
  EXPECT_EQ(FindSchema("lifecycle_states")->recheck_filter, "") << "it takes no filters";
  EXPECT_EQ(FindSchema("sources")->ignore_paths, std::vector<std::string>{"/since"});
  // What each identity holds: a search of the identities index, sorted by id for searchAfter.
  const auto* access = FindSchema("identity_access");
  EXPECT_EQ(access->paging, isc::Paging::kSearch);
  EXPECT_EQ(access->page_size, 1000);
  EXPECT_EQ(access->rows, "identity_access");
  EXPECT_EQ(access->search_body,
            R"({"indices":["identities"],"query":{"query":"*"},"sort":["id"],"includeNested":true,)"
            R"("queryResultFilter":{"includes":["id","name","accounts","access"]}})");
}

// ISC takes a date in a filter unquoted; quoted, it is a string and the filter fails
// (SailPoint developer forum, topic 104059).
TEST(IncrementalFilter, SendsTheDateUnquoted) {
  EXPECT_EQ(IncrementalFilter("modified", "2026-11-30T12:00:00.000Z"),
            "modified ge 2026-11-30T12:00:00.000Z");
}

std::string Error(const std::string& yaml) {
  auto parsed = ParseResourceSchema(yaml, "schema/x.yaml");
  return parsed.ok() ? std::string("(parsed)") : parsed.error();
}

constexpr const char* kMinimal = R"(name: things
path: /v3/things
table: isc.things
key: [id]
interval: 5m
columns:
  - { name: id, path: /id, type: text }
)";

TEST(ParseResourceSchema, AcceptsAMinimalFile) {
  auto parsed = ParseResourceSchema(kMinimal, "schema/things.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->paging, isc::Paging::kOffset);
  EXPECT_EQ(parsed->page_size, 250);
  EXPECT_FALSE(parsed->incremental.has_value());
}

TEST(ParseResourceSchema, NamesTheFileLineAndDefect) {
  EXPECT_EQ(Error(std::string(kMinimal) + "colour: blue\n"), "schema/x.yaml:8: unknown key colour");
  EXPECT_EQ(Error(std::string(kMinimal) + "  - { name: n, path: /n, type: string }\n"),
            "schema/x.yaml:8: column n: unknown type string");
  EXPECT_EQ(Error(std::string(kMinimal) + "  - { name: id, path: /x, type: text }\n"),
            "schema/x.yaml:8: column id is declared twice");
  std::string no_key_column = kMinimal;
  no_key_column.replace(no_key_column.find("key: [id]"), 9, "key: [uid]");
  EXPECT_EQ(Error(no_key_column), "schema/x.yaml:4: key column uid is not a column");
  std::string child =
      std::string(kMinimal) + "parent: { resource: certifications, column: certification_id }\n";
  EXPECT_EQ(Error(child),
            "schema/x.yaml:2: a child resource's path needs {id} for the parent's key");
  std::string incremental =
      std::string(kMinimal) + "incremental: { field: modified, sorters: -modified }\n";
  EXPECT_EQ(Error(incremental), "schema/x.yaml:8: an incremental resource needs full_every");
  EXPECT_EQ(Error(std::string(kMinimal) + "retention: 90d\n"),
            "schema/x.yaml:1: retention and retention_column go together");
  EXPECT_EQ(Error(std::string(kMinimal) + "retention: 90d\nretention_column: id\n"),
            "schema/x.yaml:9: retention_column must name a timestamp column");
  for (auto limit : {"0", "251", "fifty"}) {
    EXPECT_EQ(Error(std::string(kMinimal) + "limit: " + limit + "\n"),
              "schema/x.yaml:8: limit must be 1 to 250 on a paged list")
        << limit;
  }
  EXPECT_EQ(Error(std::string(kMinimal) + "paging: none\nlimit: 50\n"),
            "schema/x.yaml:9: limit must be 1 to 250 on a paged list");
  EXPECT_EQ(Error(std::string(kMinimal) + "paging: search\n"),
            "schema/x.yaml:1: paging: search and search: {index, includes} go together");
  EXPECT_EQ(Error(std::string(kMinimal) + "rows: pivot\n"),
            "schema/x.yaml:8: rows pivot is not known");
  EXPECT_EQ(Error(std::string(kMinimal) +
                  "paging: search\nsearch: { index: identities, includes: [id] }\nlimit: 10001\n"),
            "schema/x.yaml:10: limit must be 1 to 10000 on a search");
  EXPECT_EQ(Error(std::string(kMinimal) +
                  "paging: search\nsearch: { index: identities, includes: [id] }\nrecheck_filter: "
                  "id\n"),
            "schema/x.yaml:9: a search takes no incremental, parent or recheck_filter");
  EXPECT_NE(Error("name: [x]\n").find("name must be a string"), std::string::npos);
  EXPECT_NE(Error("{{").find("invalid YAML"), std::string::npos);
}

TEST(CheckSchemas, RefusesDuplicatesAndMissingParents) {
  auto a = ParseResourceSchema(kMinimal, "a.yaml");
  ASSERT_TRUE(a.ok());
  auto duplicate = CheckSchemas({*a, *a});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error(), "resource things is declared twice");

  std::string child_yaml = R"(name: parts
path: /v3/things/{id}/parts
table: isc.parts
key: [thing_id, id]
interval: 5m
parent: { resource: widgets, column: thing_id }
columns:
  - { name: id, path: /id, type: text }
)";
  auto child = ParseResourceSchema(child_yaml, "parts.yaml");
  ASSERT_TRUE(child.ok()) << child.error();
  auto orphan = CheckSchemas({*a, *child});
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error(), "parts: parent resource widgets is not declared");
}

TEST(PointerToTextPath, SplitsAndUnescapesAJsonPointer) {
  EXPECT_EQ(PointerToTextPath("/completed"), R"({"completed"})");
  EXPECT_EQ(PointerToTextPath("/a/b~1c/d~0e"), R"({"a","b/c","d~e"})");
  EXPECT_EQ(PointerToTextPath("/say \"hi\""), R"({"say \"hi\""})");
}

}  // namespace
}  // namespace isc_mirror::sync
