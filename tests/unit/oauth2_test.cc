// The oauth2 preset against scripted answers: the exact request of every
// grant and client authentication (RFC 6749, RFC 7523), the assertions it
// signs, and the rotation of refresh tokens.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto.h"
#include "engine_harness.h"
#include "exchange.h"
#include "jwt.h"
#include "rotation.h"
#include "test_data.h"

namespace tokex {
Result<Credential> ExchangeOauth2(ExchangeContext& ctx);
std::vector<std::string_view> Oauth2Secrets(const Profile& profile);
}  // namespace tokex

using namespace tokex;
using namespace tokex::testing;

namespace {

// RFC 6749 section 2.3.1 wants both form-encoded inside HTTP Basic: the
// ':' in each would otherwise end the user name early.
constexpr std::string_view kClientId = "app:7&x";
constexpr std::string_view kClientIdForm = "app%3A7%26x";
constexpr std::string_view kSecret = "p&q=r s:+%";
constexpr std::string_view kSecretForm = "p%26q%3Dr%20s%3A%2B%25";
constexpr std::string_view kTokenUrl = "https://idp.example/oauth/token";
constexpr std::string_view kJwtBearer = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";
constexpr std::string_view kClientAssertionType =
    "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
// The UUIDv4s CountingRandom makes: bytes 0-15, then 16-31.
constexpr std::string_view kJti1 = "00010203-0405-4607-8809-0a0b0c0d0e0f";
constexpr std::string_view kJti2 = "10111213-1415-4617-9819-1a1b1c1d1e1f";
// The x5t#S256 of rfc7515_a2_cert.pem (see tests/unit/data/README.md).
constexpr std::string_view kCertThumbprint = "cBeqxv7GBjCccOi0l5vGaxEZ5-hiVqaZmjpGb4xL_5c";

// One profile "p" of preset oauth2 with `extra` config lines, its store
// holding a client secret, a refresh token and the RFC 7515 A.2 key.
struct Harness : EngineHarness {
  explicit Harness(std::string_view extra)
      : EngineHarness("[profile \"p\"]\npreset = oauth2\nclient-id = " + std::string(kClientId) +
                      "\ntoken-url = " + std::string(kTokenUrl) + "\n" + std::string(extra)) {
    REQUIRE_MESSAGE(config.Find("p").ok(), config.Find("p").error().message);
    store.items["p/client-secret"] = kSecret;
    store.items["p/refresh-token"] = "RT-1";
    store.items["p/private-key"] = ReadFile(DataPath("rfc7515_a2_key.pem"));
  }

  Result<Credential> Exchange() {
    ExchangeContext ctx = Context(P());
    return ExchangeOauth2(ctx);
  }

  // The one request sent, after a successful exchange.
  const ScriptedHttp::Seen& Sent() {
    REQUIRE(http.seen.size() == 1);
    return http.seen[0];
  }
};

void ReplyToken(Harness& h, std::string_view extra = "") {
  h.http.Reply(200, R"({"access_token":"AT-1","token_type":"Bearer","expires_in":600)" + std::string(extra) + "}");
}

// The exchange succeeds with AT-1 and sends one request with the form
// headers to the token URL.
const ScriptedHttp::Seen& Exchanged(Harness& h) {
  auto c = h.Exchange();
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  CHECK(c->access_token.view() == "AT-1");
  CHECK(c->expires_at == h.clock.now + 600);
  const auto& r = h.Sent();
  CHECK(r.method == "POST");
  CHECK(r.url == kTokenUrl);
  CHECK(r.Header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(r.Header("Accept") == "application/json");
  return r;
}

std::string BasicHeader() {
  return "Basic " + Base64(std::string(kClientIdForm) + ":" + std::string(kSecretForm));
}

// The value of form field `name` in `body`, as sent (still encoded).
std::string Field(std::string_view body, std::string_view name) {
  std::string key = std::string(name) + "=";
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('&', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(at, end - at);
    if (pair.starts_with(key)) return std::string(pair.substr(key.size()));
    at = end + 1;
  }
  FAIL("no field " << name << " in " << body);
  return {};
}

std::string JwtHeader(std::string_view jwt) { return DecodePart(Split(jwt).at(0)); }

std::string JwtClaims(std::string_view jwt) {
  auto claims = DecodeJwtClaims(jwt);
  REQUIRE(claims.ok());
  return *claims;
}

std::string Claims(std::string_view iss, std::string_view sub, std::string_view aud, std::string_view jti,
                   int64_t now) {
  return R"({"iss":")" + std::string(iss) + R"(","sub":")" + std::string(sub) + R"(","aud":")" + std::string(aud) +
         R"(","jti":")" + std::string(jti) + R"(","iat":)" + std::to_string(now) + R"(,"nbf":)" +
         std::to_string(now) + R"(,"exp":)" + std::to_string(now + 300) + "}";
}

