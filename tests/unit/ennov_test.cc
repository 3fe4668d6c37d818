// The ennov-insight preset against scripted answers: seed 004's steps.
#include <doctest/doctest.h>

#include "engine_harness.h"
#include "ennov_insight.h"
#include "oauth_callback.h"
#include "preset_registry.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

const std::vector<std::pair<std::string, std::string>> kCsrf = {
    {"x-csrf-header", "X-CSRF-TOKEN"}, {"x-csrf-param", "_csrf"}, {"x-csrf-token", "40d67d97-fb28-4a78-a111-5bae0ee706bb"}};

struct Harness : EngineHarness {
  explicit Harness(std::string extra = "", std::string base = "https://rim.example.com:8443/insight")
      : EngineHarness("[profile \"rim\"]\npreset = ennov-insight\ntenant = t1\nclient-id = app1\n"
                      "grant = client_credentials\nbase-url = " + base + "\n" + extra,
                      PresetExchanges()) {
    store.items["rim/client-secret"] = "app-secret";
    // Step 1: the Azure AD token.
    http.Reply(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"AZ.TOKEN"})");
  }
};

}  // namespace

TEST_CASE("steps 2 to 4: a session id, its CSRF token, the login with both and the Azure AD token") {
  Harness h;
  h.http.Reply(200, R"({"xAuthToken":"F6A8C5D3B1C2EC9A37DF380C7EB5A9C5"})", kCsrf);
  h.http.Reply(200, R"({"status":"ok"})", {{"x-csrf-token", "9b7e4cf1-0000-4000-8000-000000000001"}});
  auto c = h.Obtain();
  REQUIRE(c.ok());
  REQUIRE(h.http.seen.size() == 3);
  const auto& token = h.http.seen[1];
  CHECK(token.method == "GET");
  CHECK(token.url == "https://rim.example.com:8443/insight/api/v2/token");
  const auto& login = h.http.seen[2];
  CHECK(login.method == "POST");
  CHECK(login.url == "https://rim.example.com:8443/insight/api/v2/login");
  CHECK(login.Header("Content-Type") == "application/json");
  CHECK(login.Header("X-CSRF-TOKEN") == "40d67d97-fb28-4a78-a111-5bae0ee706bb");
  CHECK(login.Header("Cookie") == "JSESSIONID=F6A8C5D3B1C2EC9A37DF380C7EB5A9C5");
  CHECK(login.body == R"({"access_token":"AZ.TOKEN","refresh_token":"","token_type":"Bearer"})");
  // The credential is the session: the cookie and the new CSRF token.
  CHECK(c->access_token.view() == "F6A8C5D3B1C2EC9A37DF380C7EB5A9C5");
  REQUIRE(c->headers.size() == 1);
  CHECK(c->headers[0].name == "X-CSRF-TOKEN");
  CHECK(c->headers[0].value.view() == "9b7e4cf1-0000-4000-8000-000000000001");
  REQUIRE(c->cookies.size() == 1);
  CHECK(c->cookies[0].domain == "rim.example.com");
  CHECK(c->cookies[0].path == "/insight");
  CHECK(c->cookies[0].secure);
  CHECK(c->csrf_param == "_csrf");
  CHECK(c->expires_at == h.clock.now + 1800);
}

TEST_CASE("a new JSESSIONID at login replaces the first; session-ttl sets the lifetime") {
  Harness h("session-ttl = 600\n");
  h.http.Reply(200, R"({"xAuthToken":"FIRST"})", kCsrf);
  h.http.Reply(200, "{}", {{"x-csrf-token", "T2"}, {"set-cookie", "JSESSIONID=SECOND; path=/insight/api; HttpOnly"}});
  auto c = h.Obtain();
  REQUIRE(c.ok());
  CHECK(c->cookies[0].value.view() == "SECOND");
  CHECK(c->cookies[0].path == "/insight/api");
  CHECK(c->expires_at == h.clock.now + 600);
}

TEST_CASE("session answers that cannot be used, and refusals") {
  CHECK(ParseSessionStart(Answer(200, R"({"xAuthToken":"A"})"), "h").error().message.find("X-CSRF-TOKEN") !=
        std::string::npos);
  CHECK_FALSE(ParseSessionStart(Answer(200, R"({"xAuthToken":"A; evil=1"})", kCsrf), "h").ok());
  CHECK_FALSE(ParseSessionStart(Answer(200, "[]", kCsrf), "h").ok());
  CHECK_FALSE(ParseSessionStart(Answer(200, R"({"xAuthToken":"A"})", {{"x-csrf-token", "a\tb"}}), "h").ok());
  CHECK_FALSE(ParseSessionStart(Answer(200, R"({"xAuthToken":"A"})", {{"x-csrf-token", "t"}, {"x-csrf-header", "X: Y"}}),
                                "h").ok());
  auto refused = ParseSessionLogin(Answer(403, R"({"message":"Invalid CSRF Token"})"), InsightSession{}, "h");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().ExitCode() == 4);
  CHECK(refused.error().message.find("Invalid CSRF Token") != std::string::npos);
  CHECK(ParseSessionStart(Answer(503, "{}"), "h").error().ExitCode() == 5);
}

TEST_CASE("the session over plain http is allowed only with allow-http, and each use is warned about") {
  Harness h("allow-http = yes\n", "http://rim.example.com:8080/insight");
  h.http.Reply(200, R"({"xAuthToken":"S"})", kCsrf);
  h.http.Reply(200, "{}", {{"x-csrf-token", "T2"}});
  auto c = h.Obtain();
  REQUIRE(c.ok());
  CHECK_FALSE(c->cookies[0].secure);
  CHECK(h.log.notices.size() == 2);  // the session start and the login both carry credentials
  CHECK(h.log.notices[0].find("over plain http") != std::string::npos);
  Environment env;
  auto refused = ParseConfig("[profile \"rim\"]\npreset = ennov-insight\ntenant = t1\nclient-id = app1\n"
                             "base-url = http://rim.example.com:8080/insight\n", "/cfg", env);
  REQUIRE(refused.ok());
  CHECK(refused->Find("rim").error().message.find("plain http:// is refused") != std::string::npos);
}
