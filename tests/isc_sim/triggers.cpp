#include "tests/isc_sim/triggers.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <simdjson.h>

#include <algorithm>

#include "base/json_writer.hpp"
#include "tests/isc_sim/json_path.hpp"
#include "tests/isc_sim/query.hpp"

namespace isc_mirror::sim {
namespace {

constexpr const char* kJson = "application/json";

// The FIRE_AND_FORGET triggers isc-sim offers, as GET /v2025/triggers lists ISC's: id, name,
// condition (SailPoint's list of available event triggers).
struct TriggerInfo {
  std::string_view id;
  std::string_view name;
  std::string_view description;
  std::string_view example;
};
constexpr TriggerInfo kTriggers[] = {
    {"idn:account-aggregation-completed", "Account Aggregation Completed",
     "After an account aggregation completed, terminated, failed.",
     R"({"source":{"type":"SOURCE","id":"2c9180835d191a86015d28455b4b232a","name":"HR Active Directory"},"status":"Success","started":"2020-06-29T22:01:50.474Z","completed":"2020-06-29T22:02:04.090Z","errors":null,"warnings":null,"stats":{"scanned":200,"unchanged":190,"changed":6,"added":4,"removed":3}})"},
    {"idn:account-attributes-changed", "Account Attributes Changed",
     "After an account aggregation, and one or more account attributes have changed.",
     R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},"source":{"id":"4e4d982dddff4267ab12f0f1e72b5a6d","type":"SOURCE","name":"Corporate Active Directory"},"account":{"id":"52170a74ca8911ea87d00242ac130003","uuid":"1cb1f07d-3e5a-4431-becd-234fa4306108","name":"john.doe","nativeIdentity":"cn=john.doe,ou=users,dc=acme,dc=com","type":"ACCOUNT"},"changes":[{"attribute":"sn","oldValue":"doe","newValue":"ryans"}]})"},
    {"idn:account-correlated", "Account Correlated", "After an account is added to an identity.",
     R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},"source":{"type":"SOURCE","id":"2c9180835d191a86015d28455b4b232a","name":"HR Active Directory"},"account":{"type":"ACCOUNT","id":"98da47c31df444558c211f9b205184f6","name":"Brian Mendoza","nativeIdentity":"cn=john.doe,ou=users,dc=acme,dc=com","uuid":null},"attributes":{"sn":"doe"},"entitlementCount":0})"},
    {"idn:account-uncorrelated", "Account Uncorrelated",
     "After an account is removed from an identity.",
     R"({"identity":{"type":"IDENTITY","id":"2c3780a46faadee4016fb4e018c20652","name":"Allen Albertson"},"source":{"type":"SOURCE","id":"2c6180835d191a86015d28455b4b231b","name":"Corporate Directory"},"account":{"type":"ACCOUNT","id":"4dd497e3723e439991cb6d0e478375dd","name":"Sadie Jensen","nativeIdentity":"cn=john.doe,ou=users,dc=acme,dc=com","uuid":null},"entitlementCount":0})"},
    {"idn:certification-signed-off", "Certification Signed Off",
     "After a certification is signed off by its reviewer.",
     R"({"certification":{"id":"2c91808576f886190176f88caf0d0067","name":"Manager Access Review for Alice Baker","created":"2020-02-16T03:04:45.815Z","modified":"2020-02-16T03:06:45.815Z","campaignRef":{"id":"ef38f94347e94562b5bb8424a56397d8","name":"Campaign Name","type":"CAMPAIGN","campaignType":"MANAGER","description":"A description of the campaign","correlatedStatus":"CORRELATED","mandatoryCommentRequirement":"NO_DECISIONS"},"phase":"SIGNED","due":"2018-10-19T13:49:37.385Z","signed":"2018-10-19T13:49:37.385Z","reviewer":{"id":"ef38f94347e94562b5bb8424a56397d8","name":"Reviewer Name","email":"reviewer@test.com","type":"IDENTITY","created":"2018-06-25T20:22:28.104Z","modified":"2018-06-25T20:22:28.104Z"},"campaignOwner":{"id":"37f080867702c1910177031320c40n27","name":"John Snow","email":"john.snow@example.com"},"hasErrors":false,"errorMessage":null,"completed":true,"decisionsMade":40,"decisionsTotal":40,"entitiesCompleted":10,"entitiesTotal":10}})"},
    {"idn:identity-attributes-changed", "Identity Attributes Changed",
     "After One or more identity attributes changed.",
     R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},"changes":[{"attribute":"department","oldValue":"sales","newValue":"marketing"}]})"},
    {"idn:identity-created", "Identity Created", "After an identity is created.",
     R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},"attributes":{"firstname":"John"}})"},
    {"idn:identity-deleted", "Identity Deleted", "After an identity is deleted.",
     R"({"identity":{"type":"IDENTITY","id":"2c7180a46faadee4016fb4e018c20642","name":"Michael Michaels"},"attributes":{"firstname":"John"}})"},
};
// ISC: "A Fire and Forget type trigger can have up to 50 subscriptions".
constexpr size_t kMaxSubscriptions = 50;

