#include "sync/pipeline.hpp"

namespace isc_mirror::sync {

Pipeline::Pipeline() : thread_([this] { Loop(); }) {}

Pipeline::~Pipeline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    waiting_.reset();
  }
  changed_.notify_all();
  thread_.join();
}

void Pipeline::RethrowLocked(std::unique_lock<std::mutex>& lock) {
  if (!failure_) return;
  auto failure = std::exchange(failure_, nullptr);
  lock.unlock();
  std::rethrow_exception(failure);
}

void Pipeline::Submit(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !waiting_ || failure_; });
  RethrowLocked(lock);
  waiting_ = std::move(job);
  changed_.notify_all();
}

void Pipeline::Drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (!waiting_ && !running_) || failure_; });
  // A failure drops what waited behind it; the running job, if any, ends on its own.
  changed_.wait(lock, [&] { return !running_; });
  waiting_.reset();
  RethrowLocked(lock);
}

void Pipeline::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || waiting_.has_value(); });
    if (stop_) return;
    auto job = std::move(*waiting_);
    waiting_.reset();
    changed_.notify_all();   // the slot is free for the next job
    if (failure_) continue;  // dropped: an earlier job failed and nobody has heard yet
    running_ = true;
    lock.unlock();
    std::exception_ptr failure;
    try {
      job();
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    running_ = false;
    if (failure && !failure_) failure_ = failure;
    changed_.notify_all();
  }
}

}  // namespace isc_mirror::sync
