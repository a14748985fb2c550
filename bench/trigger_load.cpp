// Posts Event Trigger deliveries to a receiver at a fixed rate, as ISC would (each a distinct
// identity-attributes-changed payload for an identity of the given list), and reports how
// they were answered.
//   trigger-load URL TOKEN PER_SECOND SECONDS IDS_FILE
#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
  std::atomic<int64_t> recorded{0}, duplicate{0}, failed{0};
  std::mutex mutex;
  std::vector<double> ms;  // each answer's time
};

// Worker `w` of `workers` sends deliveries w, w + workers, ... on schedule.
void Send(const std::string& url, const std::string& token, const std::vector<std::string>& ids,
          int64_t total, int per_second, int w, int workers, Clock::time_point start,
          Totals& totals) {
  auto scheme_end = url.find("://") + 3;
  auto path_start = url.find('/', scheme_end);
  httplib::Client client(url.substr(0, path_start));
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(30);
  std::string path = url.substr(path_start);
  httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  std::vector<double> ms;
  for (int64_t n = w; n < total; n += workers) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(n * 1'000'000 / per_second));
    const std::string& id = ids[static_cast<size_t>(n) % ids.size()];
    std::string body = fmt::format(
        R"({{"identity":{{"type":"IDENTITY","id":"{}","name":"load"}},"changes":[{{"attribute":"loadTest","oldValue":"{}","newValue":"{}"}}]}})",
        id, n - 1, n);
    auto sent = Clock::now();
    auto r = client.Post(path, headers, body, "application/json");
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    if (!r || r->status != 200) {
      ++totals.failed;
    } else if (r->body.find("duplicate") != std::string::npos) {
      ++totals.duplicate;
    } else {
      ++totals.recorded;
    }
  }
  std::lock_guard lock(totals.mutex);
  totals.ms.insert(totals.ms.end(), ms.begin(), ms.end());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    fmt::print(stderr, "usage: trigger-load URL TOKEN PER_SECOND SECONDS IDS_FILE\n");
    return 2;
  }
  std::string url = argv[1], token = argv[2];
  int per_second = std::stoi(argv[3]);
  int seconds = std::stoi(argv[4]);
  std::vector<std::string> ids;
  std::ifstream in(argv[5]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  if (ids.empty()) {
    fmt::print(stderr, "trigger-load: no identity ids in {}\n", argv[5]);
    return 2;
  }
  int64_t total = int64_t{per_second} * seconds;
  int workers = std::max(4, per_second / 50);
  Totals totals;
  auto start = Clock::now() + std::chrono::milliseconds(100);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back(Send, std::cref(url), std::cref(token), std::cref(ids), total, per_second,
                         w, workers, start, std::ref(totals));
  }
  for (auto& t : threads) t.join();
  double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(totals.ms.begin(), totals.ms.end());
  auto at = [&](double q) { return totals.ms[static_cast<size_t>(q * (totals.ms.size() - 1))]; };
  fmt::print(
      "sent {} in {:.1f} s ({:.0f}/s): recorded {}, duplicate {}, failed {}; "
      "answer median {:.1f} ms, p99 {:.1f} ms, slowest {:.1f} ms\n",
      total, took, static_cast<double>(total) / took, totals.recorded.load(),
      totals.duplicate.load(), totals.failed.load(), at(0.5), at(0.99), totals.ms.back());
  return totals.failed.load() == 0 ? 0 : 1;
}
