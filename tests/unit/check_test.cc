// tokex check's steps over the fakes: which step says what, which steps a
// failure skips, the exit code of the first failure, and what is sent.
#include "check.h"

#include <doctest/doctest.h>

#include <ctime>
#include <deque>

#include "crypto.h"
#include "engine_harness.h"
#include "preset_registry.h"
#include "refresh_token.h"
#include "text.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// CA_FILE becomes the harness's ca_file.
constexpr std::string_view kConfig =
    "[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = client-abc\nbase-url = https://xdr.test\n"
    "ca-file = CA_FILE\n"
    "[profile \"sys\"]\npreset = cisco-xdr\nclient-id = client-abc\n"
    "[profile \"cy\"]\npreset = cylance\ntenant = t-1\nclient-id = app-42\n"
    "[profile \"mdr\"]\npreset = kaspersky-mdr\nclient-id = mdr-1\n"
    "[profile \"pkj\"]\npreset = oauth2\ntoken-url = https://idp.test/token\nclient-id = c\n"
    "client-auth = private_key_jwt\n"
    "[profile \"rt\"]\npreset = oauth2\ntoken-url = https://idp.test/token\nclient-id = c\n"
    "grant = refresh_token\nclient-auth = none\n"
    "[profile \"bad\"]\npreset = acme-2030\n";

// The server as check sees it: scripted inspections, and the
// requests they were asked for.
class InspectingHttp : public ScriptedHttp {
 public:
  std::deque<HttpInspection> inspections;
  std::vector<HttpRequest> probes;

  HttpInspection Inspect(const HttpRequest& request) override {
    probes.push_back(request);
    REQUIRE(!inspections.empty());
    HttpInspection i = std::move(inspections.front());
    inspections.pop_front();
    return i;
  }
};

std::string HttpDate(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// A JWT whose exp is `exp` (unsigned: nothing verifies it).
std::string Jwt(int64_t exp) {
  return Base64Url(R"({"alg":"HS256"})") + "." + Base64Url(R"({"exp":)" + std::to_string(exp) + "}") + ".c2ln";
}

struct Harness : EngineHarness {
  InspectingHttp server;

  Harness() : EngineHarness(kConfig, PresetExchanges()) {}

  // An answer that got through every stage: 405 to the GET, with a Date
  // `skew` seconds off the clock and a certificate good for `days`.
  void Answered(int64_t skew = 0, int64_t days = 90, bool date = true) {
    HttpInspection i;
    std::vector<std::pair<std::string, std::string>> headers;
    if (date) headers.emplace_back("date", HttpDate(clock.now + skew));
    i.response = Answer(405, "{}", headers);
    i.address = "192.0.2.7";
    i.certificate_expiry = clock.now + days * 86400;
    server.inspections.push_back(std::move(i));
  }

  void Failed(HttpStage stage, std::string reason, ErrorKind kind = ErrorKind::kNetwork) {
    HttpInspection i;
    i.error = MakeError(kind, "transport: " + reason);
    i.failed_at = stage;
    i.reason = std::move(reason);
    server.inspections.push_back(std::move(i));
  }

  CheckReport Check(std::string_view name, bool exchange_rotating = false) {
    const Profile* p = nullptr;
    for (const Profile& q : config.profiles)
      if (q.name == name) p = &q;
    REQUIRE(p != nullptr);
    EngineDeps d{server, clock, random, deps.exchanges, deps.open_store, paths, deps.uid, log};
    return CheckProfile(*p, CheckOptions{exchange_rotating}, d);
  }
};

// "step=level" for every line, in order.
std::string Levels(const CheckReport& r) {
  static constexpr std::string_view kNames[] = {"ok", "warn", "fail", "skip"};
  std::string out;
  for (const CheckLine& l : r.lines) {
    if (!out.empty()) out += ' ';
    out += l.step + "=" + std::string(kNames[static_cast<int>(l.level)]);
  }
  return out;
}

std::string Text(const CheckReport& r, std::string_view step) {
  for (const CheckLine& l : r.lines)
    if (l.step == step) return l.text;
  FAIL("no step " << step);
  return {};
}

}  // namespace

