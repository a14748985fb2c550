#include "automation/stored_action.hpp"

#include <fmt/format.h>

#include "automation/json_fields.hpp"
#include "base/json_writer.hpp"

namespace isc_mirror::automation {
namespace {

void WriteCalls(base::JsonWriter& w, const std::vector<Call>& calls) {
  w.Key("calls").BeginArray();
  for (const auto& c : calls) {
    w.BeginObject()
        .Field("method", c.method)
        .Field("path", c.path)
        .Field("body", c.body)
        .Field("content_type", c.content_type)
        .Field("experimental", c.experimental)
        .Field("expect", ExpectName(c.expect));
    if (!c.expect_value.empty()) w.Field("expect_value", c.expect_value);
    if (!c.object.empty()) w.Field("object", c.object);
    w.EndObject();
  }
  w.EndArray();
}

void WriteDone(base::JsonWriter& w, const DoneCheck& done) {
  w.Key("done").BeginObject().Field("path", done.path).Field("paged", done.paged);
  if (!done.query.empty()) w.Field("query", done.query);
  if (!done.every.empty()) w.Field("every", done.every).Field("is", done.is);
  w.Key("absent").BeginArray();
  for (const auto& id : done.absent) w.String(id);
  w.EndArray().EndObject();
}

bool Bool(simdjson::dom::element e, std::string_view key, bool otherwise) {
  bool v = otherwise;
  return e[key].get(v) ? otherwise : v;
}

std::vector<std::string> Strings(simdjson::dom::element e, std::string_view key) {
  std::vector<std::string> out;
  simdjson::dom::array items;
  if (e[key].get(items)) return out;
  for (auto item : items) {
    std::string_view text;
    if (!item.get(text)) out.emplace_back(text);
  }
  return out;
}

base::Expected<std::vector<Call>> ReadCalls(simdjson::dom::array stored) {
  std::vector<Call> calls;
  for (auto c : stored) {
    if (!c.is_object()) return base::Error{"a stored call is not an object"};
    calls.push_back({.method = TextOf(c, "method"),
                     .path = TextOf(c, "path"),
                     .body = TextOf(c, "body"),
                     .content_type = TextOf(c, "content_type"),
                     .experimental = Bool(c, "experimental", false),
                     .expect = ExpectFromName(TextOf(c, "expect")).value_or(Expect::kAny),
                     .expect_value = TextOf(c, "expect_value"),
                     .object = TextOf(c, "object")});
    if (calls.back().method.empty() || calls.back().path.empty()) {
      return base::Error{"a stored call has no method or path"};
    }
  }
  return calls;
}

// The done check; rows planned by older versions kept it as verify_path and verify_absent.
DoneCheck ReadDone(simdjson::dom::element params) {
  DoneCheck check;
  simdjson::dom::element done;
  if (params["done"].get(done)) {
    simdjson::dom::array absent;
    if (params["verify_absent"].get(absent)) return check;  // no check
    check.path = TextOf(params, "verify_path");
    check.absent = Strings(params, "verify_absent");
    return check;
  }
  check.path = TextOf(done, "path");
  check.query = TextOf(done, "query");
  check.paged = Bool(done, "paged", true);
  check.every = TextOf(done, "every");
  check.is = Bool(done, "is", true);
  check.absent = Strings(done, "absent");
  return check;
}

}  // namespace

std::string EncodeStoredAction(const StoredAction& action) {
  const PlannedAction& planned = action.planned;
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("summary", planned.summary)
      .Field("kind", KindName(planned.kind))
      .Field("step", static_cast<int64_t>(action.step));
  if (!planned.calls.empty()) {
    WriteCalls(w, planned.calls);
    if (planned.each) w.Field("each", true);
  }
  if (!planned.done.path.empty()) WriteDone(w, planned.done);
  if (!planned.target.empty()) w.Field("target", planned.target);
  if (!planned.payload.empty()) w.Field("payload", planned.payload);
  w.EndObject();
  return out;
}

base::Expected<StoredAction> DecodeStoredAction(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element params;
  if (parser.parse(json.data(), json.size()).get(params) || !params.is_object()) {
    return base::Error{"the action's params are not a JSON object"};
  }
  StoredAction out;
  auto kind = KindFromName(TextOf(params, "kind"));
  if (!kind) return base::Error{fmt::format("unknown action kind '{}'", TextOf(params, "kind"))};
  out.planned.kind = *kind;
  out.planned.summary = TextOf(params, "summary");
  int64_t step = 0;
  out.step = params["step"].get(step) || step < 0 ? 0 : static_cast<size_t>(step);
  simdjson::dom::array calls;
  if (!params["calls"].get(calls)) {
    auto read = ReadCalls(calls);
    if (!read) return base::Error{read.error()};
    out.planned.calls = std::move(*read);
  }
  out.planned.each = Bool(params, "each", false);
  out.planned.done = ReadDone(params);
  out.planned.target = TextOf(params, "target");
  out.planned.payload = TextOf(params, "payload");
  return out;
}

}  // namespace isc_mirror::automation
