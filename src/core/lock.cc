#include "lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "text.h"

namespace tokex {

namespace {

// How long a waiter sleeps between tries: short at first, so that the
// usual wait (one exchange) ends soon after the holder is done.
constexpr double kFirstPoll = 0.005;
constexpr double kMaxPoll = 0.1;

// The process id the holder wrote, or 0.
pid_t HolderOf(int fd) {
  char buf[24] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  std::optional<int64_t> pid = ParseInt(std::string_view(buf, static_cast<size_t>(n)).substr(0, strcspn(buf, "\n")),
                                        1, 4194304);
  return pid ? static_cast<pid_t>(*pid) : 0;
}

// True when process `pid` is stopped (state T in /proc/PID/stat).
bool IsStopped(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = fopen(path.c_str(), "re");
  if (f == nullptr) return false;
  char buf[512] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses.
  const char* close = strrchr(buf, ')');
  return n > 0 && close != nullptr && close[1] == ' ' && (close[2] == 'T' || close[2] == 't');
}

Error TimedOut(int fd, const std::string& path) {
  pid_t pid = HolderOf(fd);
  if (pid == 0 || (kill(pid, 0) != 0 && errno == ESRCH))
    return MakeError(ErrorKind::kNetwork, "another tokex holds the lock " + path +
                                              " past the timeout: try again, or raise timeout");
  std::string who = "process " + std::to_string(pid);
  if (IsStopped(pid))
    return MakeError(ErrorKind::kNetwork, "another tokex (" + who + ") holds the lock " + path +
                                              " and is stopped (Ctrl-Z?): resume it (fg, or kill -CONT " +
                                              std::to_string(pid) + ") or end it (kill " + std::to_string(pid) + ")");
  return MakeError(ErrorKind::kNetwork, "another tokex (" + who + ") holds the lock " + path +
                                            " and is still exchanging: try again, or raise timeout");
}

Error NotALockFile(const std::string& path) {
  return MakeError(ErrorKind::kInternal, path + " is not a lock file of yours: remove it");
}

}  // namespace

Result<ProfileLock> ProfileLock::Acquire(const std::string& path, const Deadline& deadline) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ELOOP) return MakeError(ErrorKind::kInternal, path + " is a symbolic link: remove it");
  // A directory, or (for a user other than root) a file of someone else.
  if (fd < 0 && (errno == EISDIR || errno == EACCES)) return NotALockFile(path);
  if (fd < 0)
    return MakeError(ErrorKind::kInternal, "cannot open lock file " + path + ": " + strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
    close(fd);
    return NotALockFile(path);
  }
  double poll = kFirstPoll;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      std::string why = strerror(errno);
      close(fd);
      return MakeError(ErrorKind::kInternal, "cannot lock " + path + ": " + why);
    }
    if (deadline.Remaining() <= 0) {
      Error e = TimedOut(fd, path);
      close(fd);
      return e;
    }
    SleepUntil(poll, deadline);
    poll = std::min(poll * 2, kMaxPoll);
  }
  // Only the message of a waiter that times out depends on this: a failed
  // write is no reason to give up the lock.
  std::string pid = std::to_string(getpid()) + "\n";
  bool written = ftruncate(fd, 0) == 0 && pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)written;
  return ProfileLock(fd);
}

ProfileLock::~ProfileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace tokex
