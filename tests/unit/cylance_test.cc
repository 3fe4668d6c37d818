// The cylance preset against scripted answers: the request and the auth
// token pinned against seed 002 (the Python example's claims, payload and
// headers), the answer's expiry, and the failures a person must act on.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "crypto.h"
#include "engine_harness.h"
#include "jwt.h"
#include "preset_registry.h"
#include "test_data.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

constexpr std::string_view kConfig =
    "[profile \"cy\"]\npreset = cylance\nregion = euc1\ntenant = tenant-8a1c\nclient-id = app-42\n"
    "scopes = device:list   threat:read  policy:read \n"
    "[profile \"bare\"]\npreset = cylance\ntenant = tenant-8a1c\nclient-id = app-42\ntoken-lifetime = 600\n";
constexpr std::string_view kAppSecret = "app-s3cret/value";
// What CountingRandom's first and second 16 bytes make as UUIDv4s.
constexpr std::string_view kFirstJti = "00010203-0405-4607-8809-0a0b0c0d0e0f";
constexpr std::string_view kSecondJti = "10111213-1415-4617-9819-1a1b1c1d1e1f";

struct Harness : EngineHarness {
  Harness() : EngineHarness(kConfig) {
    store.items["cy/app-secret"] = std::string(kAppSecret);
    store.items["bare/app-secret"] = std::string(kAppSecret);
  }

  Result<Credential> Exchange(std::string_view profile) {
    ExchangeContext ctx = Context(profile);
    ExchangeFn fn = FindExchange(PresetExchanges(), "cylance");
    REQUIRE((fn != nullptr));
    return RunExchange(ctx, fn);
  }

  /// An access token as Cylance issues one: a JWT whose exp is `exp`.
  static std::string AccessToken(int64_t exp) {
    return Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
           Base64Url(R"({"exp":)" + std::to_string(exp) + R"(,"tid":"tenant-8a1c"})") + ".c2ln";
  }

  void ReplyToken(int64_t lifetime = 1800) {
    http.Reply(200, R"({"access_token":")" + AccessToken(clock.now + lifetime) + R"("})");
  }

  /// The auth token of the `i`th request, from its JSON body.
  std::string AuthToken(size_t i) {
    rapidjson::Document body;
    const std::string& text = http.seen.at(i).body;
    body.Parse(text.data(), text.size());
    REQUIRE_FALSE(body.HasParseError());
    REQUIRE(body.IsObject());
    REQUIRE(body.MemberCount() == 1);
    REQUIRE(body.HasMember("auth_token"));
    REQUIRE(body["auth_token"].IsString());
    return body["auth_token"].GetString();
  }

  std::string Claims(size_t i) {
    auto claims = DecodeJwtClaims(AuthToken(i));
    REQUIRE(claims.ok());
    return *claims;
  }
};

}  // namespace

TEST_CASE("the auth token is posted as JSON, as the seed's example posts it") {
  Harness h;
  h.ReplyToken();
  REQUIRE(h.Exchange("cy").ok());
  REQUIRE(h.http.seen.size() == 1);
  const auto& r = h.http.seen[0];
  CHECK(r.method == "POST");
  CHECK(r.url == "https://protectapi-euc1.cylance.com/auth/v2/token");
  CHECK(r.headers == std::vector<std::pair<std::string, std::string>>{
                         {"Content-Type", "application/json; charset=utf-8"}, {"Accept", "application/json"}});
  CHECK(r.body == R"({"auth_token":")" + h.AuthToken(0) + R"("})");
  CHECK(r.body.find(kAppSecret) == std::string::npos);
}