TEST_CASE("a healthy profile is ok at every step, and its exchange does not take the cached token") {
  Harness h;
  h.store.items["xdr/client-secret"] = "s3cret";
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  REQUIRE(h.Obtain("xdr").ok());  // a fresh token in the cache
  h.Answered();
  h.server.Reply(200, R"({"access_token":"T2","expires_in":600})");
  CheckReport r = h.Check("xdr");
  CHECK(Levels(r) ==
        "config=ok store=ok secret client-secret=ok dns=ok connect=ok tls=ok clock=ok exchange=ok");
  CHECK(!r.failure);
  CHECK(Text(r, "config") == "/cfg:1, preset cisco-xdr");
  CHECK(Text(r, "dns") == "xdr.test resolves to 192.0.2.7");
  CHECK(Text(r, "tls") == "xdr.test, certificate valid until " + Rfc3339(h.clock.now + 90 * 86400) +
                              " (CA: " + h.ca_file + ")");
  CHECK(Text(r, "clock") == "0 s apart from xdr.test's (up to 30 s is fine)");
  CHECK(Text(r, "exchange") == "token obtained from xdr.test, valid for 10m 0s (until " +
                                   Rfc3339(h.clock.now + 600) + "), cached");
  // The network steps' request carries nothing, with the exchange's CA.
  REQUIRE(h.server.probes.size() == 1);
  const HttpRequest& probe = h.server.probes[0];
  CHECK(probe.method == "GET");
  CHECK(probe.url == "https://xdr.test/iroh/oauth2/token");
  CHECK(probe.ca_file == h.ca_file);
  CHECK(probe.headers.empty());
  CHECK(probe.body.empty());
  CHECK(h.server.seen.size() == 1);
  // The new token was cached: the next caller gets it without a request.
  EngineDeps d{h.server, h.clock, h.random, h.deps.exchanges, h.deps.open_store, h.paths, h.deps.uid, h.log};
  auto c = ObtainCredential(h.P("xdr"), h.options, d);
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "T2");
  CHECK(h.server.seen.size() == 1);
}

TEST_CASE("a missing secret fails with the store's fix and skips the exchange; the network is still checked") {
  Harness h;
  h.Answered();
  CheckReport r = h.Check("xdr");
  CHECK(Levels(r) ==
        "config=ok store=ok secret client-secret=fail dns=ok connect=ok tls=ok clock=ok exchange=skip");
  REQUIRE(r.failure);
  CHECK(r.failure->kind == ErrorKind::kStore);
  CHECK(r.failure->profile == "xdr");
  CHECK(Text(r, "secret client-secret").find("tokex secret set xdr client-secret") != std::string::npos);
  CHECK(h.server.seen.empty());
}

TEST_CASE("a store that cannot be reached fails the store step and skips the secrets") {
  struct Unreachable : MemoryStore {
    Result<bool> Has(std::string_view, std::string_view) override {
      return MakeError(ErrorKind::kStore, "no keyring: start one");
    }
  };
  Harness h;
  h.deps.open_store = [](const Profile&) { return std::unique_ptr<SecretStore>(new Unreachable); };
  h.Answered();
  CheckReport r = h.Check("xdr");
  CHECK(Levels(r) ==
        "config=ok store=fail secret client-secret=skip dns=ok connect=ok tls=ok clock=ok exchange=skip");
  CHECK(Text(r, "store") == "no keyring: start one");
  REQUIRE(r.failure);
  CHECK(r.failure->kind == ErrorKind::kStore);
}

