#include "preset_catalog.h"

#include <array>

namespace tokex {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::array kCommonKeys = {
    "preset"sv, "base-url"sv, "token-url"sv, "ca-file"sv,  "timeout"sv,    "refresh-margin"sv,
    "match"sv,  "username"sv, "store"sv,     "env-name"sv, "allow-http"sv,
};

// Cisco XDR: seeds 001 and 003; the regional hosts are the XDR consoles.
constexpr std::array kXdrRegions = {
    PresetRegion{"us", "https://visibility.amp.cisco.com"},
    PresetRegion{"eu", "https://visibility.eu.amp.cisco.com"},
    PresetRegion{"apjc", "https://visibility.apjc.amp.cisco.com"},
};
constexpr std::array kXdrKeys = {"region"sv, "client-id"sv};
constexpr std::array kXdrRequired = {"client-id"sv};
constexpr std::array kClientSecret = {"client-secret"sv};

constexpr std::array kOauth2Keys = {"client-id"sv, "grant"sv,    "client-auth"sv,
                                    "scopes"sv,    "audience"sv, "resource"sv};
constexpr std::array kOauth2Required = {"client-id"sv, "token-url"sv};
constexpr std::array kOauth2Grants = {"client_credentials"sv};
constexpr std::array kOauth2ClientAuth = {"basic"sv, "post"sv};
constexpr std::array kOauth2Choices = {
    KeyChoices{"grant", kOauth2Grants},
    KeyChoices{"client-auth", kOauth2ClientAuth},
};

constexpr std::array kPresets = {
    PresetInfo{
        .name = "cisco-xdr",
        .summary = "Cisco XDR / Threat Response: OAuth2 client_credentials, Basic auth",
        .regions = kXdrRegions,
        .token_path = "/iroh/oauth2/token",
        .keys = kXdrKeys,
        .required_keys = kXdrRequired,
        .choices = {},
        .secret_names = kClientSecret,
        .default_username = "client",
    },
    PresetInfo{
        .name = "oauth2",
        .summary = "any RFC 6749 token endpoint: client_credentials grant",
        .regions = {},
        .token_path = "",
        .keys = kOauth2Keys,
        .required_keys = kOauth2Required,
        .choices = kOauth2Choices,
        .secret_names = kClientSecret,
        .default_username = "oauth2",
    },
};

}  // namespace

const PresetInfo* FindPreset(std::string_view name) {
  for (const PresetInfo& p : kPresets) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::span<const PresetInfo> AllPresets() { return kPresets; }

std::span<const std::string_view> CommonKeys() { return kCommonKeys; }

}  // namespace tokex
