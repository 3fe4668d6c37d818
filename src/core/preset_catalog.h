// What the hit path knows of each preset: endpoints, keys and secret
// names. The exchanges themselves live in src/presets/ (engine side).
#ifndef TOKEX_PRESET_CATALOG_H_
#define TOKEX_PRESET_CATALOG_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace tokex {

/// A named deployment of a vendor API (or a sovereign cloud) and the base
/// URL its token endpoint lives at.
struct PresetRegion {
  std::string_view name;
  std::string_view base_url;
};

/// A key whose value must be one of a fixed list.
struct KeyChoices {
  std::string_view key;
  std::span<const std::string_view> values;
};

/// A key that takes whole numbers in [min, max].
struct KeyRange {
  std::string_view key;
  int64_t min;
  int64_t max;
};

/// Static description of a preset, one row per preset in
/// preset_catalog.cc. All members point at constants. The engine's preset
/// registry (src/presets/preset_registry.cc) has an exchange for every
/// row; tests/unit/tables_test.cc checks that the two agree.
struct PresetInfo {
  std::string_view name = {};
  std::string_view summary = {};
  /// Where the token endpoint lives, the first being the default; empty
  /// when the preset has no default (token-url or base-url is required).
  std::span<const PresetRegion> regions = {};
  /// The key that picks a region ("region", "cloud"); empty when the
  /// preset has one fixed location.
  std::string_view region_key = {};
  /// Appended to the region's base URL (or base-url) to form the token URL.
  /// "{KEY}" stands for the profile's value of KEY, which must then be set
  /// and hold only URL-safe characters.
  std::string_view token_path = {};
  /// True when base-url is the API server rather than the token endpoint's
  /// host (ennov-insight: its token comes from Azure AD); then the token
  /// endpoint is the region's, or token-url.
  bool base_url_is_api = false;
  /// Keys this preset accepts besides the common ones.
  std::span<const std::string_view> keys = {};
  /// Prefixes of further keys it accepts ("form-": extra form fields).
  std::span<const std::string_view> key_prefixes = {};
  /// Keys that must be set.
  std::span<const std::string_view> required_keys = {};
  /// Keys limited to a list of values.
  std::span<const KeyChoices> choices = {};
  /// Keys limited to a range of whole numbers.
  std::span<const KeyRange> ranges = {};
  /// Names of the secrets `tokex secret set` accepts for this preset.
  std::span<const std::string_view> secret_names = {};
  /// What git and docker are told as the user name by default.
  std::string_view default_username = {};
  /// True when the credential is a session with cookies (tokex cookies),
  /// not only a token.
  bool session = false;
};

/// Returns the preset called `name`, or nullptr.
const PresetInfo* FindPreset(std::string_view name);

/// All presets, for help text and suggestions.
std::span<const PresetInfo> AllPresets();

/// Keys every profile accepts.
std::span<const std::string_view> CommonKeys();

}  // namespace tokex

#endif  // TOKEX_PRESET_CATALOG_H_
