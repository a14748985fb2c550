// Bulk writes with COPY ... FROM STDIN in PostgreSQL's text format.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace isc_mirror::sync {

using CopyRow = std::vector<std::optional<std::string>>;

// One row as a COPY text line (no trailing newline): fields separated by tabs, backslash,
// newline, carriage return and tab escaped, NULL as \N. Other bytes pass as they are, which is
// safe for UTF-8: no byte of a multibyte sequence is one of the escaped ones.
std::string CopyLine(const CopyRow& row);

// COPY `rows` into `table` (`columns` in row order) inside `tx`.
void CopyRows(pqxx::transaction_base& tx, const std::string& table,
              const std::vector<std::string>& columns, const std::vector<CopyRow>& rows);

}  // namespace isc_mirror::sync
