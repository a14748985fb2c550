// Child processes for tests: started with an exact environment, output captured, always reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isc_mirror::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, if any
  bool timed_out = false;
  std::string out;
  std::string err;
};

struct ProcessOptions {
  std::vector<std::string> argv;
  // The complete environment (NAME=value); nothing is inherited, so tests stay hermetic.
  std::vector<std::string> env;
  std::optional<std::filesystem::path> working_dir;
  bool new_session = false;  // setsid(): survives the kill of the test's process group
};

// A running child. The destructor kills (SIGKILL) and reaps it if it is still running.
class Subprocess {
 public:
  explicit Subprocess(ProcessOptions options);
  ~Subprocess();
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // What the child has written to stdout so far.
  std::string OutputSoFar() const;
  void Signal(int signal) const;
  // Waits for the exit; after the timeout the child is killed and timed_out set.
  ProcessResult Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

ProcessResult RunProcess(ProcessOptions options,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// PATH plus the given NAME=value entries: the usual base for a child's environment.
std::vector<std::string> MinimalEnvironment(std::vector<std::string> extra = {});

std::string ReadFile(const std::filesystem::path& path);
// How often `needle` occurs in `text` (a log line, a call in the simulator's log).
size_t Occurrences(std::string_view text, std::string_view needle);
void WriteFile(const std::filesystem::path& path, const std::string& content);

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace isc_mirror::testing
