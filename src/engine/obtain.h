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
  int64_t min_ttl = 0;    ///< seconds the credential must still be valid for
};

/// The profile's credential: from the cache while fresh, otherwise by one
/// exchange under the profile's lock. The cache is read again once the
/// lock is held, so concurrent callers share one exchange. A cache that
/// cannot be written is a notice on deps.log, not an error. Errors are
/// those of the exchange, the store and the cache directory.
Result<Credential> ObtainCredential(const Profile& profile, const ObtainOptions& options, EngineDeps& deps);

}  // namespace tokex

#endif  // TOKEX_OBTAIN_H_
