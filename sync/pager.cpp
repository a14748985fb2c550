#include "sync/pager.hpp"

#include <fmt/format.h>

#include <future>

#include "base/log.hpp"

namespace isc_mirror::sync {

ScanResult Scan(IscClient& client, std::string_view path, std::string_view query, Paging paging,
                RequestStats& stats, const PageConsumer& consume, const ScanProgress& progress,
                int parse_attempts) {
  ScanResult result;
  auto url_at = [&](int64_t offset) {
    std::string url(path);
    std::string params(query);
    if (paging == Paging::kOffset) {
      if (!params.empty()) params += '&';
      params += fmt::format("limit={}&offset={}", kPageSize, offset);
      if (offset == 0) params += "&count=true";
    }
    if (!params.empty()) url += "?" + params;
    return url;
  };
  // While a page is parsed, the next one is already asked for when the count says there is
  // one: the tenant's answer time and the parsing overlap. The client still makes one request
  // at a time (the scan thread does not use it meanwhile), and no request is added: the count
  // is the end, and a page asked for ahead is only dropped when the tenant shrank mid-scan
  // or a page has to be fetched again.
  std::future<IscResult> ahead;
  for (int64_t offset = 0;; offset += kPageSize) {
    std::string url = url_at(offset);
    int64_t objects = -1;
    for (int attempt = 0; attempt < parse_attempts; ++attempt) {
      IscResult page = ahead.valid() ? ahead.get() : client.Get(url, stats);
      if (!page.ok()) {
        if (paging == Paging::kOffset && offset > 0 && page.status == 400 &&
            page.error.find("Specified offset is invalid") != std::string::npos) {
          result.complete = true;  // the previous page was full and the last one
          return result;
        }
        result.error = page.error;
        result.status = page.status;
        return result;
      }
      if (offset == 0 && page.total_count) {
        try {
          result.total = std::stoll(*page.total_count);
        } catch (const std::exception&) {
          // An unreadable count only costs the progress estimate and the page ahead.
        }
      }
      if (paging == Paging::kOffset && result.total && offset + kPageSize < *result.total) {
        ahead =
            std::async(std::launch::async, [&client, &stats, next = url_at(offset + kPageSize)] {
              return client.Get(next, stats);
            });
      }
      auto parsed = consume(page.body);
      if (parsed) {
        objects = *parsed;
        break;
      }
      if (ahead.valid()) ahead.get();  // this page comes again first
      ++stats.retries;
      log::Warn("page did not parse; fetching it again",
                {{"path", path}, {"offset", offset}, {"error", parsed.error()}});
      if (attempt + 1 == parse_attempts) {
        result.error = fmt::format("GET {} at offset {}: {}", path, offset, parsed.error());
        return result;
      }
    }
    ++result.pages;
    result.objects += objects;
    if (progress) progress(result);
    if (paging == Paging::kNone || objects < kPageSize) {
      result.complete = true;
      return result;  // a page asked for ahead (the tenant shrank) is waited for and dropped
    }
  }
}

}  // namespace isc_mirror::sync
