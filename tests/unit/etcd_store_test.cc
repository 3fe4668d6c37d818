// The etcd store over scripted answers of etcd's JSON gateway: what it
// sends, how it seals, fails over, swaps and locks. Real etcd is in the
// integration suite (tests/integration/etcd_test.py, fleet_test.py).
#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "config.h"
#include "crypto.h"
#include "fakes.h"
#include "store_registry.h"
#include "temp_dir.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

constexpr std::string_view kHeader = R"("header":{"member_id":"1","revision":"9"})";

std::string Json(std::string_view members) { return "{" + std::string(kHeader) + std::string(members) + "}"; }

// The one kv of a range answer: `key` holding `value`, last changed at `mod`.
std::string RangeOf(std::string_view key, std::string_view value, int mod) {
  return Json(R"(,"kvs":[{"key":")" + Base64(key) + R"(","value":")" + Base64(value) +
              R"(","create_revision":"2","mod_revision":")" + std::to_string(mod) + R"("}],"count":"1")");
}

// The value of the (first) base64 member `name` in a request body.
std::string Member(std::string_view body, std::string_view name) {
  std::string needle = "\"" + std::string(name) + "\":\"";
  size_t at = body.find(needle);
  REQUIRE(at != std::string_view::npos);
  at += needle.size();
  std::string out;
  REQUIRE(DecodeBase64(body.substr(at, body.find('"', at) - at), &out));
  return out;
}

struct Harness {
  TempDir tmp;
  Environment env;
  Paths paths;
  Config config;
  ScriptedHttp http;
  FakeClock clock;

  Harness() {
    env.uid = getuid();
    env.vars["TOKEX_X_ETCD_KEY"] = Base64(std::string(32, '\x07'));
    paths.cache_dir = tmp.path + "/cache";
    paths.state_dir = tmp.path + "/state";
    paths.data_dir = tmp.path + "/data";
    auto parsed = ParseConfig(
        "[profile \"x\"]\npreset = cisco-xdr\nclient-id = c\nstore = etcd\n"
        "etcd-endpoints = https://e1:2379 https://e2:2379\netcd-local-store = env\netcd-lock-ttl = 600\n",
        "/cfg", env);
    REQUIRE(parsed.ok());
    config = std::move(*parsed);
  }

  std::unique_ptr<SecretStore> Open() {
    for (const StoreFactory& f : StoreFactories()) {
      if (f.name == "etcd") return f.open({config.profiles[0], env, paths, &http, &clock});
    }
    FAIL("no etcd store in the registry");
    return nullptr;
  }
};

}  // namespace

TEST_CASE("a secret goes to etcd sealed under etcd-key, bound to its profile and name, and comes back") {
  Harness h;
  auto store = h.Open();
  h.http.Reply(200, Json(""));  // put
  h.http.Reply(200, Json(""));  // the shared token dropped
  REQUIRE(store->Set("x", "client-secret", Secret("s3cret")).ok());
  REQUIRE(h.http.seen.size() == 2);
  CHECK(h.http.seen[0].url == "https://e1:2379/v3/kv/put");
  CHECK(Member(h.http.seen[0].body, "key") == "tokex/x/secret/client-secret");
  std::string sealed = Member(h.http.seen[0].body, "value");
  CHECK(sealed.starts_with("tokex1."));
  CHECK(sealed.find("s3cret") == std::string::npos);
  CHECK(h.http.seen[1].url == "https://e1:2379/v3/kv/deleterange");
  CHECK(Member(h.http.seen[1].body, "key") == "tokex/x/token");

  h.http.Reply(200, RangeOf("tokex/x/secret/client-secret", sealed, 5));
  auto back = store->Get("x", "client-secret");
  REQUIRE(back.ok());
  CHECK(back->view() == "s3cret");
  // Moved to another name, it does not open.
  h.http.Reply(200, RangeOf("tokex/x/secret/app-secret", sealed, 5));
  auto moved = store->Get("x", "app-secret");
  REQUIRE_FALSE(moved.ok());
  CHECK(moved.error().kind == ErrorKind::kStore);
  CHECK(moved.error().message.find("etcd-key cannot open") != std::string::npos);
}

TEST_CASE("etcd-key and etcd-password are the host's own store's, never etcd's") {
  Harness h;
  auto store = h.Open();
  auto key = store->Get("x", "etcd-key");
  REQUIRE(key.ok());
  CHECK(store->DescribeFor("etcd-key") == "environment variables");
  CHECK(store->Describe().find("etcd cluster") != std::string::npos);
  CHECK(h.http.seen.empty());
}

