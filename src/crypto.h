// Encodings and primitives from OpenSSL libcrypto.
#ifndef TOKEX_CRYPTO_H_
#define TOKEX_CRYPTO_H_

#include <string>
#include <string_view>

namespace tokex {

/// Standard base64 with padding (RFC 4648 section 4).
std::string Base64(std::string_view data);

/// base64url without padding (RFC 4648 section 5), as JWTs use.
std::string Base64Url(std::string_view data);

/// Decodes base64url with or without padding; false on bad input.
bool DecodeBase64Url(std::string_view text, std::string* out);

}  // namespace tokex

#endif  // TOKEX_CRYPTO_H_
