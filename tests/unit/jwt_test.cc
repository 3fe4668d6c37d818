#include "jwt.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto.h"
#include "test_data.h"

namespace {

using tokex::JwtAlg;
using tokex::JwtKey;
using tokex::PrivateKey;
using tokex::Secret;
using tokex::testing::DataPath;
using tokex::testing::DecodePart;
using tokex::testing::kPssOpts;
using tokex::testing::OpensslVerifier;
using tokex::testing::Quote;
using tokex::testing::ReadFile;
using tokex::testing::Run;
using tokex::testing::Split;

// RFC 7515 Appendix A.1 and A.2: the exact bytes, CR LF and all.
constexpr std::string_view kA1Header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr std::string_view kA2Header = "{\"alg\":\"RS256\"}";
constexpr std::string_view kRfcPayload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
constexpr std::string_view kA1Key =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kA1Jws =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kA2Jws =
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";
// openssl x509 -in rfc7515_a2_cert.pem -outform DER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
constexpr std::string_view kA2CertThumbprint = "cBeqxv7GBjCccOi0l5vGaxEZ5-hiVqaZmjpGb4xL_5c";

PrivateKey LoadKey(const std::string& path) {
  auto key = PrivateKey::FromPem(Secret(ReadFile(path)), "the test key");
  REQUIRE_MESSAGE(key.ok(), key.error().message);
  return std::move(key).value();
}

}  // namespace

TEST_CASE("RFC 7515 A.1: HS256 reproduces the RFC's JWS") {
  std::string k;
  REQUIRE(tokex::DecodeBase64Url(kA1Key, &k));
  CHECK(k.size() == 64);
  Secret key(k);
  tokex::WipeString(&k);
  auto jws = tokex::SignJws(JwtAlg::kHs256, kA1Header, kRfcPayload, JwtKey{.hmac = &key});
  REQUIRE(jws.ok());
  CHECK(*jws == kA1Jws);
  auto claims = tokex::DecodeJwtClaims(*jws);
  REQUIRE(claims.ok());
  CHECK(*claims == kRfcPayload);
  CHECK(tokex::JwtExpiry(*jws) == 1300819380);
}

