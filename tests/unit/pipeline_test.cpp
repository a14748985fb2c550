// The write pipeline: order, bounded run-ahead, failures reported to the submitter.
#include "sync/pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace isc_mirror::sync {
namespace {

TEST(Pipeline, RunsJobsInOrderAndDrainWaitsForAll) {
  Pipeline pipeline;
  std::vector<int> done;  // written by the worker only, read after Drain
  for (int i = 0; i < 50; ++i) {
    pipeline.Submit([&done, i] {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      done.push_back(i);
    });
  }
  pipeline.Drain();
  ASSERT_EQ(done.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(done[i], i);
}

TEST(Pipeline, TheSubmitterRunsAheadByOneJobAtMost) {
  Pipeline pipeline;
  std::atomic<int> started{0};
  std::atomic<bool> release{false};
  auto blocked = [&] {
    ++started;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  pipeline.Submit(blocked);  // runs
  while (started == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  pipeline.Submit(blocked);  // waits
  std::atomic<bool> third_submitted{false};
  std::thread submitter([&] {
    pipeline.Submit(blocked);
    third_submitted = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(third_submitted) << "a third job waits for the slot";
  release = true;
  submitter.join();
  pipeline.Drain();
  EXPECT_EQ(started, 3);
}

TEST(Pipeline, AFailureReachesTheSubmitterOnceAndDropsWhatWaited) {
  Pipeline pipeline;
  std::atomic<int> ran{0};
  pipeline.Submit([] { throw std::runtime_error("the batch failed"); });
  bool reported = false;
  try {
    for (int i = 0; i < 10; ++i) pipeline.Submit([&] { ++ran; });
    pipeline.Drain();
  } catch (const std::runtime_error& e) {
    reported = std::string(e.what()) == "the batch failed";
  }
  EXPECT_TRUE(reported);
  EXPECT_EQ(ran, 0) << "jobs behind the failure are dropped";
  pipeline.Drain();  // reported once: nothing more to say
  pipeline.Submit([&] { ran = 100; });
  pipeline.Drain();
  EXPECT_EQ(ran, 100) << "after the report, jobs run again";
}

}  // namespace
}  // namespace isc_mirror::sync
