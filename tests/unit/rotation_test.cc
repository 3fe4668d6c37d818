#include "rotation.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "crypto.h"
#include "private_file.h"
#include "engine_harness.h"
#include "text.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// Profile "mdr", made by hand, whose refresh token is "old-token"; its
// recovery copies go under tmp/state/tokex.
struct Harness : EngineHarness {
  Profile profile;
  ExchangeContext ctx = Context(profile);

  Harness() {
    paths.state_dir = tmp.path + "/state/tokex";
    profile.name = "mdr";
    store.items["mdr/refresh-token"] = "old-token";
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
  CHECK(h.Recovered("mdr") == "new-token\n");
  CHECK(access(InFlightPath(h.paths, "mdr").c_str(), F_OK) != 0);  // the recovery file is the copy to use
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
  CHECK(h.Recovered("mdr") == "new-token\n");
}

TEST_CASE("when even the recovery file cannot be written, the error says the value is lost") {
  Harness h;
  h.store.fail_writes = true;
  // A file where the recovery directory should be.
  REQUIRE(mkdir((h.tmp.path + "/state").c_str(), 0700) == 0);
  REQUIRE(mkdir((h.tmp.path + "/state/tokex").c_str(), 0700) == 0);
  std::ofstream((h.tmp.path + "/state/tokex/recovery").c_str()) << "x";
  std::ofstream(h.paths.cache_dir.c_str()) << "x";  // and where the in-flight file goes
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("it is lost") != std::string::npos);
  CHECK(s.error().message.find("new-token") == std::string::npos);
}

TEST_CASE("when only the in-flight file holds the new value, the error names it") {
  Harness h;
  h.store.fail_writes = true;
  REQUIRE(mkdir((h.tmp.path + "/state").c_str(), 0700) == 0);
  REQUIRE(mkdir((h.tmp.path + "/state/tokex").c_str(), 0700) == 0);
  std::ofstream((h.tmp.path + "/state/tokex/recovery").c_str()) << "x";
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  std::string in_flight = InFlightPath(h.paths, "mdr");
  CHECK(s.error().message.find("it is in " + in_flight + " until the machine restarts") != std::string::npos);
  CHECK(s.error().message.find("'tokex secret set mdr refresh-token < " + in_flight + "'") != std::string::npos);
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

namespace {

// A server that takes only `live` (sent as the request body) and hands out
// `next`, or nothing; `answer` replaces its whole 200 answer when set.
struct FakeServer : HttpClient {
  std::string live;
  std::optional<std::string> next;
  std::vector<std::string> sent;
  std::optional<std::string> answer;

  FakeServer(std::string l, std::optional<std::string> n) : live(std::move(l)), next(std::move(n)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request.body);
    HttpResponse r;
    if (request.body != live) {
      r.status = 400;
      r.body = R"({"error":"invalid_grant"})";
      return r;
    }
    r.status = 200;
    r.body = std::string(R"({"access_token":"access","expires_in":600)") +
             (next ? R"(,"refresh_token":")" + *next + "\"" : std::string()) + "}";
    if (next) live = *next;
    if (answer) r.body = *answer;
    return r;
  }
};

RefreshRequestFn BodyIsTheToken() {
  return [](ExchangeContext& ctx, const Secret& refresh) -> Result<HttpRequest> {
    HttpRequest r = TokenRequest(ctx.profile);
    r.body = refresh.view();
    return r;
  };
}

RejectedFixFn Fix(std::string fix) {
  return [fix](std::string_view) { return fix; };
}

// ExchangeRotating through `server`.
Result<TokenAnswer> Rotate(Harness& h, FakeServer& server, std::string_view expired_fix = "", SecretStore* store = nullptr) {
  ExchangeContext ctx{h.profile, store ? *store : h.store, server, h.clock, h.random, h.paths, getuid(),
                      h.clock.In(30), h.log};
  return ExchangeRotating(ctx, "refresh-token", expired_fix, Fix("make a new one"), BodyIsTheToken());
}

std::string Jwt(int64_t exp) { return "e30." + Base64Url("{\"exp\":" + std::to_string(exp) + "}") + ".c2ln"; }

}  // namespace

