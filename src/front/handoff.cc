#include "handoff.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "text.h"

namespace tokex {

namespace {

constexpr std::string_view kConfigFlag = "--handoff-config=";
constexpr size_t kMaxConfigBytes = 1 << 20;

Error OsError(std::string_view what) {
  return MakeError(ErrorKind::kInternal, std::string(what) + ": " + strerror(errno));
}

// An anonymous memory file holding `data`, read from the start, on a
// descriptor above 2 (a front started with stdin closed would otherwise
// get it as fd 0). Inherited across exec unless `cloexec`.
Result<int> MemoryFile(std::string_view data, bool cloexec) {
  int raw = memfd_create("tokex-handoff", MFD_CLOEXEC);
  if (raw < 0) return OsError("cannot hand over to tokex-engine");
  int fd = fcntl(raw, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 3);
  close(raw);
  if (fd < 0) return OsError("cannot hand over to tokex-engine");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (done != data.size() || lseek(fd, 0, SEEK_SET) != 0) {
    Error e = OsError("cannot hand over to tokex-engine");
    close(fd);
    return e;
  }
  return fd;
}

}  // namespace

Error ExecEngine(const std::string& engine_path, std::span<const std::string> argv, const HandOff& handoff) {
  std::vector<std::string> args(argv.begin(), argv.end());
  if (handoff.config) {
    Result<int> fd = MemoryFile(*handoff.config, false);
    if (!fd) return fd.error();
    args.insert(args.begin() + (args.empty() ? 0 : 1), std::string(kConfigFlag) + std::to_string(*fd));
  }
  if (!handoff.consumed_stdin.empty()) {
    Result<int> fd = MemoryFile(handoff.consumed_stdin, true);
    if (!fd) return fd.error();
    // dup2 clears FD_CLOEXEC on the copy: only fd 0 reaches the engine.
    if (dup2(*fd, 0) != 0) return OsError("cannot hand the request to tokex-engine");
    close(*fd);
  }
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  execv(engine_path.c_str(), raw.data());
  return OsError("cannot run " + engine_path + " (needed when no cached token can be used): reinstall tokex");
}

Result<ReceivedHandOff> ReceiveHandOff(std::span<const std::string> args) {
  ReceivedHandOff r;
  if (args.empty() || !args[0].starts_with(kConfigFlag)) {
    r.args.assign(args.begin(), args.end());
    return r;
  }
  r.args.assign(args.begin() + 1, args.end());
  std::optional<int64_t> fd = ParseInt(std::string_view(args[0]).substr(kConfigFlag.size()), 3, 1 << 20);
  if (!fd) return MakeError(ErrorKind::kInternal, "bad " + std::string(kConfigFlag) + " from the front");
  int n = static_cast<int>(*fd);
  std::string text;
  char buf[8192];
  ssize_t got;
  while ((got = read(n, buf, sizeof buf)) > 0 && text.size() <= kMaxConfigBytes) text.append(buf, static_cast<size_t>(got));
  bool ok = got == 0;
  Error e = OsError("cannot read the config the front handed over");
  close(n);
  if (!ok) return e;
  r.config = std::move(text);
  return r;
}

}  // namespace tokex
