// SHA-256 digests as lowercase hex, for migration checksums.
#pragma once

#include <string>
#include <string_view>

namespace isc_mirror::base {

std::string Sha256Hex(std::string_view data);

}  // namespace isc_mirror::base
