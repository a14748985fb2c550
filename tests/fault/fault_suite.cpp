// The fault-injection suite: trials of real changes in isc-sim mirrored through injected faults
// (isc-mirror killed during syncs and actions, PostgreSQL restarted, API fault storms, pages
// shifting), each judged against the simulator: the mirror equals it, every real change has
// exactly one event, every action reached it exactly once. ctest runs it small; bench/ at size.
#include <fmt/format.h>
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/json_writer.hpp"
#include "sync/resource_schema.hpp"
#include "tests/harness/mirror_compare.hpp"
#include "tests/harness/postgres_cluster.hpp"
#include "tests/harness/sim_connection.hpp"
#include "tests/harness/sim_process.hpp"
#include "tests/harness/subprocess.hpp"

namespace isc_mirror::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage: fault_suite [options]
  --identities N              identities in the simulated tenant (300)
  --accounts-per-identity N   accounts per identity (3)
  --trials N                  trials, spread over the scenarios in turn (12)
  --seed N                    seed of the random choices (random; printed to reproduce a run)
  --scenarios a,b,...         kill-sync, kill-actions, pg-restart, api-storm, shifting-pages,
                              bad-answers, lease-storm, poison
)";

const std::vector<std::string> kScenarios = {"kill-sync",   "kill-actions",   "pg-restart",
                                             "api-storm",   "shifting-pages", "bad-answers",
                                             "lease-storm", "poison"};

// Every identity change is also told on a channel (notify: its payload must stay small
// whatever the identity's size). Actions retry fast and claims are abandoned after 2 s, so
// that trials settle quickly.
constexpr const char* kActions = R"(  - name: tell-identity-changes
    on: change
    match: { resource: identities, op: update }
    do:
      - notify: { channel: fault_suite_identities }
actions:
  max_per_hour: 100000
  max_attempts: 30
  retry_delay: 1s
  lease: 2s
)";

struct Options {
  int identities = 300;
  int accounts_per_identity = 3;
  int trials = 12;
  uint64_t seed = std::random_device{}();
  std::vector<std::string> scenarios = kScenarios;
};

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
    out.push_back(text.substr(start, comma - start));
  }
  out.push_back(text.substr(start));
  return out;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
    std::string value = argv[++i];
    if (arg == "--identities") {
      o.identities = std::stoi(value);
    } else if (arg == "--accounts-per-identity") {
      o.accounts_per_identity = std::stoi(value);
    } else if (arg == "--trials") {
      o.trials = std::stoi(value);
    } else if (arg == "--seed") {
      o.seed = std::stoull(value);
    } else if (arg == "--scenarios") {
      o.scenarios = Split(value);
      for (const auto& s : o.scenarios) {
        if (std::find(kScenarios.begin(), kScenarios.end(), s) == kScenarios.end()) {
          throw std::invalid_argument("unknown scenario '" + s + "'");
        }
      }
    } else {
      throw std::invalid_argument("unknown option " + arg);
    }
  }
  return o;
}

// resource -> object_id -> content hash: what the tenant serves, or what the mirror holds.
using Snapshot = std::map<std::string, ObjectHashes>;

// What one trial found; empty `failures` means it passed.
struct TrialReport {
  std::string scenario;
  std::string faults;  // what was injected, to reproduce
  int64_t changes = 0;
  int64_t events = 0;
  int64_t actions = 0;
  int64_t actions_verified = 0;  // repeats that found the work done and called nothing
  int64_t actions_interrupted = 0;
  std::vector<std::string> failures;
  double seconds = 0;
};

class Suite {
 public:
  explicit Suite(Options options) : options_(std::move(options)), random_(options_.seed) {}

