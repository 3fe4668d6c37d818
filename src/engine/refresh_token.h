// What tokex knows of the life of a profile's stored refresh token: its
// own expiry (a JWT's exp), or when tokex stored it plus the profile's
// refresh-token-ttl. `tokex refresh` renews one that expires within
// keep-alive; `tokex status` warns of one that expires soon.
#ifndef TOKEX_REFRESH_TOKEN_H_
#define TOKEX_REFRESH_TOKEN_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config.h"
#include "diagnostics.h"
#include "environment.h"
#include "exchange.h"
#include "result.h"
#include "secret.h"
#include "secret_store.h"

namespace tokex {

/// The secret every rotating grant spends.
inline constexpr std::string_view kRefreshTokenSecret = "refresh-token";

/// True when the profile's exchange spends a refresh token the server may
/// rotate: its grant needs the secret kRefreshTokenSecret (kaspersky-mdr;
/// azure-ad, ennov-insight and oauth2 with grant = refresh_token).
bool UsesRefreshToken(std::span<const PresetExchange> exchanges, const Profile& profile);

/// $XDG_STATE_HOME/tokex/stored-at/PROFILE: when tokex last took in a
/// refresh token for the profile, as unix time. It holds no secret.
std::string StoredAtPath(const Paths& paths, std::string_view profile);

/// Records that a refresh token for `profile` came in at `when` (from a
/// person, a sign-in or a rotation), in a 0600 file in a 0700 directory.
/// Errors are kInternal, naming the path.
Status RecordStoredAt(const Paths& paths, uid_t uid, std::string_view profile, int64_t when);

/// RecordStoredAt for a command that has just stored a refresh token: a
/// record that cannot be written is a warning on `log`, since the token
/// itself is safe.
void NoteStoredAt(const Paths& paths, uid_t uid, std::string_view profile, int64_t when, Diagnostics& log);

/// The time RecordStoredAt recorded for `profile`, or nullopt when there
/// is no record (or it holds no time). A record that is not the user's
/// private regular file is an error, never read.
Result<std::optional<int64_t>> ReadStoredAt(const Paths& paths, uid_t uid, std::string_view profile);

/// Removes the record of `profile`; a missing one is success.
Status ForgetStoredAt(const Paths& paths, std::string_view profile);

/// When a refresh token expires, as far as tokex can tell.
struct RefreshTokenLife {
  std::optional<int64_t> expires_at;  ///< nullopt: unknown
  bool from_jwt = false;              ///< expires_at is the token's own exp
  std::optional<int64_t> stored_at;   ///< for an opaque token: the record's time, if any
};

/// The life of `token`, the stored refresh token of `profile`: the JWT's
/// exp when it is one (read, not verified), else the time ReadStoredAt
/// gives plus the profile's refresh-token-ttl when both are known, else
/// unknown. Errors are ReadStoredAt's, for an opaque token only.
Result<RefreshTokenLife> LifeOf(const Paths& paths, uid_t uid, const Profile& profile, const Secret& token);

/// A refresh token's expiry is worth a warning two days ahead (tokex
/// status and tokex check): after it, a person has to fetch a new one, and
/// `tokex refresh` (see keep-alive) has had its chance by then.
inline constexpr int64_t kRefreshTokenWarning = 48 * 3600;

/// What tokex status and tokex check say of a stored secret, never its
/// value.
struct StoredSecret {
  bool present = false;
  RefreshTokenLife life;             ///< for a stored refresh token
  std::optional<Error> life_unknown;  ///< why LifeOf could not tell it
};

/// Whether `profile`'s secret `name` is in `store` and, for a refresh
/// token, its life (LifeOf). Errors are the store's.
Result<StoredSecret> LookUpSecret(SecretStore& store, const Paths& paths, uid_t uid, const Profile& profile,
                                  std::string_view name);

}  // namespace tokex

#endif  // TOKEX_REFRESH_TOKEN_H_
