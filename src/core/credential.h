// The short-lived result of an exchange, as cached and as printed.
#ifndef TOKEX_CREDENTIAL_H_
#define TOKEX_CREDENTIAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "secret.h"

namespace tokex {

/// An HTTP header the caller must send, e.g. Authorization or X-CSRF-TOKEN.
struct HeaderField {
  std::string name;
  Secret value;
};

/// A session cookie the caller must send (cookie-session presets).
struct Cookie {
  std::string domain;
  std::string path = "/";
  std::string name;
  Secret value;
  bool secure = true;
  int64_t expires = 0;  ///< unix time; 0 for a session cookie
};

/// What an exchange produced. `headers` is the complete list to send:
/// outputs print it as is and never rebuild it.
struct Credential {
  Secret access_token;
  std::string token_type = "Bearer";
  int64_t obtained_at = 0;  ///< unix time
  int64_t expires_at = 0;   ///< unix time
  std::string scope;
  std::vector<HeaderField> headers;
  std::vector<Cookie> cookies;
  /// The form or query parameter that may carry the CSRF token instead of
  /// its header (Ennov InSight's X-CSRF-PARAM, "_csrf"); empty when none.
  std::string csrf_param;
};

/// A credential for a bearer token: one `Authorization: Bearer TOKEN`
/// header. `token_type` is normalised ("bearer" becomes "Bearer").
Credential MakeBearerCredential(Secret token, std::string_view token_type, int64_t obtained_at,
                                int64_t expires_at, std::string scope);

/// Checks every value for CR, LF and other control characters (C0, DEL,
/// C1) and invalid UTF-8 (HasControlChars), and every header name for token
/// characters, before anything reaches a header.
/// Returns a kNetwork error (a broken server answer) naming the field,
/// never its value.
Status ValidateCredential(const Credential& c);

/// True when the credential may be reused at `now`: more than
/// max(margin, min_ttl) seconds of it remain.
bool IsFresh(const Credential& c, int64_t now, int64_t margin, int64_t min_ttl);

}  // namespace tokex

#endif  // TOKEX_CREDENTIAL_H_
