#include "tests/isc_sim/json_path.hpp"

#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace isc_mirror::sim {
namespace {

using simdjson::dom::element;

struct Expr;

struct Segment {
  enum class Kind { kName, kWildcard, kIndex, kFilter, kDescend };
  Kind kind = Kind::kName;
  std::string name;
  int64_t index = 0;
  std::shared_ptr<Expr> filter;
};

struct Path {
  bool relative = false;  // `@`, the element a filter tests, rather than `$`
  std::vector<Segment> segments;
  size_t id = 0;  // its place among the filter's paths, for isPathExist
};

// A literal, or what a path selects when that is a scalar; numbers compare as doubles.
using Scalar = std::variant<std::monostate, std::string, double, bool>;

struct Operand {
  std::optional<Path> path;
  Scalar literal;
};

enum class Op { kOr, kAnd, kNot, kExists, kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr {
  Op op = Op::kExists;
  std::vector<Expr> children;  // kOr, kAnd, kNot
  Operand lhs;                 // comparisons and kExists
  Operand rhs;                 // comparisons
};

// Recursive descent over the filter text; the first problem found is kept, and a construct
// isc-sim does not evaluate is told apart from a syntax error.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<Path> Top() {
    SkipSpace();
    if (!Peek('$')) return Fail();
    auto path = ParsePath();
    SkipSpace();
    if (!path || pos_ != text_.size()) return Fail();
    return path;
  }
  const std::string& unsupported() const { return unsupported_; }
  size_t paths() const { return paths_; }

