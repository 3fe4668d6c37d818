// Getting a profile's credential: from the cache while it is fresh, else
// by one exchange that concurrent callers share.
#ifndef TOKEX_OBTAIN_H_
#define TOKEX_OBTAIN_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "clock.h"
#include "config.h"
#include "credential.h"
#include "deadline.h"
#include "diagnostics.h"
#include "exchange.h"
#include "http.h"
#include "random.h"
#include "result.h"
#include "secret_store.h"

namespace tokex {

/// The engine's ways out to the world and what it knows of the process,
/// passed in so tests can swap any of them.
struct EngineDeps {
  HttpClient& http;
  Clock& clock;
  Random& random;
  std::span<const PresetExchange> exchanges;  ///< the preset registry
  /// Opens the store a profile's `store` setting selects; the engine owns
  /// what it returns.
  std::function<std::unique_ptr<SecretStore>(const Profile&)> open_store;
  const Paths& paths;
  uid_t uid;
  Diagnostics& log;
};

/// How a caller wants its credential.
struct ObtainOptions {
  bool use_cache = true;  ///< false: neither read nor write the cache
  /// Exchange even when the cache holds a fresh token or a failure record
  /// (tokex check); with use_cache, the outcome is cached as usual.
  bool force = false;
  int64_t min_ttl = 0;    ///< seconds the credential must still be valid for
  Deadline deadline;      ///< on deps.clock.Monotonic(): the profile's timeout from the start
  /// true: exchange even when the cache holds a fresh credential (tokex
  /// refresh, which must spend the refresh token), unless another caller's
  /// exchange wrote one while this call waited for the lock: that one is
  /// shared. The result is cached as usual.
  bool renew = false;
};

/// The profile's credential: from the cache while fresh, otherwise by one
/// exchange under the profile's lock, waited for until the deadline. Once
/// the lock is held the cache is read again (with `renew`: for a
/// credential written since the call began), and so is the record of a
/// failed exchange: callers that waited on an exchange share its token or
/// its failure instead of repeating it. A cache that cannot be written is
/// a notice on deps.log, not an error; a cache directory that cannot be
/// used at all (not private, another user's) is a notice too, and the
/// exchange runs uncached and unlocked. Errors are those of the exchange,
/// the store and the lock (timed out: kNetwork, naming the holder).
Result<Credential> ObtainCredential(const Profile& profile, const ObtainOptions& options, EngineDeps& deps);

}  // namespace tokex

#endif  // TOKEX_OBTAIN_H_
