// The azure-ad preset against scripted answers: the exact requests of each
// grant (seed 004 step 1 for refresh_token), the client assertion, the
// rotation of refresh tokens and Azure's AADSTS errors.
#include "azure_ad.h"

#include <doctest/doctest.h>

#include "crypto.h"
#include "engine_harness.h"
#include "preset_registry.h"
#include "rotation.h"
#include "test_data.h"

namespace tokex {
Result<Credential> ExchangeAzureAd(ExchangeContext& ctx);  // registered in preset_registry.cc
}  // namespace tokex

using namespace tokex;
using namespace tokex::testing;

namespace {

constexpr std::string_view kTokenUrl = "https://127.0.0.1:9/72f988bf-tenant/oauth2/v2.0/token";
constexpr std::string_view kClient = "6731de76-14a6-49ae-97bc-6eba6914391e";
// CountingRandom's first 16 bytes as a UUIDv4.
constexpr std::string_view kFirstJti = "00010203-0405-4607-8809-0a0b0c0d0e0f";
// openssl x509 -in rfc7515_a2_cert.pem -outform DER | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
constexpr std::string_view kCertThumbprint = "cBeqxv7GBjCccOi0l5vGaxEZ5-hiVqaZmjpGb4xL_5c";
// The first line of a real Azure AD answer, then its trace lines.
constexpr std::string_view kBadSecretBody =
    R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the )"
    R"(secret being sent in the request is the client secret value, not the client secret ID, for a secret added )"
    R"(to app '6731de76'.\r\nTrace ID: 0f3b7c1e-1e1c\r\nCorrelation ID: 9a8b\r\nTimestamp: 2024-05-01 10:00:00Z",)"
    R"("error_codes":[7000215],"timestamp":"2024-05-01 10:00:00Z","trace_id":"0f3b7c1e-1e1c","correlation_id":"9a8b"})";

std::string ConfigText() {
  std::string base = "preset = azure-ad\ntenant = 72f988bf-tenant\nclient-id = " + std::string(kClient) +
                     "\nbase-url = https://127.0.0.1:9\n";
  std::string cert = "certificate = " + DataPath("rfc7515_a2_cert.pem") + "\n";
  return "[profile \"rt\"]\n" + base + "[profile \"rt-scoped\"]\n" + base +
         "scopes = api://insight/read offline_access\n" + "[profile \"cc\"]\n" + base +
         "grant = client_credentials\n" + "[profile \"cert\"]\n" + base + "grant = client_credentials\n" + cert +
         "[profile \"cert-rs\"]\n" + base + "grant = client_credentials\nassertion-alg = RS256\n" + cert +
         "[profile \"ropc\"]\n" + base + "grant = password\nusername = alice@contoso.com\n" +
         "[profile \"ropc-nouser\"]\n" + base + "grant = password\n";
}

struct Harness : EngineHarness {
  Harness() : EngineHarness(ConfigText()) {}

  Result<TokenAnswer> Token(std::string_view name) {
    ExchangeContext ctx = Context(name);
    return AzureAdToken(ctx);
  }

  void Ok(std::string body = R"({"token_type":"Bearer","scope":"s","expires_in":3599,"ext_expires_in":3599,)"
                             R"("access_token":"AT1"})") {
    http.Reply(200, std::move(body));
  }
};

void CheckFormPost(const ScriptedHttp::Seen& r) {
  CHECK(r.method == "POST");
  CHECK(r.url == kTokenUrl);
  CHECK(r.Header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(r.Header("Accept") == "application/json");
  CHECK(r.Header("Authorization").empty());
}

// The value of `name` in a form body, percent-decoding left to the test.
std::string FormValue(std::string_view body, std::string_view name) {
  std::string key = std::string(name) + "=";
  for (size_t at = 0; at <= body.size();) {
    size_t end = body.find('&', at);
    if (end == std::string_view::npos) end = body.size();
    std::string_view field = body.substr(at, end - at);
    if (field.starts_with(key)) return std::string(field.substr(key.size()));
    at = end + 1;
  }
  return {};
}

// Verifies a JWS with the openssl command line (no code shared with
// SignJws) against the public key of the A.2 certificate.
bool OpensslVerifies(const std::vector<std::string>& parts, bool pss) {
  return OpensslVerifier(DataPath("rfc7515_a2_cert.pem")).VerifiesJws(parts, pss ? kPssOpts : "");
}

}  // namespace

