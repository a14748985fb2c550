#include "daemon/cli.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <vector>

namespace isc_mirror::daemon {
namespace {

base::Expected<CommandLine> Parse(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  return ParseCommandLine(v);
}

TEST(ParseCommandLine, ReadsEveryCommand) {
  EXPECT_EQ(Parse({"migrate"})->command, Command::kMigrate);
  EXPECT_EQ(Parse({"sync"})->command, Command::kSync);
  EXPECT_EQ(Parse({"run"})->command, Command::kRun);
  EXPECT_EQ(Parse({"sync-now", "accounts"})->command, Command::kSyncNow);
  EXPECT_EQ(Parse({"status"})->command, Command::kStatus);
  EXPECT_EQ(Parse({"actions", "list"})->command, Command::kActions);
  EXPECT_EQ(Parse({"plan"})->command, Command::kPlan);
  EXPECT_EQ(Parse({"check-config"})->command, Command::kCheckConfig);
  EXPECT_EQ(Parse({"--version"})->command, Command::kVersion);
  EXPECT_EQ(Parse({"--help"})->command, Command::kHelp);
}

TEST(ParseCommandLine, TakesOnlineForCheckConfigOnly) {
  auto line = Parse({"check-config", "--online"});
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_TRUE(line->online);
  EXPECT_FALSE(Parse({"check-config"})->online);
  auto wrong = Parse({"status", "--online"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error(), "--online applies only to check-config, not to status");
}

TEST(ParseCommandLine, ReadsTheTriggersVerbsTenantAndUrl) {
  auto line = Parse({"triggers", "subscribe", "prod", "--url", "https://mirror.example.com"});
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(line->command, Command::kTriggers);
  EXPECT_EQ(line->args, (std::vector<std::string>{"subscribe", "prod"}));
  EXPECT_EQ(line->url, "https://mirror.example.com");
  EXPECT_TRUE(Parse({"triggers", "list"}).ok());
  EXPECT_TRUE(Parse({"triggers", "unsubscribe", "prod"}).ok());
  EXPECT_NE(Parse({"triggers", "subscribe"}).error().find("needs --url"), std::string::npos);
  EXPECT_NE(Parse({"triggers", "list", "--url=https://x"}).error().find("--url applies only"),
            std::string::npos);
  EXPECT_NE(Parse({"triggers", "delete"}).error().find("subscribe, list or unsubscribe"),
            std::string::npos);
  EXPECT_FALSE(Parse({"triggers", "list", "a", "b"}).ok());
}

TEST(ParseCommandLine, DefaultsTheConfigPath) {
  EXPECT_EQ(Parse({"status"})->config_path, "/etc/isc-mirror/config.yaml");
}

TEST(ParseCommandLine, ReadsGlobalOptionsBeforeAndAfterTheCommand) {
  auto line =
      Parse({"-c", "/tmp/a.yaml", "sync", "--full", "accounts", "identities", "--log-level=debug"});
  ASSERT_TRUE(line.ok()) << line.error();
  EXPECT_EQ(line->config_path, "/tmp/a.yaml");
  EXPECT_TRUE(line->full);
  EXPECT_EQ(line->log_level, "debug");
  EXPECT_EQ(line->args, (std::vector<std::string>{"accounts", "identities"}));
  EXPECT_EQ(Parse({"--config=/x.yaml", "migrate", "--migrations-dir", "/m"})->migrations_dir, "/m");
}

TEST(ParseCommandLine, ChecksActionsArguments) {
  EXPECT_TRUE(Parse({"actions", "approve", "42"}).ok());
  EXPECT_TRUE(Parse({"actions", "retry", "7"}).ok());
  EXPECT_TRUE(Parse({"actions", "cancel", "7"}).ok());
  EXPECT_FALSE(Parse({"actions"}).ok());
  EXPECT_FALSE(Parse({"actions", "approve"}).ok());
  EXPECT_FALSE(Parse({"actions", "approve", "x1"}).ok());
  EXPECT_FALSE(Parse({"actions", "list", "3"}).ok());
  auto bad = Parse({"actions", "delete", "3"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("'delete'"), std::string::npos);
}

TEST(ParseCommandLine, RejectsWhatDoesNotFit) {
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"frobnicate"}).ok());
  EXPECT_FALSE(Parse({"status", "--bogus"}).ok());
  EXPECT_FALSE(Parse({"sync-now"}).ok());
  EXPECT_FALSE(Parse({"sync-now", "a", "b"}).ok());
  EXPECT_FALSE(Parse({"migrate", "extra"}).ok());
  EXPECT_FALSE(Parse({"status", "--full"}).ok());
  EXPECT_FALSE(Parse({"migrate", "--json"}).ok());
  EXPECT_FALSE(Parse({"-c"}).ok());
  EXPECT_FALSE(Parse({"status", "-c"}).ok());
  EXPECT_FALSE(Parse({"sync", "--allow-deletes", "accounts"}).ok()) << "needs --full";
  EXPECT_FALSE(Parse({"sync", "--full", "--allow-deletes"}).ok()) << "needs named resources";
  auto allowed = Parse({"sync", "--full", "--allow-deletes", "accounts"});
  ASSERT_TRUE(allowed.ok()) << allowed.error();
  EXPECT_TRUE(allowed->allow_deletes);
  auto unknown = Parse({"stauts"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "unknown command 'stauts'");
}

TEST(ParseCommandLine, HelpTakesACommandEitherWay) {
  EXPECT_EQ(Parse({"help"})->command, Command::kHelp);
  EXPECT_TRUE(Parse({"help"})->args.empty());
  EXPECT_EQ(Parse({"help", "sync"})->args, (std::vector<std::string>{"sync"}));
  auto asked = Parse({"sync", "--full", "accounts", "--help"});
  ASSERT_TRUE(asked.ok()) << asked.error();
  EXPECT_EQ(asked->command, Command::kHelp);
  EXPECT_EQ(asked->args, (std::vector<std::string>{"sync"}));
  EXPECT_EQ(Parse({"triggers", "-h"})->args, (std::vector<std::string>{"triggers"}));
  EXPECT_NE(Parse({"help", "synk"}).error().find("unknown command 'synk'"), std::string::npos);
  EXPECT_FALSE(Parse({"help", "sync", "run"}).ok());
}

TEST(CommandHelp, EveryCommandIsListedAndHasItsOwnHelp) {
  std::string usage = UsageText();
  for (const auto& spec : CommandSpecs()) {
    EXPECT_EQ(FindCommand(spec.name), &spec);
    EXPECT_EQ(CommandName(spec.command), spec.name);
    for (const auto& synopsis : spec.synopses) {
      EXPECT_NE(usage.find("  " + std::string(synopsis)), std::string::npos) << synopsis;
    }
    EXPECT_NE(usage.find(spec.summary), std::string::npos) << spec.name;
    std::string help = CommandHelp(spec);
    EXPECT_TRUE(
        help.starts_with("usage: isc-mirror [OPTIONS] " + std::string(spec.synopses[0]) + "\n"))
        << help;
    EXPECT_NE(help.find(spec.details), std::string::npos);
    // Wrapped for a terminal.
    std::istringstream lines(help);
    for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 79u) << line;
  }
  EXPECT_EQ(FindCommand("help"), nullptr);
}

// The options a command's table entry lists are the ones its synopses show, and the parser
// takes an option exactly where the table lists it.
TEST(CommandHelp, EachCommandsOptionsAreTheOnesItsSynopsesShow) {
  for (const auto& spec : CommandSpecs()) {
    std::set<std::string> shown;
    for (auto synopsis : spec.synopses) {
      std::istringstream words{std::string(synopsis)};
      for (std::string word; words >> word;) {
        size_t start = word.find("--");
        if (start == std::string::npos) continue;
        size_t end = word.find_first_of("]|", start);
        shown.insert(word.substr(start, end == std::string::npos ? end : end - start));
      }
    }
    std::set<std::string> listed;
    for (const auto& option : spec.options) listed.insert(std::string(option.flag));
    EXPECT_EQ(shown, listed) << spec.name;
  }
  EXPECT_EQ(Parse({"status", "--json"})->json, true);
  EXPECT_EQ(Parse({"sync", "--json"}).error(),
            "--json applies to status, actions and plan, not to sync");
  EXPECT_EQ(Parse({"plan", "--full"}).error(), "--full applies only to sync, not to plan");
}

TEST(ParseCommandLine, TakesWatchForStatusAloneWithoutJson) {
  EXPECT_TRUE(Parse({"status", "--watch"})->watch);
  EXPECT_EQ(Parse({"plan", "--watch"}).error(), "--watch applies only to status, not to plan");
  EXPECT_FALSE(Parse({"status", "--watch", "--json"}));
}

TEST(ParseCommandLine, TakesTheCompletionsHiddenNamesCommand) {
  EXPECT_EQ(Parse({"__names", "tenants"})->command, Command::kNames);
  EXPECT_EQ(Parse({"-c", "x.yaml", "__names", "resources"})->args,
            std::vector<std::string>{"resources"});
  EXPECT_FALSE(Parse({"__names", "secrets"}));
  EXPECT_FALSE(Parse({"__names"}));
  EXPECT_EQ(UsageText().find("__names"), std::string::npos);
}

TEST(CommandHelp, TheDocumentedSynopsisIsTheTable) {
  std::ifstream in(ISC_MIRROR_SOURCE_DIR "/docs/command-line.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  auto begin = doc.find("\n\n") + 2;
  auto end = doc.find("\n\n", begin);
  EXPECT_EQ(doc.substr(begin, end - begin + 1), RenderSynopsis())
      << "docs/command-line.md's synopsis is out of date; it should be:\n"
      << RenderSynopsis();
}

}  // namespace
}  // namespace isc_mirror::daemon
