// isc-sim's Event Triggers: the triggers it offers, the subscriptions a client makes
// (/v2025/trigger-subscriptions), and the deliveries it posts to them when the tenant changes,
// with faults on demand (duplicated, reordered, delayed, lost, with bad auth).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/isc_sim/tenant.hpp"

namespace isc_mirror::sim {

struct Subscription {
  std::string id;
  std::string name;
  std::string description;
  std::string trigger_id;
  std::string url;
  std::string dispatch_mode = "SYNC";
  std::string auth_type = "NO_AUTH";
  std::string user;
  std::string password;
  std::string token;
  bool enabled = true;
  std::string filter;
};

// POST /__sim/trigger-faults: per delivery, the chance of each fault.
struct TriggerFaults {
  double duplicate_rate = 0;  // sent twice
  double loss_rate = 0;       // never sent
  double bad_auth_rate = 0;   // sent with credentials that are not the subscription's
  int delay_ms = 0;           // sent this late
  bool reorder = false;       // each delivery held back until the next one is sent
};

class Triggers {
 public:
  explicit Triggers(uint64_t seed);
  ~Triggers();
  Triggers(const Triggers&) = delete;
  Triggers& operator=(const Triggers&) = delete;

  // The ISC routes under /v2025/triggers, /v2025/trigger-subscriptions and
  // /v2025/trigger-invocations; nullopt when the path is none of them.
  std::optional<Reply> Route(const std::string& method, const std::vector<std::string_view>& path,
                             const std::string& body,
                             const std::map<std::string, std::string>& params);

  // The tenant changed: `payload` goes to every enabled subscription of the trigger.
  void Fire(std::string_view trigger_id, std::string payload);

  // /__sim/trigger-faults (POST, DELETE) and /__sim/trigger-deliveries (GET, DELETE).
  std::optional<Reply> Control(std::string_view method, std::string_view path,
                               std::string_view body);

 private:
  struct Delivery {
    Subscription to;
    std::string trigger_id;
    std::string payload;
    std::chrono::steady_clock::time_point due;
    std::string fault;  // how it is sent: "", "duplicate", "delayed", "reordered", "bad_auth"
  };
  struct Sent {
    int64_t seq = 0;
    std::string trigger_id;
    std::string subscription_id;
    std::string fault;  // as Delivery's, or "lost", or "filtered" (the filter did not match)
    int status = 0;     // 0: not sent, or no answer
    int64_t sent_ms = 0;
  };

  Reply CreateSubscription(const std::string& body);
  Reply ReplaceSubscription(std::string_view id, const std::string& body);
  Reply PatchSubscription(std::string_view id, const std::string& body);
  Reply ListSubscriptions(const std::map<std::string, std::string>& params);
  Reply ListTriggers(const std::map<std::string, std::string>& params);
  Reply TestInvocation(const std::string& body);
  Reply ValidateFilter(const std::string& body);
  void Enqueue(Delivery delivery);
  void Loop();
  void Send(const Delivery& d);
  void Note(Sent s);  // with mutex_ held: numbers and times the record

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::map<std::string, Subscription> subscriptions_;
  TriggerFaults faults_;
  std::mt19937_64 rng_;
  std::deque<Delivery> queue_;
  std::optional<Delivery> held_;  // a reordered delivery, waiting for the next
  std::vector<Sent> sent_;
  int64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

// The Event Trigger payloads a control call leads to: the identity or account before the call
// (rendered, when the path names one) and after it.
struct TriggerEvent {
  std::string trigger_id;
  std::string payload;
};
std::vector<TriggerEvent> EventsOfControl(const Tenant& tenant, std::string_view method,
                                          std::string_view path,
                                          const std::optional<std::string>& before,
                                          const Reply& reply);

// The object a control call on `path` changes, as the tenant serves it before the call.
std::optional<std::string> RenderBefore(const Tenant& tenant, std::string_view path);

}  // namespace isc_mirror::sim
