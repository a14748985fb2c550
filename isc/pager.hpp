// Reads a whole collection page by page and decides whether the scan was complete.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/expected.hpp"
#include "isc/isc_client.hpp"

namespace isc_mirror::isc {

inline constexpr int kPageSize = 250;

// A scan's error when the client's bounds were cancelled between pages.
inline constexpr std::string_view kScanStopped = "stopped: the daemon is shutting down";

// How a collection is read: limit/offset pages, or one request for the whole list.
enum class Paging { kOffset, kNone };

// How a collection pages: its paging and the limit each page asks for. Most collections take
// up to 250; some less (GET /v3/roles: "for this API the maximum value for limit is 50").
struct PageShape {
  PageShape(Paging paging_in = Paging::kOffset, int size_in = kPageSize)  // NOLINT: implicit
      : paging(paging_in), size(size_in) {}
  Paging paging;
  int size;
};

// How far a scan got.
struct ScanTally {
  int pages = 0;
  int64_t objects = 0;
  std::optional<int64_t> total;  // X-Total-Count of the first page
};

// Why a scan is not complete.
struct ScanFailure {
  std::string message;
  int status = 0;  // the HTTP status of a failed request, 0 otherwise
};

// A complete scan (every page arrived and parsed, and the end was reached) and its tally, or
// why it is not complete.
using ScanResult = base::Expected<ScanTally, ScanFailure>;

// Called after every page with the scan so far, e.g. to log progress.
using ScanProgress = std::function<void(const ScanTally&)>;

// Called with each page's body; returns the number of objects in it, or an error when the
// body does not parse (the page is then fetched again, up to the retry limit). The consumer
// de-duplicates: when pages shift during a scan, an object can arrive twice.
using PageConsumer = std::function<base::Expected<int64_t>(std::string_view body)>;

// `query` holds the extra parameters (sorters, filters), already encoded, without limit/offset.
// Stops on a short page, and treats ISC's "400 Specified offset is invalid" after a full page
// as the end. Unpaged endpoints are one request.
ScanResult Scan(IscClient& client, std::string_view path, std::string_view query, PageShape shape,
                RequestStats& stats, const PageConsumer& consume,
                const ScanProgress& progress = nullptr, int parse_attempts = 3);

}  // namespace isc_mirror::isc
