#include "automation/actions.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "automation/json_fields.hpp"
#include "base/names.hpp"

namespace isc_mirror::automation {
namespace {

constexpr base::NameTable<ActionKind> kKindNames[] = {
    {ActionKind::kIsc, "isc"},
    {ActionKind::kWebhook, "webhook"},
    {ActionKind::kNotify, "notify"},
};

}  // namespace

std::string_view KindName(ActionKind kind) {
  return base::NameOf(kKindNames, kind, "isc");
}

std::optional<ActionKind> KindFromName(std::string_view name) {
  return base::FromName(kKindNames, name);
}

base::Expected<void> CheckStep(const ActionStep& step) {
  const ActionSpec* spec = FindActionSpec(step.action);
  if (spec == nullptr) return base::Error{fmt::format("unknown action {}", step.action)};
  for (const auto& [name, value] : step.params) {
    if (std::find(spec->params.begin(), spec->params.end(), name) == spec->params.end()) {
      return base::Error{fmt::format("{}: unknown parameter '{}' (it takes: {})", step.action, name,
                                     fmt::join(spec->params, ", "))};
    }
    if (name == "secret") continue;  // a secret is never a template
    if (auto checked = CheckTemplate(value); !checked) {
      return base::Error{fmt::format("{}.{}: {}", step.action, name, checked.error())};
    }
  }
  for (auto name : spec->required) {
    if (!step.params.contains(std::string(name))) {
      return base::Error{fmt::format("{}: missing parameter '{}'", step.action, name)};
    }
  }
  return spec->check != nullptr ? spec->check(step) : base::Expected<void>();
}

base::Expected<bool> PageShowsDone(const DoneCheck& check, std::string_view page, bool done,
                                   std::set<std::string>* done_ids) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(page.data(), page.size()).get(doc) || !doc.is_array()) {
    return base::Error{"the listing is not a JSON array"};
  }
  for (auto item : doc.get_array()) {
    if (!item.is_object()) return base::Error{"the listing holds something other than objects"};
    if (!check.every.empty()) {
      bool value = false;
      if (item[check.every].get(value)) {
        return base::Error{fmt::format("a listed object has no boolean '{}'", check.every)};
      }
      done = done && value == check.is;
      std::string_view id;
      if (done_ids != nullptr && value == check.is && !item["id"].get(id)) done_ids->emplace(id);
      continue;
    }
    if (check.absent.empty()) {
      done = false;
      continue;
    }
    std::string_view id;
    if (item["id"].get(id)) continue;
    done = done && std::find(check.absent.begin(), check.absent.end(), id) == check.absent.end();
  }
  return done;
}

namespace {

constexpr base::NameTable<Expect> kExpectNames[] = {
    {Expect::kAny, "any"},
    {Expect::kNoContent, "no_content"},
    {Expect::kOne, "one"},
    {Expect::kCount, "count"},
    {Expect::kPositiveCount, "positive_count"},
    {Expect::kTask, "task"},
    {Expect::kCertificationTask, "certification_task"},
    {Expect::kMultiStatus, "multi_status"},
    {Expect::kTaskStatus, "task_status"},
};

std::string Quoted(std::string_view body) {
  constexpr size_t kShown = 200;
  return body.size() <= kShown ? std::string(body) : std::string(body.substr(0, kShown)) + "...";
}

AnswerCheck Fails(std::string error) {
  return {.verdict = AnswerVerdict::kSaysFailure, .error = std::move(error)};
}
AnswerCheck Unreadable(std::string error) {
  return {.verdict = AnswerVerdict::kUnreadable, .error = std::move(error)};
}

// A 207 answer carries one status per item; it worked only if every item did.
AnswerCheck CheckMultiStatus(simdjson::dom::element doc) {
  if (!doc.is_array()) return Unreadable("the 207 answer is not a list of item results");
  for (auto item : doc.get_array()) {
    int64_t code = 0;
    if (item["statusCode"].get(code)) return Unreadable("a 207 item has no statusCode");
    if (code < 200 || code >= 300) {
      std::string message = TextOf(item, "message");
      return Fails(fmt::format("item {} answered {}{}", TextOf(item, "id"), code,
                               message.empty() ? "" : ": " + message));
    }
  }
  return {};
}

AnswerCheck CheckCertificationTask(simdjson::dom::element doc) {
  if (TextOf(doc, "id").empty()) return Unreadable("the answer is not a certification task");
  simdjson::dom::array errors;
  if (!doc["errors"].get(errors) && errors.size() > 0) {
    return Fails(fmt::format("the reassignment task {} reports errors: {}", TextOf(doc, "id"),
                             simdjson::minify(errors)));
  }
  if (TextOf(doc, "status") == "ERROR") {
    return Fails(fmt::format("the reassignment task {} is in ERROR", TextOf(doc, "id")));
  }
  return {};
}

AnswerCheck CheckNumber(Expect expect, int status, std::string_view body,
                        simdjson::dom::element doc) {
  int64_t number = 0;
  if (doc.get(number)) {
    return Unreadable(
        fmt::format("HTTP {} with an answer that is not a number: {}", status, Quoted(body)));
  }
  if (expect == Expect::kOne && number != 1) {
    return Fails(
        fmt::format("HTTP {} but the answer is {}, not 1 (1 is success, anything else failure)",
                    status, number));
  }
  int64_t least = expect == Expect::kPositiveCount ? 1 : 0;
  if (number < least) {
    return Fails(fmt::format("HTTP {} but the answer is {}, not a count of at least {}", status,
                             number, least));
  }
  return {};
}

}  // namespace

