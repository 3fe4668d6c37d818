#include "obtain.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "crypto.h"
#include "engine_commands.h"
#include "fakes.h"
#include "preset_registry.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

constexpr const char* kXdrConfig =
    "[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = client-abc\nbase-url = https://127.0.0.1:9\n"
    "ca-file = /tmp/ca.pem\n"
    "[profile \"o2\"]\npreset = oauth2\nclient-id = id&1\ntoken-url = https://idp/token\nclient-auth = post\n"
    "scopes = read write\n";

struct Harness {
  TempDir tmp;
  MemoryStore store;
  ScriptedHttp http;
  FakeClock clock;
  CountingRandom random;
  RecordingDiagnostics log;
  Config config;
  Paths paths;
  ObtainOptions options;
  EngineDeps deps{http,
                  clock,
                  random,
                  PresetExchanges(),
                  [this](const Profile&) { return std::unique_ptr<SecretStore>(new ForwardingStore(store)); },
                  paths,
                  getuid(),
                  log};

  Harness() {
    Environment env;
    env.uid = getuid();
    auto parsed = ParseConfig(kXdrConfig, "/cfg", env);
    REQUIRE(parsed.ok());
    config = std::move(parsed.value());
    paths.cache_dir = tmp.path + "/cache";
    paths.state_dir = tmp.path + "/state";
    store.items["xdr/client-secret"] = "s3cret:x";
    store.items["o2/client-secret"] = "p&q=r s";
  }

  const Profile& P(std::string_view name) { return *config.Find(name).value(); }
  Result<Credential> Obtain(std::string_view name) { return ObtainCredential(P(name), options, deps); }
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
  CHECK(r.ca_file == "/tmp/ca.pem");
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
  h.http.script.emplace_back(MakeError(ErrorKind::kNetwork, "connection refused"));
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
  CHECK(SecretFromInput(&a)->view() == "abc");
  CHECK(a.empty());
  std::string b = "abc\r\n";
  CHECK(SecretFromInput(&b)->view() == "abc");
  std::string c = "\n";
  CHECK(SecretFromInput(&c).error().kind == ErrorKind::kUsage);
  std::string d = "ab\ncd\n";
  auto e = SecretFromInput(&d);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message.find("ab") == std::string::npos);
}
