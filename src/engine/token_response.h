// RFC 6749 token responses and errors, shared by the OAuth2-shaped presets.
#ifndef TOKEX_TOKEN_RESPONSE_H_
#define TOKEX_TOKEN_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "credential.h"
#include "http.h"
#include "result.h"

namespace tokex {

/// How to describe failures of one exchange to a person.
struct ExchangeHints {
  std::string_view host;          ///< for messages
  std::string_view rejected_fix;  ///< e.g. "check client-id and the stored client-secret"
};

/// Turns a token endpoint's response into a credential: 2xx JSON with
/// `access_token`, optional `token_type`, `expires_in` (number or numeric
/// string; when absent, the token's JWT `exp`, else 300 s) and `scope`.
/// 400/401/403 are kRejected errors quoting `error` and
/// `error_description` (truncated); other statuses are kNetwork errors.
Result<Credential> ParseTokenResponse(const HttpResponse& response, int64_t now, const ExchangeHints& hints);

/// The error for a non-2xx answer: kRejected for 400/401/403, kNetwork
/// otherwise. Quotes the server's `error`/`error_description` or `message`
/// fields when the body is JSON, never the raw body.
Error ErrorFromResponse(const HttpResponse& response, const ExchangeHints& hints);

}  // namespace tokex

#endif  // TOKEX_TOKEN_RESPONSE_H_
