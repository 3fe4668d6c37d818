// tokex refresh and what it stands on: the record of when a refresh token
// was stored, the life tokex reads from a token (its JWT exp, or that
// record plus refresh-token-ttl), which profiles are due within
// keep-alive, and the 48 h warning of tokex status.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cache.h"
#include "cli.h"
#include "crypto.h"
#include "engine_commands.h"
#include "front_home.h"
#include "engine_harness.h"
#include "front.h"
#include "preset_registry.h"
#include "refresh_token.h"
#include "text.h"
#include "test_data.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

constexpr int64_t kDay = 86400;

// mdr: a JWT refresh token; rt: an opaque one that lives 30 days; bare: an
// opaque one of unknown life; xdr: no refresh token at all.
constexpr std::string_view kConfig =
    "[profile \"mdr\"]\npreset = kaspersky-mdr\nclient-id = c1\n"
    "[profile \"rt\"]\npreset = oauth2\ntoken-url = https://idp.example/token\nclient-id = c2\n"
    "grant = refresh_token\nclient-auth = none\nrefresh-token-ttl = 2592000\n"
    "[profile \"bare\"]\npreset = oauth2\ntoken-url = https://idp.example/token\nclient-id = c3\n"
    "grant = refresh_token\nclient-auth = none\n"
    "[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = c4\n";

// A JWT (unsigned: tokex reads a refresh token's exp, never verifies it)
// with `exp` and a `tag` to tell tokens apart.
std::string Jwt(std::string_view tag, int64_t exp) {
  return Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." +
         Base64Url(R"({"sub":")" + std::string(tag) + R"(","exp":)" + std::to_string(exp) + "}") + ".c2ln";
}

// What a command run printed on stdout and how it ended.
struct Ran {
  Status status = Success();
  std::string out;
};

struct Harness : EngineHarness {
  Environment env;
  std::string r1 = Jwt("r1", clock.now + kDay);  // due: within the default keep-alive of 2 days
  std::string r2 = Jwt("r2", clock.now + 30 * kDay);

  explicit Harness(std::string_view text = kConfig) : EngineHarness(text, PresetExchanges()), text_(text) {
    env.uid = getuid();
    store.items["mdr/refresh-token"] = r1;
    store.items["rt/refresh-token"] = "RT-1";
    store.items["bare/refresh-token"] = "BARE-1";
    store.items["xdr/client-secret"] = "s";
  }

  // `tokex ARGS...` run by `command` over the fakes.
  Ran Run(std::vector<std::string> args, Status (*command)(const CommandContext&, EngineDeps&)) {
    Result<Invocation> inv = ParseCommandLine(args, TokexCommands());
    REQUIRE_MESSAGE(inv.ok(), inv.error().message);
    ConfigSource source("/cfg", env);
    source.Provide(text_);
    FILE* out = tmpfile();
    REQUIRE(out != nullptr);
    CommandContext ctx{*inv, env, paths, source, clock.now, {stdin, out, stderr}, log};
    Ran ran{command(ctx, deps), Contents(out)};
    fclose(out);
    return ran;
  }
  Ran Refresh(std::vector<std::string> args) {
    args.insert(args.begin(), "refresh");
    return Run(std::move(args), RefreshCommand);
  }

  void AnswerMdr(std::string_view access, std::string_view refresh) {
    http.Reply(200, R"({"access_token":")" + std::string(access) + R"(","refresh_token":")" +
                        std::string(refresh) + R"("})");
  }
  void AnswerOauth2(std::string_view access, std::string_view refresh) {
    http.Reply(200, R"({"access_token":")" + std::string(access) +
                        R"(","token_type":"Bearer","expires_in":3600,"refresh_token":")" + std::string(refresh) +
                        R"("})");
  }

  std::optional<int64_t> StoredAt(std::string_view profile) {
    auto at = ReadStoredAt(paths, getuid(), profile);
    REQUIRE_MESSAGE(at.ok(), at.error().message);
    return *at;
  }

 private:
  std::string text_;
};

