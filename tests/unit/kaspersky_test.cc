// The kaspersky-mdr preset against scripted answers: the request of seed
// 000's examples, the rotating refresh token, the expiries read from the
// tokens' own exp.
#include <doctest/doctest.h>
#include <unistd.h>

#include "crypto.h"
#include "engine_harness.h"
#include "preset_registry.h"
#include "rotation.h"
#include "text.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// The seed's sample client id; CA_FILE becomes the harness's ca_file.
constexpr std::string_view kConfig =
    "[profile \"mdr\"]\npreset = kaspersky-mdr\nclient-id = 9ed43ed54sAmpleIdf349323951f\nca-file = CA_FILE\n";
constexpr std::string_view kUrl = "https://mdr.kaspersky.com/api/v1/9ed43ed54sAmpleIdf349323951f/session/confirm";
constexpr std::string_view kFix =
    "make a new one in the MDR Web Console (Settings, API tab: the token's Refresh button) and store it with "
    "'tokex secret set mdr refresh-token'";

// A JWT (unsigned for the test: tokex never verifies the vendor's
// signature) with `exp` and a `tag` to tell tokens apart.
std::string Jwt(std::string_view tag, int64_t exp) {
  return Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
         Base64Url(R"({"sub":")" + std::string(tag) + R"(","exp":)" + std::to_string(exp) + "}") + ".c2lnbmF0dXJl";
}

struct Harness : EngineHarness {
  // The refresh token a person stored, and the two the server hands out.
  std::string r1 = Jwt("r1", clock.now + 30 * 86400);
  std::string r2 = Jwt("r2", clock.now + 30 * 86400 + 60);
  std::string r3 = Jwt("r3", clock.now + 30 * 86400 + 120);

  Harness() : EngineHarness(kConfig, PresetExchanges()) { store.items["mdr/refresh-token"] = r1; }

  std::string Stored() { return store.items["mdr/refresh-token"]; }

  // The seed's answer: the access token and the next refresh token, no
  // expires_in.
  void Answer(std::string_view access, std::string_view refresh) {
    http.Reply(200, R"({"access_token":")" + std::string(access) + R"(","refresh_token":")" +
                        std::string(refresh) + R"("})");
  }

  // Whatever tokex said, notices included, in one string.
  std::string Said(const Result<Credential>& c) {
    std::string all = c.ok() ? "" : c.error().message;
    for (const std::string& n : log.notices) all += "\n" + n;
    return all;
  }
};

}  // namespace

TEST_CASE("the request is the seed's: POST JSON {\"refresh_token\"} to /api/v1/{client_id}/session/confirm") {
  Harness h;
  std::string access = Jwt("a1", h.clock.now + 3600);
  h.Answer(access, h.r2);
  auto c = h.Obtain();
  REQUIRE(c.ok());
  REQUIRE(h.http.seen.size() == 1);
  const auto& r = h.http.seen[0];
  CHECK(r.method == "POST");
  CHECK(r.url == kUrl);
  CHECK(r.ca_file == h.ca_file);
  CHECK(r.headers == std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"},
                                                                     {"Accept", "application/json"}});
  CHECK(r.body == R"({"refresh_token":")" + h.r1 + R"("})");
  CHECK(c->access_token.view() == access);
  CHECK(c->headers.size() == 1);
  CHECK(c->headers[0].value.view() == "Bearer " + access);
}

TEST_CASE("the body is built as JSON, not pasted: quotes and backslashes are escaped") {
  Harness h;
  h.store.items["mdr/refresh-token"] = R"(not"a\jwt)";
  h.Answer(Jwt("a1", h.clock.now + 3600), h.r2);
  REQUIRE(h.Obtain().ok());
  CHECK(h.http.seen[0].body == R"({"refresh_token":"not\"a\\jwt"})");
}

TEST_CASE("the new refresh token is in the store when the credential comes back; the next exchange sends it") {
  Harness h;
  h.Answer(Jwt("a1", h.clock.now + 3600), h.r2);
  REQUIRE(h.Obtain().ok());
  CHECK(h.Stored() == h.r2);
  h.options.use_cache = false;
  h.Answer(Jwt("a2", h.clock.now + 3600), h.r3);
  REQUIRE(h.Obtain().ok());
  CHECK(h.http.seen[1].body == R"({"refresh_token":")" + h.r2 + R"("})");
  CHECK(h.Stored() == h.r3);
  CHECK(access(RecoveryPath(h.paths, "mdr").c_str(), F_OK) != 0);
}

