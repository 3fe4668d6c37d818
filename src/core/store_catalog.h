// What the hit path knows of each secret store: its name in the config.
// The stores themselves live in src/stores/ (engine side).
#ifndef TOKEX_STORE_CATALOG_H_
#define TOKEX_STORE_CATALOG_H_

#include <span>
#include <string_view>

namespace tokex {

/// One row per store: `store = NAME` in a profile selects it. The engine's
/// store registry (src/stores/store_registry.cc) has a factory for every
/// row; tests/unit/tables_test.cc checks that the two agree.
struct StoreInfo {
  std::string_view name;
  std::string_view summary;  ///< for documentation and messages
  /// Shared by several hosts (etcd): it keeps its secrets elsewhere than
  /// this host, so it cannot be one's local store (etcd-local-store).
  bool shared = false;
};

/// The store called `name`, or nullptr.
const StoreInfo* FindStore(std::string_view name);

/// The store used when a profile names none (the Secret Service).
const StoreInfo& DefaultStore();

/// All stores, the default first.
std::span<const StoreInfo> AllStores();

}  // namespace tokex

#endif  // TOKEX_STORE_CATALOG_H_
