// Base64url (RFC 4648 §5, no padding), as JWTs spell their parts.
#pragma once

#include <string>
#include <string_view>

namespace isc_mirror::base {

std::string Base64UrlEncode(std::string_view bytes);
// Decodes base64url, and the standard alphabet too; padding and stray characters are skipped.
std::string Base64UrlDecode(std::string_view text);

}  // namespace isc_mirror::base
