// Opening PostgreSQL connections, and showing their targets without passwords.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "base/secret.hpp"

namespace isc_mirror::db {

// Raised when the database cannot be reached; the message never holds a password.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A connection string as libpq reads it: `connect` for libpq (with TCP keepalives and a connect
// timeout added unless given), `display` for people (key=value, every secret field redacted).
struct ConnectionTarget {
  std::string connect;
  std::string display;
};

// Parses with libpq's own parser (PQconninfoParse), so that what is redacted is what libpq
// takes as the password, however the string is spelled. The error never quotes the string.
base::Expected<ConnectionTarget> ParseConnectionString(std::string_view conninfo);

// The connection string as key=value with any password (and other secret field) replaced by
// [redacted]; a string libpq cannot read is not shown at all.
std::string RedactConnectionString(std::string_view conninfo);

// Connects (an empty string means libpq's PG* environment variables) and names the session
// application_name=isc-mirror so operators can find it in pg_stat_activity. The session has
// TCP keepalives and a statement timeout, so that a dead server or a stuck statement ends
// in an error rather than a hang.
std::unique_ptr<pqxx::connection> Connect(const base::Secret& conninfo);

}  // namespace isc_mirror::db
