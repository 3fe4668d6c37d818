// Errors as values: every fallible call in src/ returns Result<T>.
#ifndef TOKEX_RESULT_H_
#define TOKEX_RESULT_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tokex {

/// What went wrong, in the terms of the contract's exit codes.
enum class ErrorKind {
  kInternal = 1,  ///< a bug or an OS failure nobody could foresee
  kUsage = 2,     ///< bad command line or bad configuration
  kStore = 3,     ///< secret missing, store locked or unreachable
  kRejected = 4,  ///< the server said no: a person must act
  kNetwork = 5,   ///< network or server failure after retries
};

/// An error: a kind and a one-line message that never contains a secret.
/// `message` reads "what happened: what to do". Only a main prints it
/// (see ErrorLine in diagnostics.h), with `profile` in front when set.
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  std::string profile;  ///< the profile the error concerns, or empty
  /// Worth trying again at once: a failure of the network that may pass
  /// (refused, reset, timed out), never one that would fail the same way
  /// (TLS verification, an answer over the size cap, a rejection).
  bool transient = false;

  int ExitCode() const { return static_cast<int>(kind); }
};

inline Error MakeError(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message), {}, false};
}

/// `e` attributed to `profile`, unless it already names one.
inline Error InProfile(Error e, std::string_view profile) {
  if (e.profile.empty()) e.profile = profile;
  return e;
}

/// Either a T or an Error. Access to the wrong alternative is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that yields nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

inline Status Success() { return Ok{}; }

/// `r`, with its error (if any) attributed to `profile` as InProfile does.
template <typename T>
Result<T> InProfile(Result<T> r, std::string_view profile) {
  if (r) return r;
  return InProfile(r.error(), profile);
}

}  // namespace tokex

#endif  // TOKEX_RESULT_H_
