#include "tests/isc_sim/query.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace isc_mirror::sim {
namespace {

struct OpName {
  std::string_view name;
  Op op;
};
constexpr OpName kOps[] = {{"eq", kEq}, {"ne", kNe},         {"in", kIn}, {"sw", kSw},
                           {"co", kCo}, {"gt", kGt},         {"ge", kGe}, {"lt", kLt},
                           {"le", kLe}, {"isnull", kIsNull}, {"pr", kPr}};

enum class TokenKind { kWord, kString, kOpen, kClose, kComma, kEnd };
struct Token {
  TokenKind kind;
  std::string text;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  base::Expected<Token> Next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    if (pos_ >= text_.size()) return Token{TokenKind::kEnd, ""};
    char c = text_[pos_];
    if (c == '(') return ++pos_, Token{TokenKind::kOpen, "("};
    if (c == ')') return ++pos_, Token{TokenKind::kClose, ")"};
    if (c == ',') return ++pos_, Token{TokenKind::kComma, ","};
    if (c == '"') {
      std::string value;
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        value.push_back(text_[pos_++]);
      }
      if (pos_ >= text_.size()) return base::Error{"unterminated string in filter"};
      ++pos_;
      return Token{TokenKind::kString, value};
    }
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != '(' && text_[pos_] != ')' &&
           text_[pos_] != ',' && text_[pos_] != '"') {
      ++pos_;
    }
    return Token{TokenKind::kWord, std::string(text_.substr(start, pos_ - start))};
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

class FilterParser {
 public:
  FilterParser(std::string_view text, const EndpointSpec& spec) : lexer_(text), spec_(spec) {}

  base::Expected<Filter> Parse() {
    if (auto e = Advance(); !e.empty()) return base::Error{e};
    auto filter = ParseOr();
    if (!filter) return filter;
    if (token_.kind != TokenKind::kEnd) {
      return base::Error{fmt::format("unexpected '{}' in filter", token_.text)};
    }
    return filter;
  }

 private:
  std::string Advance() {
    auto next = lexer_.Next();
    if (!next) return next.error();
    token_ = std::move(next).value();
    return {};
  }

  bool IsWord(std::string_view word) const {
    return token_.kind == TokenKind::kWord && token_.text == word;
  }

  base::Expected<Filter> ParseOr() { return ParseBinary("or", Filter::Kind::kOr); }

  base::Expected<Filter> ParseBinary(std::string_view word, Filter::Kind kind) {
    auto first = kind == Filter::Kind::kOr ? ParseBinary("and", Filter::Kind::kAnd) : ParseUnary();
    if (!first) return first;
    if (!IsWord(word)) return first;
    Filter node;
    node.kind = kind;
    node.children.push_back(std::move(first).value());
    while (IsWord(word)) {
      if (auto e = Advance(); !e.empty()) return base::Error{e};
      auto next = kind == Filter::Kind::kOr ? ParseBinary("and", Filter::Kind::kAnd) : ParseUnary();
      if (!next) return next;
      node.children.push_back(std::move(next).value());
    }
    return node;
  }

  base::Expected<Filter> ParseUnary() {
    if (IsWord("not")) {
      if (auto e = Advance(); !e.empty()) return base::Error{e};
      auto inner = ParseUnary();
      if (!inner) return inner;
      Filter node;
      node.kind = Filter::Kind::kNot;
      node.children.push_back(std::move(inner).value());
      return node;
    }
    if (token_.kind == TokenKind::kOpen) {
      if (auto e = Advance(); !e.empty()) return base::Error{e};
      auto inner = ParseOr();
      if (!inner) return inner;
      if (token_.kind != TokenKind::kClose) return base::Error{"missing ) in filter"};
      if (auto e = Advance(); !e.empty()) return base::Error{e};
      return inner;
    }
    return ParseCondition();
  }

