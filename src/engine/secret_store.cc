#include "secret_store.h"

#include <openssl/crypto.h>

#include <cstdlib>

#include "jwt.h"

namespace tokex {

Result<bool> SecretStore::Replace(std::string_view profile, std::string_view name, const Secret& expected,
                                  const Secret& next) {
  Result<Secret> current = Get(profile, name);
  if (!current) return current.error();
  if (!SameSecret(*current, expected)) return false;
  if (Status s = Set(profile, name, next); !s) return s.error();
  return true;
}

std::unique_ptr<SecretStore> OpenStore(std::span<const StoreFactory> factories, const StoreContext& ctx) {
  for (const StoreFactory& f : factories) {
    if (f.name == ctx.profile.store->name) return f.open(ctx);
  }
  // Every store in the core's catalog has a factory (tables_test checks).
  abort();
}

Error MissingSecretError(std::string_view profile, std::string_view name, std::string_view where) {
  return MakeError(ErrorKind::kStore, "no " + std::string(name) + " in " + std::string(where) +
                                          ": store it with 'tokex secret set " + std::string(profile) + " " +
                                          std::string(name) + "' (the value is read from stdin)");
}

bool SameSecret(const Secret& a, const Secret& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.view().data(), b.view().data(), a.size()) == 0;
}

}  // namespace tokex
