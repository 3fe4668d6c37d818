// The presets' exchanges (one file each in src/presets/), by preset name.
// What the hit path needs to know of a preset (keys, regions, secret
// names) is its row in src/core/preset_catalog.cc.
#ifndef TOKEX_PRESET_REGISTRY_H_
#define TOKEX_PRESET_REGISTRY_H_

#include <span>

#include "exchange.h"

namespace tokex {

/// Every preset's exchange: one row per row of the preset catalog
/// (tests/unit/tables_test.cc checks that they agree).
std::span<const PresetExchange> PresetExchanges();

}  // namespace tokex

#endif  // TOKEX_PRESET_REGISTRY_H_
