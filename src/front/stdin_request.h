// Reading a helper's request from stdin, bounded in size and in time: the
// calling tool writes it at once, but a helper run by hand reads a
// terminal, and a caller could keep the pipe open without ever finishing.
#ifndef TOKEX_STDIN_REQUEST_H_
#define TOKEX_STDIN_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// How one helper's request ends and what its errors say.
struct RequestFormat {
  std::string_view what;  ///< "git's request": the subject of the errors
  size_t max_bytes;
  double wait;           ///< seconds in all, from a pipe or file
  double terminal_wait;  ///< seconds in all, from a person at a terminal
  /// The length of the complete request at the start of `data`, or nullopt
  /// while more is needed. Null: the request is all of the input.
  std::optional<size_t> (*length)(std::string_view data) = nullptr;
  /// Whether a line break ends the wait: the bytes that have arrived by
  /// then are the request, so that one line is enough on a pipe left open.
  bool line_ends_wait = false;
  std::string_view too_large_hint;  ///< after "... larger than N KiB: "
  std::string_view too_slow_hint;   ///< after "... did not end within Ns: "
};

/// Reads a request in `format` from `fd`: up to its end (format.length),
/// the end of the input, or the first pause after a line break
/// (format.line_ends_wait). Bytes past the end are dropped. kUsage error
/// when it is larger than format.max_bytes or unfinished when the time is
/// up; kInternal when `fd` cannot be read. The result may hold a password:
/// the caller wipes it. Nothing read is left unwiped on failure, and the
/// buffer is never reallocated, so no copy stays behind in freed memory.
Result<std::string> ReadRequest(int fd, const RequestFormat& format);

}  // namespace tokex

#endif  // TOKEX_STDIN_REQUEST_H_
