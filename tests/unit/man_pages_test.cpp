// The manual pages: every command and config key is in them, and markdown becomes troff.
#include "daemon/man_pages.hpp"

#include <gtest/gtest.h>

#include "daemon/cli.hpp"
#include "daemon/config_keys.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::daemon {
namespace {

TEST(ManText, TurnsMarkdownIntoTroffAndEscapesWhatTroffWouldRead) {
  EXPECT_EQ(ManText("the `--full` scan"), "the \\fB\\-\\-full\\fR scan");
  EXPECT_EQ(ManText("see [triggers.md](triggers.md#filters) first"), "see triggers.md first");
  EXPECT_EQ(ManText(R"(a\b)"), R"(a\eb)");
  EXPECT_EQ(ManText("an unclosed ` and [bracket"), "an unclosed ` and [bracket");
}

TEST(ManPages, EveryCommandAndOptionIsInSectionOne) {
  std::string page = RenderCommandManPage("1.2.3");
  EXPECT_TRUE(
      page.starts_with(".TH ISC\\-MIRROR 1 \"\" \"isc\\-mirror 1.2.3\" \"User Commands\"\n"))
      << page.substr(0, 80);
  for (const auto& spec : CommandSpecs()) {
    for (const auto& synopsis : spec.synopses) {
      EXPECT_NE(page.find("\\fB" + ManText(synopsis) + "\\fR"), std::string::npos) << synopsis;
    }
  }
  for (const auto& option : GlobalOptions()) {
    EXPECT_NE(page.find(".B " + ManText(option.flags)), std::string::npos) << option.flags;
  }
  for (std::string_view section : {".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS",
                                   ".SH ENVIRONMENT", ".SH FILES", ".SH SEE ALSO"}) {
    EXPECT_NE(page.find(section), std::string::npos) << section;
  }
  EXPECT_NE(page.find(".B 78\n"), std::string::npos);
}

TEST(ManPages, EveryConfigKeyIsInSectionFive) {
  std::string page = RenderConfigManPage("1.2.3");
  for (const auto& key : ConfigKeys()) {
    EXPECT_NE(page.find(".B " + ManText(key.key) + "\n"), std::string::npos) << key.key;
  }
  // No line is a troff request by accident.
  size_t at = 0;
  while ((at = page.find('\n', at)) != std::string::npos) {
    ++at;
    if (at < page.size() && page[at] == '\'') ADD_FAILURE() << page.substr(at, 60);
  }
}

TEST(ManPages, TheDocumentedExitStatusesAreTheManPages) {
  std::string doc = testing::ReadFile(ISC_MIRROR_SOURCE_DIR "/docs/command-line.md");
  EXPECT_NE(doc.find(RenderExitStatusMarkdown()), std::string::npos)
      << "docs/command-line.md's exit statuses are out of date; they should be:\n"
      << RenderExitStatusMarkdown();
}

}  // namespace
}  // namespace isc_mirror::daemon