TEST_CASE("each network stage that fails skips the ones after it, with exit code 5") {
  Harness h;
  h.store.items["xdr/client-secret"] = "s";
  SUBCASE("dns") {
    h.Failed(HttpStage::kResolve, "Could not resolve host: xdr.test");
    CheckReport r = h.Check("xdr");
    CHECK(Levels(r) == "config=ok store=ok secret client-secret=ok dns=fail connect=skip tls=skip clock=skip "
                       "exchange=skip");
    CHECK(Text(r, "dns").starts_with("cannot resolve xdr.test (Could not resolve host: xdr.test): "));
    CHECK(Text(r, "exchange") == "xdr.test does not resolve");
    REQUIRE(r.failure);
    CHECK(r.failure->ExitCode() == 5);
  }
  SUBCASE("connect") {
    h.Failed(HttpStage::kConnect, "Connection refused");
    CheckReport r = h.Check("xdr");
    CHECK(Levels(r) == "config=ok store=ok secret client-secret=ok dns=ok connect=fail tls=skip clock=skip "
                       "exchange=skip");
    CHECK(Text(r, "connect").starts_with("cannot connect to xdr.test (Connection refused): "));
    CHECK(r.failure->ExitCode() == 5);
  }
  SUBCASE("tls, with ca-file") {
    h.Failed(HttpStage::kTls, "unable to get local issuer certificate");
    CheckReport r = h.Check("xdr");
    CHECK(Levels(r) == "config=ok store=ok secret client-secret=ok dns=ok connect=ok tls=fail clock=skip "
                       "exchange=skip");
    CHECK(Text(r, "tls") == "cannot verify xdr.test with ca-file " + h.ca_file +
                                " (unable to get local issuer certificate): set ca-file to the CA that issued "
                                "its certificate, or check token-url");
    CHECK(r.failure->ExitCode() == 5);
  }
  SUBCASE("tls, with the system's CAs") {
    h.store.items["sys/client-secret"] = "s";
    h.Failed(HttpStage::kTls, "unable to get local issuer certificate");
    CheckReport r = h.Check("sys");
    CHECK(Text(r, "tls").starts_with("cannot verify visibility.amp.cisco.com with the system's CAs ("));
  }
  SUBCASE("a CA file that cannot be used is the config's fault") {
    h.Failed(HttpStage::kTls, "error setting certificate file", ErrorKind::kUsage);
    CheckReport r = h.Check("xdr");
    CHECK(Text(r, "tls") == "transport: error setting certificate file");
    CHECK(r.failure->ExitCode() == 2);
  }
  CHECK(h.server.seen.empty());
}

TEST_CASE("a certificate that expires within 14 days is a warning") {
  Harness h;
  h.store.items["xdr/client-secret"] = "s";
  h.Answered(0, 13);
  h.server.Reply(200, R"({"access_token":"T","expires_in":600})");
  CheckReport r = h.Check("xdr");
  CHECK(Levels(r).find("tls=warn") != std::string::npos);
  CHECK(Text(r, "tls").find("expires in 13d 0h") != std::string::npos);
  CHECK(!r.failure);
}

TEST_CASE("the clock: off by more than 30 s warns, by more than 300 s fails a signed assertion with code 4") {
  Harness h;
  h.store.items["xdr/client-secret"] = "s";
  h.store.items["cy/app-secret"] = "s";
  SUBCASE("behind, a token preset") {
    h.Answered(400);
    h.server.Reply(200, R"({"access_token":"T","expires_in":600})");
    CheckReport r = h.Check("xdr");
    CHECK(Levels(r).find("clock=warn") != std::string::npos);
    CHECK(Text(r, "clock").starts_with("400 s behind xdr.test's: set the clock right"));
    CHECK(!r.failure);
  }
  SUBCASE("ahead, a signed assertion") {
    h.Answered(-400);
    h.server.Reply(401, R"({"message":"iat is not within 300 s"})");
    CheckReport r = h.Check("cy");
    CHECK(Levels(r).find("clock=fail exchange=fail") != std::string::npos);
    CHECK(Text(r, "clock").starts_with("400 s ahead of protectapi.cylance.com's, more than the 300 s"));
    REQUIRE(r.failure);
    CHECK(r.failure->kind == ErrorKind::kRejected);
  }
  SUBCASE("within 300 s, a signed assertion") {
    h.Answered(-299);
    h.server.Reply(200, R"({"access_token":"T"})");
    CheckReport r = h.Check("cy");
    CHECK(Levels(r).find("clock=warn") != std::string::npos);
  }
  SUBCASE("no Date") {
    h.Answered(0, 90, false);
    h.server.Reply(200, R"({"access_token":"T","expires_in":600})");
    CheckReport r = h.Check("xdr");
    CHECK(Levels(r).find("clock=skip exchange=ok") != std::string::npos);
    CHECK(Text(r, "clock") == "xdr.test sent no Date header to compare with");
  }
}

TEST_CASE("a rotating refresh token is spent only with --exchange") {
  Harness h;
  h.store.items["mdr/refresh-token"] = Jwt(h.clock.now + 30 * 86400);
  h.Answered();
  CheckReport r = h.Check("mdr");
  CHECK(Levels(r).ends_with("clock=ok exchange=skip"));
  CHECK(Text(r, "exchange").find("'tokex check --exchange mdr'") != std::string::npos);
  CHECK(!r.failure);
  CHECK(h.server.seen.empty());

  h.Answered();
  h.server.Reply(401, R"({"error":"invalid_token"})");
  r = h.Check("mdr", true);
  CHECK(Levels(r).ends_with("exchange=fail"));
  CHECK(h.server.seen.size() == 1);
}

