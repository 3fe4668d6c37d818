// The per-profile lock that makes concurrent refreshes single-flight.
#ifndef TOKEX_LOCK_H_
#define TOKEX_LOCK_H_

#include <string>

#include "deadline.h"
#include "result.h"

namespace tokex {

/// An exclusive flock(2) on a 0600 lock file, held until destruction. The
/// holder writes its process id into the file, so that a caller that
/// cannot get the lock can say who has it.
class ProfileLock {
 public:
  /// Waits until the lock on `path` is held, or until `deadline`. The file
  /// is created 0600 and opened without following symlinks or blocking.
  /// A wait that reaches the deadline is a kNetwork error naming the
  /// process that holds the lock and whether it is stopped (Ctrl-Z), with
  /// what to do; failing to open or lock the file is kInternal.
  static Result<ProfileLock> Acquire(const std::string& path, const Deadline& deadline);

  ProfileLock(ProfileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ProfileLock& operator=(ProfileLock&&) = delete;
  ProfileLock(const ProfileLock&) = delete;
  ~ProfileLock();

 private:
  explicit ProfileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tokex

#endif  // TOKEX_LOCK_H_
