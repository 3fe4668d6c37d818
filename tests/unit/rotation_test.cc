#include "rotation.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "fakes.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

struct Harness {
  TempDir tmp;
  MemoryStore store;
  ScriptedHttp http;
  FakeClock clock;
  CountingRandom random;
  RecordingDiagnostics log;
  Paths paths;
  Profile profile;
  ExchangeContext ctx{profile, store, http, clock, random, paths, getuid(), clock.In(30), log};

  Harness() {
    paths.state_dir = tmp.path + "/state/tokex";
    profile.name = "mdr";
    store.items["mdr/refresh-token"] = "old-token";
  }

  std::string Recovered() {
    std::ifstream f(RecoveryPath(paths, "mdr"));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
};

}  // namespace

TEST_CASE("a rotated secret replaces the one the exchange spent") {
  Harness h;
  REQUIRE(PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token")).ok());
  CHECK(h.store.items["mdr/refresh-token"] == "new-token");
  CHECK(access(RecoveryPath(h.paths, "mdr").c_str(), F_OK) != 0);
}

TEST_CASE("a store that refuses the new value leaves it in the recovery file, and says how to restore it") {
  Harness h;
  h.store.fail_writes = true;
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().kind == ErrorKind::kStore);
  std::string path = h.tmp.path + "/state/tokex/recovery/mdr";
  CHECK(RecoveryPath(h.paths, "mdr") == path);
  CHECK(s.error().message.find(path) != std::string::npos);
  CHECK(s.error().message.find("tokex secret set mdr refresh-token < " + path) != std::string::npos);
  CHECK(s.error().message.find("new-token") == std::string::npos);
  CHECK(h.Recovered() == "new-token\n");
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat((h.tmp.path + "/state/tokex/recovery").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto back = ReadRecovery(h.paths, getuid(), "mdr");
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->view() == "new-token");

  // Once the store works again, the next rotation clears the stale copy.
  h.store.fail_writes = false;
  REQUIRE(PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("newer-token")).ok());
  CHECK(h.store.items["mdr/refresh-token"] == "newer-token");
  CHECK_FALSE(ReadRecovery(h.paths, getuid(), "mdr")->has_value());
}

TEST_CASE("a store whose value changed meanwhile is not overwritten; the new value is kept aside") {
  Harness h;
  h.store.items["mdr/refresh-token"] = "set-by-a-person";
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("changed while exchanging") != std::string::npos);
  CHECK(h.store.items["mdr/refresh-token"] == "set-by-a-person");
  CHECK(h.Recovered() == "new-token\n");
}

TEST_CASE("when even the recovery file cannot be written, the error says the value is lost") {
  Harness h;
  h.store.fail_writes = true;
  // A file where the recovery directory should be.
  REQUIRE(mkdir((h.tmp.path + "/state").c_str(), 0700) == 0);
  REQUIRE(mkdir((h.tmp.path + "/state/tokex").c_str(), 0700) == 0);
  std::ofstream((h.tmp.path + "/state/tokex/recovery").c_str()) << "x";
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("it is lost") != std::string::npos);
  CHECK(s.error().message.find("new-token") == std::string::npos);
}

TEST_CASE("a recovery file that is not the user's private file is refused") {
  Harness h;
  h.store.fail_writes = true;
  REQUIRE_FALSE(PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token")).ok());
  REQUIRE(chmod(RecoveryPath(h.paths, "mdr").c_str(), 0644) == 0);
  auto r = ReadRecovery(h.paths, getuid(), "mdr");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::kStore);
  REQUIRE(unlink(RecoveryPath(h.paths, "mdr").c_str()) == 0);
  REQUIRE(symlink("/etc/passwd", RecoveryPath(h.paths, "mdr").c_str()) == 0);
  CHECK_FALSE(ReadRecovery(h.paths, getuid(), "mdr").ok());
}
