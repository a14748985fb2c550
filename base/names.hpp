// Names of enum values through one table of pairs, read both ways.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace isc_mirror::base {

template <typename E>
using NameTable = std::pair<E, std::string_view>;

// The value's name, or `otherwise` when the table lacks it (a programmer's error).
template <typename E, size_t N>
constexpr std::string_view NameOf(const NameTable<E> (&table)[N], E value,
                                  std::string_view otherwise) {
  for (const auto& [known, name] : table) {
    if (known == value) return name;
  }
  return otherwise;
}

template <typename E, size_t N>
constexpr std::optional<E> FromName(const NameTable<E> (&table)[N], std::string_view name) {
  for (const auto& [value, known] : table) {
    if (known == name) return value;
  }
  return std::nullopt;
}

// The table's names in its order, for messages that list what is accepted.
template <typename E, size_t N>
constexpr std::array<std::string_view, N> NamesOf(const NameTable<E> (&table)[N]) {
  std::array<std::string_view, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = table[i].second;
  return out;
}

}  // namespace isc_mirror::base
