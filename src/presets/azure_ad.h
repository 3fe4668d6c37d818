// Azure AD (Microsoft Entra ID) v2.0 tokens, shared by the azure-ad and
// ennov-insight presets.
#ifndef TOKEX_AZURE_AD_H_
#define TOKEX_AZURE_AD_H_

#include <string_view>
#include <vector>

#include "exchange.h"
#include "login.h"
#include "token_response.h"

namespace tokex {

/// The Azure AD token of the profile's grant (`grant`: refresh_token,
/// the default; client_credentials with the secret client-secret, or with
/// private-key and `certificate`; password), requested at the profile's
/// token URL. Returns the credential and, when the grant has one, the
/// refresh token valid now (a rotated one already stored, see
/// ExchangeRotating): what ennov-insight's session login sends on.
Result<TokenAnswer> AzureAdToken(ExchangeContext& ctx);

/// The secrets the profile's grant uses, for `tokex status`.
std::vector<std::string_view> AzureAdSecrets(const Profile& profile);

/// How an azure-ad or ennov-insight profile with grant = refresh_token
/// signs in (`tokex login`): the authorize and devicecode endpoints beside
/// its token URL, the grant's scopes, the client secret when stored.
extern const LoginHooks kAzureAdLogin;

}  // namespace tokex

#endif  // TOKEX_AZURE_AD_H_