TEST_CASE("RFC 7515 A.2: RS256 reproduces the RFC's JWS, from PKCS#8 and PKCS#1 PEM") {
  PrivateKey key = LoadKey(DataPath("rfc7515_a2_key.pem"));
  auto jws = tokex::SignJws(JwtAlg::kRs256, kA2Header, kRfcPayload, JwtKey{.rsa = &key});
  REQUIRE(jws.ok());
  CHECK(*jws == kA2Jws);

  tokex::testing::TempDir dir;
  std::string pkcs1 = dir.path + "/pkcs1.pem";
  REQUIRE(Run("openssl rsa -traditional -in " + Quote(DataPath("rfc7515_a2_key.pem")) + " -out " + Quote(pkcs1)));
  REQUIRE(ReadFile(pkcs1).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
  PrivateKey moved = LoadKey(pkcs1);
  PrivateKey traditional = std::move(moved);
  jws = tokex::SignJws(JwtAlg::kRs256, kA2Header, kRfcPayload, JwtKey{.rsa = &traditional});
  REQUIRE(jws.ok());
  CHECK(*jws == kA2Jws);
}

TEST_CASE("RS256 signatures verify with the openssl CLI; a flipped byte does not") {
  PrivateKey key = LoadKey(DataPath("rfc7515_a2_key.pem"));
  auto jwt = tokex::SignJwt(JwtAlg::kRs256, {}, "{\"sub\":\"tokex\"}", JwtKey{.rsa = &key});
  REQUIRE(jwt.ok());
  std::vector<std::string> parts = Split(*jwt);
  REQUIRE(parts.size() == 3);
  std::string input = parts[0] + "." + parts[1];
  std::string sig = DecodePart(parts[2]);
  CHECK(sig.size() == 256);
  OpensslVerifier cli(DataPath("rfc7515_a2_key.pem"));
  CHECK(cli.Verifies(input, sig, ""));
  CHECK_FALSE(cli.Verifies(input, sig, kPssOpts));
  sig[100] = static_cast<char>(sig[100] ^ 0x01);
  CHECK_FALSE(cli.Verifies(input, sig, ""));
}

TEST_CASE("PS256 signatures verify with the openssl CLI as PSS, salt 32, MGF1-SHA-256") {
  PrivateKey key = LoadKey(DataPath("rfc7515_a2_key.pem"));
  JwtKey jwt_key{.rsa = &key};
  auto jwt = tokex::SignJwt(JwtAlg::kPs256, {}, "{\"sub\":\"tokex\"}", jwt_key);
  REQUIRE(jwt.ok());
  std::vector<std::string> parts = Split(*jwt);
  REQUIRE(parts.size() == 3);
  CHECK(DecodePart(parts[0]) == "{\"alg\":\"PS256\",\"typ\":\"JWT\"}");
  std::string input = parts[0] + "." + parts[1];
  std::string sig = DecodePart(parts[2]);
  CHECK(sig.size() == 256);
  OpensslVerifier cli(DataPath("rfc7515_a2_key.pem"));
  CHECK(cli.Verifies(input, sig, kPssOpts));
  // The salt really is 32 bytes, and the padding really is PSS.
  CHECK_FALSE(cli.Verifies(input, sig, "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20"));
  CHECK_FALSE(cli.Verifies(input, sig, ""));
  std::string flipped = sig;
  flipped[0] = static_cast<char>(flipped[0] ^ 0x80);
  CHECK_FALSE(cli.Verifies(input, flipped, kPssOpts));
  // PSS is randomized: signing again gives a different signature.
  auto again = tokex::SignJwt(JwtAlg::kPs256, {}, "{\"sub\":\"tokex\"}", jwt_key);
  REQUIRE(again.ok());
  CHECK(*again != *jwt);
}

TEST_CASE("SignJwt writes alg, typ, then kid and x5t#S256 only when set") {
  Secret secret("secret");
  JwtKey key{.hmac = &secret};
  std::string_view claims = "{\"sub\":\"tokex\",\"exp\":1700000000}";
  auto header_of = [&](const tokex::JwtHeaderFields& fields) {
    auto jwt = tokex::SignJwt(JwtAlg::kHs256, fields, claims, key);
    REQUIRE(jwt.ok());
    std::vector<std::string> parts = Split(*jwt);
    REQUIRE(parts.size() == 3);
    CHECK(DecodePart(parts[1]) == claims);
    return DecodePart(parts[0]);
  };
  CHECK(header_of({}) == "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  CHECK(header_of({.kid = "key-1", .x5t_s256 = ""}) == "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"key-1\"}");
  CHECK(header_of({.kid = "", .x5t_s256 = "abc"}) == "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"x5t#S256\":\"abc\"}");
  CHECK(header_of({.kid = "k\"1", .x5t_s256 = "abc"}) ==
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k\\\"1\",\"x5t#S256\":\"abc\"}");

  // Computed independently with Python's hmac and base64 modules.
  auto jwt = tokex::SignJwt(JwtAlg::kHs256, {.kid = "key-1", .x5t_s256 = ""}, claims, key);
  REQUIRE(jwt.ok());
  CHECK(*jwt ==
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtleS0xIn0"
        ".eyJzdWIiOiJ0b2tleCIsImV4cCI6MTcwMDAwMDAwMH0"
        ".gq_3up2gPXOzFZLyrwUQPMiFaTOe-DS9tmuGydtteUk");

  PrivateKey rsa = LoadKey(DataPath("rfc7515_a2_key.pem"));
  auto rs = tokex::SignJwt(JwtAlg::kRs256, {.kid = "k", .x5t_s256 = std::string(kA2CertThumbprint)}, claims,
                           JwtKey{.rsa = &rsa});
  REQUIRE(rs.ok());
  CHECK(DecodePart(Split(*rs)[0]) == "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k\",\"x5t#S256\":\"" +
                                         std::string(kA2CertThumbprint) + "\"}");
}

TEST_CASE("JwtAlgName") {
  CHECK(tokex::JwtAlgName(JwtAlg::kHs256) == "HS256");
  CHECK(tokex::JwtAlgName(JwtAlg::kRs256) == "RS256");
  CHECK(tokex::JwtAlgName(JwtAlg::kPs256) == "PS256");
}

TEST_CASE("a key that does not fit the algorithm is an error") {
  Secret secret("secret");
  PrivateKey rsa = LoadKey(DataPath("rfc7515_a2_key.pem"));
  auto hs = tokex::SignJws(JwtAlg::kHs256, "{}", "{}", JwtKey{.rsa = &rsa});
  REQUIRE_FALSE(hs.ok());
  CHECK(hs.error().kind == tokex::ErrorKind::kInternal);
  CHECK(hs.error().message.find("HS256") != std::string::npos);
  for (JwtAlg alg : {JwtAlg::kRs256, JwtAlg::kPs256}) {
    auto r = tokex::SignJws(alg, "{}", "{}", JwtKey{.hmac = &secret});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == tokex::ErrorKind::kInternal);
    CHECK(r.error().message.find(tokex::JwtAlgName(alg)) != std::string::npos);
  }
  CHECK_FALSE(tokex::SignJwt(JwtAlg::kHs256, {}, "{}", JwtKey{}).ok());
}

TEST_CASE("x5t#S256 of the A.2 certificate matches the openssl CLI") {
  auto thumb = tokex::CertificateThumbprintS256(ReadFile(DataPath("rfc7515_a2_cert.pem")), "the test certificate");
  REQUIRE(thumb.ok());
  CHECK(*thumb == kA2CertThumbprint);
  for (const std::string& bad : {std::string(), std::string("not a certificate"),
                                 ReadFile(DataPath("rfc7515_a2_key.pem"))}) {
    auto r = tokex::CertificateThumbprintS256(bad, "certificate 'cert.pem'");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == tokex::ErrorKind::kUsage);
    CHECK(r.error().message.starts_with("certificate 'cert.pem' is not a PEM certificate: "));
  }
}

