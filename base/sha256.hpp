// SHA-256 digests and HMACs as lowercase hex: migration checksums, webhook signatures.
#pragma once

#include <string>
#include <string_view>

namespace isc_mirror::base {

std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 (RFC 2104) of `message` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace isc_mirror::base