const TriggerInfo* FindInfo(std::string_view id) {
  for (const auto& t : kTriggers) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

Reply Bad(std::string_view text) {
  return {400, ErrorResponse("400.1 Bad Request Content", text)};
}

// GET /v2025/trigger-subscriptions: filters id eq, triggerId eq, type eq, le; sorters
// triggerId, triggerName (its parameter descriptions).
constexpr FilterField kSubscriptionFilters[] = {{"id", FieldType::kString, kEq},
                                                {"triggerId", FieldType::kString, kEq},
                                                {"type", FieldType::kString, kEq | kLe}};
constexpr std::string_view kSubscriptionSorters[] = {"triggerId", "triggerName"};
constexpr EndpointSpec kSubscriptionSpec{kSubscriptionFilters, kSubscriptionSorters};
// GET /v2025/triggers: filters id eq, ge, le; sorters id, name.
constexpr FilterField kTriggerFilters[] = {{"id", FieldType::kString, kEq | kGe | kLe}};
constexpr std::string_view kTriggerSorters[] = {"id", "name"};
constexpr EndpointSpec kTriggerSpec{kTriggerFilters, kTriggerSorters};

void WriteSubscription(base::JsonWriter& w, const Subscription& s) {
  const TriggerInfo* info = FindInfo(s.trigger_id);
  w.BeginObject()
      .Field("id", s.id)
      .Field("name", s.name)
      .Field("description", s.description)
      .Field("triggerId", s.trigger_id)
      .Field("triggerName", info != nullptr ? info->name : "")
      .Field("type", "HTTP")
      .Field("responseDeadline", "PT1H")
      .Key("httpConfig")
      .BeginObject()
      .Field("url", s.url)
      .Field("httpDispatchMode", s.dispatch_mode)
      .Field("httpAuthenticationType", s.auth_type);
  // Secrets are never answered: "On response, this field is set to null".
  if (s.auth_type == "BASIC_AUTH") {
    w.Key("basicAuthConfig").BeginObject().Field("userName", s.user).NullField("password");
    w.EndObject();
  } else {
    w.NullField("basicAuthConfig");
  }
  if (s.auth_type == "BEARER_TOKEN") {
    w.Key("bearerTokenAuthConfig").BeginObject().NullField("bearerToken").EndObject();
  } else {
    w.NullField("bearerTokenAuthConfig");
  }
  w.EndObject().Field("enabled", s.enabled);
  if (!s.filter.empty()) w.Field("filter", s.filter);
  w.EndObject();
}

std::string One(const Subscription& s) {
  std::string out;
  base::JsonWriter w(out);
  WriteSubscription(w, s);
  return out;
}

// Reads a subscription's fields from a POST or PUT body into `s`; the error names what is wrong.
base::Expected<void> ReadSubscription(simdjson::dom::element doc, Subscription& s, bool create) {
  std::string_view text;
  if (!doc["name"].get(text)) s.name = std::string(text);
  if (!doc["description"].get(text)) s.description = std::string(text);
  if (create && (doc["triggerId"].get(text) || FindInfo(text) == nullptr)) {
    return base::Error{"triggerId is required and must name a trigger of GET /v2025/triggers"};
  }
  if (create) s.trigger_id = std::string(text);
  if (doc["type"].get(text) || text != "HTTP") {
    return base::Error{"type is required; isc-sim supports HTTP subscriptions"};
  }
  simdjson::dom::element http;
  if (doc["httpConfig"].get(http) || http["url"].get(text) || text.empty()) {
    return base::Error{"type HTTP requires httpConfig with a url"};
  }
  s.url = std::string(text);
  s.dispatch_mode = http["httpDispatchMode"].get(text) ? "SYNC" : std::string(text);
  s.auth_type = http["httpAuthenticationType"].get(text) ? "NO_AUTH" : std::string(text);
  if (s.auth_type == "BASIC_AUTH") {
    std::string_view user, password;
    if (http["basicAuthConfig"]["userName"].get(user) ||
        http["basicAuthConfig"]["password"].get(password)) {
      return base::Error{"BASIC_AUTH requires basicAuthConfig with userName and password"};
    }
    s.user = std::string(user);
    s.password = std::string(password);
  } else if (s.auth_type == "BEARER_TOKEN") {
    if (http["bearerTokenAuthConfig"]["bearerToken"].get(text) || text.empty()) {
      return base::Error{"BEARER_TOKEN requires bearerTokenAuthConfig with bearerToken"};
    }
    s.token = std::string(text);
  } else if (s.auth_type != "NO_AUTH") {
    return base::Error{"httpAuthenticationType must be NO_AUTH, BASIC_AUTH or BEARER_TOKEN"};
  }
  bool enabled = true;
  if (!doc["enabled"].get(enabled)) s.enabled = enabled;
  if (!doc["filter"].get(text)) s.filter = std::string(text);
  // Assumed, the definitions being silent: ISC refuses a filter that is not JSONPath, as
  // validate-filter would judge it.
  if (!s.filter.empty()) {
    simdjson::dom::parser parser;
    auto check = CheckFilter(s.filter, parser.parse(std::string_view("{}")).value());
    if (!check.unsupported.empty()) {
      return base::Error{fmt::format("isc-sim does not evaluate {} in filters", check.unsupported)};
    }
    if (!check.valid_json_path) return base::Error{"filter is not a valid JSONPath expression"};
  }
  return {};
}

std::optional<std::string> Param(const std::map<std::string, std::string>& params,
                                 const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Triggers::Triggers(uint64_t seed) : rng_(seed), thread_([this] { Loop(); }) {}

Triggers::~Triggers() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<Reply> Triggers::Route(const std::string& method,
                                     const std::vector<std::string_view>& p,
                                     const std::string& body,
                                     const std::map<std::string, std::string>& params) {
  if (p.size() < 2 || p[0] != "v2025") return std::nullopt;
  if (p.size() == 2 && p[1] == "triggers" && method == "GET") return ListTriggers(params);
  if (p.size() == 3 && p[1] == "trigger-invocations" && p[2] == "test" && method == "POST") {
    return TestInvocation(body);
  }
  if (p[1] != "trigger-subscriptions") return std::nullopt;
  if (p.size() == 2 && method == "POST") return CreateSubscription(body);
  if (p.size() == 2 && method == "GET") return ListSubscriptions(params);
  if (p.size() != 3) return std::nullopt;
  if (p[2] == "validate-filter" && method == "POST") return ValidateFilter(body);
  if (method == "PUT") return ReplaceSubscription(p[2], body);
  if (method == "PATCH") return PatchSubscription(p[2], body);
  if (method == "DELETE") {
    std::lock_guard lock(mutex_);
    if (subscriptions_.erase(std::string(p[2])) == 0) {
      return Reply{404, ErrorResponse("404 Not found", "no such subscription")};
    }
    return Reply{204, ""};
  }
  return std::nullopt;
}

Reply Triggers::CreateSubscription(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return Bad("the body is not JSON");
  Subscription s;
  std::string_view name;
  if (doc["name"].get(name) || name.empty()) return Bad("name is required");
  if (auto read = ReadSubscription(doc, s, true); !read) return Bad(read.error());
  std::lock_guard lock(mutex_);
  size_t same = std::ranges::count_if(
      subscriptions_, [&](const auto& e) { return e.second.trigger_id == s.trigger_id; });
  if (same >= kMaxSubscriptions) {
    return Bad(fmt::format("{} already has {} subscriptions", s.trigger_id, kMaxSubscriptions));
  }
  s.id = fmt::format("{:08x}-7c94-4bf3-a2bd-{:012x}", next_id_, rng_() & 0xffffffffffffULL);
  ++next_id_;
  subscriptions_[s.id] = s;
  return {201, One(s)};
}

Reply Triggers::ReplaceSubscription(std::string_view id, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return Bad("the body is not JSON");
  std::lock_guard lock(mutex_);
  auto it = subscriptions_.find(std::string(id));
  if (it == subscriptions_.end())
    return {404, ErrorResponse("404 Not found", "no such subscription")};
  std::string_view trigger;
  if (!doc["triggerId"].get(trigger) && trigger != it->second.trigger_id) {
    return Bad("triggerId is immutable");
  }
  // "The existing Subscription is completely replaced": what the body leaves out (a filter, a
  // description) is gone; only id and triggerId stay.
  Subscription s{.id = it->second.id, .trigger_id = it->second.trigger_id};
  std::string_view name;
  if (doc["name"].get(name) || name.empty()) return Bad("name is required");
  if (auto read = ReadSubscription(doc, s, false); !read) return Bad(read.error());
  it->second = s;
  return {200, One(s)};
}

Reply Triggers::PatchSubscription(std::string_view id, const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array ops;
  if (parser.parse(body).get(doc) || doc.get(ops)) return Bad("the body is not a JSON Patch");
  std::lock_guard lock(mutex_);
  auto it = subscriptions_.find(std::string(id));
  if (it == subscriptions_.end())
    return {404, ErrorResponse("404 Not found", "no such subscription")};
  Subscription s = it->second;
  for (auto op : ops) {
    std::string_view kind, path, text;
    if (op["op"].get(kind) || op["path"].get(path)) return Bad("each operation needs op and path");
    bool enabled = false;
    if (path == "/enabled" && kind == "replace" && !op["value"].get(enabled)) {
      s.enabled = enabled;
    } else if (path == "/name" && kind == "replace" && !op["value"].get(text)) {
      s.name = std::string(text);
    } else if (path == "/description" && kind == "replace" && !op["value"].get(text)) {
      s.description = std::string(text);
    } else {
      return Bad(fmt::format("isc-sim patches only /enabled, /name and /description, not {} {}",
                             kind, path));
    }
  }
  it->second = s;
  return {200, One(s)};
}

Reply Triggers::ListSubscriptions(const std::map<std::string, std::string>& params) {
  auto page = ParsePage(Param(params, "limit"), Param(params, "offset"), Param(params, "count"));
  if (!page) return Bad(page.error());
  std::optional<Filter> filter;
  if (auto text = Param(params, "filters")) {
    auto parsed = ParseFilter(*text, kSubscriptionSpec);
    if (!parsed) return Bad(parsed.error());
    filter = std::move(*parsed);
  }
  if (auto text = Param(params, "sorters")) {
    if (auto parsed = ParseSorters(*text, kSubscriptionSpec); !parsed) return Bad(parsed.error());
  }
  std::lock_guard lock(mutex_);
  std::vector<const Subscription*> matching;
  for (const auto& entry : subscriptions_) {
    const Subscription& s = entry.second;  // a lambda may not capture a structured binding
    auto get = [&](std::string_view field) -> Value {
      if (field == "id") return s.id;
      if (field == "triggerId") return s.trigger_id;
      return std::string("HTTP");
    };
    if (!filter || Matches(*filter, get)) matching.push_back(&s);
  }
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  for (size_t i = static_cast<size_t>(page->offset);
       i < matching.size() && i < static_cast<size_t>(page->offset + page->limit); ++i) {
    WriteSubscription(w, *matching[i]);
  }
  w.EndArray();
  return {200, out};
}

Reply Triggers::ListTriggers(const std::map<std::string, std::string>& params) {
  auto page = ParsePage(Param(params, "limit"), Param(params, "offset"), Param(params, "count"));
  if (!page) return Bad(page.error());
  std::optional<Filter> filter;
  if (auto text = Param(params, "filters")) {
    auto parsed = ParseFilter(*text, kTriggerSpec);
    if (!parsed) return Bad(parsed.error());
    filter = std::move(*parsed);
  }
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  int64_t index = 0;
  for (const auto& t : kTriggers) {
    if (filter && !Matches(*filter, [&](std::string_view) -> Value { return std::string(t.id); })) {
      continue;
    }
    if (index++ < page->offset || index > page->offset + page->limit) continue;
    w.BeginObject()
        .Field("id", t.id)
        .Field("name", t.name)
        .Field("type", "FIRE_AND_FORGET")
        .Field("description", t.description)
        .Field("inputSchema", R"({"type":"object"})")
        .Key("exampleInput")
        .Raw(t.example.empty() ? std::string_view("{}") : t.example)
        .EndObject();
  }
  w.EndArray();
  return {200, out};
}

// POST /v2025/trigger-subscriptions/validate-filter: the filter judged against the mock input.
Reply Triggers::ValidateFilter(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::element input;
  std::string_view filter;
  if (parser.parse(body).get(doc) || doc["input"].get(input) || !input.is_object() ||
      doc["filter"].get(filter)) {
    return Bad("input (an object) and filter (a string) are required");
  }
  FilterCheck check = CheckFilter(filter, input);
  if (!check.unsupported.empty()) {
    return Reply{501,
                 ErrorResponse("501 Not Implemented",
                               fmt::format("isc-sim does not evaluate {}", check.unsupported))};
  }
  std::string out;
  base::JsonWriter w(out);
  w.BeginObject()
      .Field("isValid", check.valid_json_path && check.matches)
      .Field("isValidJSONPath", check.valid_json_path)
      .Field("isPathExist", check.valid_json_path && check.path_exists)
      .EndObject();
  return {200, out};
}

Reply Triggers::TestInvocation(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view trigger;
  simdjson::dom::element content;
  if (parser.parse(body).get(doc) || doc["triggerId"].get(trigger) ||
      doc["contentJson"].get(content)) {
    return Bad("triggerId and contentJson are required");
  }
  const TriggerInfo* info = FindInfo(trigger);
  if (info == nullptr) return Bad("unknown triggerId");
  simdjson::dom::element input;
  std::string payload =
      doc["input"].get(input) ? std::string(info->example) : simdjson::minify(input);
  std::vector<Subscription> to;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscriptions_) {
      // "Test trigger invocations are always enabled regardless of this option."
      if (s.trigger_id == trigger) to.push_back(s);
    }
  }
  if (to.empty()) return {204, ""};
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  for (const auto& s : to) {
    Enqueue({.to = s, .trigger_id = std::string(trigger), .payload = payload});
    w.BeginObject()
        .Field("id", fmt::format("test-{}", s.id))
        .Field("triggerId", trigger)
        .Field("secret", "00000000-0000-0000-0000-000000000000")
        .Key("contentJson")
        .Raw(simdjson::minify(content))
        .EndObject();
  }
  w.EndArray();
  return {200, out};
}

