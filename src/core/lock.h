// The per-profile lock that makes concurrent refreshes single-flight.
#ifndef TOKEX_LOCK_H_
#define TOKEX_LOCK_H_

#include <string>

#include "result.h"

namespace tokex {

/// An exclusive flock(2) on a 0600 lock file, held until destruction.
class ProfileLock {
 public:
  /// Blocks until the lock on `path` is held. The file is created 0600 and
  /// opened without following symlinks; failure is a kInternal error.
  static Result<ProfileLock> Acquire(const std::string& path);

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
