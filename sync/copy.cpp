#include "sync/copy.hpp"

#include <pqxx/tablewriter>

namespace isc_mirror::sync {

void AppendCopyField(std::string& line, std::optional<std::string_view> value) {
  if (!value) {
    line += "\\N";
    return;
  }
  // Runs without anything to escape are appended whole: most values have nothing.
  std::string_view text = *value;
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char escaped;
    switch (text[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      case '\t':
        escaped = 't';
        break;
      default:
        continue;
    }
    line.append(text.data() + run, i - run);
    line.push_back('\\');
    line.push_back(escaped);
    run = i + 1;
  }
  line.append(text.data() + run, text.size() - run);
}

void AppendCopyValue(std::string& line, const std::optional<std::string>& value) {
  AppendCopyField(line, value ? std::optional<std::string_view>(*value) : std::nullopt);
}

namespace {

void AppendCopyLine(std::string& text, const CopyRow& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) text.push_back('\t');
    AppendCopyValue(text, row[i]);
  }
}

}  // namespace

std::string CopyLine(const CopyRow& row) {
  std::string line;
  AppendCopyLine(line, row);
  return line;
}

void CopyText(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, std::string text) {
  // libpqxx 6's stream_to takes only fixed tuples and its tablewriter is deprecated; the
  // tablewriter's raw-line path is the one that takes text written above. It adds the last
  // newline itself. The deprecation is silenced here only.
  if (text.empty()) return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
  if (text.back() == '\n') text.pop_back();
  writer.write_raw_line(text);
  writer.complete();
}

void CopyRows(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, const std::vector<CopyRow>& rows) {
  std::string text;
  for (const auto& row : rows) {
    AppendCopyLine(text, row);
    text.push_back('\n');
  }
  CopyText(tx, table, columns, std::move(text));
}

}  // namespace isc_mirror::sync
