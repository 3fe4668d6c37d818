#include "store_registry.h"

#include <array>

namespace tokex {

// Each defined in its own file, named after the store.
std::unique_ptr<SecretStore> OpenSecretServiceStore(const StoreContext& ctx);
std::unique_ptr<SecretStore> OpenEnvStore(const StoreContext& ctx);
std::unique_ptr<SecretStore> OpenFileStore(const StoreContext& ctx);
std::unique_ptr<SecretStore> OpenEtcdStore(const StoreContext& ctx);

namespace {

constexpr std::array kFactories = {
    StoreFactory{"secret-service", OpenSecretServiceStore},
    StoreFactory{"env", OpenEnvStore},
    StoreFactory{"file", OpenFileStore},
    StoreFactory{"etcd", OpenEtcdStore},
};

}  // namespace

std::span<const StoreFactory> StoreFactories() { return kFactories; }

}  // namespace tokex
