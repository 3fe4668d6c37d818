#include "obtain.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "crypto.h"
#include "engine_commands.h"
#include "engine_harness.h"
#include "preset_registry.h"
#include "text.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// CA_FILE becomes the harness's ca_file.
constexpr std::string_view kXdrConfig =
    "[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = client-abc\nbase-url = https://127.0.0.1:9\n"
    "ca-file = CA_FILE\n"
    "[profile \"o2\"]\npreset = oauth2\nclient-id = id&1\ntoken-url = https://idp/token\nclient-auth = post\n"
    "scopes = read write\n";

struct Harness : EngineHarness {
  Harness() : EngineHarness(kXdrConfig, PresetExchanges()) {
    store.items["xdr/client-secret"] = "s3cret:x";
    store.items["o2/client-secret"] = "p&q=r s";
  }
};

}  // namespace

TEST_CASE("the Cisco XDR exchange sends what the vendor documents") {
  Harness h;
  h.http.Reply(200, R"({"access_token":"T1","token_type":"bearer","expires_in":600,"scope":"s"})");
  auto c = h.Obtain("xdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "T1");
  CHECK(c->expires_at == h.clock.now + 600);
  REQUIRE(h.http.seen.size() == 1);
  const auto& r = h.http.seen[0];
  CHECK(r.method == "POST");
  CHECK(r.url == "https://127.0.0.1:9/iroh/oauth2/token");
  CHECK(r.ca_file == h.ca_file);
  CHECK(r.Header("Authorization") == "Basic " + Base64("client-abc:s3cret:x"));
  CHECK(r.Header("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(r.Header("Accept") == "application/json");
  CHECK(r.body == "grant_type=client_credentials");
}

TEST_CASE("a fresh cached token is reused; --no-cache and expiry force an exchange") {
  Harness h;
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  auto again = h.Obtain("xdr");
  REQUIRE(again.ok());
  CHECK(again->access_token.view() == "T1");
  CHECK(h.http.seen.size() == 1);

  h.options.use_cache = false;
  h.http.Reply(200, R"({"access_token":"T2","expires_in":600})");
  CHECK(h.Obtain("xdr")->access_token.view() == "T2");
  CHECK(h.http.seen.size() == 2);
  h.options.use_cache = true;
  // --no-cache neither read nor wrote the cache.
  CHECK(h.Obtain("xdr")->access_token.view() == "T1");

  h.clock.now += 600 - 120;  // within the refresh margin
  h.http.Reply(200, R"({"access_token":"T3","expires_in":600})");
  CHECK(h.Obtain("xdr")->access_token.view() == "T3");
  CHECK(h.http.seen.size() == 3);
}

TEST_CASE("--min-ttl refreshes a token that would expire too soon") {
  Harness h;
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  h.clock.now += 100;
  h.options.min_ttl = 550;
  h.http.Reply(200, R"({"access_token":"T2","expires_in":600})");
  CHECK(h.Obtain("xdr")->access_token.view() == "T2");
}

TEST_CASE("a missing secret says how to store it") {
  Harness h;
  h.store.items.clear();
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kStore);
  CHECK(c.error().message.find("tokex secret set xdr client-secret") != std::string::npos);
  CHECK(h.http.seen.empty());
}

TEST_CASE("transient failures retry with backoff; rejections do not") {
  Harness h;
  h.http.Reply(503, "{}");
  h.http.script.emplace_back(TransientError("connection refused"));
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  CHECK(h.http.seen.size() == 3);
  CHECK(h.clock.sleeps == std::vector<double>{0.5, 1.0});

  Harness r;
  r.http.Reply(401, R"({"error":"invalid_client","error_description":"Client authentication failed"})");
  auto c = r.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kRejected);
  CHECK(r.http.seen.size() == 1);
  CHECK(c.error().message.find("s3cret") == std::string::npos);
}

TEST_CASE("Retry-After is honoured up to a cap") {
  Harness h;
  h.http.Reply(429, "{}", {{"retry-after", "3"}});
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  CHECK(h.clock.sleeps == std::vector<double>{3.0});

  Harness g;
  g.http.Reply(503, "{}", {{"retry-after", "3600"}});
  auto c = g.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kNetwork);
  CHECK(g.http.seen.size() == 1);
  CHECK(g.clock.sleeps.empty());

  Harness n;
  for (int i = 0; i < 3; ++i) n.http.Reply(502, "{}");
  auto d = n.Obtain("xdr");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().kind == ErrorKind::kNetwork);
  CHECK(n.http.seen.size() == 3);
}

