// The env store: secrets from CI variables TOKEX_<PROFILE>_<NAME>,
// read-only.
#include "secret_store.h"
#include "text.h"

namespace tokex {

namespace {

// TOKEX_<PROFILE>_<NAME>, upper case, other characters as '_'.
std::string EnvSecretName(std::string_view profile, std::string_view name) {
  return "TOKEX_" + EnvNameWord(profile) + "_" + EnvNameWord(name);
}

class EnvStore : public SecretStore {
 public:
  explicit EnvStore(const Environment& env) : env_(env) {}

  Result<Secret> Get(std::string_view profile, std::string_view name) override {
    std::string var = EnvSecretName(profile, name);
    Result<const std::string*> value = Lookup(var, name);
    if (!value) return value.error();
    if (*value == nullptr)
      return MakeError(ErrorKind::kStore, "no " + std::string(name) + ": the env store reads it from $" + var +
                                              ", which is not set (define it as a masked CI variable)");
    return Secret(**value);
  }

  Status CheckWritable(std::string_view profile, std::string_view name) override { return ReadOnly(profile, name); }

  Status Set(std::string_view profile, std::string_view name, const Secret&) override {
    return ReadOnly(profile, name);
  }
  Status Remove(std::string_view profile, std::string_view name) override { return ReadOnly(profile, name); }

  Result<bool> Replace(std::string_view profile, std::string_view name, const Secret&, const Secret&) override {
    return MakeError(ErrorKind::kStore, "a rotating " + std::string(name) + " cannot live in the env store, which is "
                                        "read-only ($" + EnvSecretName(profile, name) +
                                        " keeps the spent value): use store = file or secret-service");
  }

  Result<bool> Has(std::string_view profile, std::string_view name) override {
    Result<const std::string*> value = Lookup(EnvSecretName(profile, name), name);
    if (!value) return value.error();
    return *value != nullptr;
  }

  std::string Describe() const override { return "environment variables"; }

 private:
  static Error ReadOnly(std::string_view profile, std::string_view name) {
    return MakeError(ErrorKind::kUsage, "the env store is read-only: set $" + EnvSecretName(profile, name) +
                                            " in the CI settings instead");
  }

  // The variable's value, nullptr when it is unset or empty. A value with a
  // control character or invalid UTF-8 is an error that names the variable
  // and never quotes the value.
  Result<const std::string*> Lookup(const std::string& var, std::string_view name) const {
    auto it = env_.vars.find(var);
    if (it == env_.vars.end() || it->second.empty()) return nullptr;
    if (!IsUsableSecret(name, it->second))
      return MakeError(ErrorKind::kStore, "$" + var + " holds a line break, another control character or invalid "
                                                      "UTF-8: set it to the secret alone");
    return &it->second;
  }

  const Environment& env_;
};

}  // namespace

std::unique_ptr<SecretStore> OpenEnvStore(const StoreContext& ctx) { return std::make_unique<EnvStore>(ctx.env); }

}  // namespace tokex