void Triggers::Fire(std::string_view trigger_id, std::string payload) {
  std::vector<Subscription> to;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, s] : subscriptions_) {
      if (s.trigger_id == trigger_id && s.enabled) to.push_back(s);
    }
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool parsed = !parser.parse(payload).get(doc);
  for (const auto& s : to) {
    // A subscription's filter decides: "If the filter does not match, then the event is not
    // triggered" (developer.sailpoint.com, Filtering Event Triggers).
    if (!s.filter.empty() && (!parsed || !CheckFilter(s.filter, doc).matches)) {
      std::lock_guard lock(mutex_);
      Note({.trigger_id = std::string(trigger_id), .subscription_id = s.id, .fault = "filtered"});
      continue;
    }
    Enqueue({.to = s, .trigger_id = std::string(trigger_id), .payload = payload});
  }
}

void Triggers::Enqueue(Delivery d) {
  std::lock_guard lock(mutex_);
  std::uniform_real_distribution<double> roll(0.0, 1.0);
  d.due = std::chrono::steady_clock::now() + std::chrono::milliseconds(faults_.delay_ms);
  if (faults_.delay_ms > 0) d.fault = "delayed";
  if (roll(rng_) < faults_.loss_rate) {
    Note({.trigger_id = d.trigger_id, .subscription_id = d.to.id, .fault = "lost"});
    return;
  }
  if (roll(rng_) < faults_.bad_auth_rate) d.fault = "bad_auth";
  bool duplicate = roll(rng_) < faults_.duplicate_rate;
  if (faults_.reorder) {
    // Held until the next delivery, which goes first.
    if (!held_) {
      d.fault = "reordered";
      held_ = std::move(d);
      return;
    }
    queue_.push_back(d);
    queue_.push_back(std::move(*held_));
    held_.reset();
  } else {
    queue_.push_back(d);
  }
  if (duplicate) {
    d.fault = "duplicate";
    queue_.push_back(std::move(d));
  }
  wake_.notify_all();
}

