#include "base/text.hpp"

#include <gtest/gtest.h>

namespace isc_mirror::base {
namespace {

TEST(StorableText, KeepsValidTextAsItIs) {
  EXPECT_EQ(StorableText("plain ascii, é, 日本, 🙂"), "plain ascii, é, 日本, 🙂");
}

TEST(StorableText, ReplacesLatin1BinaryNulAndSurrogates) {
  EXPECT_EQ(StorableText("caf\xE9"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(StorableText(std::string_view("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(StorableText("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // U+D800
  EXPECT_EQ(StorableText("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // an overlong '/'
  EXPECT_EQ(StorableText("\xF4\x90\x80\x80x").substr(12), "x");     // past U+10FFFF
}

TEST(StorableText, CutsOnACharacterBoundaryAndMarksTheCut) {
  std::string eacute = "\xC3\xA9";
  std::string text;
  for (int i = 0; i < 10; ++i) text += eacute;
  for (size_t max = 3; max < 20; ++max) {
    std::string cut = StorableText(text, max);
    EXPECT_LE(cut.size(), max);
    EXPECT_EQ(StorableText(cut), cut) << "valid UTF-8 at " << max;
    EXPECT_TRUE(cut.ends_with("\xE2\x80\xA6")) << max;
  }
  EXPECT_EQ(StorableText("abc", 3), "abc");
  EXPECT_EQ(StorableText("abcd", 2), "");  // no room for the mark: nothing rather than a lie
}

TEST(TerminalSafe, EscapesControlsThatCouldRewriteTheScreen) {
  EXPECT_EQ(TerminalSafe("name\x1b]0;pwned\x07"), "name\\x1b]0;pwned\\x07");
  EXPECT_EQ(TerminalSafe("a\rb\nc\td"), "a\\x0db\\x0ac\td");
  EXPECT_EQ(TerminalSafe("\xC2\x9B"
                         "31m"),
            "\\u{009b}31m");  // C1 CSI
  EXPECT_EQ(TerminalSafe("evil\xE2\x80\xAEtxt.exe"), "evil\\u{202e}txt.exe");
  EXPECT_EQ(TerminalSafe("caf\xE9"), "caf\\xe9");
  EXPECT_EQ(TerminalSafe("Zoë Ünal"), "Zoë Ünal");
}

TEST(RedactUrl, ShowsOnlySchemeHostAndPort) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T000/B000/XXXX"),
            "https://hooks.slack.com/[redacted]");
  EXPECT_EQ(RedactUrl("https://example.com:8443/hook?token=abc#x"),
            "https://example.com:8443/[redacted]");
  EXPECT_EQ(RedactUrl("https://user:pw@example.com/"), "https://[redacted]@example.com");
  EXPECT_EQ(RedactUrl("https://example.com"), "https://example.com");
  EXPECT_EQ(RedactUrl("not a url/with/secret"), "[redacted]");
}

}  // namespace
}  // namespace isc_mirror::base
