#include "base/text.hpp"

#include <fmt/format.h>

namespace isc_mirror::base {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // …

// The length of the valid UTF-8 sequence starting `in`, or 0 when it is not one (overlong
// forms, surrogates and code points past U+10FFFF included: PostgreSQL refuses them all).
size_t SequenceLength(std::string_view in, char32_t* code_point) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(in[i]); };
  unsigned char lead = byte(0);
  size_t length = 0;
  char32_t cp = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (in.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  *code_point = cp;
  return length;
}

}  // namespace

std::string StorableText(std::string_view in, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  for (size_t at = 0; at < in.size();) {
    char32_t cp = 0;
    size_t length = SequenceLength(in.substr(at), &cp);
    std::string_view piece = length == 0 || cp == 0 ? kReplacement : in.substr(at, length);
    if (out.size() + piece.size() > max_bytes) {
      while (out.size() + kEllipsis.size() > max_bytes && !out.empty()) {
        // Drop whole characters until the mark fits.
        size_t back = out.size() - 1;
        while (back > 0 && (static_cast<unsigned char>(out[back]) & 0xC0) == 0x80) --back;
        out.resize(back);
      }
      if (out.size() + kEllipsis.size() <= max_bytes) out += kEllipsis;
      return out;
    }
    out += piece;
    at += length == 0 ? 1 : length;
  }
  return out;
}

std::string TerminalSafe(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t at = 0; at < in.size();) {
    char32_t cp = 0;
    size_t length = SequenceLength(in.substr(at), &cp);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(in[at]));
      ++at;
      continue;
    }
    bool control = (cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
    // Bidirectional overrides reorder what follows on the line.
    bool bidi = (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    if (control && cp < 0x80) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
    } else if (control || bidi) {
      out += fmt::format("\\u{{{:04x}}}", static_cast<unsigned>(cp));
    } else {
      out += in.substr(at, length);
    }
    at += length;
  }
  return out;
}

std::string RedactUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "[redacted]";
  size_t host_at = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_at);
  std::string_view authority = url.substr(host_at, host_end - host_at);
  std::string out(url.substr(0, host_at));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    out += "[redacted]@";
    authority.remove_prefix(at + 1);
  }
  out += authority;
  if (host_end != std::string_view::npos && host_end + 1 < url.size()) out += "/[redacted]";
  return out;
}

}  // namespace isc_mirror::base
