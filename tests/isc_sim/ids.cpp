#include "tests/isc_sim/ids.hpp"

namespace isc_mirror::sim {
namespace {
constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, uint64_t value) {
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xf]);
}
}  // namespace

std::string Hex32(const Id128& id) {
  std::string out;
  out.reserve(32);
  AppendHex(out, id.hi);
  AppendHex(out, id.lo);
  return out;
}

std::string Uuid(const Id128& id) {
  std::string hex = Hex32(id);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<Id128> ParseId(std::string_view text) {
  Id128 id;
  int digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' && text.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) continue;
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0 || digits >= 32) return std::nullopt;
    uint64_t& half = digits < 16 ? id.hi : id.lo;
    half = (half << 4) | static_cast<uint64_t>(v);
    ++digits;
  }
  if (digits != 32) return std::nullopt;
  return id;
}

}  // namespace isc_mirror::sim
