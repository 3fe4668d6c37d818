#include "preset_registry.h"

#include <array>

#include "azure_ad.h"

namespace tokex {

// Each defined in its own file, named after the preset.
Result<Credential> ExchangeCiscoXdr(ExchangeContext& ctx);
Result<Credential> ExchangeCylance(ExchangeContext& ctx);
Result<Credential> ExchangeKasperskyMdr(ExchangeContext& ctx);
Result<Credential> ExchangeAzureAd(ExchangeContext& ctx);
Result<Credential> ExchangeEnnovInsight(ExchangeContext& ctx);
Result<Credential> ExchangeOauth2(ExchangeContext& ctx);
std::vector<std::string_view> Oauth2Secrets(const Profile& profile);
extern const LoginHooks kOauth2Login;

namespace {

constexpr std::array kExchanges = {
    PresetExchange{"cisco-xdr", ExchangeCiscoXdr},
    PresetExchange{"cylance", ExchangeCylance},
    PresetExchange{"kaspersky-mdr", ExchangeKasperskyMdr},
    PresetExchange{"azure-ad", ExchangeAzureAd, AzureAdSecrets, &kAzureAdLogin},
    PresetExchange{"ennov-insight", ExchangeEnnovInsight, AzureAdSecrets, &kAzureAdLogin},
    PresetExchange{"oauth2", ExchangeOauth2, Oauth2Secrets, &kOauth2Login},
};

}  // namespace

std::span<const PresetExchange> PresetExchanges() { return kExchanges; }

}  // namespace tokex
