// Deterministic 128-bit ids: ISC's 32-hex form, and the dashed UUID form DAS uses.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace isc_mirror::sim {

struct Id128 {
  uint64_t hi = 0;
  uint64_t lo = 0;
  auto operator<=>(const Id128&) const = default;
};

// splitmix64: a fast, well-mixed hash for deriving data from (seed, kind, index).
constexpr uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr uint64_t Hash(uint64_t seed, uint64_t kind, uint64_t index) {
  return Mix(seed ^ Mix(kind * 0x100000001b3ULL ^ Mix(index)));
}

inline Id128 MakeId(uint64_t seed, uint64_t kind, uint64_t index) {
  return {Hash(seed, kind, index), Hash(seed, kind + 1000, index)};
}

std::string Hex32(const Id128& id);
std::string Uuid(const Id128& id);
// Accepts both forms, any case.
std::optional<Id128> ParseId(std::string_view text);

}  // namespace isc_mirror::sim