TEST_CASE("a store that refuses the new refresh token: no credential, the token in the recovery file, then used") {
  Harness h;
  h.store.fail_writes = true;
  h.Answer(Jwt("a1", h.clock.now + 3600), h.r2);
  auto c = h.Obtain();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kStore);
  std::string path = RecoveryPath(h.paths, "mdr");
  CHECK(c.error().message.find("saved in " + path) != std::string::npos);
  CHECK(c.error().message.find("'tokex secret set mdr refresh-token < " + path + "'") != std::string::npos);
  CHECK(h.Recovered("mdr") == h.r2 + "\n");
  CHECK(h.Stored() == h.r1);

  // The stored one is spent: the server refuses it, the recovered one works.
  h.store.fail_writes = false;
  h.clock.now += 5;  // a later run, not one that waited on the failure
  h.http.Reply(401, R"({"error":"invalid_token","error_description":"refresh token already used"})");
  h.Answer(Jwt("a2", h.clock.now + 3600), h.r3);
  auto again = h.Obtain();
  REQUIRE(again.ok());  // the failed exchange was not cached
  REQUIRE(h.http.seen.size() == 3);
  CHECK(h.http.seen[1].body == R"({"refresh_token":")" + h.r1 + R"("})");
  CHECK(h.http.seen[2].body == R"({"refresh_token":")" + h.r2 + R"("})");
  CHECK(h.Stored() == h.r3);
  CHECK(access(path.c_str(), F_OK) != 0);
  std::string said = h.Said(c) + h.Said(again);
  for (const std::string& t : {h.r1, h.r2, h.r3}) CHECK(said.find(t) == std::string::npos);
}

TEST_CASE("the access token's expiry is its own JWT exp") {
  Harness h;
  h.Answer(Jwt("a1", h.clock.now + 1234), h.r2);
  auto c = h.Obtain();
  REQUIRE(c.ok());
  CHECK(c->expires_at == h.clock.now + 1234);
  CHECK(c->obtained_at == h.clock.now);
  // Cached until the refresh margin (120 s) before that exp.
  h.clock.now += 1234 - 121;
  CHECK(h.Obtain().ok());
  CHECK(h.http.seen.size() == 1);
}

TEST_CASE("an expired refresh token is refused before any request, pointing at the MDR Web Console") {
  Harness h;
  std::string expired = Jwt("old", h.clock.now - 60);
  h.store.items["mdr/refresh-token"] = expired;
  auto c = h.Obtain();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().ExitCode() == 4);
  CHECK(c.error().message ==
        "the stored refresh-token expired at " + Rfc3339(h.clock.now - 60) + ": " + std::string(kFix));
  CHECK(h.http.seen.empty());
  CHECK(h.Stored() == expired);
}

TEST_CASE("a refused refresh token: exit 4, the server's error quoted, the console named, no token shown") {
  Harness h;
  h.http.Reply(401, R"({"error":"invalid_token","error_description":"Token is not active"})");
  auto c = h.Obtain();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().ExitCode() == 4);
  CHECK(c.error().message == "the server rejected the credentials: mdr.kaspersky.com answered HTTP 401 "
                             "(invalid_token: Token is not active): " + std::string(kFix));
  CHECK(h.http.seen.size() == 1);  // a refusal is never retried
  CHECK(h.Stored() == h.r1);
  CHECK(h.Said(c).find(h.r1) == std::string::npos);
}

TEST_CASE("an answer whose access token cannot be used still leaves its new refresh token in the store") {
  Harness h;
  // This machine's clock is ahead of the server's: the token looks expired.
  h.Answer(Jwt("a1", h.clock.now - 10), h.r2);
  auto c = h.Obtain();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().ExitCode() == 5);
  CHECK(c.error().message.find("already expired") != std::string::npos);
  CHECK(h.Stored() == h.r2);

  // No access_token at all, and a locked store: the recovery file has it.
  h.store.fail_writes = true;
  h.clock.now += 5;
  h.http.Reply(200, R"({"refresh_token":")" + h.r3 + R"("})");
  c = h.Obtain();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kStore);
  CHECK(c.error().message.find(RecoveryPath(h.paths, "mdr")) != std::string::npos);
  CHECK(h.Recovered("mdr") == h.r3 + "\n");
  std::string said = h.Said(c);
  for (const std::string& t : {h.r1, h.r2, h.r3}) CHECK(said.find(t) == std::string::npos);
}