TEST_CASE("DecodeJwtClaims and JwtExpiry read the payload without verifying") {
  auto token = [](std::string_view payload) {
    return tokex::Base64Url("{\"alg\":\"none\"}") + "." + tokex::Base64Url(payload) + ".c2ln";
  };
  std::string valid = token("{\"sub\":\"x\",\"exp\":1700000000}");
  auto claims = tokex::DecodeJwtClaims(valid);
  REQUIRE(claims.ok());
  CHECK(*claims == "{\"sub\":\"x\",\"exp\":1700000000}");
  CHECK(tokex::JwtExpiry(valid) == 1700000000);
  CHECK(tokex::JwtExpiry(token("{\"exp\":1700000000.75}")) == 1700000000);
  CHECK(tokex::JwtExpiry(token("{\"exp\":1.7e9}")) == 1700000000);

  std::string no_exp = token("{\"sub\":\"x\"}");
  CHECK(tokex::DecodeJwtClaims(no_exp).ok());
  CHECK(tokex::JwtExpiry(no_exp) == std::nullopt);
  CHECK(tokex::JwtExpiry(token("{\"exp\":\"1700000000\"}")) == std::nullopt);
  CHECK(tokex::JwtExpiry(token("{\"exp\":null}")) == std::nullopt);
}

