#include "token_response.h"

#include <doctest/doctest.h>

#include "crypto.h"

using tokex::ErrorKind;
using tokex::HttpResponse;
using tokex::ParseTokenResponse;

namespace {

HttpResponse Response(long status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

const tokex::ExchangeHints kHints{"auth.example", "check the secret"};

}  // namespace

TEST_CASE("a Cisco XDR token response") {
  auto c = ParseTokenResponse(
      Response(200, R"({"access_token":"eyJ.a.b","token_type":"bearer","expires_in":600,"scope":"enrich:read casebook"})"),
      1000, kHints);
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "eyJ.a.b");
  CHECK(c->token_type == "Bearer");
  CHECK(c->expires_at == 1600);
  CHECK(c->obtained_at == 1000);
  CHECK(c->scope == "enrich:read casebook");
  REQUIRE(c->headers.size() == 1);
  CHECK(c->headers[0].name == "Authorization");
  CHECK(c->headers[0].value.view() == "Bearer eyJ.a.b");
}

TEST_CASE("expires_in as a string, and missing expires_in") {
  CHECK(ParseTokenResponse(Response(200, R"({"access_token":"t","expires_in":"60"})"), 10, kHints)->expires_at == 70);
  CHECK(ParseTokenResponse(Response(200, R"({"access_token":"t"})"), 10, kHints)->expires_at == 310);
  std::string jwt = "e30." + tokex::Base64Url(R"({"exp":5000})") + ".sig";
  CHECK(ParseTokenResponse(Response(200, R"({"access_token":")" + jwt + "\"}"), 10, kHints)->expires_at == 5000);
}

TEST_CASE("unusable success responses are network errors") {
  for (const char* body : {"not json", "[]", R"({"token":"x"})", R"({"access_token":""})",
                           R"({"access_token":"t","expires_in":"soon"})"}) {
    CAPTURE(body);
    auto c = ParseTokenResponse(Response(200, body), 0, kHints);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::kNetwork);
  }
  auto inj = ParseTokenResponse(Response(200, R"({"access_token":"a\r\nX-Injected: 1"})"), 0, kHints);
  REQUIRE_FALSE(inj.ok());
  CHECK(inj.error().kind == ErrorKind::kNetwork);
  CHECK(inj.error().message.find("X-Injected") == std::string::npos);
}

TEST_CASE("a token with a C1 control or invalid UTF-8 is refused") {
  for (const char* body : {R"({"access_token":"a\u009b2J"})", R"({"access_token":"a\u0085b"})",
                           "{\"access_token\":\"a\xff\"}", R"({"access_token":"t","token_type":"Bearer\u0085"})",
                           R"({"access_token":"t","scope":"read\u009b"})"}) {
    CAPTURE(body);
    auto c = ParseTokenResponse(Response(200, body), 0, kHints);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().kind == ErrorKind::kNetwork);
  }
}

TEST_CASE("rejections quote error and error_description, truncated") {
  auto c = ParseTokenResponse(
      Response(401, R"({"error":"invalid_client","error_description":"Client authentication failed"})"), 0, kHints);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kRejected);
  CHECK(c.error().message ==
        "the server rejected the credentials: auth.example answered HTTP 401 (invalid_client: Client "
        "authentication failed): check the secret");
  std::string long_desc(500, 'x');
  auto l = ParseTokenResponse(Response(400, R"({"error":"e","error_description":")" + long_desc + "\"}"), 0, kHints);
  CHECK(l.error().message.size() < 330);
}

TEST_CASE("raw bodies are never quoted") {
  auto c = ParseTokenResponse(Response(500, "<html>secret-looking stack trace</html>"), 0, kHints);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kNetwork);
  CHECK(c.error().message == "auth.example answered HTTP 500 after retries: try again later");
  auto r = ParseTokenResponse(Response(302, ""), 0, kHints);
  CHECK(r.error().kind == ErrorKind::kNetwork);
  CHECK(r.error().message.find("redirects") != std::string::npos);
}

TEST_CASE("a body nested a million deep is unusable, not a stack overflow") {
  std::string deep(1 << 20, '[');  // as much as the response cap lets through
  CHECK(ParseTokenResponse(Response(200, deep), 10, kHints).error().kind == ErrorKind::kNetwork);
  CHECK(ParseTokenResponse(Response(401, deep), 10, kHints).error().kind == ErrorKind::kRejected);
  CHECK_FALSE(tokex::RefreshTokenIn(Response(200, deep)).has_value());
  CHECK(tokex::OAuthErrorCode(Response(400, deep)).empty());
}