  base::Expected<Value> ParseValue(const FilterField& field) {
    if (token_.kind != TokenKind::kWord && token_.kind != TokenKind::kString) {
      return base::Error{fmt::format("expected a value for {}", field.name)};
    }
    Token t = token_;
    if (auto e = Advance(); !e.empty()) return base::Error{e};
    if (t.kind == TokenKind::kWord && t.text == "null") return Value{};
    switch (field.type) {
      case FieldType::kString:
        if (t.kind != TokenKind::kString) {
          return base::Error{fmt::format("the value of {} must be a quoted string", field.name)};
        }
        return Value{t.text};
      case FieldType::kBool:
        if (t.text == "true") return Value{true};
        if (t.text == "false") return Value{false};
        return base::Error{fmt::format("the value of {} must be true or false", field.name)};
      case FieldType::kInt: {
        if (t.kind == TokenKind::kString) {
          return base::Error{fmt::format("the value of {} must be an unquoted number", field.name)};
        }
        int64_t v = 0;
        auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
        if (ec != std::errc() || p != t.text.data() + t.text.size()) {
          return base::Error{fmt::format("the value of {} must be a number", field.name)};
        }
        return Value{v};
      }
      case FieldType::kTimestamp: {
        // ISC takes dates unquoted; a quoted one is a string and the filter fails (SailPoint
        // developer forum, "Modified field in filter for Get All Accounts API", topic 104059).
        if (t.kind == TokenKind::kString) {
          return base::Error{
              fmt::format("the value of {} must be an unquoted ISO 8601 date-time, got \"{}\"",
                          field.name, t.text)};
        }
        auto ms = ParseTimestamp(t.text);
        if (!ms) {
          return base::Error{
              fmt::format("'{}' is not a valid timestamp for {}", t.text, field.name)};
        }
        return Value{*ms};
      }
    }
    return base::Error{"unreachable"};
  }

  base::Expected<Filter> ParseCondition() {
    if (token_.kind != TokenKind::kWord) {
      return base::Error{fmt::format("expected a field name, got '{}'", token_.text)};
    }
    const FilterField* field = nullptr;
    for (const auto& f : spec_.filters) {
      if (f.name == token_.text) field = &f;
    }
    if (field == nullptr) {
      return base::Error{fmt::format("filtering is not supported for field '{}'", token_.text)};
    }
    if (auto e = Advance(); !e.empty()) return base::Error{e};
    const OpName* op = nullptr;
    for (const auto& o : kOps) {
      if (token_.kind == TokenKind::kWord && o.name == token_.text) op = &o;
    }
    if (op == nullptr) return base::Error{fmt::format("unknown operator '{}'", token_.text)};
    if ((field->ops & op->op) == 0) {
      return base::Error{
          fmt::format("operator {} is not supported for field '{}'", op->name, field->name)};
    }
    if (auto e = Advance(); !e.empty()) return base::Error{e};
    Filter node;
    node.condition.field = std::string(field->name);
    node.condition.type = field->type;
    node.condition.op = op->op;
    if (op->op == kIsNull || op->op == kPr) return node;
    if (op->op == kIn) {
      if (token_.kind != TokenKind::kOpen) return base::Error{"in needs a list like (\"a\",\"b\")"};
      if (auto e = Advance(); !e.empty()) return base::Error{e};
      while (true) {
        auto v = ParseValue(*field);
        if (!v) return base::Error{v.error()};
        node.condition.values.push_back(std::move(v).value());
        if (token_.kind == TokenKind::kComma) {
          if (auto e = Advance(); !e.empty()) return base::Error{e};
          continue;
        }
        if (token_.kind != TokenKind::kClose) return base::Error{"missing ) after in list"};
        if (auto e = Advance(); !e.empty()) return base::Error{e};
        break;
      }
      return node;
    }
    auto v = ParseValue(*field);
    if (!v) return base::Error{v.error()};
    node.condition.values.push_back(std::move(v).value());
    return node;
  }

  Lexer lexer_;
  const EndpointSpec& spec_;
  Token token_{TokenKind::kEnd, ""};
};

bool MatchCondition(const Condition& c, const Value& v) {
  switch (c.op) {
    case kIsNull:
      return std::holds_alternative<std::monostate>(v);
    case kPr:
      return !std::holds_alternative<std::monostate>(v);
    case kIn:
      for (const auto& candidate : c.values) {
        if (CompareValues(v, candidate) == 0 && v.index() == candidate.index()) return true;
      }
      return false;
    case kSw:
    case kCo: {
      const auto* s = std::get_if<std::string>(&v);
      const auto* prefix = std::get_if<std::string>(&c.values[0]);
      if (s == nullptr || prefix == nullptr) return false;
      return c.op == kSw ? s->starts_with(*prefix) : s->find(*prefix) != std::string::npos;
    }
    default:
      break;
  }
  const Value& operand = c.values[0];
  if (std::holds_alternative<std::monostate>(v) ||
      std::holds_alternative<std::monostate>(operand)) {
    bool both_null = v.index() == operand.index();
    if (c.op == kEq) return both_null;
    if (c.op == kNe) return !both_null;
    return false;
  }
  int cmp = CompareValues(v, operand);
  switch (c.op) {
    case kEq:
      return cmp == 0;
    case kNe:
      return cmp != 0;
    case kGt:
      return cmp > 0;
    case kGe:
      return cmp >= 0;
    case kLt:
      return cmp < 0;
    case kLe:
      return cmp <= 0;
    default:
      return false;
  }
}

}  // namespace