// Whether the openssl command (no code shared with tokex) finds `jwt`
// signed RS256 by the key of rfc7515_a2_cert.pem.
bool VerifiesRs256(std::string_view jwt) {
  return OpensslVerifier(DataPath("rfc7515_a2_cert.pem")).VerifiesJws(Split(jwt), "");
}

}  // namespace

TEST_CASE("client_credentials with Basic: id and secret each form-encoded first (RFC 6749 2.3.1)") {
  Harness h("");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  CHECK(r.body == "grant_type=client_credentials");
  CHECK(r.Header("Authorization") == BasicHeader());
  // base64 of "app%3A7%26x:p%26q%3Dr%20s%3A%2B%25", worked out by hand.
  CHECK(r.Header("Authorization") == "Basic YXBwJTNBNyUyNng6cCUyNnElM0RyJTIwcyUzQSUyQiUyNQ==");
  CHECK(h.store.items["p/refresh-token"] == "RT-1");
}

TEST_CASE("client_credentials with post: client_id and client_secret in the body, no Authorization") {
  Harness h("client-auth = post\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  CHECK(r.body == "grant_type=client_credentials&client_id=" + std::string(kClientIdForm) +
                      "&client_secret=" + std::string(kSecretForm));
  CHECK(r.Header("Authorization").empty());
}

TEST_CASE("client_credentials with private_key_jwt: an RS256 client assertion for the token URL (RFC 7523 3)") {
  Harness h("client-auth = private_key_jwt\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  CHECK(r.Header("Authorization").empty());
  std::string jwt = Field(r.body, "client_assertion");
  CHECK(r.body == "grant_type=client_credentials&client_id=" + std::string(kClientIdForm) +
                      "&client_assertion_type=" + std::string(kClientAssertionType) + "&client_assertion=" + jwt);
  CHECK(JwtHeader(jwt) == R"({"alg":"RS256","typ":"JWT"})");
  CHECK(JwtClaims(jwt) == Claims(kClientId, kClientId, kTokenUrl, kJti1, h.clock.now));
  CHECK(VerifiesRs256(jwt));
}

TEST_CASE("the assertion header names the certificate (x5t#S256) and key-id; assertion-alg PS256 is honoured") {
  Harness h("client-auth = private_key_jwt\ncertificate = " + DataPath("rfc7515_a2_cert.pem") +
            "\nkey-id = k-1\nassertion-alg = PS256\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  std::string jwt = Field(r.body, "client_assertion");
  CHECK(JwtHeader(jwt) == R"({"alg":"PS256","typ":"JWT","kid":"k-1","x5t#S256":")" + std::string(kCertThumbprint) +
                              "\"}");
  CHECK_FALSE(VerifiesRs256(jwt));  // PSS, not PKCS #1 v1.5
}

TEST_CASE("client_credentials without client authentication is refused before any request") {
  Harness h("client-auth = none\n");
  auto c = h.Exchange();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kUsage);
  CHECK(c.error().message == "/cfg:5: key 'client-auth': grant client_credentials needs client authentication: "
                             "use basic, post or private_key_jwt");
  CHECK(h.http.seen.empty());
}

TEST_CASE("refresh_token for a public client: client_id only; the rotated token is stored before return") {
  Harness h("grant = refresh_token\nclient-auth = none\n");
  ReplyToken(h, R"(,"refresh_token":"RT-2")");
  const auto& r = Exchanged(h);
  CHECK(r.body == "grant_type=refresh_token&refresh_token=RT-1&client_id=" + std::string(kClientIdForm));
  CHECK(r.Header("Authorization").empty());
  CHECK(h.store.items["p/refresh-token"] == "RT-2");
  CHECK(h.store.items["p/client-secret"] == kSecret);

  // The next exchange spends the new one.
  ReplyToken(h, R"(,"refresh_token":"RT-3")");
  REQUIRE(h.Exchange().ok());
  REQUIRE(h.http.seen.size() == 2);
  CHECK(Field(h.http.seen[1].body, "refresh_token") == "RT-2");
  CHECK(h.store.items["p/refresh-token"] == "RT-3");
}

TEST_CASE("refresh_token: a server that keeps the token leaves the store as it was") {
  Harness h("grant = refresh_token\nclient-auth = none\n");
  ReplyToken(h);
  Exchanged(h);
  CHECK(h.store.items["p/refresh-token"] == "RT-1");
}

TEST_CASE("refresh_token: no credential comes back unless the rotated token is safe") {
  Harness h("grant = refresh_token\nclient-auth = none\n");
  h.store.fail_writes = true;
  ReplyToken(h, R"(,"refresh_token":"RT-2")");
  auto c = h.Exchange();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kStore);
  std::string path = RecoveryPath(h.paths, "p");
  CHECK(c.error().message.find("tokex secret set p refresh-token < " + path) != std::string::npos);
  CHECK(c.error().message.find("RT-2") == std::string::npos);
  CHECK(ReadFile(path) == "RT-2\n");
}

