// What the official definitions say about each operation beyond its schemas: which tokens and
// scopes it accepts (`security`), which user levels (`x-sailpoint-userLevels`), and whether it
// is deprecated. isc-sim enforces these the way ISC does.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace isc_mirror::sim {

// One entry of an operation's `security`: a scheme (userAuth for a personal access token,
// applicationAuth for an API client) and the scopes of which any one suffices.
struct SecurityAlternative {
  std::string scheme;
  std::vector<std::string> scopes;
};

struct Operation {
  std::string method;                 // GET, POST, ...
  std::vector<std::string> segments;  // "{id}" segments match anything
  std::vector<SecurityAlternative> security;
  std::vector<std::string> user_levels;  // empty: any
  bool deprecated = false;
};

// Who a token belongs to, as the token endpoint issued it.
struct Caller {
  std::string scheme = "userAuth";                   // or applicationAuth
  std::set<std::string> scopes = {"sp:scopes:all"};  // sp:scopes:all grants every scope
  std::string user_level = "ORG_ADMIN";
};

class Definitions {
 public:
  // Reads the operations of an OpenAPI file; the error names the file.
  static base::Expected<Definitions> Load(const std::string& file);

  // The operation a request path matches (literal segments preferred over parameters).
  const Operation* Find(std::string_view method, std::string_view path) const;

  // Why `caller` may not call `operation` (empty when it may): ISC answers 403 then.
  static std::string Refusal(const Operation& operation, const Caller& caller);

  size_t size() const { return operations_.size(); }

 private:
  std::vector<Operation> operations_;
};

}  // namespace isc_mirror::sim
