// The access-token cache: one JSON file per profile in a private runtime
// directory, keyed by the profile's settings.
#ifndef TOKEX_CACHE_H_
#define TOKEX_CACHE_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "credential.h"
#include "result.h"

namespace tokex {

/// A cached credential and the key of the settings it was obtained under.
struct CacheRecord {
  std::string key;
  std::string profile;
  Credential credential;
};

/// Serialises a record as JSON. The returned string holds tokens: the
/// caller wipes it.
std::string SerializeCacheRecord(const CacheRecord& record);

/// Parses a record; a kInternal error when it is not one (corrupt, an older
/// format, or values that could not be sent as headers). `json` is used as
/// scratch space and wiped.
Result<CacheRecord> ParseCacheRecord(std::string json);

/// One user's cache directory, which Open has made sure is private.
class TokenCache {
 public:
  /// Creates `dir` (0700) when missing and checks that it is a private
  /// directory owned by `uid` (EnsurePrivateDir); kInternal error if not.
  static Result<TokenCache> Open(std::string dir, uid_t uid);

  /// The cached credential of `profile` if one exists under `key`.
  /// A missing, corrupt, foreign-key or non-private file reads as nullopt:
  /// the next write replaces it.
  std::optional<Credential> Read(std::string_view profile, std::string_view key) const;

  /// Replaces the cached credential of `profile` atomically.
  Status Write(std::string_view profile, std::string_view key, const Credential& c) const;

  /// Drops the cached credential of `profile`.
  Status Forget(std::string_view profile) const;

  /// Drops every cached credential, including those of profiles no longer
  /// in the config.
  Status ForgetAll() const;

  /// Path of the lock file that serialises exchanges for `profile`.
  std::string LockPath(std::string_view profile) const;

 private:
  TokenCache(std::string dir, uid_t uid) : dir_(std::move(dir)), uid_(uid) {}

  std::string FilePath(std::string_view profile) const;

  std::string dir_;
  uid_t uid_;
};

}  // namespace tokex

#endif  // TOKEX_CACHE_H_