  int Run() {
    cluster_ = PostgresCluster::Start();
    url_ = cluster_->CreateDatabase();
    sim_ = std::make_unique<SimProcess>(std::vector<std::string>{
        "--identities", std::to_string(options_.identities), "--accounts-per-identity",
        std::to_string(options_.accounts_per_identity)});
    control_ = std::make_unique<SimClient>(sim_->port());
    std::string rules = LeaverHandoffRule(FallbackIdentity()) + kActions;
    config_ = (dir_.path() / "config.yaml").string();
    WriteFile(config_, MirrorConfig(*sim_, url_,
                                    "{ attempts: 8, base_delay: 20ms, max_delay: 500ms }", rules));
    Check(Mirror({"migrate"}), "migrate");
    auto started = Clock::now();
    Check(Mirror({"sync"}), "the baseline");
    baseline_seconds_ = Seconds(started);
    std::printf("fault suite: seed %llu, %d identities x %d accounts, baseline %.1f s\n",
                static_cast<unsigned long long>(options_.seed), options_.identities,
                options_.accounts_per_identity, baseline_seconds_);
    started = Clock::now();
    Check(Mirror({"sync", "--full"}), "an unchanged full cycle");
    cycle_seconds_ = Seconds(started);
    tenant_ = TenantSnapshot();
    open_ = parents_;
    if (auto diff = MirrorDifference(tenant_); !diff.empty()) {
      std::printf("FAIL: the mirror differs from the simulator after the baseline: %s\n",
                  diff.c_str());
      return 1;
    }

    std::vector<TrialReport> reports;
    for (int trial = 0; trial < options_.trials; ++trial) {
      const auto& scenario = options_.scenarios[trial % options_.scenarios.size()];
      auto report = Trial(scenario);
      std::printf(
          "trial %2d %-15s %5.1f s  changes %4lld  events %4lld  actions %3lld (%lld "
          "cut off, %lld found done)  %s: %s\n",
          trial + 1, scenario.c_str(), report.seconds, static_cast<long long>(report.changes),
          static_cast<long long>(report.events), static_cast<long long>(report.actions),
          static_cast<long long>(report.actions_interrupted),
          static_cast<long long>(report.actions_verified),
          report.failures.empty() ? "ok" : "FAILED", report.faults.c_str());
      for (const auto& f : report.failures) std::printf("    %s\n", f.c_str());
      std::fflush(stdout);
      reports.push_back(std::move(report));
    }
    return Summarise(reports);
  }

 private:
  // ---- processes and queries ----------------------------------------------------------------

  std::vector<std::string> Argv(std::vector<std::string> args) const {
    args.insert(args.begin(), {ISC_MIRROR_BINARY, "-c", config_});
    return args;
  }

  ProcessResult Mirror(std::vector<std::string> args) const {
    return RunProcess({Argv(std::move(args)), MinimalEnvironment(), std::nullopt, false},
                      std::chrono::minutes(30));
  }

  static void Check(const ProcessResult& r, const std::string& what) {
    if (r.exit_code != 0) {
      throw std::runtime_error(fmt::format("{} failed (exit {}): {}", what, r.exit_code, r.err));
    }
  }

  static double Seconds(Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  }

  // Starts isc-mirror with `args` and kills it after `after`; returns when it is gone.
  void KillAfter(std::vector<std::string> args, std::chrono::milliseconds after) const {
    Subprocess child({Argv(std::move(args)), MinimalEnvironment(), std::nullopt, false});
    std::this_thread::sleep_for(after);
    child.Signal(SIGKILL);
    child.Wait(std::chrono::seconds(30));
  }

  // Whether a child has not exited yet (an exited, unreaped child is a zombie: state Z).
  static bool Running(pid_t pid) {
    std::string stat = ReadFile(fmt::format("/proc/{}/stat", pid));
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
  }

  std::vector<std::string> Column(const std::string& sql) const { return QueryColumn(url_, sql); }
  int64_t Count(const std::string& sql) const { return QueryCount(url_, sql); }

  std::string Control(const std::string& method, const std::string& path,
                      const std::string& body = "{}") const {
    auto r = control_->Control(method, path, body);
    if (!r || r->status != 200) {
      throw std::runtime_error(
          fmt::format("isc-sim {} {}: {}", method, path, r ? r->body : std::string("no answer")));
    }
    return r->body;
  }

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  std::chrono::milliseconds Within(double seconds) {
    return std::chrono::milliseconds(Uniform(20, std::max(40, static_cast<int>(seconds * 1000))));
  }

  // An identity that is never a leaver in the suite: the rule's fallback.
  std::string FallbackIdentity() {
    if (fallback_.empty()) {
      if (!control_->Authenticate()) throw std::runtime_error("isc-sim refused a token");
      auto first = control_->Get("/v2024/identities?limit=1&offset=0");
      if (!first || first->status != 200)
        throw std::runtime_error("isc-sim lists no identity: " +
                                 (first ? first->body : std::string("no answer")));
      simdjson::dom::parser parser;
      fallback_ = std::string(parser.parse(first->body).at(0)["id"].get_string().value());
    }
    return fallback_;
  }

