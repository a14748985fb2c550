#include "db/connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <set>

#include "base/log.hpp"

namespace isc_mirror::db {
namespace {

constexpr std::string_view kRedacted = base::kRedacted;
// A statement longer than this is taken as stuck: the longest the sync runs (one resource's
// merge of a million rows) take under two minutes.
constexpr std::string_view kStatementTimeout = "15min";

// Added unless the connection string sets them: a server that vanishes (a failover, a cut
// network) is noticed in about two minutes instead of the kernel's two hours.
constexpr std::pair<std::string_view, std::string_view> kSessionDefaults[] = {
    {"connect_timeout", "10"},
    {"keepalives", "1"},
    {"keepalives_idle", "60"},
    {"keepalives_interval", "10"},
    {"keepalives_count", "6"}};

std::string Quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if ((c < '0' || c > '9') && c != ',') return false;
  }
  return !text.empty();
}

struct OptionsFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

}  // namespace

base::Expected<ConnectionTarget> ParseConnectionString(std::string_view conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(
      PQconninfoParse(std::string(conninfo).c_str(), &error));
  // libpq's message may quote a piece of the string (the password among them): not shown.
  if (error != nullptr) PQfreemem(error);
  constexpr std::string_view kHint =
      " (hint: in a postgresql:// URI, percent-encode / ? # @ and : in the user or password, "
      "e.g. / as %2F)";
  if (!options) return base::Error{fmt::format("libpq cannot read the connection string{}", kHint)};
  ConnectionTarget target;
  bool uri = conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
  std::set<std::string_view> given;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key = o->keyword, value = o->val;
    given.insert(key);
    // A raw / in a URI's password makes libpq read the rest as host, port and dbname.
    if ((key == "port" && !AllDigits(value)) ||
        (uri && key == "dbname" && value.find('@') != std::string_view::npos)) {
      return base::Error{
          fmt::format("the connection string's {} is not what it seems{}", key, kHint)};
    }
    bool secret = std::string_view(o->dispchar) == "*";
    target.connect += fmt::format("{}{}={}", target.connect.empty() ? "" : " ", key, Quoted(value));
    if (std::string_view(o->dispchar) == "D" && !secret) continue;  // debug options
    target.display += fmt::format("{}{}={}", target.display.empty() ? "" : " ", key,
                                  secret ? std::string(kRedacted) : std::string(value));
  }
  for (const auto& [key, value] : kSessionDefaults) {
    if (!given.contains(key)) {
      target.connect += fmt::format("{}{}={}", target.connect.empty() ? "" : " ", key, value);
    }
  }
  if (target.display.empty()) target.display = "(from PG* environment)";
  return target;
}

std::string RedactConnectionString(std::string_view conninfo) {
  auto target = ParseConnectionString(conninfo);
  return target ? target->display : std::string("[a connection string libpq cannot read]");
}

std::unique_ptr<pqxx::connection> Connect(const base::Secret& conninfo) {
  auto target = ParseConnectionString(conninfo.Reveal());
  if (!target) {
    throw ConnectionError(fmt::format(
        "cannot connect to the database: {} (check database.url or DATABASE_URL)", target.error()));
  }
  base::log::Debug("connecting to the database", {{"target", target->display}});
  try {
    auto connection = std::make_unique<pqxx::connection>(target->connect);
    pqxx::nontransaction(*connection)
        .exec(fmt::format("SET application_name = 'isc-mirror'; SET statement_timeout = '{}'",
                          kStatementTimeout));
    return connection;
  } catch (const pqxx::broken_connection& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    throw ConnectionError(fmt::format(
        "cannot connect to the database {}: {} (hint: check database.url or DATABASE_URL)",
        target->display, reason));
  }
}

}  // namespace isc_mirror::db
