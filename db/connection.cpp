#include "db/connection.hpp"

#include <fmt/format.h>

#include "base/log.hpp"

namespace isc_mirror::db {
namespace {

constexpr std::string_view kRedacted = base::kRedacted;

// Replaces the value of every `password=...` parameter (URI query or key=value form).
std::string RedactPasswordParameters(std::string text, bool uri) {
  size_t pos = 0;
  while ((pos = text.find("password=", pos)) != std::string::npos) {
    bool at_key_start = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '?' ||
                        text[pos - 1] == '&' || text[pos - 1] == '\t';
    size_t value_start = pos + 9;
    if (!at_key_start) {
      pos = value_start;
      continue;
    }
    size_t value_end = value_start;
    if (!uri && value_end < text.size() && text[value_end] == '\'') {
      // key='quoted value' with backslash escapes
      ++value_end;
      while (value_end < text.size() && text[value_end] != '\'') {
        value_end += text[value_end] == '\\' ? 2 : 1;
      }
      value_end = std::min(value_end + 1, text.size());
    } else {
      std::string_view stops = uri ? "&#" : " \t";
      value_end = text.find_first_of(stops, value_start);
      if (value_end == std::string::npos) value_end = text.size();
    }
    text.replace(value_start, value_end - value_start, kRedacted);
    pos = value_start + kRedacted.size();
  }
  return text;
}

}  // namespace

std::string RedactConnectionString(std::string_view conninfo) {
  std::string text(conninfo);
  bool uri = text.starts_with("postgresql://") || text.starts_with("postgres://");
  if (uri) {
    size_t authority = text.find("://") + 3;
    size_t authority_end = text.find_first_of("/?#", authority);
    if (authority_end == std::string::npos) authority_end = text.size();
    size_t at = text.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = text.find(':', authority);
      if (colon != std::string::npos && colon < at) {
        text.replace(colon + 1, at - colon - 1, kRedacted);
      }
    }
  }
  return RedactPasswordParameters(std::move(text), uri);
}

std::unique_ptr<pqxx::connection> Connect(const base::Secret& conninfo) {
  std::string target =
      conninfo.empty() ? "(from PG* environment)" : RedactConnectionString(conninfo.Reveal());
  log::Debug("connecting to the database", {{"target", target}});
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo.Reveal());
    pqxx::nontransaction(*connection).exec("SET application_name = 'isc-mirror'");
    return connection;
  } catch (const pqxx::broken_connection& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    throw ConnectionError(fmt::format(
        "cannot connect to the database {}: {} (hint: check database.url or DATABASE_URL)", target,
        reason));
  }
}

}  // namespace isc_mirror::db
