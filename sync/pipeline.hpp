// One background worker for ordered jobs: writes overlap with the fetching of the next pages.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace isc_mirror::sync {

// Runs submitted jobs one at a time, in order, on a thread of its own. At most one job waits
// while another runs, so the submitter runs ahead by one job and no further (memory stays
// bounded). A job's exception is kept; the next Submit or Drain rethrows it, and jobs
// submitted after the failure are dropped until then.
class Pipeline {
 public:
  Pipeline();
  ~Pipeline();  // drops a waiting job, lets a running one end, joins
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void Submit(std::function<void()> job);
  // Waits until every submitted job has ended; rethrows the first failure (once).
  void Drain();

 private:
  void Loop();
  void RethrowLocked(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::function<void()>> waiting_;
  bool running_ = false;
  bool stop_ = false;
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace isc_mirror::sync
