#include "daemon/sync_progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/duration.hpp"

namespace isc_mirror::daemon {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(100);

// Tenths under 10 s, then whole seconds as the config writes durations (1m15s).
std::string Seconds(double seconds) {
  if (seconds < 9.95) return fmt::format("{:.1f}s", seconds);
  return base::FormatDuration(std::chrono::seconds(static_cast<int64_t>(seconds + 0.5)));
}

}  // namespace

std::string ProgressLine(std::string_view name, const sync::RunProgress& progress, double seconds) {
  double rate = seconds > 0 ? static_cast<double>(progress.done) / seconds : 0.0;
  std::string line;
  if (progress.total && *progress.total > 0) {
    int64_t total = std::max(*progress.total, progress.done);
    line = fmt::format("{}  {} / {} {}  {}%", name, progress.done, total, progress.unit,
                       progress.done * 100 / total);
  } else {
    line = fmt::format("{}  {} {}", name, progress.done, progress.unit);
  }
  line += fmt::format("  {:.0f}/s", rate);
  if (progress.total && rate > 0 && *progress.total > progress.done) {
    line += fmt::format("  {} left",
                        Seconds(static_cast<double>(*progress.total - progress.done) / rate));
  }
  return line;
}

std::string FinishedLine(std::string_view name, const sync::RunOutcome& outcome, double seconds) {
  return fmt::format("{}  {}  {} objects in {}", name, sync::RunStatusName(outcome.status),
                     outcome.seen, Seconds(seconds));
}

std::string SummaryTable(const std::vector<SummaryRow>& rows) {
  std::vector<std::vector<std::string>> cells = {
      {"tenant", "resource", "result", "mode", "seen", "inserted", "updated", "deleted", "time"}};
  for (const auto& r : rows) {
    const auto& o = r.outcome;
    cells.push_back({r.tenant, r.resource, std::string(sync::RunStatusName(o.status)), o.mode,
                     std::to_string(o.seen), std::to_string(o.inserted), std::to_string(o.updated),
                     std::to_string(o.deleted + o.expired), Seconds(r.seconds)});
  }
  std::vector<size_t> widths(cells[0].size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      bool number = i >= 4 && i < row.size() - 1;  // counts align right
      line += number ? fmt::format("{:>{}}  ", row[i], widths[i])
                     : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  for (const auto& r : rows) {
    if (!r.outcome.error.empty()) {
      out += fmt::format("{}/{} {}: {}\n", r.tenant, r.resource,
                         sync::RunStatusName(r.outcome.status), r.outcome.error);
    }
  }
  return out;
}

bool IsInteractiveTerminal(int fd) {
  const char* term = std::getenv("TERM");
  return isatty(fd) == 1 && term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

size_t TerminalWidth(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void TerminalProgress::Start(const std::string& name) {
  std::lock_guard lock(mutex_);
  started_[name] = Clock::now();
  Set(name, fmt::format("{}  starting", name));
  Redraw();
}

void TerminalProgress::Update(const std::string& name, const sync::RunProgress& progress) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  double seconds = std::chrono::duration<double>(now - started_[name]).count();
  Set(name, ProgressLine(name, progress, seconds));
  if (now - last_draw_ >= kRedrawEvery) Redraw();
}

void TerminalProgress::Finish(const std::string& name, const sync::RunOutcome& outcome,
                              double seconds) {
  std::lock_guard lock(mutex_);
  // A finished resource's line stays above; only the running ones are redrawn, so the block
  // stays short whatever the number of resources.
  std::erase_if(lines_, [&](const auto& line) { return line.first == name; });
  WriteAbove(Fit(FinishedLine(name, outcome, seconds)) + "\n");
}

void TerminalProgress::WriteLog(std::string_view line) {
  std::lock_guard lock(mutex_);
  WriteAbove(line);
}

void TerminalProgress::WriteAbove(std::string_view text) {
  // Back to the first progress line, clear from there down, write the text; the progress
  // lines come again below it.
  if (drawn_ > 0) fmt::print(out_, "\x1b[{}F\x1b[J", drawn_);
  drawn_ = 0;
  fmt::print(out_, "{}", text);
  Redraw();
}

std::string TerminalProgress::Fit(std::string text) const {
  // A line longer than the terminal would wrap, and moving up by lines would then miss it.
  if (width_ > 1 && text.size() >= width_) text.resize(width_ - 1);
  return text;
}

void TerminalProgress::Set(const std::string& name, std::string text) {
  text = Fit(std::move(text));
  for (auto& [key, value] : lines_) {
    if (key == name) {
      value = std::move(text);
      return;
    }
  }
  lines_.emplace_back(name, std::move(text));
}

void TerminalProgress::Redraw() {
  std::string out;
  if (drawn_ > 0) out += fmt::format("\x1b[{}F", drawn_);
  for (const auto& [name, text] : lines_) out += fmt::format("\x1b[2K{}\n", text);
  fmt::print(out_, "{}", out);
  std::fflush(out_);
  drawn_ = lines_.size();
  last_draw_ = Clock::now();
}

}  // namespace isc_mirror::daemon
