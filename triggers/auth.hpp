// How a delivery proves it comes from the tenant's subscription: the scheme and secret the
// subscription sends (BEARER_TOKEN, BASIC_AUTH or, only when configured, NO_AUTH).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/secret.hpp"

namespace isc_mirror::triggers {

enum class AuthScheme { kBearer, kBasic, kNone };

struct TriggerAuth {
  AuthScheme scheme = AuthScheme::kBearer;
  base::Secret token;  // bearer
  std::string user;    // basic
  base::Secret password;
};

// The scheme's name in the config (bearer, basic, none) and ISC's (BEARER_TOKEN, ...).
std::string_view AuthSchemeName(AuthScheme scheme);
std::string_view IscAuthType(AuthScheme scheme);
std::optional<AuthScheme> ParseAuthScheme(std::string_view name);

// Whether an Authorization header carries the subscription's credentials. The credentials are
// compared through their digests in constant time, so neither their content nor their length
// shows in the time an answer takes.
bool Authorized(const TriggerAuth& auth, std::string_view header);

}  // namespace isc_mirror::triggers
