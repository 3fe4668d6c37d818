#include "output.h"

#include <doctest/doctest.h>

using tokex::Credential;
using tokex::FormatCredential;
using tokex::OutputFormat;
using tokex::Secret;

namespace {

Credential Bearer(std::string_view token) {
  return tokex::MakeBearerCredential(Secret(token), "bearer", 1000, 1600, "a b");
}

// Every format refuses a bearer token of `bad`, and does not quote it.
void CheckRefusedInEveryFormat(const char* bad) {
  CAPTURE(bad);
  Credential c = Bearer(bad);
  for (OutputFormat f : {OutputFormat::kToken, OutputFormat::kHeader, OutputFormat::kCurl, OutputFormat::kJson}) {
    auto out = FormatCredential(f, c);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == tokex::ErrorKind::kNetwork);
    CHECK(out.error().message.find(bad) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("curl config quoting") {
  CHECK(tokex::CurlQuote("plain") == "\"plain\"");
  CHECK(tokex::CurlQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
}

TEST_CASE("formats of a bearer credential") {
  Credential c = Bearer("tok.en-_~+/=");
  CHECK(FormatCredential(OutputFormat::kToken, c).value() == "tok.en-_~+/=\n");
  CHECK(FormatCredential(OutputFormat::kHeader, c).value() == "Authorization: Bearer tok.en-_~+/=\n");
  CHECK(FormatCredential(OutputFormat::kCurl, c).value() == "header = \"Authorization: Bearer tok.en-_~+/=\"\n");
  CHECK(FormatCredential(OutputFormat::kJson, c).value() ==
        "{\"access_token\":\"tok.en-_~+/=\",\"token_type\":\"Bearer\",\"expires_at\":\"1970-01-01T00:26:40Z\","
        "\"scope\":\"a b\",\"headers\":{\"Authorization\":\"Bearer tok.en-_~+/=\"}}\n");
}

TEST_CASE("quotes and backslashes in a token cannot break out of the curl config") {
  Credential c = Bearer("a\"b\\");
  CHECK(FormatCredential(OutputFormat::kCurl, c).value() == "header = \"Authorization: Bearer a\\\"b\\\\\"\n");
}

TEST_CASE("CR, LF and other control characters are refused in every format") {
  for (const char* bad : {"a\r\nX-Evil: 1", "a\nb", "a\x01", "a\x7f"}) CheckRefusedInEveryFormat(bad);
}

TEST_CASE("C1 controls and invalid UTF-8 are refused in every format") {
  for (const char* bad : {"a\xc2\x85" "b", "a\xc2\x9b" "2J", "a\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80"})
    CheckRefusedInEveryFormat(bad);
  CHECK(FormatCredential(OutputFormat::kToken, Bearer("caf\xc3\xa9")).value() == "caf\xc3\xa9\n");
}

TEST_CASE("cookies go out as one Cookie header") {
  Credential c;
  c.access_token = Secret("sess");
  c.token_type = "Session";
  c.expires_at = 5;
  c.headers.push_back({"X-CSRF-TOKEN", Secret("csrf-1")});
  c.cookies.push_back({"rim.example.com", "/", "JSESSIONID", Secret("ABC"), true, 0});
  CHECK(FormatCredential(OutputFormat::kHeader, c).value() == "X-CSRF-TOKEN: csrf-1\nCookie: JSESSIONID=ABC\n");
  CHECK(FormatCredential(OutputFormat::kCurl, c).value() ==
        "header = \"X-CSRF-TOKEN: csrf-1\"\ncookie = \"JSESSIONID=ABC\"\n");
}

namespace {

// An Ennov InSight session: a cookie and a CSRF header.
Credential Session() {
  Credential c;
  c.access_token = Secret("F6A8C5D3B1C2EC9A37DF380C7EB5A9C5");
  c.token_type = "Session";
  c.expires_at = 1600;
  c.headers.push_back({"X-CSRF-TOKEN", Secret("40d67d97-fb28-4a78-a111-5bae0ee706bb")});
  c.cookies.push_back({"rim.example.com", "/insight", "JSESSIONID", Secret("F6A8C5D3B1C2EC9A37DF380C7EB5A9C5"), false, 1600});
  c.csrf_param = "_csrf";
  return c;
}

}  // namespace

TEST_CASE("a cookie session in every format") {
  Credential c = Session();
  CHECK(FormatCredential(OutputFormat::kHeader, c).value() ==
        "X-CSRF-TOKEN: 40d67d97-fb28-4a78-a111-5bae0ee706bb\nCookie: JSESSIONID=F6A8C5D3B1C2EC9A37DF380C7EB5A9C5\n");
  CHECK(FormatCredential(OutputFormat::kCurl, c).value() ==
        "header = \"X-CSRF-TOKEN: 40d67d97-fb28-4a78-a111-5bae0ee706bb\"\n"
        "cookie = \"JSESSIONID=F6A8C5D3B1C2EC9A37DF380C7EB5A9C5\"\n");
  CHECK(FormatCredential(OutputFormat::kCookies, c).value() ==
        "# Netscape HTTP Cookie File\n# Made by tokex: the session of one profile. Do not edit.\n\n"
        "rim.example.com\tFALSE\t/insight\tFALSE\t1600\tJSESSIONID\tF6A8C5D3B1C2EC9A37DF380C7EB5A9C5\n");
  std::string json = FormatCredential(OutputFormat::kJson, c).value();
  CHECK(json.find("\"headers\":{\"X-CSRF-TOKEN\":\"40d67d97-fb28-4a78-a111-5bae0ee706bb\","
                  "\"Cookie\":\"JSESSIONID=F6A8C5D3B1C2EC9A37DF380C7EB5A9C5\"},\"csrf_param\":\"_csrf\"}") !=
        std::string::npos);
}

TEST_CASE("a bearer token has no cookie jar; a tab cannot split a jar line") {
  auto jar = FormatCredential(OutputFormat::kCookies, Bearer("t"));
  REQUIRE_FALSE(jar.ok());
  CHECK(jar.error().ExitCode() == 2);
  Credential c = Session();
  c.cookies[0].value = Secret("a\tb");
  CHECK_FALSE(FormatCredential(OutputFormat::kCookies, c).ok());
}
