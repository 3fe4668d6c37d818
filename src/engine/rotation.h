// Rotating secrets: a refresh token the server replaces on every exchange
// (Kaspersky MDR, Azure AD) must be stored before anything else happens,
// and must survive a store that refuses it.
#ifndef TOKEX_ROTATION_H_
#define TOKEX_ROTATION_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "environment.h"
#include "exchange.h"
#include "result.h"
#include "secret.h"
#include "token_response.h"

namespace tokex {

/// Stores `next`, the secret the server handed back, as the profile's
/// `name` in place of `spent`, the value the exchange just sent (which the
/// server will not take again). Call it from the exchange, under the
/// profile lock, before the credential is returned: nothing is printed or
/// cached until the new value is safe.
///
/// `next` is copied first to the in-flight file (InFlightPath), which
/// outlives a tokex killed or interrupted while the store takes `next`;
/// the next exchange finds it there. The store replaces the value only if
/// it still holds `spent` (SecretStore::Replace), and then both copies go
/// (ClearRecovery). When it cannot (unreachable, locked, read-only,
/// or it holds another value by now), `next` goes to the recovery file
/// (RecoveryPath: 0600 in a 0700 directory, synced) and the kStore error
/// names that file and the `tokex secret set` command that restores it.
/// Only if the recovery file cannot be written either does the error say
/// the value is lost.
Status PersistRotated(ExchangeContext& ctx, std::string_view name, const Secret& spent, const Secret& next);

/// Success when `store` can take the next value of `profile`'s rotating
/// secret `name`; otherwise the error (the store's kind) that says that
/// the value rotates and which store to use instead. ExchangeRotating
/// checks it before anything is spent; tokex refresh and tokex check
/// report it.
Status CheckRotatable(SecretStore& store, std::string_view profile, std::string_view name);

/// Builds the preset's token request that spends the refresh token
/// `refresh`.
using RefreshRequestFn = std::function<Result<HttpRequest>(ExchangeContext& ctx, const Secret& refresh)>;

/// What a refused refresh's message tells the person to do, by the
/// server's RFC 6749 `error` code (possibly empty).
using RejectedFixFn = std::function<std::string(std::string_view error_code)>;

/// The exchange of a profile whose secret `name` is a refresh token that
/// may rotate, done so that no value is ever lost:
///  1. the store must be able to take the next value (CheckWritable): a
///     read-only store is refused before anything is spent;
///  2. a stored value that is a JWT whose exp has passed is refused before
///     any request, kRejected, the message ending with `expired_fix`
///     (where a person gets a new one);
///  3. the request `build` makes is sent; when the server refuses the
///     stored value, the value of the in-flight file (a tokex that died
///     while the store took it), then of the recovery file (a rotation
///     whose store write failed), is tried instead;
///  4. a refresh token in a 2xx answer replaces the stored value
///     (PersistRotated) before anything else is read from the answer: even
///     when the rest of it is unusable, the new value is never dropped.
/// Returns the credential and, as refresh_token, the value that is valid
/// now (the new one, or the one sent when the server kept it), for a
/// preset that must pass it on (ennov-insight's login).
Result<TokenAnswer> ExchangeRotating(ExchangeContext& ctx, std::string_view name, std::string_view expired_fix,
                                     const RejectedFixFn& rejected_fix, const RefreshRequestFn& build);

/// Keeps `value`, a refresh token the store would not take (`why`), in
/// the recovery file, and returns the kStore error that names the file
/// and the `tokex secret set` command that restores it. When not even the
/// file can be written, the error names `copy`, a file that still holds
/// the value (the in-flight copy), or, without one, says the value is lost.
Error SaveForRecovery(ExchangeContext& ctx, std::string_view name, const Secret& value, std::string_view why,
                      std::string_view copy = {});

/// $XDG_STATE_HOME/tokex/recovery/PROFILE: where PersistRotated keeps a
/// rotated secret the store refused.
std::string RecoveryPath(const Paths& paths, std::string_view profile);

/// PROFILE.pending in the cache directory ($XDG_RUNTIME_DIR/tokex, in
/// memory on most systems): where PersistRotated keeps a rotated secret
/// while the store takes it.
std::string InFlightPath(const Paths& paths, std::string_view profile);

/// The value a failed PersistRotated kept for `profile`, or nullopt when
/// there is none. A recovery file that is not the user's private regular
/// file is a kStore error, never read.
Result<std::optional<Secret>> ReadRecovery(const Paths& paths, uid_t uid, std::string_view profile);

/// Removes the recovery file and the in-flight file of `profile` (their
/// value is back in the store, or spent); missing ones are success.
Status ClearRecovery(const Paths& paths, std::string_view profile);

}  // namespace tokex

#endif  // TOKEX_ROTATION_H_
