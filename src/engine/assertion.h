// JWTs a client signs to prove who it is: private_key_jwt client
// authentication (RFC 7523 section 3, OpenID Connect Core 9) and the
// jwt-bearer grant (RFC 7523 section 2.1), as Azure AD and generic OAuth2
// servers take them.
#ifndef TOKEX_ASSERTION_H_
#define TOKEX_ASSERTION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "exchange.h"
#include "jwt.h"
#include "result.h"

namespace tokex {

/// What the assertion says.
struct AssertionClaims {
  std::string issuer;    ///< iss: the client id
  std::string subject;   ///< sub: the client id, or the user for jwt-bearer
  std::string audience;  ///< aud: the token URL, unless the server wants another
  int64_t lifetime = 300;  ///< seconds from iat to exp
};

/// The media type of a client assertion (RFC 7523 section 2.2).
inline constexpr std::string_view kJwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Signs `claims` with the profile's private key (the secret
/// `private-key`, PEM), adding iat, nbf (= iat), exp and a fresh jti (a
/// UUIDv4 from ctx.random). The algorithm is the profile's
/// `assertion-alg`, else `default_alg`. When the profile names a
/// `certificate` (a PEM file), its x5t#S256 goes into the header, as Azure
/// AD requires; the profile's `key-id` becomes `kid`. Errors: the store's
/// (a missing key, kStore), an unreadable certificate or a key that is not
/// RSA (kUsage, naming the setting).
Result<std::string> SignAssertion(ExchangeContext& ctx, const AssertionClaims& claims, JwtAlg default_alg);

}  // namespace tokex

#endif  // TOKEX_ASSERTION_H_