base::Expected<Filter> ParseFilter(std::string_view text, const EndpointSpec& spec) {
  return FilterParser(text, spec).Parse();
}

base::Expected<std::vector<SortKey>> ParseSorters(std::string_view text, const EndpointSpec& spec) {
  std::vector<SortKey> keys;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    SortKey key;
    if (item.starts_with('-')) {
      key.descending = true;
      item.remove_prefix(1);
    }
    bool allowed = false;
    for (auto name : spec.sorters) allowed = allowed || name == item;
    if (!allowed) return base::Error{fmt::format("sorting is not supported for field '{}'", item)};
    key.field = std::string(item);
    keys.push_back(std::move(key));
    pos = comma + 1;
  }
  return keys;
}

base::Expected<PageRequest> ParsePage(const std::optional<std::string>& limit,
                                      const std::optional<std::string>& offset,
                                      const std::optional<std::string>& count, int64_t max_limit) {
  PageRequest page;
  page.limit = max_limit;  // each definition's default is its maximum (250, or 50)
  auto parse_int = [](const std::string& text, int64_t& out) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && p == text.data() + text.size();
  };
  if (limit) {
    if (!parse_int(*limit, page.limit) || page.limit < 0) {
      return base::Error{fmt::format("limit must be a whole number, got '{}'", *limit)};
    }
    if (page.limit > max_limit) {
      return base::Error{fmt::format("limit must be {} or less, got {}", max_limit, page.limit)};
    }
  }
  if (offset && (!parse_int(*offset, page.offset) || page.offset < 0)) {
    return base::Error{fmt::format("offset must be a whole number, got '{}'", *offset)};
  }
  if (count) {
    if (*count == "true") {
      page.count = true;
    } else if (*count != "false") {
      return base::Error{fmt::format("count must be true or false, got '{}'", *count)};
    }
  }
  return page;
}

bool Matches(const Filter& filter, const FieldGetter& get) {
  switch (filter.kind) {
    case Filter::Kind::kCondition:
      return MatchCondition(filter.condition, get(filter.condition.field));
    case Filter::Kind::kNot:
      return !Matches(filter.children[0], get);
    case Filter::Kind::kAnd:
      for (const auto& child : filter.children) {
        if (!Matches(child, get)) return false;
      }
      return true;
    case Filter::Kind::kOr:
      for (const auto& child : filter.children) {
        if (Matches(child, get)) return true;
      }
      return false;
  }
  return false;
}

int CompareValues(const Value& a, const Value& b) {
  if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
  if (const auto* s = std::get_if<std::string>(&a)) {
    int c = s->compare(std::get<std::string>(b));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (const auto* i = std::get_if<int64_t>(&a)) {
    int64_t j = std::get<int64_t>(b);
    return *i < j ? -1 : (*i > j ? 1 : 0);
  }
  if (const auto* x = std::get_if<bool>(&a)) {
    bool y = std::get<bool>(b);
    return *x == y ? 0 : (*x ? 1 : -1);
  }
  return 0;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  // 2024-01-15T10:30:00Z, 2024-01-15T10:30:00.123Z or with +00:00
  int y, mo, d, h, mi, s;
  if (text.size() < 20) return std::nullopt;
  std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) !=
      6) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(consumed);
  int64_t ms = 0;
  if (rest.starts_with('.')) {
    size_t i = 1;
    int digits = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      if (digits < 3) ms = ms * 10 + (rest[i] - '0');
      ++digits;
      ++i;
    }
    for (; digits < 3; ++digits) ms *= 10;
    rest.remove_prefix(i);
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string FormatTimestamp(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(epoch_ms % 1000));
}

}  // namespace isc_mirror::sim