TEST_CASE("a store that cannot take a rotated refresh token fails the store step") {
  struct ReadOnly : MemoryStore {
    Status CheckWritable(std::string_view, std::string_view) override {
      return MakeError(ErrorKind::kUsage, "read-only");
    }
  };
  Harness h;
  std::string token = Jwt(h.clock.now + 30 * 86400);
  h.deps.open_store = [token](const Profile&) {
    auto store = std::make_unique<ReadOnly>();
    store->items["mdr/refresh-token"] = token;
    return std::unique_ptr<SecretStore>(std::move(store));
  };
  h.Answered();
  CheckReport r = h.Check("mdr", true);
  CHECK(Levels(r).starts_with("config=ok store=fail secret refresh-token=ok"));
  CHECK(Levels(r).ends_with("exchange=skip"));
  CHECK(Text(r, "store").starts_with("refresh-token rotates on every exchange and the memory cannot take the new one"));
  REQUIRE(r.failure);
  CHECK(r.failure->kind == ErrorKind::kUsage);
  CHECK(h.server.seen.empty());
}

TEST_CASE("an expired refresh token fails (a person must act) and skips the exchange; one near its end warns") {
  Harness h;
  SUBCASE("expired") {
    h.store.items["mdr/refresh-token"] = Jwt(h.clock.now - 60);
    h.Answered();
    CheckReport r = h.Check("mdr", true);
    CHECK(Levels(r).find("secret refresh-token=fail") != std::string::npos);
    CHECK(Levels(r).ends_with("exchange=skip"));
    REQUIRE(r.failure);
    CHECK(r.failure->kind == ErrorKind::kRejected);
  }
  SUBCASE("within two days, as tokex status warns") {
    h.store.items["rt/refresh-token"] = Jwt(h.clock.now + 36 * 3600);
    h.Answered();
    CheckReport r = h.Check("rt");
    CHECK(Levels(r).find("secret refresh-token=warn") != std::string::npos);
    CHECK(Text(r, "secret refresh-token").find("'tokex login rt'") != std::string::npos);
    CHECK(!r.failure);
  }
}

TEST_CASE("an unusable profile fails its config step and skips the rest") {
  Harness h;
  CheckReport r = h.Check("bad");
  CHECK(Levels(r) == "config=fail store=skip dns=skip connect=skip tls=skip clock=skip exchange=skip");
  REQUIRE(r.failure);
  CHECK(r.failure->kind == ErrorKind::kUsage);
  CHECK(h.server.probes.empty());
}

TEST_CASE("which profiles rotate, and which sign time-stamped assertions") {
  Harness h;
  auto exchanges = PresetExchanges();
  CHECK(UsesRefreshToken(exchanges, h.P("mdr")));
  CHECK(UsesRefreshToken(exchanges, h.P("rt")));
  CHECK_FALSE(UsesRefreshToken(exchanges, h.P("xdr")));
  CHECK_FALSE(UsesRefreshToken(exchanges, h.P("pkj")));
  CHECK(SignsAssertions(exchanges, h.P("cy")));
  CHECK(SignsAssertions(exchanges, h.P("pkj")));
  CHECK_FALSE(SignsAssertions(exchanges, h.P("xdr")));
  CHECK_FALSE(SignsAssertions(exchanges, h.P("rt")));
}

TEST_CASE("a line: profile, level padded to one width, step, text; made safe for a terminal") {
  CHECK(FormatCheckLine("xdr", {CheckLevel::kOk, "dns", "a resolves"}) == "xdr: ok    dns: a resolves\n");
  CHECK(FormatCheckLine("xdr", {CheckLevel::kWarn, "clock", "t"}) == "xdr: warn  clock: t\n");
  CHECK(FormatCheckLine("xdr", {CheckLevel::kFail, "tls", "t"}) == "xdr: fail  tls: t\n");
  CHECK(FormatCheckLine("xdr", {CheckLevel::kSkip, "exchange", "a\nb\x1b"}) == "xdr: skip  exchange: a?b?\n");
}
