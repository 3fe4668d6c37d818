#include "oauth_callback.h"

#include <doctest/doctest.h>

using tokex::ParseCallbackRequest;
using tokex::ParseQuery;

TEST_CASE("queries: form decoding, duplicates, malformed escapes") {
  auto q = ParseQuery("code=a%2Fb+c&state=xyz&empty=&flag");
  REQUIRE(q.ok());
  CHECK(q->at("code") == "a/b c");
  CHECK(q->at("state") == "xyz");
  CHECK(q->at("empty").empty());
  CHECK(q->at("flag").empty());
  CHECK_FALSE(ParseQuery("a=1&a=2").ok());
  // Decoded values are data (a server's error text may hold line breaks):
  // whoever shows one makes it printable.
  CHECK(ParseQuery("e=a%0D%0Ab")->at("e") == "a\r\nb");
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a%=1"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseQuery(bad).ok());
  }
}

TEST_CASE("the redirect's request head") {
  auto r = ParseCallbackRequest("GET /tokex-login?code=c1&state=s1 HTTP/1.1\r\nHost: 127.0.0.1:5\r\n\r\n");
  REQUIRE(r.ok());
  CHECK(r->path == "/tokex-login");
  CHECK(r->params.at("code") == "c1");
  CHECK(ParseCallbackRequest("GET /favicon.ico HTTP/1.1\r\n\r\n")->path == "/favicon.ico");
  for (const char* bad : {"POST /tokex-login HTTP/1.1\r\n\r\n", "GET http://x/ HTTP/1.1\r\n\r\n", "GET / HTTP/2\r\n\r\n",
                          "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 x\r\n\r\n", ""}) {
    CAPTURE(bad);
    auto e = ParseCallbackRequest(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().message.find("not a sign-in redirect") == 0);
  }
}

TEST_CASE("the page the browser is shown escapes what it says") {
  std::string page = tokex::CallbackPage(400, "Sign-in failed: <script>&\"");
  CHECK(page.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(page.find("&lt;script&gt;&amp;&quot;") != std::string::npos);
  CHECK(page.find("<script>") == std::string::npos);
  size_t body = page.find("\r\n\r\n") + 4;
  CHECK(page.find("Content-Length: " + std::to_string(page.size() - body) + "\r\n") != std::string::npos);
}
