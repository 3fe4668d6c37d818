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

#include "config.h"
#include "environment.h"
#include "result.h"
#include "secret.h"

namespace tokex {

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
};

/// What a store may need to open: the profile (its settings), the
/// environment snapshot (the env store) and tokex's directories.
struct StoreContext {
  const Profile& profile;
  const Environment& env;
  const Paths& paths;
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
