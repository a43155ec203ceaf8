// Result<T>: the one error-as-value type of daybook. A subset of
// std::expected (C++23): holds either a T or an Error, must be checked.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/diagnostic.h"

namespace daybook {

// What kind of failure, so callers (and exit codes) can react without
// parsing messages.
enum class ErrorCode {
  kInvalidInput,   // bad file or argument: exit 2
  kNotFound,       // a file, host, ref... that does not exist
  kIo,             // the OS said no
  kFailed,         // an intervention or verification failed: exit 1
  kInternal,       // a broken invariant reported as a value
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Positioned problems behind the error (parsers report all at once).
  std::vector<Diagnostic> diagnostics;

  // Prefixes context as the error travels up: "host web-03: " + message.
  Error WithContext(const std::string& context) && {
    message = context + ": " + message;
    return std::move(*this);
  }
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}      // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace daybook