TEST_CASE("refresh_token (seed 004 step 1): the documented form, and the new refresh token stored before return") {
  Harness h;
  h.store.items["rt/refresh-token"] = "0.AXoA-first";
  h.Ok(R"({"token_type":"Bearer","scope":"6731de76-14a6-49ae-97bc-6eba6914391e/user_impersonation",)"
       R"("expires_in":3599,"ext_expires_in":3599,"access_token":"AT1","refresh_token":"0.AXoA-second"})");
  auto a = h.Token("rt");
  REQUIRE_MESSAGE(a.ok(), a.error().message);
  CHECK(a->credential.access_token.view() == "AT1");
  CHECK(a->credential.expires_at == h.clock.now + 3599);
  REQUIRE(a->refresh_token);
  CHECK(a->refresh_token->view() == "0.AXoA-second");
  CHECK(h.store.items["rt/refresh-token"] == "0.AXoA-second");
  REQUIRE(h.http.seen.size() == 1);
  CheckFormPost(h.http.seen[0]);
  CHECK(h.http.seen[0].body ==
        "grant_type=refresh_token&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&refresh_token=0.AXoA-first"
        "&scope=6731de76-14a6-49ae-97bc-6eba6914391e%2F.default%20openid%20offline_access");
  CHECK(h.store.items.count("rt/client-secret") == 0);
}

TEST_CASE("refresh_token: a confidential client adds its client_secret; scopes replace the default") {
  Harness h;
  h.store.items["rt-scoped/refresh-token"] = "0.A-first";
  h.store.items["rt-scoped/client-secret"] = "Qx8~s3cr&t=";
  h.Ok(R"({"access_token":"AT1","expires_in":3599,"refresh_token":"0.A-second"})");
  REQUIRE(h.Token("rt-scoped").ok());
  CHECK(h.http.seen.at(0).body ==
        "grant_type=refresh_token&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&refresh_token=0.A-first"
        "&scope=api%3A%2F%2Finsight%2Fread%20offline_access&client_secret=Qx8~s3cr%26t%3D");
}

TEST_CASE("refresh_token: a store that refuses the rotated token fails the exchange, the token kept aside") {
  Harness h;
  h.store.items["rt/refresh-token"] = "0.A-first";
  h.store.fail_writes = true;
  h.Ok(R"({"access_token":"AT1","expires_in":3599,"refresh_token":"0.A-second"})");
  auto a = h.Token("rt");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 3);
  std::string path = RecoveryPath(h.paths, "rt");
  CHECK(a.error().message.find("tokex secret set rt refresh-token < " + path) != std::string::npos);
  CHECK(a.error().message.find("0.A-second") == std::string::npos);
  CHECK(ReadFile(path) == "0.A-second\n");
}

TEST_CASE("refresh_token: a spent or expired refresh token (AADSTS70008) says to sign in again, exit 4") {
  Harness h;
  h.store.items["rt/refresh-token"] = "0.A-spent";
  h.http.Reply(400, R"({"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code )"
                    R"(or refresh token has expired due to inactivity.\r\nTrace ID: t\r\nCorrelation ID: c",)"
                    R"("error_codes":[70008]})");
  auto a = h.Token("rt");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 4);
  CHECK(a.error().message ==
        "the server rejected the credentials: 127.0.0.1:9 answered HTTP 400 (invalid_grant: AADSTS70008: The "
        "provided authorization code or refresh token has expired due to inactivity.): sign in again with 'tokex "
        "login rt', or store a new refresh token with 'tokex secret set rt refresh-token'");
  CHECK(h.store.items["rt/refresh-token"] == "0.A-spent");
}

