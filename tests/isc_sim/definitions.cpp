#include "tests/isc_sim/definitions.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <algorithm>

#include "tests/isc_sim/tenant.hpp"

namespace isc_mirror::sim {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Strings(simdjson::dom::element array) {
  std::vector<std::string> out;
  simdjson::dom::array items;
  if (array.get(items)) return out;
  for (auto item : items) {
    std::string_view text;
    if (!item.get(text)) out.emplace_back(text);
  }
  return out;
}

Operation ReadOperation(std::string_view method, std::string_view path, simdjson::dom::object op) {
  Operation out;
  out.method = Upper(method);
  for (auto segment : SplitPath(path)) out.segments.emplace_back(segment);
  simdjson::dom::array security;
  if (!op["security"].get(security)) {
    for (auto alternative : security) {
      simdjson::dom::object schemes;
      if (alternative.get(schemes)) continue;
      for (auto [scheme, scopes] : schemes) {
        out.security.push_back({std::string(scheme), Strings(scopes)});
      }
    }
  }
  // One operation of the v2024 accounts API spells the key "x-sailpont-userLevels".
  for (auto key : {"x-sailpoint-userLevels", "x-sailpont-userLevels"}) {
    simdjson::dom::element levels;
    if (!op[key].get(levels)) out.user_levels = Strings(levels);
  }
  bool deprecated = false;
  if (!op["deprecated"].get(deprecated)) out.deprecated = deprecated;
  return out;
}

}  // namespace

base::Expected<Definitions> Definitions::Load(const std::string& file) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.load(file).get(doc)) {
    return base::Error{fmt::format("cannot read the API definitions {}: {}", file,
                                   simdjson::error_message(error))};
  }
  simdjson::dom::object paths;
  if (doc["paths"].get(paths)) return base::Error{fmt::format("{} has no paths", file)};
  Definitions out;
  for (auto [path, item] : paths) {
    simdjson::dom::object methods;
    if (item.get(methods)) continue;
    for (auto [method, op] : methods) {
      simdjson::dom::object object;
      if (op.get(object)) continue;
      out.operations_.push_back(ReadOperation(method, path, object));
    }
  }
  return out;
}

const Operation* Definitions::Find(std::string_view method, std::string_view path) const {
  auto parts = SplitPath(path);
  const Operation* best = nullptr;
  size_t best_literals = 0;
  for (const auto& op : operations_) {
    if (op.method != method || op.segments.size() != parts.size()) continue;
    size_t literals = 0;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      bool parameter = op.segments[i].starts_with('{');
      match = parameter || op.segments[i] == parts[i];
      literals += parameter ? 0 : 1;
    }
    if (match && (best == nullptr || literals > best_literals)) {
      best = &op;
      best_literals = literals;
    }
  }
  return best;
}

std::string Definitions::Refusal(const Operation& op, const Caller& caller) {
  if (op.security.empty()) return {};
  bool scheme_known = false;
  for (const auto& alternative : op.security) {
    if (alternative.scheme != caller.scheme) continue;
    scheme_known = true;
    bool scoped = alternative.scopes.empty() || caller.scopes.contains("sp:scopes:all") ||
                  std::any_of(alternative.scopes.begin(), alternative.scopes.end(),
                              [&](const std::string& s) { return caller.scopes.contains(s); });
    if (!scoped) continue;
    // "Any" (GET /v2025/entitlements: "Any authenticated token can call this API") lets every
    // user level through.
    auto allows = [&](const std::string& level) {
      return level == caller.user_level || level == "Any";
    };
    if (caller.scheme == "userAuth" && !op.user_levels.empty() &&
        std::none_of(op.user_levels.begin(), op.user_levels.end(), allows)) {
      return fmt::format("user level {} may not call this (it needs one of: {})", caller.user_level,
                         fmt::join(op.user_levels, ", "));
    }
    return {};
  }
  if (!scheme_known) {
    return caller.scheme == "applicationAuth"
               ? "this operation takes a user's token (a personal access token), not an API "
                 "client's"
               : "this operation takes an API client's token";
  }
  std::vector<std::string> wanted;
  for (const auto& alternative : op.security) {
    if (alternative.scheme == caller.scheme)
      wanted.insert(wanted.end(), alternative.scopes.begin(), alternative.scopes.end());
  }
  return fmt::format("the token lacks the scope for this (one of: {})", fmt::join(wanted, ", "));
}

}  // namespace isc_mirror::sim