TEST_CASE("refresh_token with Basic and with post") {
  Harness basic("grant = refresh_token\n");
  ReplyToken(basic, R"(,"refresh_token":"RT-2")");
  const auto& r = Exchanged(basic);
  CHECK(r.body == "grant_type=refresh_token&refresh_token=RT-1");
  CHECK(r.Header("Authorization") == BasicHeader());
  CHECK(basic.store.items["p/refresh-token"] == "RT-2");

  Harness post("grant = refresh_token\nclient-auth = post\n");
  ReplyToken(post);
  CHECK(Exchanged(post).body == "grant_type=refresh_token&refresh_token=RT-1&client_id=" +
                                    std::string(kClientIdForm) + "&client_secret=" + std::string(kSecretForm));
}

TEST_CASE("refresh_token with private_key_jwt") {
  Harness h("grant = refresh_token\nclient-auth = private_key_jwt\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  std::string jwt = Field(r.body, "client_assertion");
  CHECK(r.body == "grant_type=refresh_token&refresh_token=RT-1&client_id=" + std::string(kClientIdForm) +
                      "&client_assertion_type=" + std::string(kClientAssertionType) + "&client_assertion=" + jwt);
  CHECK(JwtClaims(jwt) == Claims(kClientId, kClientId, kTokenUrl, kJti1, h.clock.now));
}

TEST_CASE("refresh_token: an expired JWT refresh token is refused before it is sent") {
  Harness h("grant = refresh_token\nclient-auth = none\n");
  std::string payload = Base64Url(R"({"exp":)" + std::to_string(h.clock.now - 10) + "}");
  h.store.items["p/refresh-token"] = "e30." + payload + ".c2ln";
  auto c = h.Exchange();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kRejected);
  CHECK(c.error().message.ends_with(": store a new refresh token with tokex secret set p refresh-token"));
  CHECK(h.http.seen.empty());
}

