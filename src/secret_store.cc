#include "secret_store.h"

#include <cctype>

namespace tokex {

std::string EnvSecretName(std::string_view profile, std::string_view name) {
  std::string out = "TOKEX_";
  auto add = [&out](std::string_view s) {
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  };
  add(profile);
  out += '_';
  add(name);
  return out;
}

Error MissingSecretError(std::string_view profile, std::string_view name, std::string_view where) {
  return MakeError(ErrorKind::kStore, "no " + std::string(name) + " in " + std::string(where) +
                                          ": store it with 'tokex secret set " + std::string(profile) + " " +
                                          std::string(name) + "' (the value is read from stdin)");
}

std::unique_ptr<SecretStore> MakeSecretStore(const Profile& profile, const Environment& env,
                                             const Paths& paths) {
  switch (profile.store) {
    case StoreKind::kEnv: return MakeEnvStore(env);
    case StoreKind::kFile: return MakeFileStore(paths.data_dir, env.uid);
    case StoreKind::kSecretService: break;
  }
  return MakeSecretServiceStore();
}

}  // namespace tokex
