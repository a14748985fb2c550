#include "isc/pager.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <future>

#include "base/json_writer.hpp"
#include "base/log.hpp"

namespace isc_mirror::isc {
namespace {

// Tells a repeated page from the one before without hashing a quarter megabyte on every page
// of a full sync: its size and both ends. Distinct pages differ in their first object's id.
size_t PageFingerprint(std::string_view body) {
  constexpr size_t kEnd = 1024;
  std::hash<std::string_view> hash;
  size_t h = hash(body.substr(0, kEnd));
  if (body.size() > kEnd) h ^= hash(body.substr(body.size() - kEnd)) * 31;
  return h ^ (body.size() * 0x9e3779b97f4a7c15ULL);
}

// The request for one page: the query, then limit and offset where the list is paged.
std::string PageUrl(std::string_view path, std::string_view query, const PageShape& shape,
                    int64_t offset, bool count) {
  std::string url(path);
  std::string params(query);
  if (shape.paging == Paging::kOffset) {
    if (!params.empty()) params += '&';
    params += fmt::format("limit={}&offset={}", shape.size, offset);
    if (count) params += "&count=true";
  }
  if (!params.empty()) url += "?" + params;
  return url;
}

// A page's X-Total-Count; an unreadable one only costs the progress estimate and the page
// asked for ahead.
std::optional<int64_t> TotalOf(const IscAnswer& page) {
  if (!page.total_count) return std::nullopt;
  try {
    return std::stoll(*page.total_count);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The body of a search page: the search, and after the first page where the last one ended.
std::string SearchBody(std::string_view search, const std::optional<std::string>& after) {
  if (!after) return std::string(search);
  std::string body(search.substr(0, search.rfind('}')));
  base::JsonWriter w(body);
  body += R"(,"searchAfter":[)";
  w.String(*after);
  body += "]}";
  return body;
}

// A search page's size and its last document's id (where the next page starts).
base::Expected<std::pair<int64_t, std::string>> SearchPageEnd(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::array documents;
  if (parser.parse(body.data(), body.size()).get(documents)) {
    return base::Error{"the search answered something that is not a JSON array"};
  }
  if (documents.size() == 0) return std::pair<int64_t, std::string>{0, ""};
  std::string_view last;
  if (documents.at(documents.size() - 1)["id"].get(last)) {
    return base::Error{"the search's last document has no id to continue after"};
  }
  return std::pair<int64_t, std::string>{static_cast<int64_t>(documents.size()), std::string(last)};
}

// POST /v3/search page by page: sorted by id, each page continuing after the last id of the one
// before (searchAfter), since offsets end at 10,000 (SailPoint's search reference: "To page
// past 10,000 records, you can use searchAfter paging"). A page comes after the one before it
// has been read, so none is asked for ahead.
ScanResult ScanSearch(IscClient& client, std::string_view path, const PageShape& shape,
                      RequestStats& stats, const PageConsumer& consume,
                      const ScanProgress& progress, int parse_attempts) {
  ScanTally result;
  std::optional<std::string> after;
  for (;;) {
    if (client.bounds().cancelled()) return ScanFailure{.message = std::string(kScanStopped)};
    std::string url = fmt::format("{}?limit={}{}", path, shape.size, after ? "" : "&count=true");
    std::string body = SearchBody(shape.search, after);
    base::Expected<std::pair<int64_t, std::string>> end = base::Error{"not read"};
    for (int attempt = 0; attempt < parse_attempts; ++attempt) {
      IscResult page = client.Query(url, body, stats);
      if (!page.ok()) return ScanFailure{.message = page.error(), .status = page.failure().status};
      if (!after) result.total = TotalOf(*page);
      end = SearchPageEnd(page->body);
      auto parsed = end ? consume(page->body) : base::Expected<int64_t>(base::Error{end.error()});
      if (parsed) break;
      end = base::Error{parsed.error()};
      ++stats.retries;
      base::log::Warn("search page did not parse; fetching it again",
                      {{"path", path}, {"error", parsed.error()}});
    }
    if (!end) return ScanFailure{.message = fmt::format("POST {}: {}", path, end.error())};
    ++result.pages;
    result.objects += end->first;
    if (progress) progress(result);
    if (end->first < shape.size) return result;
    if (after == end->second) {
      return ScanFailure{.message = fmt::format("POST {} answered the same page again after {}: "
                                                "the search does not continue after searchAfter",
                                                path, *after)};
    }
    after = end->second;
  }
}

}  // namespace

ScanResult Scan(IscClient& client, std::string_view path, std::string_view query,
                const PageShape& shape, RequestStats& stats, const PageConsumer& consume,
                const ScanProgress& progress, int parse_attempts) {
  if (shape.paging == Paging::kSearch) {
    return ScanSearch(client, path, shape, stats, consume, progress, parse_attempts);
  }
  ScanTally result;
  const Paging paging = shape.paging;
  const int page_size = shape.size;
  auto url_at = [&](int64_t offset, bool count) {
    return PageUrl(path, query, shape, offset, count);
  };
  // End guards against a server that does not page as asked (one that ignores offset would
  // otherwise be read forever): a full page equal to the one before, or more objects than the
  // collection's count, ends the scan with an error.
  std::optional<size_t> previous_page;
  bool recount = false;  // the count was passed: ask for it again with the next page
  // While a page is parsed, the next one is already asked for when the count says there is
  // one: the tenant's answer time and the parsing overlap. The client still makes one request
  // at a time (the scan thread does not use it meanwhile), and no request is added: the count
  // is the end, and a page asked for ahead is only dropped when the tenant shrank mid-scan
  // or a page has to be fetched again.
  std::future<IscResult> ahead;
  for (int64_t offset = 0;; offset += page_size) {
    if (client.bounds().cancelled()) return ScanFailure{.message = std::string(kScanStopped)};
    bool counted = offset == 0 || recount;
    std::string url = url_at(offset, counted);
    int64_t objects = -1;
    size_t page_hash = 0;
    for (int attempt = 0; attempt < parse_attempts; ++attempt) {
      IscResult page = ahead.valid() ? ahead.get() : client.Get(url, stats);
      if (!page.ok()) {
        if (paging == Paging::kOffset && offset > 0 && page.failure().status == 400 &&
            page.error().find("Specified offset is invalid") != std::string::npos) {
          return result;  // the previous page was full and the last one
        }
        return ScanFailure{.message = page.error(), .status = page.failure().status};
      }
      if (auto total = counted ? TotalOf(*page) : std::nullopt) result.total = total;
      if (paging == Paging::kOffset && result.total && offset + page_size < *result.total) {
        ahead = std::async(std::launch::async,
                           [&client, &stats, next = url_at(offset + page_size, false)] {
                             return client.Get(next, stats);
                           });
      }
      page_hash = PageFingerprint(page->body);
      auto parsed = consume(page->body);
      if (parsed) {
        objects = *parsed;
        break;
      }
      if (ahead.valid()) ahead.get();  // this page comes again first
      ++stats.retries;
      base::log::Warn("page did not parse; fetching it again",
                      {{"path", path}, {"offset", offset}, {"error", parsed.error()}});
      if (attempt + 1 == parse_attempts) {
        return ScanFailure{
            .message = fmt::format("GET {} at offset {}: {}", path, offset, parsed.error())};
      }
    }
    ++result.pages;
    result.objects += objects;
    if (progress) progress(result);
    if (paging == Paging::kNone || objects < page_size) {
      return result;  // a page asked for ahead (the tenant shrank) is waited for and dropped
    }
    if (previous_page == page_hash) {
      return ScanFailure{.message = fmt::format(
                             "GET {} at offset {} answered the same {} objects as the page "
                             "before: the endpoint ignores offset (hint: such a list is read in "
                             "one request, paging: none)",
                             path, offset, objects)};
    }
    previous_page = page_hash;
    if (result.total && result.objects > *result.total) {
      // Objects added while the scan runs move the count too: ask for it again first.
      if (counted) {
        return ScanFailure{.message = fmt::format(
                               "GET {} served {} objects, more than its X-Total-Count of {}: the "
                               "endpoint does not page as asked",
                               path, result.objects, *result.total)};
      }
      recount = true;
    }
  }
}

}  // namespace isc_mirror::isc