TEST_CASE("jwt-bearer: the assertion names the client (iss, sub) and the token URL (aud) (RFC 7523 2.1)") {
  Harness h("grant = jwt-bearer\nclient-auth = none\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  std::string jwt = Field(r.body, "assertion");
  CHECK(r.body == "grant_type=" + std::string(kJwtBearer) + "&assertion=" + jwt + "&client_id=" +
                      std::string(kClientIdForm));
  CHECK(r.Header("Authorization").empty());
  CHECK(JwtHeader(jwt) == R"({"alg":"RS256","typ":"JWT"})");
  CHECK(JwtClaims(jwt) == Claims(kClientId, kClientId, kTokenUrl, kJti1, h.clock.now));
  CHECK(VerifiesRs256(jwt));
}

TEST_CASE("jwt-bearer: assertion-subject and assertion-audience; Basic client authentication") {
  Harness h("grant = jwt-bearer\nassertion-subject = user@example.com\nassertion-audience = https://idp.example\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  std::string jwt = Field(r.body, "assertion");
  CHECK(r.body == "grant_type=" + std::string(kJwtBearer) + "&assertion=" + jwt);
  CHECK(r.Header("Authorization") == BasicHeader());
  CHECK(JwtClaims(jwt) == Claims(kClientId, "user@example.com", "https://idp.example", kJti1, h.clock.now));
}

TEST_CASE("jwt-bearer with private_key_jwt: two assertions, each with its own jti") {
  Harness h("grant = jwt-bearer\nclient-auth = private_key_jwt\nassertion-subject = svc-1\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  std::string grant = Field(r.body, "assertion");
  std::string client = Field(r.body, "client_assertion");
  CHECK(r.body == "grant_type=" + std::string(kJwtBearer) + "&assertion=" + grant + "&client_id=" +
                      std::string(kClientIdForm) + "&client_assertion_type=" + std::string(kClientAssertionType) +
                      "&client_assertion=" + client);
  CHECK(JwtClaims(grant) == Claims(kClientId, "svc-1", kTokenUrl, kJti1, h.clock.now));
  CHECK(JwtClaims(client) == Claims(kClientId, kClientId, kTokenUrl, kJti2, h.clock.now));
}

TEST_CASE("jwt-bearer with post") {
  Harness h("grant = jwt-bearer\nclient-auth = post\n");
  ReplyToken(h);
  const auto& r = Exchanged(h);
  CHECK(r.body == "grant_type=" + std::string(kJwtBearer) + "&assertion=" + Field(r.body, "assertion") +
                      "&client_id=" + std::string(kClientIdForm) + "&client_secret=" + std::string(kSecretForm));
}

TEST_CASE("scope, audience, resource, then the form- fields in key order, all form-encoded") {
  Harness h("client-auth = post\nform-zeta = z 1\nresource = urn:x:api\nscopes = read write\n"
            "audience = https://api.example/\nform-alpha = a&b\nform-mid_1 = =\n");
  ReplyToken(h);
  CHECK(Exchanged(h).body == "grant_type=client_credentials&client_id=" + std::string(kClientIdForm) +
                                 "&client_secret=" + std::string(kSecretForm) +
                                 "&scope=read%20write&audience=https%3A%2F%2Fapi.example%2F&resource=urn%3Ax%3Aapi"
                                 "&alpha=a%26b&mid_1=%3D&zeta=z%201");
}

TEST_CASE("a form- key that repeats a field tokex sends is a config error") {
  for (std::string_view name : {"grant_type", "client_secret", "scope", "client_assertion", "refresh_token"}) {
    Harness h("form-" + std::string(name) + " = x\n");
    auto c = h.Exchange();
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::kUsage);
    CHECK(c.error().message == "/cfg:5: key 'form-" + std::string(name) + "': tokex sends the form field '" +
                                   std::string(name) +
                                   "' itself (from grant, client-auth, client-id, scopes, audience or resource): "
                                   "remove this key");
    CHECK(h.http.seen.empty());
  }
}

TEST_CASE("Oauth2Secrets: what each grant and client authentication spends") {
  struct Row {
    std::string_view config;
    std::vector<std::string_view> secrets;
  };
  const std::vector<Row> rows = {
      {"", {"client-secret"}},
      {"client-auth = basic\n", {"client-secret"}},
      {"client-auth = post\n", {"client-secret"}},
      {"client-auth = private_key_jwt\n", {"private-key"}},
      {"client-auth = none\n", {}},
      {"grant = refresh_token\n", {"refresh-token", "client-secret"}},
      {"grant = refresh_token\nclient-auth = post\n", {"refresh-token", "client-secret"}},
      {"grant = refresh_token\nclient-auth = private_key_jwt\n", {"refresh-token", "private-key"}},
      {"grant = refresh_token\nclient-auth = none\n", {"refresh-token"}},
      {"grant = jwt-bearer\n", {"private-key", "client-secret"}},
      {"grant = jwt-bearer\nclient-auth = post\n", {"private-key", "client-secret"}},
      {"grant = jwt-bearer\nclient-auth = private_key_jwt\n", {"private-key"}},
      {"grant = jwt-bearer\nclient-auth = none\n", {"private-key"}},
  };
  for (const Row& row : rows) {
    Harness h(row.config);
    CAPTURE(row.config);
    CHECK(Oauth2Secrets(h.P()) == row.secrets);
  }
}

TEST_CASE("a missing secret is the store's error, before any request") {
  struct Row {
    std::string_view config;
    std::string_view secret;  // removed from the store
  };
  const std::vector<Row> rows = {
      {"", "client-secret"},
      {"grant = jwt-bearer\nclient-auth = none\n", "private-key"},
      {"grant = refresh_token\n", "refresh-token"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.config);
    Harness h(row.config);
    h.store.items.erase("p/" + std::string(row.secret));
    auto c = h.Exchange();
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::kStore);
    CHECK(c.error().message.find("tokex secret set p " + std::string(row.secret)) != std::string::npos);
    CHECK(h.http.seen.empty());
  }
}

TEST_CASE("a refusal says what to check, by the server's error, and quotes no secret") {
  struct Row {
    std::string_view config;
    long status;
    std::string_view error;
    ErrorKind kind;
    std::string_view fix;
  };
  const std::string_view secret_fix = "check client-id and the stored client-secret (tokex secret set p client-secret)";
  const std::string_view refresh_fix = "store a new refresh token with tokex secret set p refresh-token";
  const std::vector<Row> rows = {
      {"", 401, "invalid_client", ErrorKind::kRejected, secret_fix},
      {"grant = refresh_token\n", 401, "invalid_client", ErrorKind::kRejected, secret_fix},
      {"grant = refresh_token\n", 400, "invalid_grant", ErrorKind::kRejected, refresh_fix},
      {"grant = refresh_token\nclient-auth = none\n", 400, "invalid_grant", ErrorKind::kRejected, refresh_fix},
      {"grant = refresh_token\nclient-auth = none\n", 400, "invalid_client", ErrorKind::kRejected, "check client-id"},
      {"grant = refresh_token\n", 403, "access_denied", ErrorKind::kRejected,
       "store a new refresh token with tokex secret set p refresh-token, or check client-id and the stored "
       "client-secret (tokex secret set p client-secret)"},
      {"client-auth = private_key_jwt\n", 400, "invalid_client", ErrorKind::kRejected,
       "check client-id and that the server holds the certificate of the stored private-key (tokex secret set p "
       "private-key)"},
      {"grant = jwt-bearer\nclient-auth = none\n", 400, "invalid_grant", ErrorKind::kRejected,
       "check assertion-subject and that the server trusts the stored private-key (tokex secret set p private-key)"},
      {"", 400, "invalid_scope", ErrorKind::kUsage, "check the profile's grant, scopes and client-id"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.config);
    CAPTURE(row.error);
    Harness h(row.config);
    h.http.Reply(row.status, R"({"error":")" + std::string(row.error) + R"(","error_description":"no\nmore"})");
    auto c = h.Exchange();
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == row.kind);
    CHECK(c.error().message.find("idp.example answered HTTP " + std::to_string(row.status) + " (" +
                                 std::string(row.error) + ": no)") != std::string::npos);
    CHECK(c.error().message.ends_with(row.fix));
    CHECK(c.error().message.find("RT-1") == std::string::npos);
    CHECK(c.error().message.find(kSecret) == std::string::npos);
    CHECK(h.http.seen.size() == 1);
    CHECK(h.store.items["p/refresh-token"] == "RT-1");
  }
}