TEST_CASE("the auth token carries every claim of the seed's example, signed HS256 with the app secret") {
  Harness h;
  h.ReplyToken();
  REQUIRE(h.Exchange("cy").ok());
  std::vector<std::string> parts = Split(h.AuthToken(0));
  REQUIRE(parts.size() == 3);
  std::string header;
  REQUIRE(DecodeBase64Url(parts[0], &header));
  CHECK(header == R"({"alg":"HS256","typ":"JWT"})");
  const int64_t now = h.clock.now;
  CHECK(h.Claims(0) == R"({"exp":)" + std::to_string(now + 1800) + R"(,"iat":)" + std::to_string(now) +
                           R"(,"iss":"http://cylance.com","sub":"app-42","tid":"tenant-8a1c","jti":")" +
                           std::string(kFirstJti) + R"(","scp":["device:list","threat:read","policy:read"]})");
  auto mac = HmacSha256(Secret(kAppSecret), parts[0] + "." + parts[1]);
  REQUIRE(mac.ok());
  CHECK(parts[2] == Base64Url(*mac));
  auto wrong = HmacSha256(Secret("another secret"), parts[0] + "." + parts[1]);
  CHECK(parts[2] != Base64Url(*wrong));
}

TEST_CASE("every exchange signs a fresh jti and the clock's time") {
  Harness h;
  h.ReplyToken();
  REQUIRE(h.Exchange("cy").ok());
  h.clock.now += 77;
  h.ReplyToken();
  REQUIRE(h.Exchange("cy").ok());
  rapidjson::Document first, second;
  first.Parse(h.Claims(0).c_str());
  second.Parse(h.Claims(1).c_str());
  CHECK(std::string_view(first["jti"].GetString()) == kFirstJti);
  CHECK(std::string_view(second["jti"].GetString()) == kSecondJti);
  CHECK(second["iat"].GetInt64() == first["iat"].GetInt64() + 77);
  CHECK(second["exp"].GetInt64() == second["iat"].GetInt64() + 1800);
}

TEST_CASE("without scopes there is no scp claim; token-lifetime shortens exp") {
  Harness h;
  h.ReplyToken();
  REQUIRE(h.Exchange("bare").ok());
  CHECK(h.http.seen.at(0).url == "https://protectapi.cylance.com/auth/v2/token");
  const int64_t now = h.clock.now;
  CHECK(h.Claims(0) == R"({"exp":)" + std::to_string(now + 600) + R"(,"iat":)" + std::to_string(now) +
                           R"(,"iss":"http://cylance.com","sub":"app-42","tid":"tenant-8a1c","jti":")" +
                           std::string(kFirstJti) + R"("})");
}

TEST_CASE("the access token lasts until its own exp") {
  Harness h;
  h.ReplyToken(1234);
  auto c = h.Exchange("cy");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == Harness::AccessToken(h.clock.now + 1234));
  CHECK(c->expires_at == h.clock.now + 1234);

  Harness dead;
  dead.ReplyToken(-5);
  auto d = dead.Exchange("cy");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().kind == ErrorKind::kNetwork);
  CHECK(d.error().message.find("already expired") != std::string::npos);
}

TEST_CASE("a missing app-secret says how to store it, and nothing is sent") {
  Harness h;
  h.store.items.clear();
  auto c = h.Exchange("cy");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kStore);
  CHECK(c.error().message.find("tokex secret set cy app-secret") != std::string::npos);
  CHECK(h.http.seen.empty());
}

TEST_CASE("a rejection names the app id, the tenant, the secret to set and the clock; it is not retried") {
  Harness h;
  h.http.Reply(401, R"({"message":"Invalid auth token"})");
  auto c = h.Exchange("cy");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kRejected);
  CHECK(c.error().message ==
        "the server rejected the credentials: protectapi-euc1.cylance.com answered HTTP 401 (Invalid auth token): "
        "check client-id (the app id app-42), tenant (tenant-8a1c) and the stored app secret "
        "(tokex secret set cy app-secret); Cylance also rejects an auth token whose iat is off, so check this "
        "machine's clock");
  CHECK(h.http.seen.size() == 1);
  CHECK(c.error().message.find(kAppSecret) == std::string::npos);
}
