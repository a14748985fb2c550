#include "sync/copy.hpp"

#include <pqxx/tablewriter>

namespace isc_mirror::sync {

std::string CopyLine(const CopyRow& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) line.push_back('\t');
    if (!row[i]) {
      line += "\\N";
      continue;
    }
    for (char c : *row[i]) {
      switch (c) {
        case '\\':
          line += "\\\\";
          break;
        case '\n':
          line += "\\n";
          break;
        case '\r':
          line += "\\r";
          break;
        case '\t':
          line += "\\t";
          break;
        default:
          line.push_back(c);
      }
    }
  }
  return line;
}

void CopyRows(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, const std::vector<CopyRow>& rows) {
  // libpqxx 6's stream_to takes only fixed tuples and its tablewriter is deprecated; the
  // tablewriter's raw-line path is the one that takes lines written above. The deprecation is
  // silenced here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
  for (const auto& row : rows) writer.write_raw_line(CopyLine(row));
  writer.complete();
}

}  // namespace isc_mirror::sync
