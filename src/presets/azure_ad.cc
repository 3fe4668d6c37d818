// Azure AD: not written yet.
#include "azure_ad.h"

namespace tokex {

Result<TokenAnswer> AzureAdToken(ExchangeContext&) {
  return MakeError(ErrorKind::kInternal, "the azure-ad preset is not written yet");
}

std::vector<std::string_view> AzureAdSecrets(const Profile&) { return {"refresh-token"}; }

Result<Credential> ExchangeAzureAd(ExchangeContext& ctx) {
  Result<TokenAnswer> answer = AzureAdToken(ctx);
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

}  // namespace tokex