void Triggers::Loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (queue_.empty()) {
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      continue;
    }
    auto due = queue_.front().due;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    Delivery d = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Send(d);
    lock.lock();
  }
}

void Triggers::Send(const Delivery& d) {
  // scheme://host[:port]/path
  auto scheme_end = d.to.url.find("://");
  auto path_start = d.to.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  std::string origin = d.to.url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : d.to.url.substr(path_start);
  httplib::Client client(origin);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  client.enable_server_certificate_verification(false);  // a test's own certificate
  httplib::Headers headers;
  bool bad = d.fault == "bad_auth";
  if (d.to.auth_type == "BEARER_TOKEN") {
    headers.emplace("Authorization", "Bearer " + (bad ? "not-" + d.to.token : d.to.token));
  } else if (d.to.auth_type == "BASIC_AUTH") {
    client.set_basic_auth(d.to.user, bad ? d.to.password + "-wrong" : d.to.password);
  }
  auto result = client.Post(path, headers, d.payload, kJson);
  std::lock_guard lock(mutex_);
  Note({.trigger_id = d.trigger_id,
        .subscription_id = d.to.id,
        .fault = d.fault,
        .status = result ? result->status : 0});
}

void Triggers::Note(Sent s) {
  s.seq = static_cast<int64_t>(sent_.size()) + 1;
  s.sent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  sent_.push_back(std::move(s));
}

