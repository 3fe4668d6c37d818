// Rotating secrets: a refresh token the server replaces on every exchange
// (Kaspersky MDR, Azure AD) must be stored before anything else happens,
// and must survive a store that refuses it.
#ifndef TOKEX_ROTATION_H_
#define TOKEX_ROTATION_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "environment.h"
#include "exchange.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// Stores `next`, the secret the server handed back, as the profile's
/// `name` in place of `spent`, the value the exchange just sent (which the
/// server will not take again). Call it from the exchange, under the
/// profile lock, before the credential is returned: nothing is printed or
/// cached until the new value is safe.
///
/// The store replaces the value only if it still holds `spent`
/// (SecretStore::Replace). When it cannot (unreachable, locked, read-only,
/// or it holds another value by now), `next` goes to the recovery file
/// (RecoveryPath: 0600 in a 0700 directory, synced) and the kStore error
/// names that file and the `tokex secret set` command that restores it.
/// Only if the recovery file cannot be written either does the error say
/// the value is lost.
Status PersistRotated(ExchangeContext& ctx, std::string_view name, const Secret& spent, const Secret& next);

/// $XDG_STATE_HOME/tokex/recovery/PROFILE: where PersistRotated keeps a
/// rotated secret the store refused.
std::string RecoveryPath(const Paths& paths, std::string_view profile);

/// The value a failed PersistRotated kept for `profile`, or nullopt when
/// there is none. A recovery file that is not the user's private regular
/// file is a kStore error, never read.
Result<std::optional<Secret>> ReadRecovery(const Paths& paths, uid_t uid, std::string_view profile);

/// Removes the recovery file of `profile` (its value is back in the store,
/// or spent); a missing one is success.
Status ClearRecovery(const Paths& paths, std::string_view profile);

}  // namespace tokex

#endif  // TOKEX_ROTATION_H_
