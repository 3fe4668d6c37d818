#include "lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tokex {

Result<ProfileLock> ProfileLock::Acquire(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return MakeError(ErrorKind::kInternal, "cannot open lock file " + path + ": " + strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    std::string why = strerror(errno);
    close(fd);
    return MakeError(ErrorKind::kInternal, "cannot lock " + path + ": " + why);
  }
  return ProfileLock(fd);
}

ProfileLock::~ProfileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace tokex
