// Bulk writes with COPY ... FROM STDIN in PostgreSQL's text format.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::sync {

using CopyRow = std::vector<std::optional<std::string>>;

// Appends one field of a COPY text line: backslash, newline, carriage return and tab
// escaped, NULL as \N. Other bytes pass as they are, which is safe for UTF-8: no byte of a
// multibyte sequence is one of the escaped ones.
void AppendCopyField(std::string& line, std::optional<std::string_view> value);
// The same for a held value.
void AppendCopyValue(std::string& line, const std::optional<std::string>& value);

// One row as a COPY text line (no trailing newline): fields separated by tabs.
std::string CopyLine(const CopyRow& row);

// COPY `text` (COPY text lines, each ending in a newline) into `table` (`columns` in field
// order) inside `tx`, as one piece: a batch's rows cost one round of copying, not one each.
void CopyText(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, std::string text);

// COPY `rows` into `table` (`columns` in row order) inside `tx`.
void CopyRows(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, const std::vector<CopyRow>& rows);

}  // namespace isc_mirror::sync