std::string Said(const Ran& ran) { return ran.status ? ran.out : ran.out + "error: " + ran.status.error().message; }

}  // namespace

TEST_CASE("the stored-at record: a private file with a time and nothing else, absent until written") {
  Harness h;
  CHECK(h.StoredAt("rt") == std::nullopt);
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", 1'700'000'123).ok());
  CHECK(h.StoredAt("rt") == 1'700'000'123);
  struct stat st {};
  REQUIRE(stat(StoredAtPath(h.paths, "rt").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat((h.paths.state_dir + "/stored-at").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(ReadFile(StoredAtPath(h.paths, "rt")) == "1700000123\n");
  REQUIRE(ForgetStoredAt(h.paths, "rt").ok());
  CHECK(h.StoredAt("rt") == std::nullopt);
  CHECK(ForgetStoredAt(h.paths, "rt").ok());
}

TEST_CASE("a refresh token's life: its JWT exp, else the record plus refresh-token-ttl, else unknown") {
  Harness h;
  auto jwt = LifeOf(h.paths, getuid(), h.P("mdr"), Secret(h.r1));
  REQUIRE(jwt.ok());
  CHECK(jwt->expires_at == h.clock.now + kDay);
  CHECK(jwt->from_jwt);

  auto unrecorded = LifeOf(h.paths, getuid(), h.P("rt"), Secret("RT-1"));
  REQUIRE(unrecorded.ok());
  CHECK(unrecorded->expires_at == std::nullopt);
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", h.clock.now - 5).ok());
  auto opaque = LifeOf(h.paths, getuid(), h.P("rt"), Secret("RT-1"));
  REQUIRE(opaque.ok());
  CHECK(opaque->expires_at == h.clock.now - 5 + 30 * kDay);
  CHECK(opaque->stored_at == h.clock.now - 5);
  CHECK_FALSE(opaque->from_jwt);

  REQUIRE(RecordStoredAt(h.paths, getuid(), "bare", h.clock.now).ok());
  auto no_ttl = LifeOf(h.paths, getuid(), h.P("bare"), Secret("BARE-1"));
  REQUIRE(no_ttl.ok());
  CHECK(no_ttl->expires_at == std::nullopt);
  CHECK(no_ttl->stored_at == h.clock.now);
}

TEST_CASE("every rotation records when the new refresh token came; a server that keeps it does not") {
  Harness h;
  h.AnswerOauth2("AT-1", "RT-2");
  REQUIRE(h.Obtain("rt").ok());
  CHECK(h.StoredAt("rt") == h.clock.now);
  h.clock.now += 7200;
  h.AnswerOauth2("AT-2", "RT-2");
  REQUIRE(h.Obtain("rt").ok());
  CHECK(h.StoredAt("rt") == h.clock.now - 7200);
}

TEST_CASE("a due JWT refresh token is spent once: the new one stored, the new access token cached") {
  Harness h;
  std::string access = Jwt("a1", h.clock.now + 3600);
  h.AnswerMdr(access, h.r2);
  Ran ran = h.Refresh({"mdr"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.size() == 1);
  CHECK(h.store.items["mdr/refresh-token"] == h.r2);
  CHECK(ran.out == "mdr: refreshed: the refresh token now expires in 30d 0h (" + Rfc3339(h.clock.now + 30 * kDay) + ")\n");
  CHECK(ran.out.find(h.r2) == std::string::npos);
  // What tokex token asks next is answered from the cache.
  auto c = h.Obtain("mdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == access);
  CHECK(h.http.seen.size() == 1);
}

TEST_CASE("a fresh cached access token does not stop a renewal, and is replaced") {
  Harness h;
  h.AnswerMdr(Jwt("a1", h.clock.now + 3600), Jwt("r2", h.clock.now + kDay + 10));
  REQUIRE(h.Obtain("mdr").ok());
  std::string a2 = Jwt("a2", h.clock.now + 3600);
  h.AnswerMdr(a2, h.r2);
  Ran ran = h.Refresh({"mdr"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.size() == 2);
  auto c = h.Obtain("mdr");
  REQUIRE(c.ok());
  CHECK(c->access_token.view() == a2);
  CHECK(h.http.seen.size() == 2);
}

TEST_CASE("not due: no exchange, and the line says when the token expires") {
  Harness h;
  h.store.items["mdr/refresh-token"] = h.r2;
  Ran ran = h.Refresh({"mdr"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.empty());
  CHECK(ran.out == "mdr: not due: the refresh token expires in 30d 0h (" + Rfc3339(h.clock.now + 30 * kDay) + ")\n");
}

TEST_CASE("keep-alive decides what is due") {
  Harness h(
      "[profile \"mdr\"]\npreset = kaspersky-mdr\nclient-id = c1\nkeep-alive = 3600\n"
      "[profile \"week\"]\npreset = kaspersky-mdr\nclient-id = c5\nkeep-alive = 604800\n");
  h.store.items["week/refresh-token"] = Jwt("w1", h.clock.now + 6 * kDay);
  h.AnswerMdr(Jwt("a1", h.clock.now + 3600), h.r2);
  Ran ran = h.Refresh({"mdr", "week"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  REQUIRE(h.http.seen.size() == 1);
  CHECK(h.http.seen[0].url.find("/c5/") != std::string::npos);
  CHECK(ran.out.starts_with("mdr: not due: the refresh token expires in 1d 0h"));
  CHECK(ran.out.find("\nweek: refreshed: the refresh token now expires in 30d 0h") != std::string::npos);
}

TEST_CASE("an opaque token is due by its stored-at record and refresh-token-ttl; its renewal is recorded") {
  Harness h;
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", h.clock.now - 20 * kDay).ok());
  Ran quiet = h.Refresh({"rt"});
  REQUIRE_MESSAGE(quiet.status.ok(), Said(quiet));
  CHECK(h.http.seen.empty());
  CHECK(quiet.out.starts_with("rt: not due: the refresh token expires in 10d 0h"));

  h.clock.now += 9 * kDay;
  h.AnswerOauth2("AT-1", "RT-2");
  Ran ran = h.Refresh({"rt"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.size() == 1);
  CHECK(h.store.items["rt/refresh-token"] == "RT-2");
  CHECK(h.StoredAt("rt") == h.clock.now);
  CHECK(ran.out == "rt: refreshed: the refresh token now expires in 30d 0h (" + Rfc3339(h.clock.now + 30 * kDay) + ")\n");
}

TEST_CASE("an opaque token with refresh-token-ttl but no record is renewed once, which starts the record") {
  Harness h;
  h.AnswerOauth2("AT-1", "RT-2");
  Ran ran = h.Refresh({"rt"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.size() == 1);
  CHECK(h.StoredAt("rt") == h.clock.now);
  Ran again = h.Refresh({"rt"});
  REQUIRE_MESSAGE(again.status.ok(), Said(again));
  CHECK(h.http.seen.size() == 1);
  CHECK(again.out.starts_with("rt: not due"));
}

TEST_CASE("an opaque token of unknown life is reported and skipped, not failed") {
  Harness h;
  Ran ran = h.Refresh({"bare"});
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(h.http.seen.empty());
  CHECK(ran.out == "bare: expiry unknown: set refresh-token-ttl\n");
}

TEST_CASE("an expired refresh token is exit 4 with the fix, and the other profiles are still refreshed") {
  Harness h;
  h.store.items["mdr/refresh-token"] = Jwt("old", h.clock.now - 60);
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", h.clock.now - 29 * kDay).ok());
  h.AnswerOauth2("AT-1", "RT-2");
  Ran ran = h.Refresh({"mdr", "rt", "bare"});
  REQUIRE_FALSE(ran.status.ok());
  CHECK(ran.status.error().kind == ErrorKind::kRejected);
  CHECK(ran.status.error().profile == "mdr");
  CHECK(ran.status.error().message.find("expired at") != std::string::npos);
  CHECK(ran.status.error().message.find("tokex secret set mdr refresh-token") != std::string::npos);
  CHECK(h.http.seen.size() == 1);
  CHECK(h.store.items["rt/refresh-token"] == "RT-2");
  CHECK(ran.out.find("rt: refreshed") != std::string::npos);
  CHECK(ran.out.find("bare: expiry unknown") != std::string::npos);
}

TEST_CASE("several failures: each is told, the exit code is the first one's") {
  Harness h;
  h.store.items.erase("rt/refresh-token");
  h.store.items["mdr/refresh-token"] = Jwt("old", h.clock.now - 60);
  Ran ran = h.Refresh({"rt", "nosuch", "mdr"});
  REQUIRE_FALSE(ran.status.ok());
  CHECK(ran.status.error().kind == ErrorKind::kStore);
  REQUIRE(h.log.notices.size() == 3);
  CHECK(h.log.notices[0].starts_with("rt: "));
  CHECK(h.log.notices[1].find("nosuch") != std::string::npos);
  CHECK(h.log.notices[2].starts_with("mdr: the stored refresh-token expired at"));
  CHECK(h.http.seen.empty());
}

TEST_CASE("a named profile without a rotating refresh token is a usage error; --rotating skips it") {
  Harness h;
  Ran named = h.Refresh({"xdr"});
  REQUIRE_FALSE(named.status.ok());
  CHECK(named.status.error().kind == ErrorKind::kUsage);
  CHECK(named.status.error().profile == "xdr");
  CHECK(named.status.error().message.find("spends no refresh token") != std::string::npos);

  h.store.items["mdr/refresh-token"] = h.r2;
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", h.clock.now).ok());
  for (auto args : {std::vector<std::string>{"--rotating"}, std::vector<std::string>{}}) {
    Ran all = h.Refresh(args);
    REQUIRE_MESSAGE(all.status.ok(), Said(all));
    CHECK(all.out ==
          "mdr: not due: the refresh token expires in 30d 0h (" + Rfc3339(h.clock.now + 30 * kDay) + ")\n"
          "rt: not due: the refresh token expires in 30d 0h (" + Rfc3339(h.clock.now + 30 * kDay) + ")\n"
          "bare: expiry unknown: set refresh-token-ttl\n");
  }
  CHECK(h.http.seen.empty());

  Ran both = h.Refresh({"--rotating", "mdr"});
  REQUIRE_FALSE(both.status.ok());
  CHECK(both.status.error().kind == ErrorKind::kUsage);
}

TEST_CASE("status warns two days ahead of a refresh token's expiry, JWT or refresh-token-ttl") {
  Harness h;
  h.store.items["mdr/refresh-token"] = Jwt("r", h.clock.now + 47 * 3600);
  REQUIRE(RecordStoredAt(h.paths, getuid(), "rt", h.clock.now - 30 * kDay + 47 * 3600).ok());
  REQUIRE(RecordStoredAt(h.paths, getuid(), "bare", h.clock.now - 3 * kDay).ok());
  Ran ran = h.Run({"status"}, StatusCommand);
  REQUIRE_MESSAGE(ran.status.ok(), Said(ran));
  CHECK(ran.out.find("  refresh-token: stored, expires in 1d 23h (" + Rfc3339(h.clock.now + 47 * 3600) +
                     "); warning: within 48 h") != std::string::npos);
  CHECK(ran.out.find("  refresh-token: stored 3d 0h ago (" + Rfc3339(h.clock.now - 3 * kDay) + ")\n") !=
        std::string::npos);
  CHECK(ran.out.find(", from refresh-token-ttl); warning: within 48 h") != std::string::npos);

  h.store.items["mdr/refresh-token"] = Jwt("r", h.clock.now + 49 * 3600);
  Ran later = h.Run({"status", "mdr"}, StatusCommand);
  REQUIRE_MESSAGE(later.status.ok(), Said(later));
  CHECK(later.out.find("expires in 2d 1h") != std::string::npos);
  CHECK(later.out.find("warning") == std::string::npos);
}
