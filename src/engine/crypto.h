// Encodings and primitives from OpenSSL libcrypto.
#ifndef TOKEX_CRYPTO_H_
#define TOKEX_CRYPTO_H_

#include <string>
#include <string_view>

#include "result.h"
#include "secret.h"

namespace tokex {

/// Standard base64 with padding (RFC 4648 section 4).
std::string Base64(std::string_view data);

/// base64url without padding (RFC 4648 section 5), as JWTs use.
std::string Base64Url(std::string_view data);

/// Decodes base64url with or without padding; false on bad input (then
/// `out` is unchanged).
bool DecodeBase64Url(std::string_view text, std::string* out);

/// The SHA-256 digest of `data` (32 raw bytes; empty only when libcrypto
/// cannot allocate).
std::string Sha256(std::string_view data);

/// HMAC-SHA-256 of `data` under `key` (32 raw bytes); kInternal error when
/// libcrypto fails.
Result<std::string> HmacSha256(const Secret& key, std::string_view data);

}  // namespace tokex

#endif  // TOKEX_CRYPTO_H_
