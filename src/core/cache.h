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

  /// Replaces the cached credential of `profile` atomically. Temporary
  /// files an earlier writer left behind (killed before its rename) go
  /// first: the caller holds the profile lock, so none is in use.
  Status Write(std::string_view profile, std::string_view key, const Credential& c) const;

  /// The failure of the last exchange for `profile` under `key`, when it
  /// ended at or after `since_ms` (unix milliseconds): callers that were
  /// waiting for that exchange report its failure instead of repeating it.
  std::optional<Error> ReadFailure(std::string_view profile, std::string_view key, int64_t since_ms) const;

  /// Records that the exchange for `profile` under `key` failed with `e`
  /// at `ended_ms`. The message is kept; it never holds a secret.
  Status WriteFailure(std::string_view profile, std::string_view key, const Error& e, int64_t ended_ms) const;

  /// Drops the cached credential and recorded failure of `profile`, and
  /// any temporary file a killed writer left.
  Status Forget(std::string_view profile) const;

  /// Forget for every profile, including profiles no longer in the config.
  Status ForgetAll() const;

  /// Path of the lock file that serialises exchanges for `profile`.
  std::string LockPath(std::string_view profile) const;

 private:
  TokenCache(std::string dir, uid_t uid) : dir_(std::move(dir)), uid_(uid) {}

  std::string FilePath(std::string_view profile) const;
  std::string FailurePath(std::string_view profile) const;
  // Removes the cache's files of `profile` (of every profile when empty):
  // records and temporary files, or the temporary ones only. Lock files
  // stay: a waiter may hold one open.
  Status RemoveFiles(std::string_view profile, bool temporary_only) const;

  std::string dir_;
  uid_t uid_;
};

}  // namespace tokex

#endif  // TOKEX_CACHE_H_
