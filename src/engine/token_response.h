// RFC 6749 token responses and errors, shared by the OAuth2-shaped presets.
#ifndef TOKEX_TOKEN_RESPONSE_H_
#define TOKEX_TOKEN_RESPONSE_H_

#include <cstdint>
#include <optional>
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

/// A token endpoint's answer.
struct TokenAnswer {
  Credential credential;
  /// The refresh token the server sent along, if any: for a rotating one,
  /// the only value that works from now on.
  std::optional<Secret> refresh_token;
};

/// Turns a token endpoint's response into a credential: 2xx JSON with
/// `access_token`, optional `token_type`, `expires_in` (number or numeric
/// string; when absent, the token's JWT `exp`, else 300 s), `scope` and
/// `refresh_token`. A token that has already expired is a kNetwork error.
/// Other statuses are errors as ErrorFromResponse says.
Result<TokenAnswer> ParseTokenAnswer(const HttpResponse& response, int64_t now, const ExchangeHints& hints);

/// ParseTokenAnswer without the refresh token.
Result<Credential> ParseTokenResponse(const HttpResponse& response, int64_t now, const ExchangeHints& hints);

/// The refresh_token of a JSON answer when it holds a usable one (text
/// without control characters), whatever else the answer holds: a
/// rotated one must be kept even when the rest cannot be used.
std::optional<Secret> RefreshTokenIn(const HttpResponse& response);

/// The RFC 6749 `error` code of a JSON error answer, or empty.
std::string OAuthErrorCode(const HttpResponse& response);

/// The error for a non-2xx answer. 400/401/403 are kRejected (a person
/// must act, the message ends with hints.rejected_fix) unless the server's
/// RFC 6749 `error` says the request itself is wrong (invalid_request,
/// invalid_scope, unsupported_grant_type, unauthorized_client,
/// invalid_target): then
/// kUsage, pointing at the profile's settings. Other statuses are
/// kNetwork. Quotes `error` and the first line of `error_description` (or
/// `message`), truncated, when the body is JSON; never the raw body.
Error ErrorFromResponse(const HttpResponse& response, const ExchangeHints& hints);

}  // namespace tokex

#endif  // TOKEX_TOKEN_RESPONSE_H_
