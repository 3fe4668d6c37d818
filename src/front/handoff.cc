#include "handoff.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tokex {

namespace {

Error OsError(std::string_view what) {
  return MakeError(ErrorKind::kInternal, std::string(what) + ": " + strerror(errno));
}

// Puts `data` on fd 0, read from the start.
Status ReplaceStdin(std::string_view data) {
  // Only the copy on fd 0 reaches the engine: dup2 clears FD_CLOEXEC there.
  int fd = memfd_create("tokex-request", MFD_CLOEXEC);
  if (fd < 0) return OsError("cannot hand the request to tokex-engine");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = OsError("cannot hand the request to tokex-engine");
      close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
    Error e = OsError("cannot hand the request to tokex-engine");
    close(fd);
    return e;
  }
  close(fd);
  return Success();
}

}  // namespace

Error ExecEngine(const std::string& engine_path, std::span<const std::string> argv,
                 std::string_view consumed_stdin) {
  if (!consumed_stdin.empty()) {
    if (Status s = ReplaceStdin(consumed_stdin); !s) return s.error();
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(engine_path.c_str(), args.data());
  return OsError("cannot run " + engine_path + " (needed when no cached token can be used): reinstall tokex");
}

}  // namespace tokex
