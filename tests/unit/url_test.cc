#include "url.h"

#include <doctest/doctest.h>

TEST_CASE("URLs taken apart") {
  auto u = tokex::ParseUrl("HTTPS://Visibility.EU.amp.cisco.com/iroh/x?y=1");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "visibility.eu.amp.cisco.com");
  CHECK(u->port == 443);
  CHECK(u->path == "/iroh/x?y=1");
  auto v = tokex::ParseUrl("http://127.0.0.1:8080");
  REQUIRE(v.ok());
  CHECK(v->port == 8080);
  CHECK(v->path == "/");
  auto w = tokex::ParseUrl("https://[::1]:9/a");
  REQUIRE(w.ok());
  CHECK(w->host == "[::1]");
  CHECK(w->port == 9);
  CHECK(u->HostPort() == "visibility.eu.amp.cisco.com");
  CHECK(v->HostPort() == "127.0.0.1:8080");
  CHECK(tokex::ParseUrl("http://h:443/")->HostPort() == "h:443");
}

TEST_CASE("bad URLs") {
  for (const char* bad : {"visibility.amp.cisco.com", "ftp://h/", "https://", "https://h:0/", "https://h:x/",
                          "https://u:p@h/", "https://h/a b", "https://h/\r\n", "https://[::1/", "https://h/\xc2\x9b",
                          "https://h\xff/"}) {
    CAPTURE(bad);
    CHECK_FALSE(tokex::ParseUrl(bad).ok());
  }
}

TEST_CASE("a URL quoted in an error never shows its password") {
  auto e = tokex::ParseUrl("https://alice:hunter2@h/x");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("hunter2") == std::string::npos);
  CHECK(e.error().message.find("https://...@h/x") != std::string::npos);
  auto bad_port = tokex::ParseUrl("https://alice:hunter2@h:99999/");
  REQUIRE_FALSE(bad_port.ok());
  CHECK(bad_port.error().message.find("hunter2") == std::string::npos);
}
