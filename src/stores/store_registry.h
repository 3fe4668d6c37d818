// The secret stores (one file each in src/stores/), by name. What the hit
// path needs to know of a store is its row in src/core/store_catalog.cc.
#ifndef TOKEX_STORE_REGISTRY_H_
#define TOKEX_STORE_REGISTRY_H_

#include <span>

#include "secret_store.h"

namespace tokex {

/// Every store's factory: one row per row of the store catalog
/// (tests/unit/tables_test.cc checks that they agree).
std::span<const StoreFactory> StoreFactories();

}  // namespace tokex

#endif  // TOKEX_STORE_REGISTRY_H_