TEST_CASE("a member that cannot be reached is passed over for the next") {
  Harness h;
  auto store = h.Open();
  h.http.script.emplace_back(TransientError("Connection refused"));
  h.http.Reply(200, Json(""));  // e2: a range with nothing
  auto has = store->Has("x", "client-secret");
  REQUIRE(has.ok());
  CHECK_FALSE(*has);
  REQUIRE(h.http.seen.size() == 2);
  CHECK(h.http.seen[0].url == "https://e1:2379/v3/kv/range");
  CHECK(h.http.seen[1].url == "https://e2:2379/v3/kv/range");
  // Each member got a share of the time: the first half, the second the rest.
  CHECK(h.http.seen[0].timeout_seconds == doctest::Approx(15).epsilon(0.01));

  h.http.script.emplace_back(TransientError("Connection refused"));
  h.http.script.emplace_back(TransientError("Connection refused"));
  auto down = store->Has("x", "client-secret");
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().kind == ErrorKind::kStore);
  CHECK(down.error().message.find("https://e2:2379: Connection refused; https://e1:2379: Connection refused") !=
        std::string::npos);
}

TEST_CASE("a rotated refresh token is swapped in only if etcd still holds the one spent, at the same revision") {
  Harness h;
  auto store = h.Open();
  // Seal two values the way the store does, through Set.
  h.http.Reply(200, Json(""));
  h.http.Reply(200, Json(""));
  REQUIRE(store->Set("x", "refresh-token", Secret("R1")).ok());
  std::string r1 = Member(h.http.seen[0].body, "value");
  h.http.seen.clear();

  h.http.Reply(200, RangeOf("tokex/x/secret/refresh-token", r1, 7));
  h.http.Reply(200, Json(R"(,"succeeded":true)"));
  auto swapped = store->Replace("x", "refresh-token", Secret("R1"), Secret("R2"));
  REQUIRE(swapped.ok());
  CHECK(*swapped);
  REQUIRE(h.http.seen.size() == 2);
  CHECK(h.http.seen[1].url == "https://e1:2379/v3/kv/txn");
  CHECK(h.http.seen[1].body.find(R"("target":"MOD","mod_revision":"7")") != std::string::npos);

  // Another host wrote between the read and the transaction: it lost.
  h.http.Reply(200, RangeOf("tokex/x/secret/refresh-token", r1, 7));
  h.http.Reply(200, Json(R"(,"succeeded":false,"responses":[{"response_range":{"kvs":[]}}])"));
  auto lost = store->Replace("x", "refresh-token", Secret("R1"), Secret("R3"));
  REQUIRE(lost.ok());
  CHECK_FALSE(*lost);
  // etcd holds another value than the one spent: nothing is written.
  size_t before = h.http.seen.size();
  h.http.Reply(200, RangeOf("tokex/x/secret/refresh-token", r1, 8));
  auto other = store->Replace("x", "refresh-token", Secret("R0"), Secret("R3"));
  REQUIRE(other.ok());
  CHECK_FALSE(*other);
  CHECK(h.http.seen.size() == before + 1);
}

TEST_CASE("a fleet lock whose lease lapsed while waiting is waited for again on a new lease") {
  Harness h;
  auto store = h.Open();
  SharedTokens* fleet = store->Shared();
  REQUIRE(fleet != nullptr);
  h.http.Reply(200, Json(R"(,"ID":"7","TTL":"600")"));                           // grant
  h.http.Reply(200, Json(R"(,"key":")" + Base64("tokex/x/lock/7") + "\""));      // lock
  h.http.Reply(200, R"({"result":{)" + std::string(kHeader) + R"(,"ID":"7"}})");  // keepalive: gone
  h.http.Reply(200, Json(""));                                                   // revoke
  h.http.Reply(200, Json(R"(,"ID":"8","TTL":"600")"));
  h.http.Reply(200, Json(R"(,"key":")" + Base64("tokex/x/lock/8") + "\""));
  h.http.Reply(200, R"({"result":{)" + std::string(kHeader) + R"(,"ID":"8","TTL":"600"}})");
  h.http.Reply(200, Json(""));  // holder
  {
    auto lock = fleet->Lock(h.clock.In(30));
    REQUIRE(lock.ok());
    REQUIRE(h.http.seen.size() == 8);
    CHECK(h.http.seen[3].url == "https://e1:2379/v3/lease/revoke");
    CHECK(h.http.seen[3].body == R"({"ID":"7"})");
    CHECK(h.http.seen[5].body.find(R"("lease":"8")") != std::string::npos);
    CHECK(Member(h.http.seen[7].body, "key") == "tokex/x/holder");
    h.http.Reply(200, Json(""));  // the revoke that releases it
  }
  REQUIRE(h.http.seen.size() == 9);
  CHECK(h.http.seen[8].url == "https://e1:2379/v3/lease/revoke");
  CHECK(h.http.seen[8].body == R"({"ID":"8"})");
}