std::optional<Reply> Triggers::Control(std::string_view method, std::string_view path,
                                       std::string_view body) {
  if (path == "/__sim/trigger-faults") {
    std::lock_guard lock(mutex_);
    if (method == "DELETE") {
      faults_ = {};
      if (held_) queue_.push_back(std::move(*held_));
      held_.reset();
      wake_.notify_all();
      return Reply{200, "{}"};
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc)) return Bad("faults body is not JSON");
    TriggerFaults f;
    double rate = 0;
    if (!doc["duplicateRate"].get(rate)) f.duplicate_rate = rate;
    if (!doc["lossRate"].get(rate)) f.loss_rate = rate;
    if (!doc["badAuthRate"].get(rate)) f.bad_auth_rate = rate;
    int64_t delay = 0;
    if (!doc["delayMs"].get(delay)) f.delay_ms = static_cast<int>(delay);
    bool reorder = false;
    if (!doc["reorder"].get(reorder)) f.reorder = reorder;
    faults_ = f;
    return Reply{200, "{}"};
  }
  if (path != "/__sim/trigger-deliveries") return std::nullopt;
  std::lock_guard lock(mutex_);
  if (method == "DELETE") {
    sent_.clear();
    return Reply{200, "{}"};
  }
  std::string out;
  base::JsonWriter w(out);
  w.BeginArray();
  for (const auto& s : sent_) {
    w.BeginObject()
        .Field("seq", s.seq)
        .Field("triggerId", s.trigger_id)
        .Field("subscriptionId", s.subscription_id)
        .Field("fault", s.fault)
        .Field("status", s.status)
        .Field("time", FormatTimestamp(s.sent_ms))
        .EndObject();
  }
  w.EndArray();
  return Reply{200, out};
}

}  // namespace isc_mirror::sim