TEST_CASE("client_credentials with a secret: the form, the default scope, no refresh token") {
  Harness h;
  h.store.items["cc/client-secret"] = "Qx8~s3cr&t=";
  h.Ok();
  auto a = h.Token("cc");
  REQUIRE(a.ok());
  CHECK_FALSE(a->refresh_token);
  CheckFormPost(h.http.seen.at(0));
  CHECK(h.http.seen[0].body ==
        "grant_type=client_credentials&client_id=6731de76-14a6-49ae-97bc-6eba6914391e"
        "&scope=6731de76-14a6-49ae-97bc-6eba6914391e%2F.default&client_secret=Qx8~s3cr%26t%3D");
}

TEST_CASE("client_credentials: a wrong secret (AADSTS7000215) is exit 4, quoting the first line only") {
  Harness h;
  h.store.items["cc/client-secret"] = "Qx8~s3cr&t=";
  h.http.Reply(401, std::string(kBadSecretBody));
  auto a = h.Token("cc");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 4);
  CHECK(a.error().message ==
        "the server rejected the credentials: 127.0.0.1:9 answered HTTP 401 (invalid_client: AADSTS7000215: Invalid "
        "client secret provided. Ensure the secret being sent in the request is the client secret value, not the "
        "client secret ID, for a secret added to app '6731de76'.): check client-id and the stored client-secret "
        "(tokex secret set cc client-secret): a secret's value, not its ID, and not expired");
  CHECK(a.error().message.find("Trace ID") == std::string::npos);
  CHECK(a.error().message.find("s3cr") == std::string::npos);
}

TEST_CASE("Azure errors that say the request is wrong are exit 2") {
  for (auto [error, code] : {std::pair{"invalid_scope", "AADSTS70011"}, {"invalid_request", "AADSTS90002"},
                             {"unauthorized_client", "AADSTS700016"}, {"unsupported_grant_type", "AADSTS70003"}}) {
    Harness h;
    h.store.items["cc/client-secret"] = "s";
    h.http.Reply(400, std::string(R"({"error":")") + error + R"(","error_description":")" + code +
                          R"(: something.\r\nTrace ID: x"})");
    auto a = h.Token("cc");
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().ExitCode() == 2);
    CHECK(a.error().message.find(std::string(error) + ": " + code + ": something.)") != std::string::npos);
  }
}

TEST_CASE("client_credentials with a certificate: a PS256 assertion Azure AD accepts") {
  Harness h;
  h.store.items["cert/private-key"] = ReadFile(DataPath("rfc7515_a2_key.pem"));
  h.Ok();
  REQUIRE(h.Token("cert").ok());
  const std::string& body = h.http.seen.at(0).body;
  CheckFormPost(h.http.seen[0]);
  std::string assertion = FormValue(body, "client_assertion");
  CHECK(body ==
        "grant_type=client_credentials&client_id=6731de76-14a6-49ae-97bc-6eba6914391e"
        "&scope=6731de76-14a6-49ae-97bc-6eba6914391e%2F.default"
        "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
        "&client_assertion=" + assertion);
  CHECK(body.find("client_secret") == std::string::npos);
  auto parts = Split(assertion);
  REQUIRE(parts.size() == 3);
  CHECK(DecodePart(parts[0]) == R"({"alg":"PS256","typ":"JWT","x5t#S256":")" + std::string(kCertThumbprint) + R"("})");
  std::string now = std::to_string(h.clock.now);
  CHECK(DecodePart(parts[1]) == R"({"iss":"6731de76-14a6-49ae-97bc-6eba6914391e","sub":"6731de76-14a6-49ae-97bc-)"
                            R"(6eba6914391e","aud":")" + std::string(kTokenUrl) + R"(","jti":")" +
                                std::string(kFirstJti) + R"(","iat":)" + now + R"(,"nbf":)" + now +
                                R"(,"exp":)" + std::to_string(h.clock.now + 600) + "}");
  CHECK(OpensslVerifies(parts, true));
  CHECK_FALSE(OpensslVerifies(parts, false));

  // Each exchange signs a new assertion: Azure refuses a jti it has seen.
  h.Ok();
  REQUIRE(h.Token("cert").ok());
  auto again = Split(FormValue(h.http.seen.at(1).body, "client_assertion"));
  CHECK(DecodePart(again[1]).find(kFirstJti) == std::string::npos);
}

