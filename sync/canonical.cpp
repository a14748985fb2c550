#include "sync/canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/json_writer.hpp"
#include "base/sha256.hpp"

namespace isc_mirror::sync {
namespace {

constexpr int kMaxDepth = 512;  // deeper objects are refused, not stored

using simdjson::ondemand::json_type;

// PostgreSQL's text and jsonb cannot hold U+0000, and one such string would fail a whole
// batch; it becomes U+FFFD (the replacement character) instead, the same way every time.
void AppendJsonString(std::string& out, std::string_view text) {
  if (text.find('\0') == std::string_view::npos) {
    base::JsonWriter::AppendString(out, text);
    return;
  }
  std::string replaced;
  for (char c : text) {
    if (c == '\0') {
      replaced += "\xEF\xBF\xBD";
    } else {
      replaced.push_back(c);
    }
  }
  base::JsonWriter::AppendString(out, replaced);
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// Whether PostgreSQL's numeric (and so jsonb) can hold a JSON number: at most 131,072 digits
// before the decimal point and 16,383 after (measured on PostgreSQL 15: 1e131072 and 1e-16384
// are "value overflows numeric format", and one such number fails a whole COPY).
bool StorableNumber(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = s.substr(e + 1);
    bool negative = digits.starts_with('-');
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    for (char c : digits) {
      exponent = std::min<int64_t>(exponent * 10 + (c - '0'), 1'000'000'000);
    }
    if (negative) exponent = -exponent;
  }
  size_t point = mantissa.find('.');
  std::string_view integer = mantissa.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? "" : mantissa.substr(point + 1);
  std::string digits = std::string(integer) + std::string(fraction);
  size_t leading = std::min(digits.find_first_not_of('0'), digits.size());
  if (leading == digits.size()) return true;  // zero, whatever its exponent
  int64_t before = static_cast<int64_t>(integer.size()) + exponent - static_cast<int64_t>(leading);
  int64_t after = static_cast<int64_t>(fraction.size()) - exponent;
  return before <= 131'072 && after <= 16'383;
}

simdjson::error_code Canonical(simdjson::ondemand::value value, const IgnoreSet& ignore,
                               std::string& pointer, std::string& out, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case json_type::object: {
      simdjson::ondemand::object object;
      if (auto e = value.get_object().get(object)) return e;
      std::vector<std::pair<std::string, std::string>> fields;
      for (auto field : object) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        size_t base = pointer.size();
        pointer.push_back('/');
        pointer += EscapePointerSegment(key);
        simdjson::ondemand::value child;
        if (auto e = field.value().get(child)) return e;
        if (ignore.contains(pointer)) {
          // On-demand must still walk past the value; ignored values are small volatile fields.
          std::string discarded;
          if (auto e = Canonical(child, ignore, pointer, discarded, depth + 1)) return e;
        } else {
          std::string canonical;
          if (auto e = Canonical(child, ignore, pointer, canonical, depth + 1)) return e;
          fields.emplace_back(std::string(key), std::move(canonical));
        }
        pointer.resize(base);
      }
      // Sorted keys; a repeated key keeps its last value, as most JSON readers do.
      std::stable_sort(fields.begin(), fields.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out.push_back('{');
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i + 1 < fields.size() && fields[i + 1].first == fields[i].first) continue;
        if (out.back() != '{') out.push_back(',');
        AppendJsonString(out, fields[i].first);
        out.push_back(':');
        out += fields[i].second;
      }
      out.push_back('}');
      return simdjson::SUCCESS;
    }
    case json_type::array: {
      simdjson::ondemand::array array;
      if (auto e = value.get_array().get(array)) return e;
      out.push_back('[');
      size_t index = 0;
      for (auto element : array) {
        simdjson::ondemand::value child;
        if (auto e = element.get(child)) return e;
        if (index > 0) out.push_back(',');
        size_t base = pointer.size();
        pointer += fmt::format("/{}", index++);
        if (auto e = Canonical(child, ignore, pointer, out, depth + 1)) return e;
        pointer.resize(base);
      }
      out.push_back(']');
      return simdjson::SUCCESS;
    }
    case json_type::string: {
      std::string_view text;
      if (auto e = value.get_string().get(text)) return e;
      AppendJsonString(out, text);
      return simdjson::SUCCESS;
    }
    case json_type::number: {
      // As written: no precision is lost on large or decimal numbers.
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                              raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      // Checked against JSON's grammar rather than read: simdjson refuses integers beyond 64
      // bits, which are valid JSON and must be stored as received.
      if (!IsJsonNumber(raw) || !StorableNumber(raw)) return simdjson::NUMBER_ERROR;
      out += raw;
      return simdjson::SUCCESS;
    }
    case json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return e;
      out += b ? "true" : "false";
      return simdjson::SUCCESS;
    }
    case json_type::null: {
      bool is_null;
      if (auto e = value.is_null().get(is_null)) return e;
      if (!is_null) return simdjson::INCORRECT_TYPE;
      out += "null";
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

void Diff(simdjson::dom::element a, simdjson::dom::element b, std::string& pointer,
          std::vector<std::string>& out) {
  using simdjson::dom::element_type;
  if (a.type() == element_type::OBJECT && b.type() == element_type::OBJECT) {
    // Keys sorted here, not assumed: one side may be jsonb text, which orders keys its own way.
    auto sorted = [](simdjson::dom::object o) {
      std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
      for (auto field : o) fields.emplace_back(field.key, field.value);
      std::sort(fields.begin(), fields.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      return fields;
    };
    auto fa = sorted(a.get_object());
    auto fb = sorted(b.get_object());
    size_t ia = 0, ib = 0;
    while (ia < fa.size() || ib < fb.size()) {
      size_t base = pointer.size();
      if (ib == fb.size() || (ia < fa.size() && fa[ia].first < fb[ib].first)) {
        pointer += "/" + EscapePointerSegment(fa[ia++].first);
        out.push_back(pointer);
      } else if (ia == fa.size() || fb[ib].first < fa[ia].first) {
        pointer += "/" + EscapePointerSegment(fb[ib++].first);
        out.push_back(pointer);
      } else {
        pointer += "/" + EscapePointerSegment(fa[ia].first);
        Diff(fa[ia++].second, fb[ib++].second, pointer, out);
      }
      pointer.resize(base);
    }
    return;
  }
  if (a.type() == element_type::ARRAY && b.type() == element_type::ARRAY) {
    // Arrays are one value, but objects inside them may differ only in key order.
    std::vector<std::string> inner;
    simdjson::dom::array xa = a.get_array(), xb = b.get_array();
    if (xa.size() == xb.size()) {
      auto ja = xa.begin();
      for (auto jb = xb.begin(); jb != xb.end(); ++ja, ++jb) {
        std::string p;
        Diff(*ja, *jb, p, inner);
        if (!inner.empty()) break;
      }
      if (inner.empty()) return;
    }
    out.push_back(pointer.empty() ? "/" : pointer);
    return;
  }
  if (simdjson::minify(a) != simdjson::minify(b)) out.push_back(pointer.empty() ? "/" : pointer);
}

// The JSON text at `pointer` in `doc`, as written there; "null" when it names nothing.
std::string ValueText(simdjson::ondemand::document& doc, const std::string& pointer) {
  // "/" names the key "" (RFC 6901), as report.pointer_path has it.
  simdjson::ondemand::value value;
  if (doc.at_pointer(pointer).get(value)) return "null";
  std::string_view text;
  json_type type;
  if (value.type().get(type)) return "null";
  if (type == json_type::object) {
    simdjson::ondemand::object object;
    if (value.get_object().get(object) || object.raw_json().get(text)) return "null";
  } else if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) || array.raw_json().get(text)) return "null";
  } else {
    text = value.raw_json_token();
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

}  // namespace

base::Expected<std::string> CanonicalJson(simdjson::ondemand::value value,
                                          const IgnoreSet& ignore) {
  std::string out;
  std::string pointer;
  if (auto e = Canonical(value, ignore, pointer, out, 0)) {
    constexpr size_t kShown = 120;  // a pointer 600 levels deep says no more than its start
    if (pointer.size() > kShown) pointer = pointer.substr(0, kShown) + "...";
    return base::Error{fmt::format("invalid JSON at {}: {}", pointer.empty() ? "/" : pointer,
                                   simdjson::error_message(e))};
  }
  return out;
}

base::Expected<std::vector<std::string_view>> SplitJsonArray(std::string_view page) {
  std::vector<std::string_view> out;
  size_t at = page.find_first_not_of(" \t\r\n");
  if (at == std::string_view::npos || page[at] != '[') return base::Error{"not a JSON array"};
  int depth = 0;
  bool in_string = false;
  size_t start = std::string_view::npos;
  for (++at; at < page.size(); ++at) {
    char c = page[at];
    if (in_string) {
      if (c == '\\') {
        ++at;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (start == std::string_view::npos && !blank && c != ',' && c != ']') start = at;
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if ((c == ',' || c == ']') && depth == 0) {
      if (start != std::string_view::npos) {
        std::string_view element = page.substr(start, at - start);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t' ||
                                    element.back() == '\r' || element.back() == '\n')) {
          element.remove_suffix(1);
        }
        out.push_back(element);
      }
      start = std::string_view::npos;
      if (c == ']') return out;
    }
  }
  return base::Error{"the array is not closed"};
}

std::string ContentHash(std::string_view canonical) {
  return base::Sha256Hex(canonical).substr(0, 32);
}

std::vector<std::string> ChangedPaths(std::string_view before, std::string_view after) {
  simdjson::dom::parser pa, pb;
  simdjson::dom::element a, b;
  if (pa.parse(before.data(), before.size()).get(a) ||
      pb.parse(after.data(), after.size()).get(b)) {
    return {"/"};
  }
  std::vector<std::string> out;
  std::string pointer;
  Diff(a, b, pointer, out);
  return out;
}

std::string ChangeDiff(std::string_view before, std::string_view after,
                       const std::vector<std::string>& pointers) {
  if (pointers.empty()) return {};
  simdjson::padded_string before_text(before), after_text(after);
  simdjson::ondemand::parser before_parser, after_parser;
  simdjson::ondemand::document before_doc, after_doc;
  bool before_ok = !before_parser.iterate(before_text).get(before_doc);
  bool after_ok = !after_parser.iterate(after_text).get(after_doc);
  std::string out;
  base::JsonWriter json(out);
  json.BeginObject();
  for (const auto& pointer : pointers) {
    json.Key(pointer).BeginArray();
    json.Raw(before_ok ? ValueText(before_doc, pointer) : "null");
    json.Raw(after_ok ? ValueText(after_doc, pointer) : "null");
    json.EndArray();
  }
  json.EndObject();
  return out;
}

std::optional<std::string> NormalizeIdentityId(std::string_view id) {
  std::string out;
  out.reserve(32);
  bool dashed = id.size() == 36;
  if (!dashed && id.size() != 32) return std::nullopt;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (c != '-') return std::nullopt;
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::string EscapePointerSegment(std::string_view segment) {
  std::string out;
  for (char c : segment) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace isc_mirror::sync