TEST_CASE("a rotating refresh token: the new one is stored before the credential is returned") {
  Harness h;
  FakeServer server{"old-token", "new-token"};
  auto a = Rotate(h, server);
  REQUIRE(a.ok());
  CHECK(h.store.items["mdr/refresh-token"] == "new-token");
  CHECK(a->refresh_token->view() == "new-token");
  CHECK(server.sent == std::vector<std::string>{"old-token"});
}

TEST_CASE("a refresh token the server keeps stays as it is") {
  Harness h;
  FakeServer server{"old-token", std::nullopt};
  auto a = Rotate(h, server);
  REQUIRE(a.ok());
  CHECK(h.store.items["mdr/refresh-token"] == "old-token");
  CHECK(a->refresh_token->view() == "old-token");
}

TEST_CASE("an expired JWT refresh token is refused before anything is sent") {
  Harness h;
  h.store.items["mdr/refresh-token"] = Jwt(h.clock.now - 1);
  FakeServer server{"x", "y"};
  auto a = Rotate(h, server, "make a new one at Settings, API");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 4);
  CHECK(a.error().message == "the stored refresh-token expired at " + Rfc3339(h.clock.now - 1) +
                                 ": make a new one at Settings, API");
  CHECK(server.sent.empty());
  h.store.items["mdr/refresh-token"] = Jwt(h.clock.now + 60);  // not yet: it is sent
  server.live = h.store.items["mdr/refresh-token"];
  CHECK(Rotate(h, server).ok());
}

TEST_CASE("a store that cannot take the next value is refused before the token is spent") {
  Harness h;
  struct ReadOnly : ForwardingStore {
    using ForwardingStore::ForwardingStore;
    Status CheckWritable(std::string_view, std::string_view) override {
      return MakeError(ErrorKind::kUsage, "read-only");
    }
  } read_only(h.store);
  FakeServer server{"old-token", "new-token"};
  auto a = Rotate(h, server, "", &read_only);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message.find("rotates on every exchange") != std::string::npos);
  CHECK(server.sent.empty());
}

TEST_CASE("no rotated token is lost: a failed store write is recovered by the next exchange by itself") {
  Harness h;
  FakeServer server{"old-token", "second"};
  h.store.fail_writes = true;
  auto first = Rotate(h, server);
  REQUIRE_FALSE(first.ok());  // the credential is not used: its refresh token is only in the recovery file
  CHECK(h.Recovered("mdr") == "second\n");
  CHECK(h.store.items["mdr/refresh-token"] == "old-token");  // spent: the server refuses it now
  h.store.fail_writes = false;
  server.next = "third";
  auto again = Rotate(h, server);
  REQUIRE(again.ok());
  CHECK(server.sent == std::vector<std::string>{"old-token", "old-token", "second"});
  CHECK(h.store.items["mdr/refresh-token"] == "third");
  CHECK_FALSE(ReadRecovery(h.paths, getuid(), "mdr")->has_value());
  REQUIRE(h.log.notices.size() == 1);
  CHECK(h.log.notices[0].find("trying the one saved in") != std::string::npos);
}

TEST_CASE("the new value is in the in-flight file while the store takes it, and gone once stored") {
  Harness h;
  struct Watching : ForwardingStore {
    using ForwardingStore::ForwardingStore;
    std::string path, seen = "(not asked)";
    Result<bool> Replace(std::string_view p, std::string_view n, const Secret& e, const Secret& v) override {
      std::ifstream in(path, std::ios::binary);
      seen.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      return ForwardingStore::Replace(p, n, e, v);
    }
  } watching(h.store);
  watching.path = InFlightPath(h.paths, "mdr");
  CHECK(watching.path == h.tmp.path + "/cache/mdr.pending");
  FakeServer server{"old-token", "new-token"};
  REQUIRE(Rotate(h, server, "", &watching).ok());
  CHECK(watching.seen == "new-token\n");
  CHECK(h.store.items["mdr/refresh-token"] == "new-token");
  CHECK(access(watching.path.c_str(), F_OK) != 0);
}