TEST_CASE("tokens that are not JWTs") {
  std::string header = tokex::Base64Url("{\"alg\":\"none\"}");
  std::string payload = tokex::Base64Url("{\"exp\":1700000000}");
  const std::string bad[] = {
      "",
      "opaque-access-token",
      header + "." + payload,                                          // two parts only
      header + "." + payload + ".c2ln.c2ln",                           // four parts
      header + "." + tokex::Base64Url("not json") + ".c2ln",           // not JSON
      header + "." + tokex::Base64Url("{\"exp\":1} trailing") + ".c2ln",
      header + "." + tokex::Base64Url("[1700000000]") + ".c2ln",        // an array, not an object
      header + "." + tokex::Base64Url("1700000000") + ".c2ln",
      header + ".eyJleHAiOjE3MDAwMDAwMDB9!.c2ln",                      // bad base64url
      header + ".eyJleHAiOjE3MDAwMDAwMDB9.c2ln+",                      // '+' is not base64url
      "e30!." + payload + ".c2ln",
  };
  for (const std::string& t : bad) {
    CAPTURE(t);
    auto claims = tokex::DecodeJwtClaims(t);
    REQUIRE_FALSE(claims.ok());
    CHECK(claims.error().kind == tokex::ErrorKind::kUsage);
    CHECK(claims.error().message.starts_with("the token is not a JWT ("));
    // A token is a credential: never quoted.
    CHECK(claims.error().message.find(payload) == std::string::npos);
    CHECK(tokex::JwtExpiry(t) == std::nullopt);
  }
}

TEST_CASE("PrivateKey::FromPem refuses garbage without quoting it") {
  const std::string garbage[] = {
      "SECRETGARBAGE0123456789",
      "-----BEGIN PRIVATE KEY-----\nSECRETGARBAGE0123456789\n-----END PRIVATE KEY-----\n",
      "-----BEGIN RSA PRIVATE KEY-----\nU0VDUkVUR0FSQkFHRQ==\n-----END RSA PRIVATE KEY-----\n",
      "",
  };
  for (const std::string& pem : garbage) {
    CAPTURE(pem);
    auto key = PrivateKey::FromPem(Secret(pem), "secret 'private-key' of profile p");
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().kind == tokex::ErrorKind::kUsage);
    CHECK(key.error().message.starts_with("secret 'private-key' of profile p is not an unencrypted PEM private key: "));
    CHECK(key.error().message.find("SECRETGARBAGE") == std::string::npos);
    CHECK(key.error().message.find("U0VDUkVU") == std::string::npos);
  }
}

TEST_CASE("PrivateKey::FromPem refuses EC, public and encrypted keys") {
  std::string ec_pem = ReadFile(DataPath("ec_key.pem"));
  auto ec = PrivateKey::FromPem(Secret(ec_pem), "the EC key");
  REQUIRE_FALSE(ec.ok());
  CHECK(ec.error().kind == tokex::ErrorKind::kUsage);
  CHECK(ec.error().message == "the EC key is not an RSA key: RS256 and PS256 need an RSA private key");
  REQUIRE(ec_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  CHECK(ec.error().message.find(ec_pem.substr(28, 20)) == std::string::npos);  // the key's first bytes

  tokex::testing::TempDir dir;
  std::string pub = dir.path + "/pub.pem";
  std::string encrypted = dir.path + "/encrypted.pem";
  std::string key = Quote(DataPath("rfc7515_a2_key.pem"));
  REQUIRE(Run("openssl pkey -in " + key + " -pubout -out " + Quote(pub)));
  // Without a passphrase callback OpenSSL would prompt on the terminal; it must fail instead.
  REQUIRE(Run("openssl pkey -in " + key + " -aes-256-cbc -passout pass:tokex -out " + Quote(encrypted) +
              " </dev/null"));
  REQUIRE(ReadFile(encrypted).starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  for (const std::string& path : {pub, encrypted}) {
    CAPTURE(path);
    auto r = PrivateKey::FromPem(Secret(ReadFile(path)), "the key");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == tokex::ErrorKind::kUsage);
    CHECK(r.error().message.starts_with("the key is not an unencrypted PEM private key: "));
  }
}
