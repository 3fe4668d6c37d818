// Files that are the user's alone: 0700 directories, 0600 files, no
// symlinks followed, atomic replacement.
#ifndef TOKEX_PRIVATE_FILE_H_
#define TOKEX_PRIVATE_FILE_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// Creates `path` (and missing parents, 0700) unless it exists, then checks
/// that it is a real directory owned by `uid` with no group or other
/// access. A directory that fails the check is refused with a kInternal
/// error that names it and says how to fix it; it is never "repaired".
Status EnsurePrivateDir(const std::string& path, uid_t uid);

/// EnsurePrivateDir for `top`, then for `top/sub`: tokex's own directory
/// must be private too, or whoever controls it could swap `sub` for a
/// directory of their own between the check and a write.
Status EnsurePrivateDirs(const std::string& top, std::string_view sub, uid_t uid);

/// Checks `path` as EnsurePrivateDir does, without creating it: false when
/// it does not exist, the same kInternal error when it is not private.
Result<bool> CheckPrivateDir(const std::string& path, uid_t uid);

/// Reads a file of at most `max_bytes`, opened with O_NOFOLLOW. Returns
/// nullopt when it does not exist. A file that is not a regular file owned
/// by `uid` with mode 0600 or stricter is an error.
Result<std::optional<std::string>> ReadPrivateFile(const std::string& path, uid_t uid,
                                                   size_t max_bytes);

/// Writes `data` to `dir/name` atomically: a 0600 temporary file in `dir`,
/// then rename(2) over the target. With `sync`, the data is fsync'ed first.
Status WritePrivateFile(const std::string& dir, std::string_view name, std::string_view data,
                        bool sync);

/// Removes `path`; a file that is already gone is success.
Status RemoveFile(const std::string& path);

}  // namespace tokex

#endif  // TOKEX_PRIVATE_FILE_H_