 private:
  std::nullopt_t Fail() {
    failed_ = true;
    return std::nullopt;
  }
  std::nullopt_t Unsupported(std::string_view what) {
    if (unsupported_.empty()) unsupported_ = std::string(what);
    return Fail();
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Take(std::string_view token) {
    SkipSpace();
    if (text_.substr(pos_).starts_with(token)) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  static bool NameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  }
  std::string Name() {
    size_t start = pos_;
    while (pos_ < text_.size() && NameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::optional<Path> ParsePath();
  std::optional<Segment> ParseBracket();
  std::optional<std::string> ParseString();
  std::optional<double> ParseNumber();
  std::optional<Operand> ParseOperand();
  std::optional<Expr> ParseOr();
  std::optional<Expr> ParseAnd();
  std::optional<Expr> ParseUnary();
  std::optional<Expr> ParseComparison();

  std::string_view text_;
  size_t pos_ = 0;
  bool failed_ = false;
  std::string unsupported_;
  size_t paths_ = 0;
};

std::optional<Path> Parser::ParsePath() {
  Path path{.relative = text_[pos_] == '@', .segments = {}, .id = paths_++};
  ++pos_;
  while (!failed_ && pos_ < text_.size()) {
    if (text_.substr(pos_).starts_with("..")) {
      pos_ += 2;
      std::string name = Name();
      if (name.empty()) return Peek('*') ? Unsupported("recursive wildcards") : Fail();
      path.segments.push_back({.kind = Segment::Kind::kDescend, .name = std::move(name)});
    } else if (Peek('.')) {
      ++pos_;
      if (Peek('*')) {
        ++pos_;
        path.segments.push_back({.kind = Segment::Kind::kWildcard});
        continue;
      }
      std::string name = Name();
      if (name.empty()) return Fail();
      if (Peek('(')) return Unsupported("functions such as length()");
      path.segments.push_back({.kind = Segment::Kind::kName, .name = std::move(name)});
    } else if (Peek('[')) {
      ++pos_;
      auto segment = ParseBracket();
      if (!segment) return std::nullopt;
      path.segments.push_back(std::move(*segment));
    } else {
      break;
    }
  }
  if (failed_) return std::nullopt;
  return path;
}

std::optional<Segment> Parser::ParseBracket() {
  SkipSpace();
  std::optional<Segment> segment;
  if (Take("*")) {
    segment = Segment{.kind = Segment::Kind::kWildcard};
  } else if (Take("?")) {
    if (!Take("(")) return Fail();
    auto expr = ParseOr();
    if (!expr || !Take(")")) return Fail();
    segment =
        Segment{.kind = Segment::Kind::kFilter, .filter = std::make_shared<Expr>(std::move(*expr))};
  } else if (Peek('\'') || Peek('"')) {
    auto name = ParseString();
    if (!name) return std::nullopt;
    segment = Segment{.kind = Segment::Kind::kName, .name = std::move(*name)};
  } else if (Peek('(')) {
    return Unsupported("script expressions");
  } else if (Peek(':')) {
    return Unsupported("array slices");
  } else {
    auto number = ParseNumber();
    if (!number) return Fail();
    segment = Segment{.kind = Segment::Kind::kIndex, .index = static_cast<int64_t>(*number)};
  }
  SkipSpace();
  if (Peek(',')) return Unsupported("unions");
  if (Peek(':')) return Unsupported("array slices");
  if (!Take("]")) return Fail();
  return segment;
}

std::optional<std::string> Parser::ParseString() {
  char quote = text_[pos_++];
  std::string out;
  while (pos_ < text_.size() && text_[pos_] != quote) {
    if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
    out += text_[pos_++];
  }
  if (pos_ >= text_.size()) return Fail();
  ++pos_;
  return out;
}

std::optional<double> Parser::ParseNumber() {
  size_t start = pos_;
  if (Peek('-')) ++pos_;
  while (pos_ < text_.size() &&
         (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) {
    ++pos_;
  }
  std::string digits(text_.substr(start, pos_ - start));
  if (digits.empty() || digits == "-") return Fail();
  char* end = nullptr;
  double value = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return Fail();
  return value;
}

std::optional<Operand> Parser::ParseOperand() {
  SkipSpace();
  if (Peek('$') || Peek('@')) {
    auto path = ParsePath();
    if (!path) return std::nullopt;
    return Operand{.path = std::move(path)};
  }
  if (Peek('\'') || Peek('"')) {
    auto text = ParseString();
    if (!text) return std::nullopt;
    return Operand{.literal = std::move(*text)};
  }
  if (Peek('-') || (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))) {
    auto number = ParseNumber();
    if (!number) return std::nullopt;
    return Operand{.literal = *number};
  }
  if (Peek('/')) return Unsupported("regular expressions");
  if (Peek('[')) return Unsupported("array literals");
  std::string word = Name();
  if (word == "true" || word == "false") return Operand{.literal = word == "true"};
  if (word == "null") return Operand{.literal = std::monostate{}};
  return Fail();
}

std::optional<Expr> Parser::ParseOr() {
  auto first = ParseAnd();
  if (!first) return std::nullopt;
  Expr out{.op = Op::kOr, .children = {std::move(*first)}};
  while (Take("||")) {
    auto next = ParseAnd();
    if (!next) return std::nullopt;
    out.children.push_back(std::move(*next));
  }
  if (out.children.size() == 1) return std::move(out.children[0]);
  return out;
}

std::optional<Expr> Parser::ParseAnd() {
  auto first = ParseUnary();
  if (!first) return std::nullopt;
  Expr out{.op = Op::kAnd, .children = {std::move(*first)}};
  while (Take("&&")) {
    auto next = ParseUnary();
    if (!next) return std::nullopt;
    out.children.push_back(std::move(*next));
  }
  if (out.children.size() == 1) return std::move(out.children[0]);
  return out;
}

std::optional<Expr> Parser::ParseUnary() {
  if (Take("!") && !Peek('=')) {
    auto inner = ParseUnary();
    if (!inner) return std::nullopt;
    return Expr{.op = Op::kNot, .children = {std::move(*inner)}};
  }
  if (Take("(")) {
    auto inner = ParseOr();
    if (!inner || !Take(")")) return Fail();
    return inner;
  }
  return ParseComparison();
}

std::optional<Expr> Parser::ParseComparison() {
  auto lhs = ParseOperand();
  if (!lhs) return std::nullopt;
  constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::kEq}, {"!=", Op::kNe},
                                                      {"<=", Op::kLe}, {">=", Op::kGe},
                                                      {"<", Op::kLt},  {">", Op::kGt}};
  if (Take("=~")) return Unsupported("regular expressions");
  for (const auto& [token, op] : kOps) {
    if (!Take(token)) continue;
    auto rhs = ParseOperand();
    if (!rhs) return std::nullopt;
    return Expr{.op = op, .lhs = std::move(*lhs), .rhs = std::move(*rhs)};
  }
  SkipSpace();
  size_t mark = pos_;
  if (std::string word = Name(); !word.empty()) {
    // Jayway's named operators: in, nin, subsetof, anyof, noneof, size, empty, contains.
    return Unsupported(fmt::format("the operator {}", word));
  }
  pos_ = mark;
  if (!lhs->path) return Fail();  // a lone literal tests nothing
  return Expr{.op = Op::kExists, .lhs = std::move(*lhs)};
}

// Runs a parsed filter over an input, noting which of its paths found something there.
class Evaluator {
 public:
  Evaluator(element root, size_t paths) : root_(root), present_(paths, false) {}

  std::vector<element> Select(const Path& path, element current);
  bool AllPresent() const {
    for (bool p : present_) {
      if (!p) return false;
    }
    return true;
  }