  // ---- the judge ----------------------------------------------------------------------------

  Snapshot TenantSnapshot() const {
    Snapshot out;
    SimConnection tenant(*sim_);
    for (const auto& schema : sync::BuiltinSchemas()) {
      std::set<std::string> parents;
      out[schema.name] = TenantObjects(*tenant.client, schema, &parents);
      parents_[schema.name] = std::move(parents);
    }
    return out;
  }

  // Where the mirror differs from a snapshot of the tenant just taken.
  std::string MirrorDifference(Snapshot& tenant) const {
    std::string out;
    pqxx::connection c(url_);
    for (const auto& schema : sync::BuiltinSchemas()) {
      auto mirror = MirrorObjects(c, "sim", schema, &parents_[schema.name]);
      auto diff = Difference(tenant[schema.name], mirror);
      if (!diff.empty()) out += schema.name + ": " + diff;
    }
    return out;
  }

  // Children of parents that closed or went keep their last state by design: their keys are
  // judged only where the parent was read open on both sides.
  static void DropClosedParents(Snapshot& before, Snapshot& after,
                                const std::map<std::string, std::set<std::string>>& open_before,
                                const std::map<std::string, std::set<std::string>>& open_after) {
    for (const auto& schema : sync::BuiltinSchemas()) {
      if (!schema.parent) continue;
      for (auto* side : {&before, &after}) {
        auto& objects = (*side)[schema.name];
        for (auto it = objects.begin(); it != objects.end();) {
          auto parent = it->first.substr(0, it->first.find('/'));
          bool judged = open_before.at(schema.name).contains(parent) &&
                        open_after.at(schema.name).contains(parent);
          it = judged ? std::next(it) : objects.erase(it);
        }
      }
    }
  }

  struct LoggedCall {
    std::string call;  // method path body
    int64_t status = 0;
  };

  std::vector<LoggedCall> SimLog() const {
    std::string json = Control("GET", "/__sim/actions", "");
    simdjson::dom::parser parser;
    std::vector<LoggedCall> out;
    for (auto item : parser.parse(json).get_array()) {
      out.push_back({fmt::format("{} {} {}", std::string_view(item["method"].get_string()),
                                 std::string_view(item["path"].get_string()),
                                 std::string_view(item["body"].get_string())),
                     item["status"].get_int64().value()});
    }
    return out;
  }

  // ---- a trial ------------------------------------------------------------------------------

  // Changes to the tenant a trial makes before its faulty runs: leavers (whose rule acts on
  // the tenant), accounts changed and deleted, a task status, a volatile refresh. Objects are
  // chosen so that each changes once in the trial.
  std::string Mutate() {
    int leavers = Uniform(1, 3);
    auto chosen = Column(fmt::format(
        "SELECT i.id FROM isc.identities i JOIN isc.identities m ON m.tenant = i.tenant AND m.id "
        "= i.manager_id AND m.lifecycle_state = 'active' WHERE i.deleted_at IS NULL AND "
        "i.lifecycle_state = 'active' AND i.id <> '{0}' AND m.id <> '{0}' AND NOT EXISTS (SELECT "
        "1 FROM isc.identities r WHERE r.manager_id = i.id) ORDER BY md5(i.id || '{1}') LIMIT {2}",
        FallbackIdentity(), random_(), leavers * 4));
    std::set<std::string> managers, leaving;
    for (const auto& id : chosen) {
      if (static_cast<int>(leaving.size()) == leavers) break;
      auto manager = Column("SELECT manager_id FROM isc.identities WHERE id = '" + id + "'")[0];
      if (managers.contains(manager) || leaving.contains(manager)) continue;
      managers.insert(manager);
      leaving.insert(id);
    }
    for (const auto& id : leaving) {
      Control("POST", "/__sim/identities/" + id + "/lifecycle", R"({"state":"terminated"})");
    }
    std::string not_leaving = "'" + FallbackIdentity() + "'";
    for (const auto& id : leaving) not_leaving += ",'" + id + "'";
    auto accounts = Column(fmt::format(
        "SELECT id FROM isc.accounts WHERE deleted_at IS NULL AND identity_id NOT IN ({}) ORDER "
        "BY md5(id || '{}') LIMIT {}",
        not_leaving, random_(), Uniform(2, 8)));
    int deleted = 0;
    for (size_t i = 0; i < accounts.size(); ++i) {
      if (i % 3 == 2) {
        Control("DELETE", "/__sim/accounts/" + accounts[i], "");
        ++deleted;
      } else {
        Control("PATCH", "/__sim/accounts/" + accounts[i],
                i % 2 == 0 ? R"({"locked":true})" : R"({"uncorrelated":true})");
      }
    }
    Control("POST", "/__sim/task-statuses", R"({"completionStatus":"ERROR"})");
    Control("POST", "/__sim/refresh");
    return fmt::format("{} leavers, {} accounts changed, {} deleted", leaving.size(),
                       accounts.size() - deleted, deleted);
  }

