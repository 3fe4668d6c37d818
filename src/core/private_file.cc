#include "private_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "secret.h"

namespace tokex {

namespace {

Error OsError(std::string_view what, const std::string& path) {
  return MakeError(ErrorKind::kInternal, std::string(what) + " " + path + ": " + strerror(errno));
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status EnsurePrivateDir(const std::string& path, uid_t uid) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    if (errno != ENOENT) return OsError("cannot create directory", path);
    size_t slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return OsError("cannot create directory", path);
    std::string parent = path.substr(0, slash);
    if (mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) {
      if (Status s = EnsurePrivateDir(parent, uid); !s) return s;
    }
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return OsError("cannot create directory", path);
  }
  Result<bool> exists = CheckPrivateDir(path, uid);
  if (!exists) return exists.error();
  if (!*exists) return OsError("cannot inspect directory", path);
  return Success();
}

Status EnsurePrivateDirs(const std::string& top, std::string_view sub, uid_t uid) {
  if (Status s = EnsurePrivateDir(top, uid); !s) return s;
  return EnsurePrivateDir(top + "/" + std::string(sub), uid);
}

Result<bool> CheckPrivateDir(const std::string& path, uid_t uid) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return OsError("cannot inspect directory", path);
  }
  if (st.st_uid != uid)
    return MakeError(ErrorKind::kInternal, path + " belongs to another user (uid " + std::to_string(st.st_uid) +
                                               "): it cannot be used, nor removed by you");
  if (!S_ISDIR(st.st_mode) || (st.st_mode & 077) != 0)
    return MakeError(ErrorKind::kInternal,
                     path + " is not a private directory (it must be a directory owned by you "
                            "with mode 0700): remove it, or fix it with chmod 700");
  return true;
}

Result<std::optional<std::string>> ReadPrivateFile(const std::string& path, uid_t uid,
                                                   size_t max_bytes) {
  Fd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return MakeError(ErrorKind::kInternal, path + " is a symbolic link: remove it");
    return OsError("cannot open", path);
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return OsError("cannot inspect", path);
  if (!S_ISREG(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0)
    return MakeError(ErrorKind::kInternal,
                     path + " is not a private file (owned by you, mode 0600): remove it");
  if (static_cast<size_t>(st.st_size) > max_bytes)
    return MakeError(ErrorKind::kInternal, path + " is too large: remove it");
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      WipeString(&data);
      return OsError("cannot read", path);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return std::optional<std::string>(std::move(data));
}

Status WritePrivateFile(const std::string& dir, std::string_view name, std::string_view data,
                        bool sync) {
  std::string target = dir + "/" + std::string(name);
  std::string tmp = dir + "/." + std::string(name) + ".XXXXXX";
  int raw = mkostemp(tmp.data(), O_CLOEXEC);  // creates with O_EXCL, mode 0600
  if (raw < 0) return OsError("cannot create a file in", dir);
  Fd fd(raw);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = OsError("cannot write", tmp);
      unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if ((sync && fsync(fd.get()) != 0) || rename(tmp.c_str(), target.c_str()) != 0) {
    Error e = OsError("cannot write", target);
    unlink(tmp.c_str());
    return e;
  }
  if (sync) {
    Fd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() >= 0) fsync(d.get());
  }
  return Success();
}

Status RemoveFile(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return OsError("cannot remove", path);
  return Success();
}

}  // namespace tokex