TEST_CASE("oauth2 with client-auth = post sends escaped form fields") {
  Harness h;
  h.http.Reply(200, R"({"access_token":"O1","expires_in":60})");
  REQUIRE(h.Obtain("o2").ok());
  const auto& r = h.http.seen.at(0);
  CHECK(r.url == "https://idp/token");
  CHECK(r.Header("Authorization").empty());
  CHECK(r.body == "grant_type=client_credentials&client_id=id%261&client_secret=p%26q%3Dr%20s&scope=read%20write");
}

TEST_CASE("secret input: one trailing newline dropped, control characters refused") {
  std::string a = "abc\n";
  CHECK(SecretFromInput("client-secret", &a)->view() == "abc");
  CHECK(a.empty());
  std::string b = "abc\r\n";
  CHECK(SecretFromInput("client-secret", &b)->view() == "abc");
  std::string c = "\n";
  CHECK(SecretFromInput("client-secret", &c).error().kind == ErrorKind::kUsage);
  std::string d = "ab\ncd\n";
  auto e = SecretFromInput("client-secret", &d);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("ab") == std::string::npos);
}

TEST_CASE("the timeout is one deadline for all attempts, waits included") {
  Harness h;  // a deadline 30 s away
  h.http.clock = &h.clock;
  h.http.cost = 12;  // every attempt takes 12 s, then gets a 503
  for (int i = 0; i < 3; ++i) h.http.Reply(503, "{}");
  double start = h.clock.mono;
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kNetwork);
  CHECK(h.clock.mono - start <= 30.0);
  // Attempts get what is left, never the whole timeout again.
  REQUIRE(h.http.seen.size() == 3);
  CHECK(h.http.seen[0].timeout_seconds == doctest::Approx(30));
  CHECK(h.http.seen[1].timeout_seconds == doctest::Approx(30 - 12 - 0.5));
  CHECK(h.http.seen[2].timeout_seconds == doctest::Approx(30 - 12 - 0.5 - 12 - 1));
}

TEST_CASE("a Retry-After that ends past the deadline fails at once and says when to try again") {
  Harness h;
  h.http.Reply(429, "{}", {{"retry-after", "31"}});
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kNetwork);
  CHECK(h.clock.sleeps.empty());
  CHECK(h.http.seen.size() == 1);
  CHECK(c.error().message == "127.0.0.1:9 answered HTTP 429 and asks to wait 31s, past the timeout: try again after " +
                                 Rfc3339(h.clock.now + 31));

  Harness d;  // an HTTP date within the deadline is waited for
  d.http.Reply(503, "{}", {{"retry-after", "Tue, 14 Nov 2023 22:13:25 GMT"}});  // now + 5 s
  d.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  d.clock.now = 1'700'000'000;
  REQUIRE(d.Obtain("xdr").ok());
  CHECK(d.clock.sleeps == std::vector<double>{5.0});
}

TEST_CASE("failures that would recur are not retried") {
  Harness h;
  h.http.script.emplace_back(MakeError(ErrorKind::kNetwork, "TLS verification of 127.0.0.1:9 failed"));
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(h.http.seen.size() == 1);
  CHECK(h.clock.sleeps.empty());
}

TEST_CASE("callers that waited on a failed exchange report its failure instead of repeating it") {
  Harness h;
  h.http.Reply(401, R"({"error":"invalid_client"})");
  auto first = h.Obtain("xdr");
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().kind == ErrorKind::kRejected);
  auto cache = TokenCache::Open(h.paths.cache_dir, getuid());
  REQUIRE(cache.ok());
  // A caller that began waiting before the failure ended shares it.
  std::string key = h.P("xdr").CacheKey();
  auto shared = cache->ReadFailure("xdr", key, h.clock.NowMs() - 1);
  REQUIRE(shared.has_value());
  CHECK(shared->kind == ErrorKind::kRejected);
  CHECK(shared->message == first.error().message);
  CHECK(shared->profile == "xdr");
  // One that began after it, or under other settings, does not.
  CHECK_FALSE(cache->ReadFailure("xdr", key, h.clock.NowMs() + 1).has_value());
  CHECK_FALSE(cache->ReadFailure("xdr", "other-key", 0).has_value());
  // A caller that starts now tries again, and its success clears the record.
  h.clock.mono += 1;
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  CHECK(h.http.seen.size() == 2);
  CHECK_FALSE(cache->ReadFailure("xdr", key, 0).has_value());
}

