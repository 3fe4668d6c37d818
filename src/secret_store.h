// Where long-lived secrets live: the Secret Service, CI variables or
// private files, behind one interface.
#ifndef TOKEX_SECRET_STORE_H_
#define TOKEX_SECRET_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "config.h"
#include "environment.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// A place to keep a profile's secrets, each under a name such as
/// "client-secret". Errors are kStore and say how to fix things; they never
/// contain the secret.
class SecretStore {
 public:
  virtual ~SecretStore() = default;

  /// The secret, or a kStore error when it is missing (naming the command
  /// that stores it) or the store cannot be reached.
  virtual Result<Secret> Get(std::string_view profile, std::string_view name) = 0;

  /// Stores or replaces the secret.
  virtual Status Set(std::string_view profile, std::string_view name, const Secret& value) = 0;

  /// Success when Set and Remove can work at all; checked before a value
  /// is asked for, so nobody types a secret into a read-only store.
  virtual Status CheckWritable(std::string_view /*profile*/, std::string_view /*name*/) { return Success(); }

  /// Removes the secret; removing a missing one is success.
  virtual Status Remove(std::string_view profile, std::string_view name) = 0;

  /// Whether the secret is there, without keeping its value.
  virtual Result<bool> Has(std::string_view profile, std::string_view name) = 0;

  /// A short description for `tokex status`, e.g. "Secret Service".
  virtual std::string Describe() const = 0;
};

/// The store a profile's `store` setting selects.
std::unique_ptr<SecretStore> MakeSecretStore(const Profile& profile, const Environment& env,
                                             const Paths& paths);

/// The env store's variable for a secret: TOKEX_<PROFILE>_<NAME>, upper
/// case, other characters as '_'.
std::string EnvSecretName(std::string_view profile, std::string_view name);

/// The error for a secret nobody stored yet.
Error MissingSecretError(std::string_view profile, std::string_view name, std::string_view where);

/// The Secret Service (libsecret), schema io.tokex.Secret.
std::unique_ptr<SecretStore> MakeSecretServiceStore();

/// Read-only CI variables from `env`.
std::unique_ptr<SecretStore> MakeEnvStore(const Environment& env);

/// 0600 files under `dir` (0700), for hosts without a keyring.
std::unique_ptr<SecretStore> MakeFileStore(std::string dir, uid_t uid);

}  // namespace tokex

#endif  // TOKEX_SECRET_STORE_H_
