#include "store_catalog.h"

#include <array>

namespace tokex {

namespace {

constexpr std::array kStores = {
    StoreInfo{"secret-service", "the desktop keyring through the Secret Service API (libsecret)"},
    StoreInfo{"env", "CI variables TOKEX_<PROFILE>_<NAME>, read-only"},
    StoreInfo{"file", "0600 files under $XDG_DATA_HOME/tokex/, for hosts without a keyring"},
    StoreInfo{"etcd", "an etcd cluster shared by a fleet of hosts, values sealed with AES-256-GCM", true},
};

}  // namespace

const StoreInfo* FindStore(std::string_view name) {
  for (const StoreInfo& s : kStores) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const StoreInfo& DefaultStore() { return kStores[0]; }

std::span<const StoreInfo> AllStores() { return kStores; }

}  // namespace tokex
