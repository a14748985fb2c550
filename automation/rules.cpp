#include "automation/rules.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

namespace isc_mirror::automation {
namespace {

constexpr std::string_view kStatePointer = "/lifecycleState/stateName";

bool IsLeaverState(const Lifecycle& lifecycle, const std::optional<std::string>& state) {
  if (!state) return false;
  return std::find(lifecycle.leaver_states.begin(), lifecycle.leaver_states.end(), *state) !=
         lifecycle.leaver_states.end();
}

std::optional<std::string> ValueIn(const std::optional<std::string>& json,
                                   std::string_view pointer) {
  if (!json) return std::nullopt;
  return ValueAt(*json, pointer);
}

// A changed path names the pointer itself, something inside it, or an object holding it.
bool PathTouches(std::string_view changed, std::string_view pointer) {
  auto under = [](std::string_view a, std::string_view b) {
    return a.size() > b.size() && a.starts_with(b) && a[b.size()] == '/';
  };
  return changed == pointer || under(changed, pointer) || under(pointer, changed);
}

}  // namespace

std::optional<std::string> ValueAt(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return std::nullopt;
  simdjson::dom::element value;
  if (doc.at_pointer(pointer).get(value) || value.is_null()) return std::nullopt;
  if (value.is_string()) return std::string(value.get_string().value());
  return simdjson::minify(value);
}

std::string DottedToPointer(std::string_view dotted) {
  std::string out = "/";
  for (char c : dotted) out.push_back(c == '.' ? '/' : c);
  return out;
}

std::vector<std::string> LifecycleEvents(const sync::Event& event, const Lifecycle& lifecycle) {
  std::vector<std::string> out;
  if (event.resource != "identities") return out;
  if (event.op == sync::EventOp::kInsert) {
    out.emplace_back("joiner");
    return out;
  }
  if (event.op != sync::EventOp::kUpdate) return out;
  bool was_leaver = IsLeaverState(lifecycle, ValueIn(event.before, kStatePointer));
  bool is_leaver = IsLeaverState(lifecycle, ValueIn(event.after, kStatePointer));
  if (!was_leaver && is_leaver) out.emplace_back("leaver");
  if (was_leaver && !is_leaver) out.emplace_back("rehire");
  for (const auto& attribute : lifecycle.mover_attributes) {
    std::string pointer = DottedToPointer(attribute);
    if (ValueIn(event.before, pointer) != ValueIn(event.after, pointer)) {
      out.emplace_back("mover");
      break;
    }
  }
  return out;
}

bool Matches(const Rule& rule, const sync::Event& event,
             const std::vector<std::string>& lifecycle) {
  if (rule.on != "change") {
    return std::find(lifecycle.begin(), lifecycle.end(), rule.on) != lifecycle.end();
  }
  if (!rule.match || rule.match->older_than) return false;
  const ChangeMatch& m = *rule.match;
  if (m.resource != event.resource) return false;
  if (m.op && *m.op != event.op) return false;
  if (m.path.empty()) return !m.from && !m.to;
  if (event.op == sync::EventOp::kUpdate &&
      std::none_of(event.changed_paths.begin(), event.changed_paths.end(),
                   [&](const std::string& p) { return PathTouches(p, m.path); })) {
    return false;
  }
  auto before = ValueIn(event.before, m.path);
  auto after = ValueIn(event.after, m.path);
  if (event.op == sync::EventOp::kInsert && !after) return false;
  if (event.op == sync::EventOp::kDelete || event.op == sync::EventOp::kExpire) {
    if (!before) return false;
  }
  // "null" in a rule stands for a null or absent value.
  auto same = [](const std::optional<std::string>& value, const std::string& wanted) {
    return wanted == "null" ? !value.has_value() : value == wanted;
  };
  if (m.from && !same(before, *m.from)) return false;
  if (m.to && !same(after, *m.to)) return false;
  return true;
}

bool InState(const ChangeMatch& match, std::string_view object) {
  auto value = ValueAt(object, match.path);
  if (!match.to) return value.has_value();
  return *match.to == "null" ? !value.has_value() : value == *match.to;
}

std::string InStateSql(const ChangeMatch& match, std::string_view column,
                       const std::function<std::string(std::string_view)>& quote) {
  // The pointer's segments as a text[] literal, ~1 and ~0 unescaped, each element quoted.
  std::string path = "{";
  std::string_view pointer = match.path;
  while (pointer.starts_with('/')) {
    pointer.remove_prefix(1);
    size_t end = std::min(pointer.find('/'), pointer.size());
    std::string segment;
    for (size_t i = 0; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end) {
        segment += pointer[i + 1] == '1' ? '/' : '~';
        ++i;
        continue;
      }
      if (pointer[i] == '"' || pointer[i] == '\\') segment += '\\';
      segment += pointer[i];
    }
    path += (path.size() > 1 ? ",\"" : "\"") + segment + "\"";
    pointer.remove_prefix(end);
  }
  path += "}";
  std::string v = fmt::format("({} #> {}::text[])", column, quote(path));
  if (!match.to) return fmt::format("({0} IS NOT NULL AND {0} <> 'null'::jsonb)", v);
  if (*match.to == "null") return fmt::format("({0} IS NULL OR {0} = 'null'::jsonb)", v);
  // A string compares by its text, anything else as JSON (ValueAt's reading).
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  bool json = !parser.parse(*match.to).get(parsed);
  return fmt::format(
      "(CASE WHEN jsonb_typeof({0}) = 'string' THEN {0} #>> '{{}}' = {1} ELSE {2} END)", v,
      quote(*match.to), json ? fmt::format("{} = {}::jsonb", v, quote(*match.to)) : "false");
}

