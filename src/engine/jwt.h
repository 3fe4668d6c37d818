// JSON Web Tokens (RFC 7519) in JWS compact form (RFC 7515): signing with
// HS256, RS256 and PS256 (RFC 7518 section 3), and reading the claims of a
// token without verifying it.
//
// A vendor assertion is built in two steps: the claims as JSON (the
// preset's business), then SignJwt, which adds the header:
//
//   Result<std::string> jwt = SignJwt(JwtAlg::kHs256, {}, claims_json, key);
#ifndef TOKEX_JWT_H_
#define TOKEX_JWT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"
#include "secret.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace tokex {

/// The signature algorithms tokex signs with.
enum class JwtAlg {
  kHs256,  ///< HMAC-SHA-256 with a shared secret (Cylance)
  kRs256,  ///< RSASSA-PKCS1-v1_5 with SHA-256
  kPs256,  ///< RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (Azure AD)
};

/// The name of `alg` in a JOSE header: "HS256", "RS256", "PS256".
std::string_view JwtAlgName(JwtAlg alg);

/// A private key for RS256/PS256, owned.
class PrivateKey {
 public:
  /// Parses a PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE
  /// KEY", unencrypted). kUsage error, naming `what` but never quoting the
  /// key, when it is not one or not RSA.
  static Result<PrivateKey> FromPem(const Secret& pem, std::string_view what);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  EVP_PKEY* get() const { return key_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* k) const;
  };
  explicit PrivateKey(EVP_PKEY* key) : key_(key) {}
  std::unique_ptr<EVP_PKEY, Free> key_;
};

/// The key a JWT is signed with: `hmac` for HS256, `rsa` for RS256/PS256.
struct JwtKey {
  const Secret* hmac = nullptr;
  const PrivateKey* rsa = nullptr;
};

/// Header members beyond "alg" and "typ", each written only when set.
struct JwtHeaderFields {
  std::string kid = {};
  std::string x5t_s256 = {};  ///< "x5t#S256": see CertificateThumbprintS256
};

/// Signs header.payload as a JWS (RFC 7515 section 7.1): the base64url of
/// `header_json`, '.', the base64url of `payload_json`, '.', the base64url
/// of the signature. Both JSON texts are used byte for byte. kInternal
/// error when the key does not fit `alg` or libcrypto fails.
Result<std::string> SignJws(JwtAlg alg, std::string_view header_json, std::string_view payload_json,
                            const JwtKey& key);

/// A JWT: the header {"alg":ALG,"typ":"JWT"} plus `fields`, then SignJws.
/// `claims_json` must be a JSON object (the caller builds it).
Result<std::string> SignJwt(JwtAlg alg, const JwtHeaderFields& fields, std::string_view claims_json,
                            const JwtKey& key);

/// The payload of a JWS compact token as JSON text, decoded but NOT
/// verified: for reading a token's own expiry, never for trusting it.
/// kUsage error when `token` is not three base64url parts whose middle one
/// is a JSON object.
Result<std::string> DecodeJwtClaims(std::string_view token);

/// The numeric `exp` claim of `token`, read without verifying it; nullopt
/// when `token` is not a JWT or has no numeric exp.
std::optional<int64_t> JwtExpiry(std::string_view token);

/// The "x5t#S256" of a certificate (RFC 7515 section 4.1.8): the base64url
/// SHA-256 of its DER encoding. `pem` holds one PEM certificate; kUsage
/// error naming `what` when it is not one.
Result<std::string> CertificateThumbprintS256(std::string_view pem, std::string_view what);

}  // namespace tokex

#endif  // TOKEX_JWT_H_
