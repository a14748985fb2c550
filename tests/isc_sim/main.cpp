// isc-sim: a simulated ISC tenant for tests, the demo and benchmarks. Prints
// "isc-sim listening on http://HOST:PORT" once it accepts connections.
#include <fmt/format.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "base/duration.hpp"
#include "tests/isc_sim/server.hpp"
#include "tests/isc_sim/tenant.hpp"

namespace {

namespace sim = isc_mirror::sim;
namespace base = isc_mirror::base;

constexpr const char* kUsage = R"(usage: isc-sim [options]

data (deterministic from --seed):
  --seed N                       (1)
  --identities N                 (1000)
  --accounts-per-identity N      (3)
  --sources N                    (5)
  --certifications N             (40)
  --items-per-certification N    (12)
  --das-applications N           (8)
  --resources-per-application N  (25)
  --task-statuses N              (300 completed, spread over 100 days)
  --pending-tasks N              (5)
  --das-tasks N                  (300: more than a page)
  --das-schedules N              (10)
  --identity-collectors N        (3)
  --certification-tasks N        (10)
  --large-application-resources N (300: the first DAS application's; its owner list is unpaged)
  --governance-group-certifications N (1: open, reviewed by a governance group)
  --uncorrelated-per-mille N     (30: identities listed only with defaultFilter=NONE)
  --entitlements N               (200, on the sources after the first; one in 17 privileged)
  --access-profiles N            (40: three entitlements each)
  --roles N                      (60: more than GET /v3/roles's page of 50)
  --governance-groups N          (5; certifications reviewed by a group name one of them)
  --large-group-members N        (60: the first group's, more than its member list's page of 50)
server:
  --host HOST                    (127.0.0.1)
  --port N                       (0: any free port)
  --client-id ID --client-secret SECRET   (sim-client / sim-secret)
  --token-ttl SECONDS            (749)
  --rate-limit N/DURATION        (off; e.g. 100/10s, per client id across API versions)
  --rate-limit-per-version       (one budget per client id and API version instead)
  --token-kind user|application  (user: a personal access token, userAuth; application: an
                                 API client, applicationAuth)
  --scopes S1,S2,...             (sp:scopes:all) scopes the client's tokens carry
  --user-level LEVEL             (ORG_ADMIN) the user level of a user's token
  --definitions FILE             the OpenAPI file each operation's security and deprecation
                                 come from (the repository's third_party/isc-api)
faults (also settable at runtime through POST /__sim/faults):
  --fault-prefix PATH  --error-rate P  --latency-ms N  --truncate-rate P
  --malformed-rate P  --expire-rate P
)";

[[noreturn]] void Usage(const std::string& error) {
  fmt::print(stderr, "isc-sim: {}\n\n{}", error, kUsage);
  std::exit(2);
}

template <typename T>
T Number(const std::string& flag, const std::string& text) {
  T value{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size()) {
    Usage(fmt::format("{} needs a number, got '{}'", flag, text));
  }
  return value;
}

double Probability(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || value < 0 || value > 1) {
    Usage(fmt::format("{} needs a probability from 0 to 1, got '{}'", flag, text));
  }
  return value;
}

void SetOption(const std::string& arg, const std::string& value, sim::TenantOptions& data,
               sim::ServerOptions& server) {
  std::map<std::string, uint32_t*> counts = {
      {"--identities", &data.identities},
      {"--accounts-per-identity", &data.accounts_per_identity},
      {"--sources", &data.sources},
      {"--certifications", &data.certifications},
      {"--items-per-certification", &data.items_per_certification},
      {"--das-applications", &data.das_applications},
      {"--resources-per-application", &data.resources_per_application},
      {"--task-statuses", &data.task_statuses},
      {"--pending-tasks", &data.pending_tasks},
      {"--das-tasks", &data.das_tasks},
      {"--das-schedules", &data.das_schedules},
      {"--identity-collectors", &data.identity_collectors},
      {"--certification-tasks", &data.certification_tasks},
      {"--large-application-resources", &data.large_application_resources},
      {"--governance-group-certifications", &data.governance_group_certifications},
      {"--uncorrelated-per-mille", &data.uncorrelated_per_mille},
      {"--entitlements", &data.entitlements},
      {"--access-profiles", &data.access_profiles},
      {"--roles", &data.roles},
      {"--governance-groups", &data.governance_groups},
      {"--large-group-members", &data.large_group_members}};
  if (auto it = counts.find(arg); it != counts.end()) {
    *it->second = Number<uint32_t>(arg, value);
  } else if (arg == "--seed") {
    data.seed = server.seed = Number<uint64_t>(arg, value);
  } else if (arg == "--host") {
    server.host = value;
  } else if (arg == "--port") {
    server.port = Number<int>(arg, value);
  } else if (arg == "--client-id") {
    server.client_id = value;
  } else if (arg == "--client-secret") {
    server.client_secret = value;
  } else if (arg == "--token-ttl") {
    server.token_ttl_seconds = Number<int>(arg, value);
  } else if (arg == "--rate-limit") {
    auto slash = value.find('/');
    auto per =
        slash == std::string::npos ? std::nullopt : base::ParseDuration(value.substr(slash + 1));
    if (!per || per->count() <= 0) Usage("--rate-limit needs N/DURATION, e.g. 100/10s");
    server.rate_requests = Number<int>(arg, value.substr(0, slash));
    server.rate_per = *per;
  } else if (arg == "--token-kind") {
    if (value != "user" && value != "application") Usage("--token-kind is user or application");
    server.caller.scheme = value == "user" ? "userAuth" : "applicationAuth";
  } else if (arg == "--scopes") {
    server.caller.scopes.clear();
    for (size_t at = 0; at <= value.size();) {
      size_t comma = std::min(value.find(',', at), value.size());
      if (comma > at) server.caller.scopes.insert(value.substr(at, comma - at));
      at = comma + 1;
    }
  } else if (arg == "--user-level") {
    server.caller.user_level = value;
  } else if (arg == "--definitions") {
    server.definitions_file = value;
  } else if (arg == "--fault-prefix") {
    server.faults.prefix = value;
  } else if (arg == "--error-rate") {
    server.faults.error_rate = Probability(arg, value);
  } else if (arg == "--latency-ms") {
    server.faults.latency_ms = Number<int>(arg, value);
  } else if (arg == "--truncate-rate") {
    server.faults.truncate_rate = Probability(arg, value);
  } else if (arg == "--malformed-rate") {
    server.faults.malformed_rate = Probability(arg, value);
  } else if (arg == "--expire-rate") {
    server.faults.expire_rate = Probability(arg, value);
  } else {
    Usage(fmt::format("unknown option '{}'", arg));
  }
}

// Fills the options from the command line; exits with the usage on a bad one.
void ParseOptions(int argc, char** argv, sim::TenantOptions& data, sim::ServerOptions& server) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", kUsage);
      std::exit(0);
    }
    if (arg == "--rate-limit-per-version") {
      server.rate_per_version = true;
      continue;
    }
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else {
      if (i + 1 >= argc) Usage(arg + " needs a value");
      value = argv[++i];
    }
    SetOption(arg, value, data, server);
  }
  if (data.identities == 0) Usage("--identities must be at least 1");
}
}  // namespace

int main(int argc, char** argv) {
  using namespace isc_mirror;  // NOLINT: a small entry point
  sim::TenantOptions data;
  sim::ServerOptions server;
  ParseOptions(argc, argv, data, server);

  auto started = std::chrono::steady_clock::now();
  sim::Tenant tenant(data);
  std::optional<sim::Server> constructed;
  try {
    constructed.emplace(server, tenant);
  } catch (const std::exception& e) {
    fmt::print(stderr, "isc-sim: {} (hint: --definitions FILE)\n", e.what());
    return 1;
  }
  sim::Server& http = *constructed;
  int port = http.Bind();
  if (port <= 0) {
    fmt::print(stderr, "isc-sim: cannot listen on {}:{}\n", server.host, server.port);
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  fmt::print("isc-sim listening on http://{}:{} ({} identities, {} accounts, ready in {} ms)\n",
             server.host, port, data.identities,
             uint64_t{data.identities} * data.accounts_per_identity, ms);
  std::fflush(stdout);

  // SIGTERM/SIGINT stop the server from a thread that waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    http.Stop();
  });
  http.Listen();
  waiter.detach();
  return 0;
}
