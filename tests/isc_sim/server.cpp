#include "tests/isc_sim/server.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <simdjson.h>

#include <cmath>
#include <ctime>
#include <thread>

#include "base/base64.hpp"
#include "base/json_writer.hpp"

namespace isc_mirror::sim {
namespace {

constexpr const char* kJson = "application/json";

std::string SingleField(std::string_view key, std::string_view value) {
  std::string out;
  base::JsonWriter(out).BeginObject().Field(key, value).EndObject();
  return out;
}

// Query parameters decoded as a Java servlet container decodes them ('+' is a space, %XX a
// byte), which cpp-httplib does not do for '+'.
std::string FormDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> Param(const httplib::Request& req, std::string_view name) {
  std::string_view target = req.target;
  auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (FormDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool Matches(const std::vector<std::string_view>& parts,
             std::initializer_list<std::string_view> pattern) {
  if (parts.size() != pattern.size()) return false;
  size_t i = 0;
  for (std::string_view p : pattern) {
    if (p != "*" && p != parts[i]) return false;
    ++i;
  }
  return true;
}

std::string RandomToken(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 48; ++i) token.push_back(kHex[rng() & 0xf]);
  return token;
}

// The request body must be a JSON object (a `required: true` object body).
bool ObjectBody(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return !parser.parse(body.data(), body.size()).get(doc) && doc.is_object();
}

std::string HttpDate(int64_t epoch_seconds) {
  std::time_t t = epoch_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

}  // namespace

Server::Server(ServerOptions options, Tenant& tenant)
    : options_(std::move(options)),
      tenant_(tenant),
      triggers_(options_.seed),
      faults_(options_.faults),
      rng_(options_.seed) {
  auto definitions = Definitions::Load(options_.definitions_file);
  if (!definitions) throw std::runtime_error(definitions.error());
  definitions_ = std::move(definitions).value();
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  http_.Get(".*", handler);
  http_.Post(".*", handler);
  http_.Patch(".*", handler);
  http_.Put(".*", handler);
  http_.Delete(".*", handler);
  // Without TCP_NODELAY a keep-alive response whose headers and body go out in two writes
  // waits for the client's delayed ACK: about 40 ms per small response. Accepted sockets
  // inherit the option from the listening one.
  http_.set_socket_options([](socket_t sock) {
    httplib::default_socket_options(sock);
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  });
  // Clients reuse connections for a whole scan, as they would against ISC.
  http_.set_keep_alive_max_count(1'000'000);
  http_.set_keep_alive_timeout(30);
  http_.set_payload_max_length(64 * 1024 * 1024);
}

int Server::Bind() {
  port_ = options_.port == 0
              ? http_.bind_to_any_port(options_.host)
              : (http_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  return port_;
}

void Server::Listen() {
  http_.listen_after_bind();
}
void Server::Stop() {
  http_.stop();
}

double Server::Roll() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

namespace {

// The reply as the faults make it: garbled bytes, broken JSON, or a connection cut halfway.
void SendReply(httplib::Response& res, Reply reply, bool garble, bool malformed, bool truncate) {
  if (garble && res.status >= 200 && res.status < 300) {
    std::string bytes = "caf\xE9 \xFF\xFE";
    bytes += std::string(1, '\0');
    bytes += std::string(5000, '\xE9');
    res.set_content(bytes, "application/json");
    return;
  }
  if (reply.body.empty()) return;
  if (malformed) {
    reply.body = reply.body.substr(0, reply.body.size() / 2) + "\"\x01}]{";
  }
  if (truncate) {
    auto body = std::make_shared<std::string>(std::move(reply.body));
    res.set_content_provider(body->size(), kJson,
                             [body](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= body->size() / 2) return false;  // cut the connection
                               sink.write(body->data(), body->size() / 2);
                               return true;
                             });
    return;
  }
  res.set_content(std::move(reply.body), kJson);
}

}  // namespace

namespace {

// A call that changes nothing: a GET, or a search (a POST only because its query is a body).
bool Reads(const httplib::Request& req) {
  return req.method == "GET" || req.path == "/v3/search";
}

}  // namespace

Server::FaultDice Server::RollFaults(const httplib::Request& req) {
  std::lock_guard lock(mutex_);
  FaultDice dice{.faults = faults_};
  const Faults& faults = dice.faults;
  if (!faults.any() || !req.path.starts_with(faults.prefix) || (faults.writes_only && Reads(req))) {
    return dice;
  }
  if (Roll() < faults.expire_rate) {
    tokens_.erase(req.get_header_value("Authorization").substr(7));
    dice.expire = true;
    return dice;
  }
  dice.fail = Roll() < faults.error_rate;
  if (dice.fail && !faults.error_codes.empty()) {
    dice.error_code = faults.error_codes[rng_() % faults.error_codes.size()];
  }
  dice.truncate = Roll() < faults.truncate_rate;
  dice.malformed = Roll() < faults.malformed_rate;
  dice.garble = !Reads(req) && Roll() < faults.garble_rate;
  return dice;
}

void Server::Handle(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  if (path.starts_with("/__sim/") || path == "/__sim") return HandleControl(req, res);

  // Whatever the outcome, count it, and log every call that is not a read: the action log is
  // how tests judge what a client did, refused calls included.
  struct Record {
    Server& server;
    const httplib::Request& req;
    httplib::Response& res;
    ~Record() {
      std::lock_guard lock(server.mutex_);
      ++server.requests_;
      ++server.responses_by_status_[res.status];
      if (Reads(req) || req.path == "/oauth/token") return;
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
      server.actions_.push_back({static_cast<int64_t>(server.actions_.size() + 1), now, req.method,
                                 req.path, req.body, res.status});
    }
  } record{*this, req, res};

  if (path == "/oauth/token" && req.method == "POST") return HandleToken(req, res);
  auto client = Authenticate(req, res);
  if (!client) return;
  auto parts = SplitPath(path);
  std::string version = parts.empty() ? "" : std::string(parts[0]);
  const Operation* operation = definitions_.Find(req.method, path);
  if (Forbidden(operation, res)) return;
  MarkDeprecated(operation, path, res);

  FaultDice dice = RollFaults(req);
  const Faults& faults = dice.faults;
  if (dice.expire) {
    res.status = 401;
    res.set_content(SingleField("error", "JWT validation failed: JWT is expired"), kJson);
    return;
  }
  if (options_.rate_requests > 0) {
    int wait = TakeRateToken(*client, options_.rate_per_version ? version : "");
    if (wait > 0) {
      res.status = 429;
      res.set_header("Retry-After", std::to_string(wait));
      res.set_content(SingleField("message", " Rate Limit Exceeded "), kJson);
      return;
    }
  }
  if (faults.latency_ms > 0 && path.starts_with(faults.prefix)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
  }
  if (dice.fail) {
    int error_code = dice.error_code;
    res.status = error_code;
    if (error_code == 429 && faults.retry_after_seconds > 0)
      res.set_header("Retry-After", std::to_string(faults.retry_after_seconds));
    res.set_content(ErrorResponse(fmt::format("{}.0 Internal Fault", error_code),
                                  "An internal fault occurred."),
                    kJson);
    return;
  }
  int64_t total = -1;
  bool is_list = false;
  Reply reply = Route(req, &total, &is_list);
  res.status = reply.status;
  if (total >= 0 && Param(req, "count") == "true") {
    res.set_header("X-Total-Count", std::to_string(total));
  }
  SendReply(res, std::move(reply), dice.garble, dice.malformed, dice.truncate);
}

bool Server::Forbidden(const Operation* operation, httplib::Response& res) const {
  if (operation == nullptr) return false;
  std::string why = Definitions::Refusal(*operation, options_.caller);
  if (why.empty()) return false;
  res.status = 403;
  res.set_content(
      ErrorResponse("403 Forbidden",
                    "The server understood the request but refuses to authorize it. (" + why + ")"),
      kJson);
  return true;
}

void Server::MarkDeprecated(const Operation* operation, const std::string& path,
                            httplib::Response& res) {
  bool deprecated = operation != nullptr && operation->deprecated;
  {
    std::lock_guard lock(mutex_);
    for (const auto& prefix : deprecated_prefixes_)
      deprecated = deprecated || path.starts_with(prefix);
  }
  if (!deprecated) return;
  // RFC 9745's Deprecation (a date as @epoch-seconds) and RFC 8594's Sunset.
  int64_t now = tenant_.Now() / 1000;
  res.set_header("Deprecation", fmt::format("@{}", now - 30 * 86'400));
  res.set_header("Sunset", HttpDate(now + 365 * 86'400));
}

std::optional<std::string> Server::Authenticate(const httplib::Request& req,
                                                httplib::Response& res) {
  std::string header = req.get_header_value("Authorization");
  std::string reason;
  if (!header.starts_with("Bearer ") || header.size() <= 7) {
    reason = "JWT validation failed: JWT is missing";
  } else {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(header.substr(7));
    if (it == tokens_.end()) {
      reason = "JWT validation failed: JWT is not valid";
    } else if (std::chrono::steady_clock::now() >= it->second.expires) {
      reason = "JWT validation failed: JWT is expired";
    } else {
      return it->second.client_id;
    }
  }
  res.status = 401;
  res.set_content(SingleField("error", reason), kJson);
  return std::nullopt;
}

int Server::TakeRateToken(const std::string& client_id, const std::string& version) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  double capacity = options_.rate_requests;
  double per_ms = capacity / static_cast<double>(options_.rate_per.count());
  auto [it, inserted] = buckets_.try_emplace(client_id + "|" + version, Bucket{capacity, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double, std::milli>(now - b.updated).count();
    b.tokens = std::min(capacity, b.tokens + elapsed * per_ms);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_ms / 1000.0)));
}

void Server::HandleToken(const httplib::Request& req, httplib::Response& res) {
  // SailPoint's SDKs send both form-urlencoded and multipart bodies.
  auto field = [&](const char* name) -> std::string {
    if (req.has_param(name)) return req.get_param_value(name);
    if (req.has_file(name)) return req.get_file_value(name).content;
    return {};
  };
  std::lock_guard lock(mutex_);
  if (field("grant_type") != "client_credentials") {
    res.status = 400;
    res.set_content(
        R"({"error":"unsupported_grant_type","error_description":"Unsupported grant type"})",
        kJson);
    return;
  }
  if (field("client_id") != options_.client_id ||
      field("client_secret") != options_.client_secret) {
    res.status = 401;
    res.set_content(R"({"error":"invalid_client","error_description":"Bad credentials"})", kJson);
    return;
  }
  std::string token = IssueToken();
  tokens_[token] = {options_.client_id, std::chrono::steady_clock::now() +
                                            std::chrono::seconds(options_.token_ttl_seconds)};
  std::string out;
  base::JsonWriter(out)
      .BeginObject()
      .Field("access_token", token)
      .Field("token_type", "bearer")
      .Field("expires_in", options_.token_ttl_seconds)
      .Field("scope", fmt::format("{}", fmt::join(options_.caller.scopes, " ")))
      .Field("tenant_id", "sim-tenant")
      .Field("pod", "sim")
      .Field("org", "sim")
      .Field("internal", false)
      .Field("jti", RandomToken(rng_).substr(0, 32))
      .EndObject();
  res.set_content(out, kJson);
}

// ISC's access tokens are JWTs whose claims name the scopes and, for a user's token, its user
// level (authorities); clients may read them. Signed with nothing here: only isc-sim checks
// them, by lookup.
std::string Server::IssueToken() {
  std::string claims;
  base::JsonWriter w(claims);
  w.BeginObject()
      .Field("tenant_id", "sim-tenant")
      .Field("pod", "sim")
      .Field("org", "sim")
      .Field("client_id", options_.client_id)
      .Field("exp", tenant_.Now() / 1000 + options_.token_ttl_seconds)
      .Key("scope")
      .BeginArray();
  for (const auto& scope : options_.caller.scopes) w.String(scope);
  w.EndArray();
  if (options_.caller.scheme == "userAuth") {
    w.Field("user_name", "sim-admin")
        .Key("authorities")
        .BeginArray()
        .String(options_.caller.user_level)
        .EndArray();
  }
  w.Field("jti", RandomToken(rng_).substr(0, 32)).EndObject();
  return base::Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         base::Base64UrlEncode(claims) + "." + RandomToken(rng_);
}

std::optional<Reply> Server::RoutePost(const httplib::Request& req,
                                       const std::vector<std::string_view>& p) {
  if (Matches(p, {"das", "v1", "owners", "assign"})) return tenant_.DasAssign(req.body);
  if (Matches(p, {"das", "v1", "owners", "reelect"})) return tenant_.DasReelect(req.body);
  if (Matches(p, {"das", "v1", "owners", "*", "reassign", "*"}))
    return tenant_.DasReassign(p[3], p[5]);
  if (Matches(p, {"das", "v1", "tasks", "rerun", "*"})) return tenant_.DasTaskRerun(p[4]);
  if (Matches(p, {"das", "v1", "tasks", "cancel", "*"})) return tenant_.DasTaskCancel(p[4]);
  if (Matches(p, {"v3", "certifications", "*", "reassign-async"})) {
    return tenant_.CertificationReassign(p[2], req.body);
  }
  if (Matches(p, {"v2024", "identities-accounts", "disable"})) {
    return tenant_.IdentitiesAccountsToggle(req.body, true);
  }
  if (Matches(p, {"v2024", "identities-accounts", "enable"})) {
    return tenant_.IdentitiesAccountsToggle(req.body, false);
  }
  if (Matches(p, {"v2024", "identities-accounts", "*", "disable"})) {
    return tenant_.IdentityAccountsToggle(p[2], true);
  }
  if (Matches(p, {"v2024", "identities-accounts", "*", "enable"})) {
    return tenant_.IdentityAccountsToggle(p[2], false);
  }
  bool toggle = Matches(p, {"v2024", "accounts", "*", "disable"}) ||
                Matches(p, {"v2024", "accounts", "*", "enable"}) ||
                Matches(p, {"v2024", "accounts", "*", "unlock"});
  if (toggle && !ObjectBody(req.body)) {
    return Reply{400, ErrorResponse("400.1 Bad Request Content",
                                    "the request body is required: a JSON object")};
  }
  if (Matches(p, {"v2024", "accounts", "*", "disable"})) return tenant_.AccountToggle(p[2], true);
  if (Matches(p, {"v2024", "accounts", "*", "enable"})) return tenant_.AccountToggle(p[2], false);
  if (Matches(p, {"v2024", "accounts", "*", "unlock"})) return tenant_.AccountUnlock(p[2]);
  if (Matches(p, {"v2024", "accounts", "*", "reload"})) return tenant_.AccountReload(p[2]);
  return std::nullopt;
}

namespace {

constexpr int64_t kSearchLimit = 10'000;

// GET /v2025/entitlements?account-id=: it narrows the list to one account's entitlements and
// "cannot be specified with the filters" (its definition). isc-sim keeps no account's
// entitlements apart.
std::optional<Reply> RefuseAccountId(const httplib::Request& req) {
  if (!req.has_param("account-id")) return std::nullopt;
  bool filtered = req.has_param("filters");
  return Reply{filtered ? 400 : 501,
               ErrorResponse("400.1 Bad Request Content",
                             filtered ? "account-id cannot be specified with filters"
                                      : "isc-sim does not serve account-id")};
}

}  // namespace

Reply Server::RouteSearch(const httplib::Request& req, int64_t* total, bool* is_list) {
  // The search's limit: at most 10,000, 250 by default (its searchlimit parameter).
  auto page =
      ParsePage(Param(req, "limit"), Param(req, "offset"), Param(req, "count"), kSearchLimit);
  if (!page) return {400, ErrorResponse("400.1 Bad Request Content", page.error())};
  if (!Param(req, "limit")) page->limit = 250;
  auto result = tenant_.Search({.body = req.body, .page = *page});
  *is_list = true;
  if (result.status != 200) {
    return {result.status, ErrorResponse("400.1 Bad Request Content", result.error)};
  }
  *total = result.total;
  return {200, std::move(result.body)};
}

Reply Server::Route(const httplib::Request& req, int64_t* total, bool* is_list) {
  auto p = SplitPath(req.path);
  const std::string& m = req.method;
  auto list = [&](Kind kind, std::string scope = {}, bool correlated_only = false) -> Reply {
    auto page = ParsePage(Param(req, "limit"), Param(req, "offset"), Param(req, "count"),
                          SpecFor(kind).max_limit);
    if (!page) return {400, ErrorResponse("400.1 Bad Request Content", page.error())};
    tenant_.NoteListRequest(kind);
    ListQuery q{.kind = kind,
                .scope = std::move(scope),
                .correlated_only = correlated_only,
                .filters = Param(req, "filters"),
                .sorters = Param(req, "sorters"),
                .page = *page};
    auto result = tenant_.List(q);
    *is_list = true;
    if (result.status != 200) {
      return {result.status,
              ErrorResponse(result.status == 404 ? "404 Not found" : "400.1 Bad Request Content",
                            result.error)};
    }
    *total = result.total;
    return {200, std::move(result.body)};
  };
  auto single = [&](Kind kind, std::string_view id) -> Reply {
    auto body = tenant_.Get(kind, id);
    if (!body) return {404, ErrorResponse("404 Not found", fmt::format("{} was not found", id))};
    return {200, std::move(*body)};
  };

  if (m == "GET") {
    if (Matches(p, {"v2024", "identities"})) {
      // defaultFilter defaults to CORRELATED_ONLY: identities without a correlated
      // authoritative account are left out unless NONE is sent.
      auto default_filter = Param(req, "defaultFilter").value_or("CORRELATED_ONLY");
      if (default_filter != "CORRELATED_ONLY" && default_filter != "NONE") {
        return {400, ErrorResponse("400.1 Bad Request Content",
                                   "defaultFilter must be CORRELATED_ONLY or NONE")};
      }
      return list(Kind::kIdentities, {}, default_filter == "CORRELATED_ONLY");
    }
    if (Matches(p, {"v2024", "identities", "*"})) return single(Kind::kIdentities, p[2]);
    if (Matches(p, {"v2024", "accounts"})) return list(Kind::kAccounts);
    if (Matches(p, {"v2024", "accounts", "*"})) return single(Kind::kAccounts, p[2]);
    if (Matches(p, {"beta", "task-status"})) return list(Kind::kTaskStatuses);
    if (Matches(p, {"beta", "task-status", "pending-tasks"})) return list(Kind::kPendingTasks);
    if (Matches(p, {"beta", "task-status", "*"})) return single(Kind::kTaskStatuses, p[2]);
    if (Matches(p, {"v2025", "task-status"})) return list(Kind::kAllTaskStatuses);
    if (Matches(p, {"v2025", "task-status", "*"})) return single(Kind::kAllTaskStatuses, p[2]);
    if (Matches(p, {"v3", "certifications"})) return list(Kind::kCertifications);
    if (Matches(p, {"v3", "certifications", "*", "reviewers"}))
      return list(Kind::kReviewers, std::string(p[2]));
    if (Matches(p, {"v3", "certifications", "*", "access-review-items"})) {
      return list(Kind::kReviewItems, std::string(p[2]));
    }
    if (Matches(p, {"v3", "certification-tasks"})) return list(Kind::kCertificationTasks);
    if (Matches(p, {"das", "v1", "applications"})) return list(Kind::kDasApplications);
    if (Matches(p, {"das", "v1", "tasks"})) return list(Kind::kDasTasks);
    if (Matches(p, {"das", "v1", "tasks", "schedules"})) return list(Kind::kDasSchedules);
    if (Matches(p, {"das", "identity-collectors", "v1"})) return list(Kind::kIdentityCollectors);
    if (Matches(p, {"das", "v1", "owners", "applications", "*"}))
      return list(Kind::kDasOwners, std::string(p[4]));
    if (Matches(p, {"das", "v1", "owners", "*", "resources"})) return tenant_.DasResourcesOf(p[3]);
    if (Matches(p, {"v3", "sources"})) return list(Kind::kSources);
    if (Matches(p, {"v2025", "entitlements"})) {
      if (auto refused = RefuseAccountId(req)) return *refused;
      return list(Kind::kEntitlements);
    }
    if (Matches(p, {"v3", "access-profiles"})) return list(Kind::kAccessProfiles);
    if (Matches(p, {"v3", "roles"})) return list(Kind::kRoles);
    if (Matches(p, {"v3", "identity-profiles"})) return list(Kind::kIdentityProfiles);
    if (Matches(p, {"v3", "identity-profiles", "*", "lifecycle-states"}))
      return list(Kind::kLifecycleStates, std::string(p[2]));
    if (Matches(p, {"v2025", "workgroups"})) return list(Kind::kGovernanceGroups);
    if (Matches(p, {"v2025", "workgroups", "*", "members"}))
      return list(Kind::kGovernanceGroupMembers, std::string(p[2]));
  } else if (m == "POST") {
    if (Matches(p, {"v3", "search"})) return RouteSearch(req, total, is_list);
    if (auto reply = RoutePost(req, p)) return *reply;
  } else if (m == "PATCH") {
    if (Matches(p, {"beta", "task-status", "*"})) return tenant_.TaskStatusPatch(p[2], req.body);
    if (Matches(p, {"v2025", "task-status", "*"})) return tenant_.TaskStatusPatch(p[2], req.body);
  }
  std::map<std::string, std::string> params(req.params.begin(), req.params.end());
  if (auto reply = triggers_.Route(m, p, req.body, params)) return *reply;
  return {404, ErrorResponse("404 Not found", fmt::format("no route for {} {}", m, req.path))};
}

namespace {

// POST /__sim/faults: which faults to inject from now on (docs in tests/isc_sim/README.md).
base::Expected<Faults> ParseFaults(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return base::Error{"faults body is not JSON"};
  Faults f;
  std::string_view prefix;
  if (!doc["prefix"].get(prefix)) f.prefix = std::string(prefix);
  double rate = 0;
  if (!doc["errorRate"].get(rate)) f.error_rate = rate;
  if (!doc["truncateRate"].get(rate)) f.truncate_rate = rate;
  if (!doc["malformedRate"].get(rate)) f.malformed_rate = rate;
  if (!doc["expireRate"].get(rate)) f.expire_rate = rate;
  if (!doc["garbleRate"].get(rate)) f.garble_rate = rate;
  bool writes_only = false;
  if (!doc["writesOnly"].get(writes_only)) f.writes_only = writes_only;
  int64_t latency = 0;
  if (!doc["latencyMs"].get(latency)) f.latency_ms = static_cast<int>(latency);
  int64_t retry_after = 0;
  if (!doc["retryAfterSeconds"].get(retry_after))
    f.retry_after_seconds = static_cast<int>(retry_after);
  simdjson::dom::array codes;
  if (!doc["errorCodes"].get(codes)) {
    f.error_codes.clear();
    for (auto c : codes) {
      int64_t code = 0;
      if (!c.get(code)) f.error_codes.push_back(static_cast<int>(code));
    }
  }
  return f;
}

}  // namespace

void Server::HandleControl(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  const std::string& m = req.method;
  auto reply = [&](int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), kJson);
  };
  if (path == "/__sim/health") return reply(200, R"({"status":"ok"})");
  if (path == "/__sim/actions") {
    std::lock_guard lock(mutex_);
    if (m == "DELETE") {
      actions_.clear();
      return reply(200, "{}");
    }
    std::string out;
    base::JsonWriter w(out);
    w.BeginArray();
    for (const auto& a : actions_) {
      w.BeginObject()
          .Field("seq", a.seq)
          .Field("time", FormatTimestamp(a.time_ms))
          .Field("method", a.method)
          .Field("path", a.path)
          .Field("body", a.body)
          .Field("status", a.status)
          .EndObject();
    }
    w.EndArray();
    return reply(200, out);
  }
  if (path == "/__sim/stats") {
    std::lock_guard lock(mutex_);
    std::string out;
    base::JsonWriter w(out);
    w.BeginObject().Field("requests", requests_).Key("responses").BeginObject();
    for (const auto& [status, count] : responses_by_status_) w.Field(std::to_string(status), count);
    w.EndObject().EndObject();
    return reply(200, out);
  }
  if (path == "/__sim/tokens/expire" && m == "POST") {
    std::lock_guard lock(mutex_);
    for (auto& [token, info] : tokens_) info.expires = std::chrono::steady_clock::now();
    return reply(200, "{}");
  }
  if (path == "/__sim/faults") {
    std::lock_guard lock(mutex_);
    if (m == "DELETE") {
      faults_ = Faults{};
      return reply(200, "{}");
    }
    auto f = ParseFaults(req.body);
    if (!f) return reply(400, ErrorResponse("400.1 Bad Request Content", f.error()));
    faults_ = *f;
    return reply(200, "{}");
  }
  if (path == "/__sim/deprecate" && m == "POST") {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view prefix;
    if (parser.parse(req.body).get(doc) || doc["prefix"].get(prefix) || prefix.empty()) {
      return reply(400, ErrorResponse("400.1 Bad Request Content", "deprecate needs a prefix"));
    }
    std::lock_guard lock(mutex_);
    deprecated_prefixes_.emplace_back(prefix);
    return reply(200, "{}");
  }
  if (path == "/__sim/shift" && m == "POST") {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view resource;
    int64_t after = 0, count = 0;
    if (parser.parse(req.body).get(doc) || doc["resource"].get(resource) ||
        doc["afterRequests"].get(after) || doc["count"].get(count)) {
      return reply(400, ErrorResponse("400.1 Bad Request Content",
                                      "shift needs resource, afterRequests and count"));
    }
    if (resource != "accounts" && resource != "identities") {
      return reply(400, ErrorResponse("400.1 Bad Request Content",
                                      "shift supports accounts and identities"));
    }
    tenant_.ScheduleShift(resource == "accounts" ? Kind::kAccounts : Kind::kIdentities,
                          static_cast<int>(after), static_cast<int>(count));
    return reply(200, "{}");
  }
  if (auto r = triggers_.Control(m, path, req.body)) return reply(r->status, std::move(r->body));
  Reply r = ChangeTenant(req);
  reply(r.status, std::move(r.body));
}

Reply Server::ChangeTenant(const httplib::Request& req) {
  if (req.path == "/__sim/aggregations" && req.method == "POST") {
    // An account aggregation of a source completed (its accounts are changed by other calls).
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view source, name, status = "Success";
    if (parser.parse(req.body).get(doc) || doc["sourceId"].get(source) ||
        doc["sourceName"].get(name)) {
      return {400, ErrorResponse("400.1 Bad Request Content",
                                 "aggregations needs sourceId and sourceName")};
    }
    if (doc["status"].get(status)) status = "Success";
    std::string when = FormatTimestamp(tenant_.Now());
    triggers_.Fire(
        "idn:account-aggregation-completed",
        fmt::format(R"({{"source":{{"type":"SOURCE","id":"{}","name":"{}"}},"status":"{}",)"
                    R"("started":"{}","completed":"{}","errors":null,"warnings":null,)"
                    R"("stats":{{"scanned":0,"unchanged":0,"changed":0,"added":0,"removed":0}}}})",
                    source, name, status, when, when));
    return {200, "{}"};
  }
  auto before = RenderBefore(tenant_, req.path);
  Reply r = tenant_.Control(req.method, req.path, req.body);
  for (auto& event : EventsOfControl(tenant_, req.method, req.path, before, r)) {
    triggers_.Fire(event.trigger_id, std::move(event.payload));
  }
  return r;
}

}  // namespace isc_mirror::sim