TEST_CASE("no rotated token is lost: a tokex that died while the store took it is recovered from the in-flight file") {
  Harness h;
  // What a tokex killed in Replace leaves: the store holds the spent
  // value, the in-flight file its successor; a stale recovery file too.
  FakeServer server{"second", "third"};
  REQUIRE(mkdir(h.paths.cache_dir.c_str(), 0700) == 0);
  REQUIRE(WritePrivateFile(h.paths.cache_dir, "mdr.pending", "second\n", false).ok());
  REQUIRE(EnsurePrivateDir(h.paths.state_dir + "/recovery", getuid()).ok());
  REQUIRE(WritePrivateFile(h.paths.state_dir + "/recovery", "mdr", "first\n", false).ok());
  auto a = Rotate(h, server);
  REQUIRE(a.ok());
  CHECK(server.sent == std::vector<std::string>{"old-token", "second"});
  CHECK(h.store.items["mdr/refresh-token"] == "third");
  CHECK(access(InFlightPath(h.paths, "mdr").c_str(), F_OK) != 0);
  CHECK(access(RecoveryPath(h.paths, "mdr").c_str(), F_OK) != 0);
  REQUIRE(h.log.notices.size() == 1);
  CHECK(h.log.notices[0].find("trying the one saved in " + InFlightPath(h.paths, "mdr")) != std::string::npos);
}

TEST_CASE("when the in-flight value is refused too, the recovery file's is tried") {
  Harness h;
  FakeServer server{"second", "third"};
  REQUIRE(mkdir(h.paths.cache_dir.c_str(), 0700) == 0);
  REQUIRE(WritePrivateFile(h.paths.cache_dir, "mdr.pending", "stale\n", false).ok());
  REQUIRE(EnsurePrivateDir(h.paths.state_dir + "/recovery", getuid()).ok());
  REQUIRE(WritePrivateFile(h.paths.state_dir + "/recovery", "mdr", "second\n", false).ok());
  REQUIRE(Rotate(h, server).ok());
  CHECK(server.sent == std::vector<std::string>{"old-token", "stale", "second"});
  CHECK(h.store.items["mdr/refresh-token"] == "third");
}

TEST_CASE("a new refresh token in an answer whose access token is unusable is kept all the same") {
  Harness h;
  FakeServer server{"old-token", "new-token"};
  server.answer = R"({"access_token":"","refresh_token":"new-token"})";
  auto a = Rotate(h, server);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 5);
  CHECK(h.store.items["mdr/refresh-token"] == "new-token");
  server.answer = R"({"access_token":"access","expires_in":0,"refresh_token":"newer-token"})";  // already expired
  server.live = "new-token";
  REQUIRE_FALSE(Rotate(h, server).ok());
  CHECK(h.store.items["mdr/refresh-token"] == "newer-token");
}

TEST_CASE("a refused refresh says what to do; other failures are not retried with the recovery file") {
  Harness h;
  FakeServer server{"someone-else's", "x"};
  auto a = Rotate(h, server);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().ExitCode() == 4);
  CHECK(a.error().message.find("(invalid_grant): make a new one") != std::string::npos);
}

TEST_CASE("a state directory that is a symlink gets no recovery file, even if it leads to a private directory") {
  Harness h;
  h.store.fail_writes = true;
  std::string real = h.tmp.path + "/elsewhere";
  REQUIRE(mkdir((h.tmp.path + "/state").c_str(), 0700) == 0);
  REQUIRE(mkdir(real.c_str(), 0700) == 0);
  REQUIRE(symlink(real.c_str(), h.paths.state_dir.c_str()) == 0);
  Status s = PersistRotated(h.ctx, "refresh-token", Secret("old-token"), Secret("new-token"));
  REQUIRE_FALSE(s.ok());
  // Not in the recovery file, the new token is still in the in-flight copy.
  CHECK(s.error().message.find("is not a private directory") != std::string::npos);
  CHECK(s.error().message.find("it is in " + InFlightPath(h.paths, "mdr")) != std::string::npos);
  CHECK(access((real + "/recovery").c_str(), F_OK) != 0);
}