std::string_view ExpectName(Expect expect) {
  return base::NameOf(kExpectNames, expect, "any");
}

std::optional<Expect> ExpectFromName(std::string_view name) {
  return base::FromName(kExpectNames, name);
}

AnswerCheck CheckAnswer(const Call& call, int status, std::string_view body) {
  if (status < 200 || status >= 300) return Fails(fmt::format("HTTP {}", status));
  Expect expect = call.expect;
  if (expect == Expect::kAny && status == 207) expect = Expect::kMultiStatus;  // older rows
  if (expect == Expect::kAny || expect == Expect::kNoContent) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) {
    return Unreadable(
        fmt::format("HTTP {} with an answer that is not JSON: {}", status, Quoted(body)));
  }
  switch (expect) {
    case Expect::kOne:
    case Expect::kCount:
    case Expect::kPositiveCount:
      return CheckNumber(expect, status, body, doc);
    case Expect::kTask:
      if (TextOf(doc, "id").empty()) {
        return Unreadable(
            fmt::format("HTTP {} but the answer names no task: {}", status, Quoted(body)));
      }
      return {};
    case Expect::kCertificationTask:
      return CheckCertificationTask(doc);
    case Expect::kMultiStatus:
      return CheckMultiStatus(doc);
    case Expect::kTaskStatus:
      if (!doc.is_object()) return Unreadable("the answer is not a task status");
      if (TextOf(doc, "completionStatus") != call.expect_value) {
        return Fails(fmt::format("HTTP {} but the task's completionStatus is '{}', not {}", status,
                                 TextOf(doc, "completionStatus"), call.expect_value));
      }
      return {};
    default:
      return {};
  }
}

std::string DashedUuid(std::string_view hex32) {
  if (hex32.size() != 32) return std::string(hex32);
  return fmt::format("{}-{}-{}-{}-{}", hex32.substr(0, 8), hex32.substr(8, 4), hex32.substr(12, 4),
                     hex32.substr(16, 4), hex32.substr(20));
}

std::vector<PlannedAction> PlanAction(const Rule& rule, size_t step_index, const sync::Event& event,
                                      PlanContext& context) {
  const ActionStep& step = rule.steps.at(step_index);
  PlanInput input{.rule = rule,
                  .step = step,
                  .event = event,
                  .context = context,
                  .why = fmt::format("rule {}, {} {} {} (event {})", rule.name, event.resource,
                                     sync::EventOpName(event.op), event.object_id, event.event_id)};
  const ActionSpec* spec = FindActionSpec(step.action);
  if (spec == nullptr || spec->plan == nullptr) {
    return {{.summary = fmt::format("{} ({})", step.action, input.why),
             .error = "this action is not known"}};
  }
  return spec->plan(input);
}

}  // namespace isc_mirror::automation
