// Where long-lived secrets live, behind one interface: the Secret Service,
// CI variables or private files (src/stores/), and later shared stores.
#ifndef TOKEX_SECRET_STORE_H_
#define TOKEX_SECRET_STORE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clock.h"
#include "config.h"
#include "credential.h"
#include "deadline.h"
#include "environment.h"
#include "http.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// One thing a store tells about itself (SecretStore::Health), one line
/// each: "WHAT: TEXT".
struct StoreFact {
  std::string what;  ///< e.g. "etcd", "fleet lock"
  std::string text;
};

/// The fleet lock of a shared store, held until destroyed.
class FleetLock {
 public:
  virtual ~FleetLock() = default;
};

/// What a store shared by several hosts (etcd) shares besides secrets:
/// the profile's current access token, and a lock that one host at a time
/// holds for an exchange. Errors are kStore.
class SharedTokens {
 public:
  virtual ~SharedTokens() = default;

  /// The access token the hosts share, when one is there and was obtained
  /// under the same settings (Profile::SharedCacheKey).
  virtual Result<std::optional<Credential>> ReadToken() = 0;

  /// Shares `c` with the other hosts.
  virtual Status WriteToken(const Credential& c) = 0;

  /// Waits until `deadline` for the fleet lock of the profile; kNetwork
  /// error when it is still held then, naming the holder.
  virtual Result<std::unique_ptr<FleetLock>> Lock(const Deadline& deadline) = 0;
};

/// A place to keep a profile's secrets, each under a name such as
/// "client-secret". Errors are kStore (kUsage for a store that cannot do
/// what was asked, like writing CI variables) and say how to fix things;
/// they never contain the secret.
class SecretStore {
 public:
  virtual ~SecretStore() = default;

  /// The secret, or a kStore error when it is missing (naming the command
  /// that stores it) or the store cannot be reached.
  virtual Result<Secret> Get(std::string_view profile, std::string_view name) = 0;

  /// Stores or replaces the secret.
  virtual Status Set(std::string_view profile, std::string_view name, const Secret& value) = 0;

  /// Replaces the secret with `next` only if it still holds `expected`
  /// (compare-and-set), for a rotated refresh token: true when replaced,
  /// false when the store held something else and nothing was written.
  /// This default reads, compares and writes, which is safe against other
  /// tokex processes only under the profile lock; a shared store overrides
  /// it with an atomic operation of its own.
  virtual Result<bool> Replace(std::string_view profile, std::string_view name, const Secret& expected,
                               const Secret& next);

  /// Success when Set and Remove can work at all; checked before a value
  /// is asked for, so nobody types a secret into a read-only store.
  virtual Status CheckWritable(std::string_view /*profile*/, std::string_view /*name*/) { return Success(); }

  /// Removes the secret; removing a missing one is success.
  virtual Status Remove(std::string_view profile, std::string_view name) = 0;

  /// Whether the secret is there, without keeping its value.
  virtual Result<bool> Has(std::string_view profile, std::string_view name) = 0;

  /// A short description for messages and `tokex status`, e.g. "Secret
  /// Service keyring".
  virtual std::string Describe() const = 0;

  /// The token and lock a store shared by several hosts shares with them;
  /// nullptr for a store of this host alone.
  virtual SharedTokens* Shared() { return nullptr; }

  /// What a store that is a service of its own tells about itself, for
  /// `tokex status` and `tokex check` (etcd: the endpoint and member that
  /// answered, the lock's holder); empty when there is nothing to tell; an
  /// error when it cannot be reached.
  virtual Result<std::vector<StoreFact>> Health() { return std::vector<StoreFact>(); }
};

/// What a store may need to open: the profile (its settings), the
/// environment snapshot (the env store) and tokex's directories.
struct StoreContext {
  const Profile& profile;
  const Environment& env;
  const Paths& paths;
  HttpClient* http = nullptr;  ///< for a store reached over HTTP (etcd)
  Clock* clock = nullptr;      ///< with `http`
};

/// One row of the store registry (src/stores/store_registry.cc), matched
/// by name with a row of the core's store catalog.
struct StoreFactory {
  std::string_view name;
  std::unique_ptr<SecretStore> (*open)(const StoreContext& ctx);
};

/// Opens the store the profile's `store` setting selects, from `factories`.
/// A catalog store without a factory is a bug (tables_test checks it).
std::unique_ptr<SecretStore> OpenStore(std::span<const StoreFactory> factories, const StoreContext& ctx);

/// The error for a secret nobody stored yet, naming the command that
/// stores it.
Error MissingSecretError(std::string_view profile, std::string_view name, std::string_view where);

/// True when `a` and `b` hold the same bytes, compared in time that does
/// not depend on where they differ.
bool SameSecret(const Secret& a, const Secret& b);

}  // namespace tokex

#endif  // TOKEX_SECRET_STORE_H_
