// A value or an error: how expected failures travel without exceptions.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace isc_mirror::base {

// The error of most expected failures: a message for the operator.
struct Error {
  std::string message;
};

// A value, or an error of type E. E carries a `message`; a richer E (an HTTP call's status,
// ISC's Retry-After) lets a caller decide without parsing the message.
template <typename T, typename E = Error>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(E error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const std::string& error() const { return failure().message; }
  const E& failure() const { return std::get<E>(state_); }

 private:
  std::variant<T, E> state_;
};

// Success with no value, or an error message.
template <>
class Expected<void, Error> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error.message)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
  bool failed_ = false;
};

}  // namespace isc_mirror::base
