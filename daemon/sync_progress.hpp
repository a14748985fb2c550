// `sync` on a terminal: one updating line per resource, then a summary table.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sync/sync_run.hpp"

namespace isc_mirror::daemon {

// "prod/accounts  12500 / 40000 objects  31%  1250/s  22s left"; without a total, what was read
// and the rate.
std::string ProgressLine(std::string_view name, const sync::RunProgress& progress, double seconds);

// "prod/accounts  ok  40000 objects in 32.1s"
std::string FinishedLine(std::string_view name, const sync::RunOutcome& outcome, double seconds);

struct SummaryRow {
  std::string tenant;
  std::string resource;
  sync::RunOutcome outcome;
  double seconds = 0;
};

// The runs as an aligned table, then each failed or held run's reason.
std::string SummaryTable(const std::vector<SummaryRow>& rows);

// Whether `fd` is a terminal that moves its cursor (TERM set and not "dumb"), and its width.
bool IsInteractiveTerminal(int fd);
size_t TerminalWidth(int fd);

// The lines of the resources being synced, redrawn in place at most ten times a second; a
// finished resource's last line and log lines are written above them. Thread-safe: a scan's pages
// and the writers' log lines arrive from different threads.
class TerminalProgress {
 public:
  TerminalProgress(std::FILE* out, size_t width) : out_(out), width_(width) {}

  void Start(const std::string& name);
  void Update(const std::string& name, const sync::RunProgress& progress);
  void Finish(const std::string& name, const sync::RunOutcome& outcome, double seconds);
  void WriteLog(std::string_view line);

 private:
  using Clock = std::chrono::steady_clock;
  std::string Fit(std::string text) const;
  void Set(const std::string& name, std::string text);
  void WriteAbove(std::string_view text);
  void Redraw();

  std::mutex mutex_;
  std::FILE* out_;
  size_t width_;
  std::vector<std::pair<std::string, std::string>> lines_;  // name, text, in start order
  std::map<std::string, Clock::time_point> started_;
  size_t drawn_ = 0;  // lines on the screen below the cursor's block start
  Clock::time_point last_draw_{};
};

}  // namespace isc_mirror::daemon