  // Runs the scenario's faulty syncs; returns what it injected.
  std::string Inject(const std::string& scenario) {
    std::string out;
    if (scenario == "kill-sync") {
      Control("POST", "/__sim/faults", R"({"prefix":"/v2024/","latencyMs":5})");
      int kills = Uniform(1, 3);
      for (int k = 0; k < kills; ++k) {
        auto after = Within(cycle_seconds_ * 1.5);
        KillAfter({"sync", "--full"}, after);
        out += fmt::format("{}killed at {} ms", k ? ", " : "", after.count());
      }
    } else if (scenario == "kill-actions") {
      // The identities scan fires the rule, then its actions run; calls answer slowly so that
      // kills land inside them.
      Control("POST", "/__sim/faults", R"({"prefix":"/","latencyMs":60})");
      for (int k = 0; k < 4; ++k) {
        // Killed a random moment after a worker claims an action: before, during or after
        // its call, or while it records the answer.
        Subprocess child({Argv({"sync", "identities"}), MinimalEnvironment(), std::nullopt, false});
        auto started = Clock::now();
        while (Seconds(started) < 60 && Running(child.pid()) &&
               Count("SELECT count(*) FROM mirror.actions WHERE status = 'running' AND "
                     "updated_at > now() - interval '1 second'") == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        auto after = std::chrono::milliseconds(Uniform(0, 150));
        std::this_thread::sleep_for(after);
        child.Signal(SIGKILL);
        child.Wait(std::chrono::seconds(30));
        out += fmt::format("{}killed {} ms into an action", k ? ", " : "", after.count());
      }
    } else if (scenario == "pg-restart") {
      Control("POST", "/__sim/faults", R"({"prefix":"/v2024/","latencyMs":5})");
      Subprocess child({Argv({"sync", "--full"}), MinimalEnvironment(), std::nullopt, false});
      auto after = Within(cycle_seconds_ * 1.2);
      std::this_thread::sleep_for(after);
      cluster_->Restart();
      auto r = child.Wait(std::chrono::minutes(30));
      out = fmt::format("PostgreSQL restarted at {} ms, the sync exited {}", after.count(),
                        r.exit_code);
    } else if (scenario == "api-storm") {
      // Changing weather while a full sync runs: 429 storms, 5xx, cut and broken bodies,
      // latency spikes, tokens expiring early.
      const std::vector<std::string> weather = {
          R"({"prefix":"/","errorRate":0.6,"errorCodes":[429]})",
          R"({"prefix":"/","errorRate":0.3,"errorCodes":[500,502,503,504]})",
          R"({"prefix":"/","truncateRate":0.2,"malformedRate":0.2})",
          R"({"prefix":"/","latencyMs":700})",
          R"({"prefix":"/","expireRate":0.3})",
          R"({"prefix":"/","errorRate":0.15,"errorCodes":[429,503],"truncateRate":0.05,)"
          R"("malformedRate":0.05,"expireRate":0.05,"latencyMs":20})"};
      std::atomic<bool> done{false};
      int changes = 0;
      std::thread storm([&, seed = random_()] {
        std::mt19937_64 random(seed);
        while (!done.load()) {
          // The next weather; a refused change keeps the current one.
          auto r = control_->Control("POST", "/__sim/faults", weather[random() % weather.size()]);
          changes += r && r->status == 200;
          std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 400));
        }
      });
      auto r = Mirror({"sync", "--full"});
      done = true;
      storm.join();
      out = fmt::format("{} changes of weather, the sync exited {}", changes, r.exit_code);
    } else if (scenario == "shifting-pages") {
      // New accounts that sort first push later pages down while others vanish mid-scan.
      Control("POST", "/__sim/faults", R"({"prefix":"/v2024/accounts","latencyMs":30})");
      int inserted = Uniform(1, 9);
      Control("POST", "/__sim/shift",
              fmt::format(R"({{"resource":"accounts","afterRequests":{},"count":{}}})",
                          Uniform(1, 6), inserted));
      ProcessResult r;
      std::thread sync([&] { r = Mirror({"sync", "--full", "accounts"}); });
      std::this_thread::sleep_for(std::chrono::milliseconds(Uniform(50, 400)));
      int vanished = Uniform(1, 5);
      Control("POST", "/__sim/accounts/delete-many", fmt::format(R"({{"count":{}}})", vanished));
      sync.join();
      out = fmt::format("{} accounts inserted ahead, {} vanished mid-scan, the sync exited {}",
                        inserted, vanished, r.exit_code);
    } else if (scenario == "bad-answers") {
      out = InjectBadAnswers();
    } else if (scenario == "lease-storm") {
      out = InjectLeaseStorm();
    } else if (scenario == "poison") {
      out = InjectPoison();
    }
    Control("DELETE", "/__sim/faults", "");
    return out;
  }

  // Calls carried out whose answers are not UTF-8 (and cannot be read), and identity events
  // too large for pg_notify: each action is recorded, once, and every notification is sent.
  std::string InjectBadAnswers() {
    auto big = Column(fmt::format(
        "SELECT id FROM isc.identities WHERE deleted_at IS NULL AND id <> '{}' ORDER BY md5(id "
        "|| '{}') LIMIT 3",
        FallbackIdentity(), random_()));
    for (const auto& id : big) {
      Control("POST", "/__sim/identities/" + id + "/attributes",
              fmt::format(R"({{"notes":"{}"}})", std::string(Uniform(9000, 20000), 'n')));
    }
    Control("POST", "/__sim/faults", R"({"prefix":"/","garbleRate":0.5})");
    auto r = Mirror({"sync", "identities"});
    return fmt::format("{} identities over 8 KB, half the answers garbled, the sync exited {}",
                       big.size(), r.exit_code);
  }

  // A 429 storm on the calls that change the tenant, whose Retry-After (3 s) outlives the
  // actions' lease (2 s), with two workers draining the outbox at once: no action may reach
  // the tenant twice.
  std::string InjectLeaseStorm() {
    Control("POST", "/__sim/faults",
            R"({"prefix":"/","errorRate":0.5,"errorCodes":[429],"retryAfterSeconds":3,)"
            R"("writesOnly":true})");
    int64_t last_action = Count("SELECT coalesce(max(id), 0) FROM mirror.actions");
    Subprocess first({Argv({"sync", "identities"}), MinimalEnvironment(), std::nullopt, false});
    // The storm goes on while the actions the leavers fire are being worked on.
    auto started = Clock::now();
    while (Seconds(started) < 120 && Running(first.pid()) &&
           Count(fmt::format("SELECT count(*) FROM mirror.actions WHERE id > {} AND attempts > 0",
                             last_action)) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(Uniform(0, 1500)));
    Subprocess second({Argv({"sync", "task_statuses"}), MinimalEnvironment(), std::nullopt, false});
    std::this_thread::sleep_for(std::chrono::seconds(Uniform(4, 8)));
    Control("DELETE", "/__sim/faults", "");
    auto a = first.Wait(std::chrono::minutes(10));
    auto b = second.Wait(std::chrono::minutes(10));
    return fmt::format("two workers through a 429 storm (Retry-After 3 s), exited {} and {}",
                       a.exit_code, b.exit_code);
  }

  // Objects a parser, jsonb or timestamptz cannot take: a sync through them still records
  // every other change; once they are clean they are mirrored.
  std::string InjectPoison() {
    auto ids = Column(fmt::format(
        "SELECT id FROM isc.identities WHERE deleted_at IS NULL AND id <> '{}' ORDER BY md5(id "
        "|| '{}') LIMIT 4",
        FallbackIdentity(), random_()));
    const std::vector<std::pair<std::string, std::string>> poisons = {
        {"poison", R"("a lone \ud800 surrogate")"},
        {"poison", "1e999999"},
        {"poison", std::string(600, '[') + std::string(600, ']')},
        {"created", R"("2024-02-30T00:00:00Z")"}};
    auto raw = [&](const std::string& id, const std::string& name, const std::string& json) {
      std::string body;
      base::JsonWriter(body).BeginObject().Field("name", name).Field("raw", json).EndObject();
      Control("POST", "/__sim/identities/" + id + "/raw", body);
    };
    for (size_t i = 0; i < ids.size(); ++i) raw(ids[i], poisons[i].first, poisons[i].second);
    auto r = Mirror({"sync"});
    size_t skipped = Occurrences(r.err, "object skipped");
    // Clean again (a change of its own), so that the judge can hold the mirror to the tenant.
    for (size_t i = 0; i + 1 < ids.size(); ++i) raw(ids[i], "poison", R"("clean")");
    return fmt::format("{} identities poisoned, the sync exited {} refusing {} objects", ids.size(),
                       r.exit_code, skipped);
  }

  // Clean syncs until the tenant and the mirror are still: every action run, its effects read.
  void Recover(TrialReport& report) {
    // Settled: a round that recorded no event and ran no action (whose effect the next
    // round would read), with nothing left to run.
    auto activity = [&] {
      return Column(
          "SELECT (SELECT count(*) FROM mirror.change_events) || '/' || (SELECT "
          "count(*) || '/' || coalesce(sum(attempts), 0) FROM mirror.actions)")[0];
    };
    for (int round = 0; round < 12; ++round) {
      auto was = activity();
      auto r = Mirror({"sync", "--full"});
      if (r.exit_code != 0) {
        report.failures.push_back(
            fmt::format("a clean sync failed (exit {}): {}", r.exit_code, r.err.substr(0, 400)));
        return;
      }
      bool still = activity() == was;
      int64_t waiting = Count(
          "SELECT count(*) FROM mirror.actions WHERE status IN ('pending', 'running', 'held')");
      if (still && waiting == 0) return;
      if (waiting > 0) {
        // Abandoned claims wait out their lease, retries their backoff.
        std::this_thread::sleep_for(std::chrono::milliseconds(2100));
      }
    }
    report.failures.push_back("the mirror did not settle after 12 clean syncs");
  }

  TrialReport Trial(const std::string& scenario) {
    auto started = Clock::now();
    TrialReport report;
    report.scenario = scenario;
    // The tenant is still between trials: the last trial's final snapshot is this one's start.
    auto before = tenant_;
    auto open_before = open_;
    int64_t last_event = Count("SELECT coalesce(max(event_id), 0) FROM mirror.change_events");
    int64_t last_action = Count("SELECT coalesce(max(id), 0) FROM mirror.actions");
    Control("DELETE", "/__sim/actions", "");

    std::string changed = Mutate();
    report.faults = changed + "; " + Inject(scenario);
    Recover(report);
    if (!report.failures.empty()) {
      tenant_ = TenantSnapshot();  // the next trial starts from here
      open_ = parents_;
      return report;
    }

    auto after = TenantSnapshot();
    auto open_after = parents_;
    tenant_ = after;
    open_ = open_after;
    // 1. The mirror equals the simulator, object by object.
    if (auto diff = MirrorDifference(after); !diff.empty()) {
      report.failures.push_back("the mirror differs from the simulator: " + diff);
      for (const auto& run : Column(fmt::format(
               "SELECT id || ' ' || resource || ' ' || mode || ' ' || status || ' u' || updated "
               "|| ' ' || coalesce(error, '') FROM mirror.sync_runs WHERE resource = 'accounts' "
               "ORDER BY id DESC LIMIT 6"))) {
        report.failures.push_back("  run " + run);
      }
    }

    // 2. Per object, the trial's events lead from its state before the trial to its state
    //    after it, each starting where the last ended and changing something: no change is
    //    lost and none is recorded twice. (An object can change twice in a trial, a leaver's
    //    account say, and a scan between the two sees both.)
    DropClosedParents(before, after, open_before, open_after);
    std::map<std::pair<std::string, std::string>, std::optional<std::string>> state;
    for (const auto& [resource, objects] : before) {
      for (const auto& [id, hash] : objects) state[{resource, id}] = hash;
    }
    std::vector<std::string> broken;
    std::set<std::pair<std::string, std::string>> touched;
    {
      pqxx::connection c(url_);
      pqxx::read_transaction tx(c);
      for (const auto& row : tx.exec_params(
               "SELECT resource, object_id, op, before::text, after::text FROM "
               "mirror.change_events WHERE event_id > $1 AND NOT baseline ORDER BY event_id",
               last_event)) {
        std::string resource = row[0].c_str(), id = row[1].c_str(), op = row[2].c_str();
        const auto* schema = sync::FindSchema(resource);
        if (schema == nullptr) {
          broken.push_back("an event of an unknown resource " + resource);
          continue;
        }
        if (schema->parent) {
          auto parent = id.substr(0, id.find('/'));
          if (!open_before.at(resource).contains(parent) ||
              !open_after.at(resource).contains(parent)) {
            continue;  // not judged: its parent closed or went during the trial
          }
        }
        ++report.events;
        auto hash = [&](int column) -> std::optional<std::string> {
          if (row[column].is_null()) return std::nullopt;
          return ObjectHash(*schema, row[column].c_str());
        };
        auto from = hash(3);
        auto to = op == "delete" || op == "expire" ? std::nullopt : hash(4);
        auto& now = state[{resource, id}];
        touched.insert({resource, id});
        if (from != now || to == now || (op == "insert") != !from.has_value()) {
          broken.push_back(
              fmt::format("{} {} {}: {}", resource, op, id,
                          from != now ? "does not start where the object was" : "changes nothing"));
        }
        now = to;
      }
    }
    for (const auto& [resource, objects] : after) {
      for (const auto& [id, hash] : objects) {
        auto it = state.find({resource, id});
        if (it == state.end() || it->second != hash) {
          broken.push_back(fmt::format("{} {}: its change has no event", resource, id));
        }
        if (before.at(resource).contains(id) ? before.at(resource).at(id) != hash : true) {
          ++report.changes;
        }
      }
    }
    for (const auto& [key, hash] : state) {
      if (hash && !after.at(key.first).contains(key.second)) {
        broken.push_back(fmt::format("{} {}: it went without an event", key.first, key.second));
        ++report.changes;
      } else if (!hash && before.at(key.first).contains(key.second)) {
        ++report.changes;  // deleted, with its event
      }
    }
    if (!broken.empty()) {
      std::string first;
      for (size_t i = 0; i < broken.size() && i < 5; ++i) first += (i ? "; " : "") + broken[i];
      report.failures.push_back(fmt::format("{} events out of line: {}", broken.size(), first));
    }

    // 3. Every action succeeded and reached the simulator exactly once.
    auto log = SimLog();
    std::map<std::string, int> executed;  // calls the simulator carried out (2xx)
    for (const auto& c : log) {
      if (c.status >= 200 && c.status < 300) ++executed[c.call];
    }
    std::set<std::string> accounted;
    for (const auto& row : Column(fmt::format(
             "SELECT status || chr(9) || attempts || chr(9) || coalesce(request, '') || chr(9) || "
             "coalesce(error, '') || chr(9) || coalesce((SELECT string_agg(c->>'method' || ' ' || "
             "(c->>'path') || ' ' || (c->>'body'), chr(9) ORDER BY n) FROM "
             "jsonb_array_elements(params->'calls') WITH ORDINALITY AS e(c, n)), '') FROM "
             "mirror.actions WHERE id > {} ORDER BY id",
             last_action))) {
      std::vector<std::string> f;
      size_t start = 0;
      for (size_t tab; (tab = row.find('\t', start)) != std::string::npos; start = tab + 1) {
        f.push_back(row.substr(start, tab - start));
      }
      f.push_back(row.substr(start));
      const auto& status = f[0];
      if (f.size() == 5 && f[4].empty()) {  // a notification: sent with its commit, no call
        ++report.actions;
        if (status != "succeeded") {
          report.failures.push_back(fmt::format("a notification ended {}: {}", status, f[3]));
        }
        continue;
      }
      // Its calls: the first, then the one-by-one calls made if the first is unavailable.
      std::vector<std::string> calls(f.begin() + 4, f.end());
      const auto& call = calls.at(0);
      ++report.actions;
      report.actions_interrupted += std::stoi(f[1]) > 1;
      bool verified = f[2].starts_with("GET ");
      report.actions_verified += verified;
      accounted.insert(calls.begin(), calls.end());
      if (status != "succeeded") {
        report.failures.push_back(
            fmt::format("action {} ended {}: {}", call.substr(0, 120), status, f[3]));
        continue;
      }
      int total = 0;
      for (const auto& c : calls) {
        int n = executed.contains(c) ? executed[c] : 0;
        total += n;
        if (n > 1) {
          report.failures.push_back(
              fmt::format("action call {} reached the simulator {} times", c.substr(0, 120), n));
        }
      }
      if (total == 0 && !verified) {
        report.failures.push_back(
            fmt::format("action {} succeeded without reaching the simulator", call.substr(0, 120)));
      }
    }
    for (const auto& [call, n] : executed) {
      if (!accounted.contains(call)) {
        report.failures.push_back("a call no action made: " + call.substr(0, 120));
      }
    }
    int64_t leavers =
        Count(fmt::format("SELECT count(DISTINCT object_id) FROM mirror.change_events WHERE "
                          "event_id > {} AND resource = "
                          "'identities' AND changed_paths @> '{{/lifecycleState/stateName}}' AND "
                          "after->'lifecycleState'->>'stateName' = 'terminated'",
                          last_event));
    if (Count(fmt::format("SELECT count(DISTINCT event_id) FROM mirror.actions WHERE id > {} AND "
                          "action = 'accounts_disable'",
                          last_action)) != leavers) {
      report.failures.push_back(
          fmt::format("{} leavers but not one accounts_disable each", leavers));
    }
    report.seconds = Seconds(started);
    return report;
  }

  int Summarise(const std::vector<TrialReport>& reports) const {
    struct Row {
      int trials = 0, failed = 0;
      int64_t changes = 0, events = 0, actions = 0, interrupted = 0, verified = 0;
    };
    std::map<std::string, Row> rows;
    Row total;
    for (const auto& r : reports) {
      for (auto* row : {&rows[r.scenario], &total}) {
        ++row->trials;
        row->failed += !r.failures.empty();
        row->changes += r.changes;
        row->events += r.events;
        row->actions += r.actions;
        row->interrupted += r.actions_interrupted;
        row->verified += r.actions_verified;
      }
    }
    std::printf(
        "\n| scenario | trials | failed | objects changed | events | actions | actions cut "
        "off | repeats found done |\n|---|---|---|---|---|---|---|---|\n");
    auto print = [](const std::string& name, const Row& r) {
      std::printf("| %s | %d | %d | %lld | %lld | %lld | %lld | %lld |\n", name.c_str(), r.trials,
                  r.failed, static_cast<long long>(r.changes), static_cast<long long>(r.events),
                  static_cast<long long>(r.actions), static_cast<long long>(r.interrupted),
                  static_cast<long long>(r.verified));
    };
    for (const auto& [name, r] : rows) print(name, r);
    print("all", total);
    std::printf("\nseed %llu: %d trials, %d failed\n",
                static_cast<unsigned long long>(options_.seed), total.trials, total.failed);
    return total.failed == 0 ? 0 : 1;
  }

  Options options_;
  std::mt19937_64 random_;
  std::unique_ptr<PostgresCluster> cluster_;
  std::string url_;
  TempDir dir_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<SimClient> control_;
  std::string config_;
  std::string fallback_;
  double baseline_seconds_ = 0;
  double cycle_seconds_ = 0;
  // The tenant as the last trial left it, and its open parents.
  Snapshot tenant_;
  std::map<std::string, std::set<std::string>> open_;
  // Open parents read by the last tenant snapshot, per child resource.
  mutable std::map<std::string, std::set<std::string>> parents_;
};

}  // namespace
}  // namespace isc_mirror::testing

int main(int argc, char** argv) {
  try {
    auto options = isc_mirror::testing::ParseArgs(argc, argv);
    return isc_mirror::testing::Suite(std::move(options)).Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fault_suite: %s\n", e.what());
    return 2;
  }
}