 private:
  bool Test(const Expr& e, element current);
  std::optional<Scalar> Value(const Operand& operand, element current);
  void Step(const Segment& s, element node, std::vector<element>& out);
  static void Descend(std::string_view name, element node, std::vector<element>& out);

  element root_;
  std::vector<bool> present_;
};

std::vector<element> Evaluator::Select(const Path& path, element current) {
  std::vector<element> nodes{path.relative ? current : root_};
  bool before_filter = true;
  for (const auto& segment : path.segments) {
    // A path "exists" when what it names before any filter is there: the filter may then
    // rightly select nothing.
    if (segment.kind == Segment::Kind::kFilter && before_filter) {
      before_filter = false;
      if (!nodes.empty()) present_[path.id] = true;
    }
    std::vector<element> next;
    for (element node : nodes) Step(segment, node, next);
    nodes = std::move(next);
  }
  if (before_filter && !nodes.empty()) present_[path.id] = true;
  return nodes;
}

void Evaluator::Step(const Segment& s, element node, std::vector<element>& out) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  bool is_object = !node.get(object);
  bool is_array = !node.get(array);
  switch (s.kind) {
    case Segment::Kind::kName: {
      element value;
      if (is_object && !object[s.name].get(value)) out.push_back(value);
      return;
    }
    case Segment::Kind::kWildcard:
      if (is_object) {
        for (auto field : object) out.push_back(field.value);
      }
      if (is_array) {
        for (element e : array) out.push_back(e);
      }
      return;
    case Segment::Kind::kIndex: {
      if (!is_array) return;
      int64_t i = s.index < 0 ? static_cast<int64_t>(array.size()) + s.index : s.index;
      element value;
      if (i >= 0 && !array.at(static_cast<size_t>(i)).get(value)) out.push_back(value);
      return;
    }
    case Segment::Kind::kFilter:
      if (is_array) {
        for (element e : array) {
          if (Test(*s.filter, e)) out.push_back(e);
        }
      } else if (is_object && Test(*s.filter, node)) {
        out.push_back(node);
      }
      return;
    case Segment::Kind::kDescend:
      Descend(s.name, node, out);
      return;
  }
}

void Evaluator::Descend(std::string_view name, element node, std::vector<element>& out) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (!node.get(object)) {
    for (auto field : object) {
      if (field.key == name) out.push_back(field.value);
      Descend(name, field.value, out);
    }
  } else if (!node.get(array)) {
    for (element e : array) Descend(name, e, out);
  }
}

std::optional<Scalar> Evaluator::Value(const Operand& operand, element current) {
  if (!operand.path) return operand.literal;
  auto nodes = Select(*operand.path, current);
  if (nodes.empty()) return std::nullopt;
  element e = nodes[0];
  std::string_view text;
  double number = 0;
  bool flag = false;
  if (!e.get(text)) return Scalar{std::string(text)};
  if (!e.get(number)) return Scalar{number};
  if (!e.get(flag)) return Scalar{flag};
  if (e.is_null()) return Scalar{std::monostate{}};
  return std::nullopt;  // an object or array compares with nothing
}

bool Evaluator::Test(const Expr& e, element current) {
  switch (e.op) {
    case Op::kOr:
      for (const auto& c : e.children) {
        if (Test(c, current)) return true;
      }
      return false;
    case Op::kAnd:
      for (const auto& c : e.children) {
        if (!Test(c, current)) return false;
      }
      return true;
    case Op::kNot:
      return !Test(e.children[0], current);
    case Op::kExists:
      return !Select(*e.lhs.path, current).empty();
    default:
      break;
  }
  auto a = Value(e.lhs, current);
  auto b = Value(e.rhs, current);
  // A missing value, or values of different kinds, satisfy no comparison.
  if (!a || !b || a->index() != b->index()) return false;
  switch (e.op) {
    case Op::kEq:
      return *a == *b;
    case Op::kNe:
      return *a != *b;
    case Op::kLt:
      return *a < *b;
    case Op::kLe:
      return *a <= *b;
    case Op::kGt:
      return *a > *b;
    case Op::kGe:
      return *a >= *b;
    default:
      return false;
  }
}

}  // namespace

FilterCheck CheckFilter(std::string_view filter, element input) {
  FilterCheck out;
  Parser parser(filter);
  auto path = parser.Top();
  if (!parser.unsupported().empty()) {
    out.unsupported = parser.unsupported();
    return out;
  }
  if (!path) return out;
  out.valid_json_path = true;
  Evaluator evaluator(input, parser.paths());
  out.matches = !evaluator.Select(*path, input).empty();
  out.path_exists = evaluator.AllPresent();
  return out;
}

}  // namespace isc_mirror::sim
