// Opening PostgreSQL connections, and showing their targets without passwords.
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/secret.hpp"

namespace isc_mirror::db {

// Raised when the database cannot be reached; the message never holds a password.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The connection string with any password replaced by [redacted], in both URI form
// (postgresql://user:pw@host/db?password=pw) and key=value form (password=pw).
std::string RedactConnectionString(std::string_view conninfo);

// Connects (an empty string means libpq's PG* environment variables) and names the session
// application_name=isc-mirror so operators can find it in pg_stat_activity.
std::unique_ptr<pqxx::connection> Connect(const base::Secret& conninfo);

}  // namespace isc_mirror::db
