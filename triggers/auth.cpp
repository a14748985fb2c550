#include "triggers/auth.hpp"

#include <openssl/crypto.h>

#include "base/base64.hpp"
#include "base/names.hpp"
#include "base/sha256.hpp"

namespace isc_mirror::triggers {
namespace {

constexpr base::NameTable<AuthScheme> kSchemes[] = {
    {AuthScheme::kBearer, "bearer"}, {AuthScheme::kBasic, "basic"}, {AuthScheme::kNone, "none"}};
constexpr base::NameTable<AuthScheme> kIscTypes[] = {{AuthScheme::kBearer, "BEARER_TOKEN"},
                                                     {AuthScheme::kBasic, "BASIC_AUTH"},
                                                     {AuthScheme::kNone, "NO_AUTH"}};

bool SameSecret(std::string_view given, std::string_view expected) {
  std::string a = base::Sha256Hex(given);
  std::string b = base::Sha256Hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// RFC 9110: the scheme is case-insensitive.
bool SchemeIs(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view AuthSchemeName(AuthScheme scheme) {
  return base::NameOf(kSchemes, scheme, "bearer");
}

std::optional<AuthScheme> ParseAuthScheme(std::string_view name) {
  return base::FromName(kSchemes, name);
}

std::string_view IscAuthType(AuthScheme scheme) {
  return base::NameOf(kIscTypes, scheme, "BEARER_TOKEN");
}

bool Authorized(const TriggerAuth& auth, std::string_view header) {
  switch (auth.scheme) {
    case AuthScheme::kNone:
      return true;
    case AuthScheme::kBearer:
      return SchemeIs(header, "bearer") && !auth.token.empty() &&
             SameSecret(header.substr(7), auth.token.Reveal());
    case AuthScheme::kBasic:
      return SchemeIs(header, "basic") && !auth.password.empty() &&
             SameSecret(base::Base64UrlDecode(header.substr(6)),
                        auth.user + ":" + auth.password.Reveal());
  }
  return false;
}

}  // namespace isc_mirror::triggers
