// The stores that need no keyring, through the registry as the engine
// opens them. The Secret Service store is tested for real in the
// integration suite.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

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

  std::string SecretPath(std::string_view name) const { return paths.data_dir + "/ci.prod." + std::string(name); }

  // Writes a secret file by hand, as a person without `tokex secret set` would.
  void WriteByHand(std::string_view name, std::string_view data, mode_t mode = 0600) {
    std::string path = SecretPath(name);
    REQUIRE(system(("mkdir -p -m 700 '" + paths.data_dir + "'").c_str()) == 0);
    unlink(path.c_str());
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    REQUIRE(fchmod(fd, mode) == 0);
    close(fd);
  }
};

bool Mentions(const Error& e, std::string_view text) { return e.message.find(text) != std::string::npos; }

// The store refuses the stored refresh token `bad`, in Get and in Has
// alike, naming `where` it is kept and not quoting it.
void CheckRefused(SecretStore& store, std::string_view bad, std::string_view where) {
  auto got = store.Get("ci.prod", "refresh-token");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::kStore);
  CHECK(Mentions(got.error(), where));
  CHECK_FALSE(Mentions(got.error(), bad));
  auto has = store.Has("ci.prod", "refresh-token");
  REQUIRE_FALSE(has.ok());
  CHECK(has.error().message == got.error().message);
}

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

TEST_CASE("the env store refuses a value with a control character or invalid UTF-8, without quoting it") {
  Harness h("env");
  for (std::string bad : {"line\nbreak", "tab\tbed", "nel\xc2\x85" "x", "csi\xc2\x9b" "2J", "raw\xff"}) {
    CAPTURE(bad);
    h.env.vars["TOKEX_CI_PROD_REFRESH_TOKEN"] = bad;
    auto store = h.Open();
    CheckRefused(*store, bad, "$TOKEX_CI_PROD_REFRESH_TOKEN");
  }
}

TEST_CASE("the file store drops one trailing line break of a hand-written secret file") {
  Harness h("file");
  auto store = h.Open();
  h.WriteByHand("refresh-token", "typed\n");
  CHECK(store->Get("ci.prod", "refresh-token")->view() == "typed");
  h.WriteByHand("refresh-token", "typed\r\n");
  CHECK(store->Get("ci.prod", "refresh-token")->view() == "typed");
  h.WriteByHand("refresh-token", "caf\xc3\xa9");
  CHECK(store->Get("ci.prod", "refresh-token")->view() == "caf\xc3\xa9");
}

TEST_CASE("the file store refuses a value with a control character or invalid UTF-8, without quoting it") {
  Harness h("file");
  auto store = h.Open();
  for (std::string bad : {"two\n\n", "a\nb", "a\rb", "\ttab", "nel\xc2\x85" "x", "csi\xc2\x9b" "2J", "raw\xff"}) {
    CAPTURE(bad);
    h.WriteByHand("refresh-token", bad);
    CheckRefused(*store, bad, h.SecretPath("refresh-token"));
  }
}

TEST_CASE("the file store's Has refuses what Get refuses: a symlink or a file open to others") {
  Harness h("file");
  auto store = h.Open();
  CHECK_FALSE(*store->Has("ci.prod", "refresh-token"));
  h.WriteByHand("refresh-token", "one", 0644);
  auto loose = store->Has("ci.prod", "refresh-token");
  REQUIRE_FALSE(loose.ok());
  CHECK(loose.error().kind == ErrorKind::kStore);
  CHECK(loose.error().message == store->Get("ci.prod", "refresh-token").error().message);

  h.WriteByHand("client-secret", "one");
  std::string link = h.SecretPath("refresh-token");
  unlink(link.c_str());
  REQUIRE(symlink(h.SecretPath("client-secret").c_str(), link.c_str()) == 0);
  auto linked = store->Has("ci.prod", "refresh-token");
  REQUIRE_FALSE(linked.ok());
  CHECK(Mentions(linked.error(), "symbolic link"));
  CHECK_FALSE(store->Get("ci.prod", "refresh-token").ok());

  CHECK(*store->Has("ci.prod", "client-secret"));
}

TEST_CASE("the file store refuses to read from a directory that is a symlink or open to others") {
  Harness h("file");
  h.WriteByHand("client-secret", "one");
  std::string real = h.tmp.path + "/elsewhere";
  REQUIRE(rename(h.paths.data_dir.c_str(), real.c_str()) == 0);
  REQUIRE(symlink(real.c_str(), h.paths.data_dir.c_str()) == 0);
  auto store = h.Open();
  auto linked = store->Get("ci.prod", "client-secret");
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().kind == ErrorKind::kStore);
  CHECK(Mentions(linked.error(), "is not a private directory"));
  CHECK_FALSE(store->Has("ci.prod", "client-secret").ok());
  CHECK_FALSE(store->Set("ci.prod", "client-secret", Secret("two")).ok());

  REQUIRE(unlink(h.paths.data_dir.c_str()) == 0);
  REQUIRE(rename(real.c_str(), h.paths.data_dir.c_str()) == 0);
  REQUIRE(chmod(h.paths.data_dir.c_str(), 0755) == 0);
  CHECK_FALSE(store->Get("ci.prod", "client-secret").ok());
  REQUIRE(chmod(h.paths.data_dir.c_str(), 0700) == 0);
  CHECK(store->Get("ci.prod", "client-secret")->view() == "one");
}
