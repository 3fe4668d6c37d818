#include "jwt.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <climits>

#include "crypto.h"
#include "json.h"
#include "ossl_handle.h"

namespace tokex {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer* w, std::string_view s) { w->String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// A read-only BIO over `bytes`, which must outlive it; null when libcrypto
// cannot take them. Reading in place leaves no copy of a key to wipe.
Bio MemoryBio(std::string_view bytes) {
  if (bytes.size() > INT_MAX) return nullptr;
  // An empty view may have a null data(), which BIO_new_mem_buf refuses.
  return Bio(BIO_new_mem_buf(bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size())));
}

// Refuses encrypted keys instead of letting OpenSSL's default callback ask
// for a passphrase on the terminal: the engine runs without one.
int NoPassphrase(char*, int, int, void*) { return -1; }

Error SignFailed(JwtAlg alg) {
  // Leave no stale errors on the thread's queue, where libcurl's TLS would find them.
  ERR_clear_error();
  return MakeError(ErrorKind::kInternal, "libcrypto could not sign a " + std::string(JwtAlgName(alg)) +
                                             " JWT: check the private key and the OpenSSL installation");
}

Error KeyMismatch(JwtAlg alg, std::string_view needs) {
  return MakeError(ErrorKind::kInternal, std::string(JwtAlgName(alg)) + " signing was given no " + std::string(needs) +
                                             ": this is a bug in tokex, please report it");
}

Result<std::string> SignHmac(std::string_view input, const JwtKey& key) {
  if (key.hmac == nullptr) return KeyMismatch(JwtAlg::kHs256, "shared secret");
  return HmacSha256(*key.hmac, input);
}

// RFC 7518 section 3.5: MGF1 with the message digest and a salt as long as the digest.
bool UsePss(EVP_PKEY_CTX* pctx) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
}

Result<std::string> SignRsa(JwtAlg alg, std::string_view input, const JwtKey& key) {
  if (key.rsa == nullptr || key.rsa->get() == nullptr) return KeyMismatch(alg, "RSA private key");
  EvpMdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.rsa->get()) != 1) return SignFailed(alg);
  if (alg == JwtAlg::kPs256 && !UsePss(pctx)) return SignFailed(alg);
  int max_size = EVP_PKEY_get_size(key.rsa->get());
  if (max_size <= 0) return SignFailed(alg);
  std::string sig(static_cast<size_t>(max_size), '\0');
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return SignFailed(alg);
  }
  sig.resize(len);
  return sig;
}

// The claims of `token` parsed into `doc`; a kUsage error that never quotes the token.
Status ParseClaims(std::string_view token, std::string* claims, rapidjson::Document* doc) {
  auto fail = [](std::string_view why) {
    return MakeError(ErrorKind::kUsage, "the token is not a JWT (" + std::string(why) +
                                            "): check that the whole token was given");
  };
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail("it does not have three dot-separated parts");
  }
  std::string scratch;
  if (!DecodeBase64Url(token.substr(0, first), &scratch) ||
      !DecodeBase64Url(token.substr(second + 1), &scratch) ||
      !DecodeBase64Url(token.substr(first + 1, second - first - 1), claims)) {
    return fail("a part is not base64url");
  }
  doc->Parse(claims->data(), claims->size());
  if (doc->HasParseError() || !doc->IsObject()) return fail("its payload is not a JSON object");
  return Success();
}

}  // namespace

std::string_view JwtAlgName(JwtAlg alg) {
  switch (alg) {
    case JwtAlg::kHs256:
      return "HS256";
    case JwtAlg::kRs256:
      return "RS256";
    case JwtAlg::kPs256:
      return "PS256";
  }
  return "?";
}

void PrivateKey::Free::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::FromPem(const Secret& pem, std::string_view what) {
  Bio bio = MemoryBio(pem.view());
  if (!bio) {
    ERR_clear_error();
    return MakeError(ErrorKind::kInternal, "libcrypto could not read " + std::string(what) +
                                               ": check the OpenSSL installation");
  }
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  // OpenSSL 3 queues errors from the decoders it tried even when one succeeded.
  ERR_clear_error();
  if (raw == nullptr) {
    return MakeError(ErrorKind::kUsage, std::string(what) +
                                            " is not an unencrypted PEM private key: give an RSA key in PEM "
                                            "(BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) without a passphrase");
  }
  PrivateKey key(raw);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) {
    return MakeError(ErrorKind::kUsage,
                     std::string(what) + " is not an RSA key: RS256 and PS256 need an RSA private key");
  }
  return key;
}

Result<std::string> SignJws(JwtAlg alg, std::string_view header_json, std::string_view payload_json,
                            const JwtKey& key) {
  std::string input = Base64Url(header_json);
  input += '.';
  input += Base64Url(payload_json);
  Result<std::string> sig = alg == JwtAlg::kHs256 ? SignHmac(input, key) : SignRsa(alg, input, key);
  if (!sig) return sig.error();
  input += '.';
  input += Base64Url(*sig);
  return input;
}

Result<std::string> SignJwt(JwtAlg alg, const JwtHeaderFields& fields, std::string_view claims_json,
                            const JwtKey& key) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("alg");
  Str(&w, JwtAlgName(alg));
  w.Key("typ");
  w.String("JWT");
  if (!fields.kid.empty()) {
    w.Key("kid");
    Str(&w, fields.kid);
  }
  if (!fields.x5t_s256.empty()) {
    w.Key("x5t#S256");
    Str(&w, fields.x5t_s256);
  }
  w.EndObject();
  return SignJws(alg, {sb.GetString(), sb.GetSize()}, claims_json, key);
}

Result<std::string> DecodeJwtClaims(std::string_view token) {
  std::string claims;
  rapidjson::Document doc;
  if (Status s = ParseClaims(token, &claims, &doc); !s) return s.error();
  return claims;
}

std::optional<int64_t> JwtExpiry(std::string_view token) {
  std::string claims;
  rapidjson::Document doc;
  if (!ParseClaims(token, &claims, &doc)) return std::nullopt;
  // Some issuers write exp with a fraction (RFC 7519 allows it); the second is enough.
  return JsonInt(doc, "exp", /*allow_fraction=*/true);
}

Result<std::string> CertificateThumbprintS256(std::string_view pem, std::string_view what) {
  Bio bio = MemoryBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!cert) {
    return MakeError(ErrorKind::kUsage, std::string(what) +
                                            " is not a PEM certificate: give the certificate (BEGIN CERTIFICATE) "
                                            "that belongs to the private key");
  }
  int len = i2d_X509(cert.get(), nullptr);
  std::string der(len > 0 ? static_cast<size_t>(len) : 0, '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  std::string digest = len > 0 && i2d_X509(cert.get(), &p) == len ? Sha256(der) : std::string();
  if (digest.empty()) {
    ERR_clear_error();
    return MakeError(ErrorKind::kInternal, "libcrypto could not encode " + std::string(what) +
                                               ": check the OpenSSL installation");
  }
  return Base64Url(digest);
}

}  // namespace tokex
