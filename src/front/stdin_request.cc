#include "stdin_request.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "deadline.h"
#include "secret.h"
#include "text.h"

namespace tokex {

namespace {

// Waits until `fd` has something to read or reaches its end, or until
// `deadline` passes (at once when `now_only`). False when the time is up.
Result<bool> WaitReadable(int fd, const Deadline& deadline, bool now_only) {
  struct pollfd p = {fd, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, now_only ? 0 : static_cast<int>(std::ceil(deadline.Remaining() * 1000)));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return MakeError(ErrorKind::kInternal, std::string("cannot wait for stdin: ") + strerror(errno));
  return n > 0;
}

}  // namespace

Result<std::string> ReadRequest(int fd, const RequestFormat& format) {
  double wait = isatty(fd) == 1 ? format.terminal_wait : format.wait;
  Deadline deadline = Deadline::In(wait);
  std::string data;
  char buf[4096];
  data.reserve(format.max_bytes + sizeof buf);
  bool line_ended = false;
  auto fail = [&data](Error e) {
    WipeString(&data);
    return e;
  };
  while (true) {
    if (format.length != nullptr) {
      if (std::optional<size_t> n = format.length(data)) {
        WipeBytes(data.data() + *n, data.size() - *n);
        data.resize(*n);
        return data;
      }
    }
    if (data.size() > format.max_bytes)
      return fail(MakeError(ErrorKind::kUsage, std::string(format.what) + " on stdin is larger than " +
                                                   std::to_string(format.max_bytes / 1024) +
                                                   " KiB: " + std::string(format.too_large_hint)));
    Result<bool> ready = WaitReadable(fd, deadline, line_ended);
    if (!ready) return fail(ready.error());
    if (!*ready && line_ended) return data;
    if (!*ready)
      return fail(MakeError(ErrorKind::kUsage, std::string(format.what) + " on stdin did not end within " +
                                                   HumanDuration(static_cast<int64_t>(wait)) + ": " +
                                                   std::string(format.too_slow_hint)));
    ssize_t n = read(fd, buf, std::min(sizeof buf, format.max_bytes + 1 - data.size()));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0)
      return fail(MakeError(ErrorKind::kInternal, "cannot read " + std::string(format.what) + " on stdin: " +
                                                      strerror(errno)));
    if (n == 0) return data;
    size_t before = data.size();
    data.append(buf, static_cast<size_t>(n));
    WipeBytes(buf, static_cast<size_t>(n));
    line_ended = line_ended || (format.line_ends_wait && data.find('\n', before) != std::string::npos);
  }
}

}  // namespace tokex
