// What the hit path knows of each preset: endpoints, keys and secret
// names. The exchanges themselves live in src/presets/ (engine side).
#ifndef TOKEX_PRESET_CATALOG_H_
#define TOKEX_PRESET_CATALOG_H_

#include <span>
#include <string_view>

namespace tokex {

/// A named deployment of a vendor API and the base URL it lives at.
struct PresetRegion {
  std::string_view name;
  std::string_view base_url;
};

/// A key whose value must be one of a fixed list.
struct KeyChoices {
  std::string_view key;
  std::span<const std::string_view> values;
};

/// Static description of a preset, one row per preset in
/// preset_catalog.cc. All members point at constants. The engine's preset
/// registry (src/presets/preset_registry.cc) has an exchange for every
/// row; tests/unit/tables_test.cc checks that the two agree.
struct PresetInfo {
  std::string_view name;
  std::string_view summary;
  /// Regions, the first being the default; empty when the preset has none.
  std::span<const PresetRegion> regions;
  /// Appended to the base URL to form the token URL (empty: token-url is
  /// required).
  std::string_view token_path;
  /// Keys this preset accepts besides the common ones.
  std::span<const std::string_view> keys;
  /// Keys that must be set.
  std::span<const std::string_view> required_keys;
  /// Keys limited to a list of values.
  std::span<const KeyChoices> choices;
  /// Names of the secrets `tokex secret set` accepts for this preset.
  std::span<const std::string_view> secret_names;
  /// What git and docker are told as the user name by default.
  std::string_view default_username;
};

/// Returns the preset called `name`, or nullptr.
const PresetInfo* FindPreset(std::string_view name);

/// All presets, for help text and suggestions.
std::span<const PresetInfo> AllPresets();

/// Keys every profile accepts.
std::span<const std::string_view> CommonKeys();

}  // namespace tokex

#endif  // TOKEX_PRESET_CATALOG_H_
