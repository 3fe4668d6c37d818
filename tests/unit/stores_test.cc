// The stores that need no keyring, through the registry as the engine
// opens them. The Secret Service store is tested for real in the
// integration suite.
#include <doctest/doctest.h>
#include <unistd.h>

#include "config.h"
#include "store_registry.h"
#include "temp_dir.h"

using namespace tokex;

namespace {

struct Harness {
  testing::TempDir tmp;
  Environment env;
  Paths paths;
  Config config;

  explicit Harness(std::string_view store) {
    env.uid = getuid();
    env.vars["TOKEX_CI_PROD_REFRESH_TOKEN"] = "from-ci";
    paths.data_dir = tmp.path + "/data/tokex";
    auto c = ParseConfig("[profile \"ci.prod\"]\npreset = cisco-xdr\nclient-id = a\nstore = " + std::string(store) + "\n",
                         "/cfg", env);
    REQUIRE(c.ok());
    config = std::move(c.value());
  }

  std::unique_ptr<SecretStore> Open() { return OpenStore(StoreFactories(), {config.profiles.at(0), env, paths}); }
};

}  // namespace

TEST_CASE("the env store reads TOKEX_<PROFILE>_<NAME> and refuses every write") {
  Harness h("env");
  auto store = h.Open();
  CHECK(store->Get("ci.prod", "refresh-token")->view() == "from-ci");
  CHECK(store->Get("ci.prod", "client-secret").error().message.find("$TOKEX_CI_PROD_CLIENT_SECRET") !=
        std::string::npos);
  CHECK(store->Set("ci.prod", "refresh-token", Secret("x")).error().kind == ErrorKind::kUsage);
  auto rotated = store->Replace("ci.prod", "refresh-token", Secret("from-ci"), Secret("next"));
  REQUIRE_FALSE(rotated.ok());
  CHECK(rotated.error().message.find("cannot live in the env store") != std::string::npos);
}

TEST_CASE("the file store keeps one private file per secret and supports compare-and-set") {
  Harness h("file");
  auto store = h.Open();
  CHECK(store->Get("ci.prod", "refresh-token").error().kind == ErrorKind::kStore);
  REQUIRE(store->Set("ci.prod", "refresh-token", Secret("one")).ok());
  CHECK(*store->Replace("ci.prod", "refresh-token", Secret("one"), Secret("two")));
  CHECK_FALSE(*store->Replace("ci.prod", "refresh-token", Secret("one"), Secret("three")));
  CHECK(store->Get("ci.prod", "refresh-token")->view() == "two");
  CHECK(access((h.tmp.path + "/data/tokex/ci.prod.refresh-token").c_str(), F_OK) == 0);
}
