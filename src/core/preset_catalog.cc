#include "preset_catalog.h"

#include <array>

namespace tokex {
namespace {

using std::string_view_literals::operator""sv;

constexpr std::array kCommonKeys = {
    "preset"sv, "base-url"sv, "token-url"sv, "ca-file"sv,  "timeout"sv,    "refresh-margin"sv,
    "match"sv,  "username"sv, "store"sv,     "env-name"sv, "allow-http"sv,
    "keep-alive"sv, "refresh-token-ttl"sv,
    // store = etcd (src/core/config.cc: EtcdSettings)
    "etcd-endpoints"sv, "etcd-ca-file"sv, "etcd-client-cert"sv, "etcd-client-key"sv, "etcd-user"sv,
    "etcd-prefix"sv, "etcd-local-store"sv, "etcd-lock-ttl"sv,
};

constexpr std::array kClientSecret = {"client-secret"sv};
constexpr std::array kClientId = {"client-id"sv};

// Cisco XDR: seeds 001 and 003; the regional hosts are the XDR consoles.
constexpr std::array kXdrRegions = {
    PresetRegion{"us", "https://visibility.amp.cisco.com"},
    PresetRegion{"eu", "https://visibility.eu.amp.cisco.com"},
    PresetRegion{"apjc", "https://visibility.apjc.amp.cisco.com"},
};
constexpr std::array kXdrKeys = {"region"sv, "client-id"sv};

// BlackBerry Cylance: seed 002 (the Python example's AUTH_URL), and the
// regional API hosts of the Cylance User API guide.
constexpr std::array kCylanceRegions = {
    PresetRegion{"na", "https://protectapi.cylance.com"},
    PresetRegion{"apne1", "https://protectapi-apne1.cylance.com"},
    PresetRegion{"au", "https://protectapi-au.cylance.com"},
    PresetRegion{"euc1", "https://protectapi-euc1.cylance.com"},
    PresetRegion{"sae1", "https://protectapi-sae1.cylance.com"},
    PresetRegion{"us-gov", "https://protectapi.us.cylance.com"},
};
constexpr std::array kCylanceKeys = {"region"sv, "tenant"sv, "client-id"sv, "scopes"sv, "token-lifetime"sv};
constexpr std::array kCylanceRequired = {"tenant"sv, "client-id"sv};
constexpr std::array kCylanceSecrets = {"app-secret"sv};
// "exp ... 30 minutes from now": the longest an auth token may live.
constexpr std::array kCylanceRanges = {KeyRange{"token-lifetime", 60, 1800}};

// Kaspersky MDR: seed 000 (API_URL and /{client_id}/session/confirm).
constexpr std::array kMdrLocation = {
    PresetRegion{"", "https://mdr.kaspersky.com/api/v1"},
};
constexpr std::array kRefreshToken = {"refresh-token"sv};

// Azure AD (Microsoft Entra ID): seed 004, step 1; the sovereign clouds'
// login hosts.
constexpr std::array kAzureClouds = {
    PresetRegion{"public", "https://login.microsoftonline.com"},
    PresetRegion{"usgov", "https://login.microsoftonline.us"},
    PresetRegion{"china", "https://login.chinacloudapi.cn"},
};
constexpr std::array kAzureKeys = {"tenant"sv, "client-id"sv, "cloud"sv, "grant"sv, "scopes"sv, "certificate"sv,
                                   "assertion-alg"sv};
constexpr std::array kAzureRequired = {"tenant"sv, "client-id"sv};
constexpr std::array kAzureGrants = {"refresh_token"sv, "client_credentials"sv, "password"sv};
constexpr std::array kAssertionAlgs = {"PS256"sv, "RS256"sv};
constexpr std::array kAzureChoices = {
    KeyChoices{"grant", kAzureGrants},
    KeyChoices{"assertion-alg", kAssertionAlgs},
};
constexpr std::array kAzureSecrets = {"refresh-token"sv, "client-secret"sv, "private-key"sv, "password"sv};

// Ennov InSight: seed 004 (the Azure AD token, then a cookie session).
constexpr std::array kEnnovKeys = {"tenant"sv, "client-id"sv, "cloud"sv,         "grant"sv,
                                   "scopes"sv, "certificate"sv, "assertion-alg"sv, "session-ttl"sv};
constexpr std::array kEnnovRequired = {"tenant"sv, "client-id"sv, "base-url"sv};
// The server does not say how long a session lasts.
constexpr std::array kEnnovRanges = {KeyRange{"session-ttl", 60, 86400}};

// Any RFC 6749 token endpoint.
constexpr std::array kOauth2Keys = {
    "client-id"sv,   "grant"sv,         "client-auth"sv,        "scopes"sv,        "audience"sv,
    "resource"sv,    "certificate"sv,   "assertion-alg"sv,      "key-id"sv,        "assertion-subject"sv,
    "assertion-audience"sv, "authorize-url"sv, "device-url"sv,
};
constexpr std::array kFormPrefix = {"form-"sv};
constexpr std::array kOauth2Required = {"client-id"sv, "token-url"sv};
constexpr std::array kOauth2Grants = {"client_credentials"sv, "refresh_token"sv, "jwt-bearer"sv};
constexpr std::array kOauth2ClientAuth = {"basic"sv, "post"sv, "private_key_jwt"sv, "none"sv};
constexpr std::array kOauth2Choices = {
    KeyChoices{"grant", kOauth2Grants},
    KeyChoices{"client-auth", kOauth2ClientAuth},
    KeyChoices{"assertion-alg", kAssertionAlgs},
};
constexpr std::array kOauth2Secrets = {"client-secret"sv, "refresh-token"sv, "private-key"sv};

constexpr std::array kPresets = {
    PresetInfo{
        .name = "cisco-xdr",
        .summary = "Cisco XDR / Threat Response: OAuth2 client_credentials, Basic auth",
        .regions = kXdrRegions,
        .region_key = "region",
        .token_path = "/iroh/oauth2/token",
        .keys = kXdrKeys,
        .required_keys = kClientId,
        .secret_names = kClientSecret,
        .default_username = "client",
    },
    PresetInfo{
        .name = "cylance",
        .summary = "BlackBerry Cylance: an HS256 JWT signed with the app secret, exchanged for a token",
        .regions = kCylanceRegions,
        .region_key = "region",
        .token_path = "/auth/v2/token",
        .keys = kCylanceKeys,
        .required_keys = kCylanceRequired,
        .ranges = kCylanceRanges,
        .secret_names = kCylanceSecrets,
        .default_username = "cylance",
    },
    PresetInfo{
        .name = "kaspersky-mdr",
        .summary = "Kaspersky MDR: a refresh token that rotates on every exchange",
        .regions = kMdrLocation,
        .token_path = "/{client-id}/session/confirm",
        .keys = kClientId,
        .required_keys = kClientId,
        .secret_names = kRefreshToken,
        .default_username = "mdr",
    },
    PresetInfo{
        .name = "azure-ad",
        .summary = "Azure AD / Entra ID: refresh_token, client_credentials (secret or certificate) or password",
        .regions = kAzureClouds,
        .region_key = "cloud",
        .token_path = "/{tenant}/oauth2/v2.0/token",
        .keys = kAzureKeys,
        .required_keys = kAzureRequired,
        .choices = kAzureChoices,
        .secret_names = kAzureSecrets,
        .default_username = "azure",
    },
    PresetInfo{
        .name = "ennov-insight",
        .summary = "Ennov InSight on premises: an Azure AD token, then a session cookie and a CSRF header",
        .regions = kAzureClouds,
        .region_key = "cloud",
        .token_path = "/{tenant}/oauth2/v2.0/token",
        .base_url_is_api = true,
        .keys = kEnnovKeys,
        .required_keys = kEnnovRequired,
        .choices = kAzureChoices,
        .ranges = kEnnovRanges,
        .secret_names = kAzureSecrets,
        .default_username = "insight",
        .session = true,
    },
    PresetInfo{
        .name = "oauth2",
        .summary = "any RFC 6749 token endpoint: client_credentials, refresh_token or jwt-bearer",
        .keys = kOauth2Keys,
        .key_prefixes = kFormPrefix,
        .required_keys = kOauth2Required,
        .choices = kOauth2Choices,
        .secret_names = kOauth2Secrets,
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
