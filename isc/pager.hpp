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

// How a collection is read: limit/offset pages, one request for the whole list, or a search
// (POST /v3/search) paged by searchAfter.
enum class Paging { kOffset, kNone, kSearch };

// The most a search page takes ("limit" of POST /v3/search: maximum 10000).
inline constexpr int kSearchPageMax = 10000;

// How a collection pages: its paging and the limit each page asks for. Most collections take
// up to 250; some less (GET /v3/roles: "for this API the maximum value for limit is 50").
struct PageShape {
  PageShape(Paging paging_in = Paging::kOffset, int size_in = kPageSize,  // NOLINT: implicit
            std::string search_in = {})
      : paging(paging_in), size(size_in), search(std::move(search_in)) {}
  Paging paging;
  int size;
  // A search's request body (a JSON object sorted by id, without searchAfter).
  std::string search;
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
// as the end. Unpaged endpoints are one request. A search posts `shape.search` with each page
// and, after the first, searchAfter: the last document's id (offsets stop at 10,000).
ScanResult Scan(IscClient& client, std::string_view path, std::string_view query,
                const PageShape& shape, RequestStats& stats, const PageConsumer& consume,
                const ScanProgress& progress = nullptr, int parse_attempts = 3);

}  // namespace isc_mirror::isc