namespace {

using Done = base::Expected<void>;

// Calls `each(field)` for every {{field}}, appending the text between them to `out` when
// given; the first error stops it.
template <typename Each>
Done ForEachPlaceholder(std::string_view text, std::string* out, Each each) {
  size_t at = 0;
  while (true) {
    size_t open = text.find("{{", at);
    if (open == std::string_view::npos) {
      if (out) out->append(text.substr(at));
      return {};
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return base::Error{"an unclosed {{ in '" + std::string(text) + "'"};
    }
    if (out) out->append(text.substr(at, open - at));
    std::string field(text.substr(open + 2, close - open - 2));
    field.erase(0, field.find_first_not_of(' '));
    field.erase(field.find_last_not_of(' ') + 1);
    if (auto done = each(field); !done) return done;
    at = close + 2;
  }
}

Done CheckField(const std::string& field) {
  if (field == "event.object_id" || field == "event.resource" || field == "event.op" ||
      field == "event.event_id") {
    return {};
  }
  if ((field.starts_with("before.") && field.size() > 7) ||
      (field.starts_with("after.") && field.size() > 6)) {
    return {};
  }
  return base::Error{
      fmt::format("unknown field '{{{{{}}}}}' (use before.<path>, after.<path>, event.object_id, "
                  "event.resource, event.op or event.event_id)",
                  field)};
}

}  // namespace

base::Expected<void> CheckTemplate(std::string_view text) {
  return ForEachPlaceholder(text, nullptr, CheckField);
}

base::Expected<std::string> ExpandTemplate(std::string_view text, const sync::Event& event) {
  std::string out;
  auto done = ForEachPlaceholder(text, &out, [&](const std::string& field) -> Done {
    if (auto known = CheckField(field); !known) return known;
    if (field == "event.object_id") {
      out += event.object_id;
    } else if (field == "event.resource") {
      out += event.resource;
    } else if (field == "event.op") {
      out += sync::EventOpName(event.op);
    } else if (field == "event.event_id") {
      out += std::to_string(event.event_id);
    } else {
      bool before = field.starts_with("before.");
      std::string pointer = DottedToPointer(field.substr(before ? 7 : 6));
      auto value = ValueIn(before ? event.before : event.after, pointer);
      if (!value) return base::Error{fmt::format("the event has no {}", field)};
      out += *value;
    }
    return {};
  });
  if (!done) return base::Error{done.error()};
  return out;
}

}  // namespace isc_mirror::automation
