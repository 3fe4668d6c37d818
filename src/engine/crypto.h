// Encodings and primitives from OpenSSL libcrypto.
#ifndef TOKEX_CRYPTO_H_
#define TOKEX_CRYPTO_H_

#include <optional>
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

/// Decodes standard base64 with padding, as etcd's JSON gateway and
/// `openssl rand -base64` write it; false on bad input (then `out` is
/// unchanged).
bool DecodeBase64(std::string_view text, std::string* out);

/// Bytes of an AES-256-GCM key, its nonce and its tag.
inline constexpr size_t kAesGcmKeyBytes = 32;
inline constexpr size_t kAesGcmNonceBytes = 12;
inline constexpr size_t kAesGcmTagBytes = 16;

/// Encrypts `plaintext` with AES-256-GCM under `key` (kAesGcmKeyBytes)
/// and `nonce` (kAesGcmNonceBytes, never used twice with one key),
/// authenticating `aad` too: the ciphertext followed by the tag. kInternal
/// error when libcrypto fails or the sizes are wrong.
Result<std::string> SealAesGcm(const Secret& key, std::string_view nonce, std::string_view aad,
                               std::string_view plaintext);

/// Decrypts what SealAesGcm made (ciphertext and tag) under the same key,
/// nonce and `aad`; nullopt when it does not authenticate: another key,
/// other associated data or altered bytes.
std::optional<Secret> OpenAesGcm(const Secret& key, std::string_view nonce, std::string_view aad,
                                 std::string_view sealed);

/// The SHA-256 digest of `data` (32 raw bytes; empty only when libcrypto
/// cannot allocate).
std::string Sha256(std::string_view data);

/// HMAC-SHA-256 of `data` under `key` (32 raw bytes); kInternal error when
/// libcrypto fails.
Result<std::string> HmacSha256(const Secret& key, std::string_view data);

}  // namespace tokex

#endif  // TOKEX_CRYPTO_H_