TEST_CASE("a failure recorded after this caller started is reported without a request") {
  Harness h;
  auto cache = TokenCache::Open(h.paths.cache_dir, getuid());
  REQUIRE(cache.ok());
  Error e = MakeError(ErrorKind::kNetwork, "127.0.0.1:9 answered HTTP 503 after retries: try again later");
  // As if another caller's exchange ended while this one waited for the lock.
  REQUIRE(cache->WriteFailure("xdr", h.P("xdr").CacheKey(), e, h.clock.NowMs() + 100).ok());
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message == e.message);
  CHECK(c.error().ExitCode() == 5);
  CHECK(h.http.seen.empty());
  // --no-cache asks for an exchange of its own.
  h.options.use_cache = false;
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  CHECK(h.http.seen.size() == 1);
}

TEST_CASE("a token that has already expired is an error and is not cached") {
  Harness h;
  h.http.Reply(200, R"({"access_token":"T0","expires_in":0})");
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == ErrorKind::kNetwork);
  CHECK(c.error().message.find("already expired (expires_in 0)") != std::string::npos);
  h.clock.mono += 1;  // a new caller, not one that waited on the failure above
  std::string payload = Base64Url(R"({"exp":)" + std::to_string(h.clock.now - 10) + "}");
  h.http.Reply(200, R"({"access_token":"e30.)" + payload + R"(.c2ln"})");
  c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("already expired (its exp is ") != std::string::npos);
  CHECK(access((h.paths.cache_dir + "/xdr.json").c_str(), F_OK) != 0);
}

TEST_CASE("a ca-file that does not exist is a config error naming file, line and key") {
  Harness h;
  REQUIRE(unlink(h.ca_file.c_str()) == 0);
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().ExitCode() == 2);
  CHECK(c.error().profile == "xdr");
  CHECK(c.error().message == "/cfg:5: key 'ca-file': cannot read " + h.ca_file + " (No such file or directory): fix the path");
  CHECK(h.http.seen.empty());
}

TEST_CASE("a cache directory of another user's does not stop the exchange") {
  Harness h;
  REQUIRE(mkdir(h.paths.cache_dir.c_str(), 0755) == 0);  // not private: refused as a cache
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  auto c = h.Obtain("xdr");
  REQUIRE(c.ok());
  REQUIRE(h.log.notices.size() == 1);
  CHECK(h.log.notices[0].find("xdr: warning: working without the token cache: ") == 0);
  CHECK(h.log.notices[0].find("set XDG_RUNTIME_DIR") != std::string::npos);
  // --no-cache does not need the directory, and says nothing about it.
  h.options.use_cache = false;
  h.http.Reply(200, R"({"access_token":"T2","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());
  CHECK(h.log.notices.size() == 1);
}

TEST_CASE("a Retry-After of years is answered at once, like any past the deadline") {
  Harness h;
  h.http.Reply(503, "{}", {{"retry-after", "999999999999"}});
  auto c = h.Obtain("xdr");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("asks to wait 366d 0h, past the timeout") != std::string::npos);
  CHECK(h.http.seen.size() == 1);
  CHECK(h.clock.sleeps.empty());
}

TEST_CASE("a private key in PEM may span lines; no other secret may") {
  std::string pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n"
                    "-----END PRIVATE KEY-----\n";
  std::string a = pem;
  auto key = SecretFromInput("private-key", &a);
  REQUIRE(key.ok());
  CHECK(key->view() == pem.substr(0, pem.size() - 1));
  std::string b = pem;
  CHECK_FALSE(SecretFromInput("client-secret", &b).ok());
  // Not PEM after all: a line that is not the END line last, or a control
  // character inside.
  for (std::string bad : {"-----BEGIN X-----\nabc\n", "-----BEGIN X-----\na\x01" "b\n-----END X-----\n",
                          "abc\n-----END X-----\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(SecretFromInput("private-key", &bad).ok());
  }
}
