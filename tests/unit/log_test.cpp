#include "base/log.hpp"

#include <gtest/gtest.h>

#include "base/secret.hpp"

namespace isc_mirror::base::log {
namespace {

TEST(FormatLine, WritesMessageThenFields) {
  EXPECT_EQ(FormatLine("sync finished", {{"resource", "accounts"}, {"pages", 4000}, {"ok", true}}),
            "sync finished resource=accounts pages=4000 ok=true");
  EXPECT_EQ(FormatLine("started", {}), "started");
}

TEST(FormatLine, QuotesValuesThatWouldNotSplitBack) {
  EXPECT_EQ(FormatLine("m", {{"error", "connection refused"}}), R"(m error="connection refused")");
  EXPECT_EQ(FormatLine("m", {{"v", ""}}), R"(m v="")");
  EXPECT_EQ(FormatLine("m", {{"v", "a=b"}}), R"(m v="a=b")");
  EXPECT_EQ(FormatLine("m", {{"v", "say \"hi\"\n"}}), R"(m v="say \"hi\"\n")");
  EXPECT_EQ(FormatLine("m", {{"v", std::string("a\x01z")}}), R"(m v="a\x01z")");
  EXPECT_EQ(FormatLine("m", {{"v", "back\\slash"}}), R"(m v="back\\slash")");
}

TEST(FormatLine, NeverPrintsASecret) {
  base::Secret secret("hunter2");
  auto line = FormatLine("token fetched", {{"client_secret", secret}});
  EXPECT_EQ(line.find("hunter2"), std::string::npos);
  EXPECT_EQ(line, "token fetched client_secret=[redacted]");
  EXPECT_EQ(fmt::format("{}", secret), "[redacted]");
}

TEST(ParseLevel, KnowsTheLevels) {
  EXPECT_EQ(ParseLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(ParseLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(ParseLevel("warning"), spdlog::level::warn);
  EXPECT_EQ(ParseLevel("error"), spdlog::level::err);
  EXPECT_FALSE(ParseLevel("verbose").has_value());
  EXPECT_FALSE(ParseLevel("").has_value());
}

}  // namespace
}  // namespace isc_mirror::base::log
