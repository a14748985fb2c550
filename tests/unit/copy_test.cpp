#include "sync/copy.hpp"

#include <gtest/gtest.h>

#include "sync/writer.hpp"

namespace isc_mirror::sync {
namespace {

TEST(CopyLine, EscapesWhatCopyTextFormatNeeds) {
  EXPECT_EQ(CopyLine({std::string("a"), std::nullopt, std::string("")}), "a\t\\N\t");
  EXPECT_EQ(CopyLine({std::string("tab\there\nnew\rcr\\back")}), "tab\\there\\nnew\\rcr\\\\back");
  EXPECT_EQ(CopyLine({std::string("\\N")}), "\\\\N") << "a literal \\N is not NULL";
  EXPECT_EQ(CopyLine({std::string("é😀\xe2\x80\xae")}), "é😀\xe2\x80\xae");
}

TEST(AppendCopyField, EscapesAtTheEdgesAndInRowsAndAppends) {
  std::string line = "x\t";
  AppendCopyField(line, "\n\n");
  AppendCopyField(line, "\\a\\");
  AppendCopyField(line, "");
  AppendCopyField(line, std::nullopt);
  EXPECT_EQ(line, "x\t\\n\\n\\\\a\\\\\\N");
}

TEST(TextArrayLiteral, QuotesEveryElement) {
  EXPECT_EQ(TextArrayLiteral({}), "{}");
  EXPECT_EQ(TextArrayLiteral({"/a", "/b\"c", "/d\\e", "/x,y"}), R"({"/a","/b\"c","/d\\e","/x,y"})");
}

}  // namespace
}  // namespace isc_mirror::sync
