// ObtainCredential with a store that a fleet of hosts shares (SharedTokens):
// the shared token first, the fleet lock, the shared token again, and only
// then an exchange, whose token is shared.
#include <doctest/doctest.h>

#include <functional>

#include "engine_harness.h"
#include "preset_registry.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// A MemoryStore that also shares a token and counts its fleet locks;
// `on_lock` runs as the lock is taken (another host finishing first).
class FleetStore : public MemoryStore, public SharedTokens {
 public:
  std::optional<Credential> shared;
  int reads = 0;
  int writes = 0;
  int locks = 0;
  std::function<void()> on_lock;

  SharedTokens* Shared() override { return this; }
  Result<std::optional<Credential>> ReadToken() override {
    ++reads;
    return shared;
  }
  Status WriteToken(const Credential& c) override {
    ++writes;
    shared = c;
    return Success();
  }
  Result<std::unique_ptr<FleetLock>> Lock(const Deadline&) override {
    ++locks;
    if (on_lock) on_lock();
    return std::make_unique<FleetLock>();
  }
};

struct Harness : EngineHarness {
  FleetStore fleet;

  Harness()
      : EngineHarness("[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = c\nbase-url = https://127.0.0.1:9\n",
                      PresetExchanges()) {
    fleet.items["xdr/client-secret"] = "s";
    deps.open_store = [this](const Profile&) { return std::unique_ptr<SecretStore>(new ForwardingStore(fleet)); };
  }

  Credential Token(std::string_view value, int64_t lifetime) {
    return MakeBearerCredential(Secret(value), "Bearer", clock.now, clock.now + lifetime, "");
  }
};

}  // namespace

TEST_CASE("a fresh token the fleet shares is used without the fleet lock or an exchange, and cached here") {
  Harness h;
  h.fleet.shared = h.Token("F1", 600);
  auto c = h.Obtain("xdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "F1");
  CHECK(h.http.seen.empty());
  CHECK(h.fleet.locks == 0);
  h.fleet.shared.reset();
  CHECK(h.Obtain("xdr")->access_token.view() == "F1");  // from this host's cache
  CHECK(h.fleet.reads == 1);
}

TEST_CASE("without a fresh shared token: the fleet lock, one exchange, its token shared") {
  Harness h;
  h.fleet.shared = h.Token("OLD", 100);  // within the refresh margin
  h.clock.now += 1;                       // and obtained before this call began
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  auto c = h.Obtain("xdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "T1");
  CHECK(h.fleet.locks == 1);
  CHECK(h.http.seen.size() == 1);
  REQUIRE(h.fleet.shared);
  CHECK(h.fleet.shared->access_token.view() == "T1");
  CHECK(h.fleet.writes == 1);
}

TEST_CASE("a token another host shared while this one waited for the fleet lock is used, even a short one") {
  Harness h;
  h.fleet.on_lock = [&h] { h.fleet.shared = h.Token("OTHER", 60); };
  auto c = h.Obtain("xdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == "OTHER");
  CHECK(h.http.seen.empty());
  CHECK(h.fleet.writes == 0);
}

TEST_CASE("check's forced exchange and --no-cache do not take the shared token") {
  Harness h;
  h.fleet.shared = h.Token("F1", 600);
  h.options.force = true;
  h.http.Reply(200, R"({"access_token":"T1","expires_in":600})");
  auto forced = h.Obtain("xdr");
  REQUIRE(forced.ok());
  CHECK(forced->access_token.view() == "T1");
  CHECK(h.fleet.locks == 1);
  CHECK(h.fleet.shared->access_token.view() == "T1");  // shared, as it is cached

  h.options.force = false;
  h.options.use_cache = false;
  h.http.Reply(200, R"({"access_token":"T2","expires_in":600})");
  auto uncached = h.Obtain("xdr");
  REQUIRE(uncached.ok());
  CHECK(uncached->access_token.view() == "T2");
  CHECK(h.fleet.locks == 2);  // the exchange still runs under the fleet lock
  CHECK(h.fleet.shared->access_token.view() == "T1");  // neither read nor written
}
