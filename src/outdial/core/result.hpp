#pragma once
// Expected failures are values (engineering.md §5). C++20 has no std::expected, so this is a
// small Result<T> carrying either a value or an Error{code, message, details}.
#include <cassert>
#include <map>
#include <string>
#include <utility>
#include <variant>

namespace outdial {

// One list of failure kinds for the whole program; the API layer owns the single mapping of
// these codes to HTTP statuses (api/error_mapping.cpp).
enum class ErrorCode {
  kInvalidArgument,     // the caller sent something malformed; details name the field/row
  kNotFound,            // the named entity does not exist (or is in another tenant)
  kAlreadyExists,       // a uniqueness rule would be broken
  kUnauthenticated,     // no or unknown credentials
  kPermissionDenied,    // credentials known, role does not allow the action
  kFailedPrecondition,  // the entity is in a state that forbids the action (e.g. illegal transition)
  kConflict,            // a concurrent change won (lease lost, version mismatch)
  kRateLimited,         // the provider or our own throttle refused; retry later
  kUnavailable,         // a dependency (database, provider) could not be reached
  kInternal,            // a bug or an unexpected library failure
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Machine-readable context: field names, row numbers, header names, ids.
  std::map<std::string, std::string> details;
};

inline Error make_error(ErrorCode code, std::string message,
                        std::map<std::string, std::string> details = {}) {
  return Error{code, std::move(message), std::move(details)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok() && "value() on an error Result");
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok() && "value() on an error Result");
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok() && "value() on an error Result");
    return std::get<T>(std::move(data_));
  }
  const Error& error() const {
    assert(!ok() && "error() on an ok Result");
    return std::get<Error>(data_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> data_;
};

struct Unit {
  bool operator==(const Unit&) const = default;
};
using Status = Result<Unit>;
inline Status ok_status() { return Status(Unit{}); }

}  // namespace outdial