TEST_CASE("client_credentials with a certificate: assertion-alg = RS256") {
  Harness h;
  h.store.items["cert-rs/private-key"] = ReadFile(DataPath("rfc7515_a2_key.pem"));
  h.Ok();
  REQUIRE(h.Token("cert-rs").ok());
  auto parts = Split(FormValue(h.http.seen.at(0).body, "client_assertion"));
  REQUIRE(parts.size() == 3);
  CHECK(DecodePart(parts[0]) == R"({"alg":"RS256","typ":"JWT","x5t#S256":")" + std::string(kCertThumbprint) + R"("})");
  CHECK(OpensslVerifies(parts, false));
}

TEST_CASE("client_credentials: a missing secret or key says how to store it, and nothing is sent") {
  Harness h;
  for (auto [profile, name] : {std::pair{"cc", "client-secret"}, {"cert", "private-key"}}) {
    auto a = h.Token(profile);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().ExitCode() == 3);
    CHECK(a.error().message.find("tokex secret set " + std::string(profile) + " " + name) != std::string::npos);
  }
  CHECK(h.http.seen.empty());
}

TEST_CASE("password (ROPC): the form; a refresh token in the answer is not stored") {
  Harness h;
  h.store.items["ropc/password"] = "p&ss word";
  h.Ok(R"({"access_token":"AT1","expires_in":3599,"refresh_token":"0.A-ropc"})");
  auto a = h.Token("ropc");
  REQUIRE(a.ok());
  CheckFormPost(h.http.seen.at(0));
  CHECK(h.http.seen[0].body ==
        "grant_type=password&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&username=alice%40contoso.com"
        "&password=p%26ss%20word&scope=6731de76-14a6-49ae-97bc-6eba6914391e%2F.default%20openid%20offline_access");
  CHECK(h.store.items.count("ropc/refresh-token") == 0);
  CHECK(h.store.items["ropc/password"] == "p&ss word");

  h.store.items["ropc/client-secret"] = "cs";
  h.Ok();
  REQUIRE(h.Token("ropc").ok());
  CHECK(h.http.seen.at(1).body.ends_with("offline_access&client_secret=cs"));
}

TEST_CASE("password: a wrong password (AADSTS50126) is exit 4 and names the ROPC requirements") {
  Harness h;
  h.store.items["ropc/password"] = "wrong";
  h.http.Reply(400, R"({"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials due )"
                    R"(to invalid username or password.\r\nTrace ID: t","error_codes":[50126]})");
  auto a = h.Token("ropc");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 4);
  CHECK(a.error().message.find("(invalid_grant: AADSTS50126: Error validating credentials due to invalid username "
                               "or password.): check username and the stored password (tokex secret set ropc "
                               "password), and that the tenant allows the password grant (ROPC)") !=
        std::string::npos);
}

TEST_CASE("password without username is a config error, exit 2, before anything is read or sent") {
  Harness h;
  h.store.items["ropc-nouser/password"] = "pw";
  auto a = h.Token("ropc-nouser");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 2);
  CHECK(a.error().message.starts_with("/cfg:"));
  CHECK(a.error().message.find("key 'username': missing: grant = password needs the user to sign in as") !=
        std::string::npos);
  CHECK(h.http.seen.empty());
}

TEST_CASE("the secrets each grant needs, for tokex status") {
  Harness h;
  using V = std::vector<std::string_view>;
  CHECK(AzureAdSecrets(h.P("rt")) == V{"refresh-token"});
  CHECK(AzureAdSecrets(h.P("cc")) == V{"client-secret"});
  CHECK(AzureAdSecrets(h.P("cert")) == V{"private-key"});
  CHECK(AzureAdSecrets(h.P("ropc")) == V{"password"});
}

TEST_CASE("ExchangeAzureAd is the registered azure-ad exchange and returns the credential") {
  Harness h;
  CHECK((FindExchange(PresetExchanges(), "azure-ad") == &ExchangeAzureAd));
  h.store.items["cc/client-secret"] = "s";
  h.Ok();
  ExchangeContext ctx = h.Context("cc");
  auto c = ExchangeAzureAd(ctx);
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "AT1");
}
