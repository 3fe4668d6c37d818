// git's credential helper protocol: the codec on literal requests, in the
// manner of git's t/lib-credential.sh (what git writes, what the helper
// answers), and the front's decisions with a real config and cache in a
// temporary directory.
#include "git_credential.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cache.h"
#include "front_home.h"
#include "git_front.h"
#include "temp_dir.h"

using tokex::ErrorKind;
using tokex::GitAnswer;
using tokex::GitRequest;
using tokex::ParseGitRequest;

namespace {

GitRequest Parsed(std::string_view text) {
  auto r = ParseGitRequest(text);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

std::string ParseError(std::string_view text) {
  auto r = ParseGitRequest(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::kUsage);
  return r.error().message;
}

// The URL of a request, as "scheme://host:port/path", or "none".
std::string UrlOf(std::string_view text) {
  auto url = tokex::GitRequestUrl(Parsed(text));
  REQUIRE_MESSAGE(url.ok(), url.error().message);
  if (!*url) return "none";
  return (*url)->scheme + "://" + (*url)->host + ":" + std::to_string((*url)->port) + (*url)->path;
}

}  // namespace

TEST_CASE("a request as git 2.39 writes it") {
  GitRequest r = Parsed("protocol=https\nhost=git.example.com:8443\n\n");
  CHECK(r.protocol == "https");
  CHECK(r.host == "git.example.com:8443");
  CHECK_FALSE(r.has_path);
  CHECK(r.capabilities.empty());
  CHECK(UrlOf("protocol=https\nhost=git.example.com:8443\n\n") == "https://git.example.com:8443/");
}

TEST_CASE("a request as git 2.46 writes it after a 401") {
  const char* text =
      "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=127.0.0.1:9443\n"
      "wwwauth[]=Basic realm=\"git\"\nwwwauth[]=Bearer realm=\"x\", scope=\"a=b\"\n";
  GitRequest r = Parsed(text);
  CHECK(r.capabilities == std::vector<std::string>{"authtype", "state"});
  CHECK(r.HasCapability("authtype"));
  CHECK_FALSE(r.HasCapability("auth"));
  CHECK(r.wwwauth == std::vector<std::string>{"Basic realm=\"git\"", "Bearer realm=\"x\", scope=\"a=b\""});
  CHECK(r.host == "127.0.0.1:9443");
}

TEST_CASE("unknown keys are skipped, known ones may come in any order and repeat") {
  GitRequest r = Parsed("future_key=1\nhost=a.example\nusername=alice\npassword=hunter2\nstate[]=x\n"
                        "oauth_refresh_token=r\nhost=b.example\nprotocol=http\n=novalue\nquit=0\n");
  CHECK(r.host == "b.example");
  CHECK(r.protocol == "http");
  CHECK(UrlOf("protocol=HTTPS\nhost=B.Example\n") == "https://b.example:443/");
}

TEST_CASE("a blank line ends the request; what follows is not read") {
  GitRequest r = Parsed("protocol=https\nhost=a.example\n\nhost=b.example\nno equals sign\n");
  CHECK(r.host == "a.example");
  // CR LF line ends, as strbuf_getline() takes them.
  r = Parsed("protocol=https\r\nhost=c.example\r\n\r\nhost=d.example\r\n");
  CHECK(r.host == "c.example");
  // The end of the input ends it too, with or without a last LF.
  CHECK(Parsed("protocol=https\nhost=e.example").host == "e.example");
  CHECK(Parsed("").host.empty());
  CHECK(Parsed("\n").host.empty());
}

TEST_CASE("the path is the request's only with credential.useHttpPath") {
  CHECK(UrlOf("protocol=https\nhost=h\npath=team/repo.git\n") == "https://h:443/team/repo.git");
  CHECK(UrlOf("protocol=https\nhost=h\npath=\n") == "https://h:443/");
  CHECK(UrlOf("protocol=https\nhost=h\npath=my repo.git\n") == "https://h:443/my repo.git");
  CHECK(Parsed("protocol=https\nhost=h\npath=\n").has_path);
  CHECK(UrlOf("protocol=http\nhost=[::1]:8080\n") == "http://[::1]:8080/");
}

TEST_CASE("requests for other protocols or without a host name no URL") {
  CHECK(UrlOf("protocol=cert\npath=/home/u/client.p12\n") == "none");
  CHECK(UrlOf("protocol=smtp\nhost=mail.example:587\n") == "none");
  CHECK(UrlOf("host=a.example\n") == "none");
  CHECK(UrlOf("protocol=https\n") == "none");
}

TEST_CASE("a host that is not HOST[:PORT] is refused without being quoted") {
  for (const char* host : {"alice:pw@h.example", "h.example/x", "h.example:0", "h.example:x", "h .example",
                           "h.example?q", "h.example#f", "h\\x", ":443"}) {
    auto url = tokex::GitRequestUrl(Parsed("protocol=https\nhost=" + std::string(host) + "\n"));
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().kind == ErrorKind::kUsage);
    CHECK(url.error().message ==
          "the host in git's request is not HOST or HOST:PORT (it holds user info, a path, whitespace or a bad port)");
  }
}

TEST_CASE("malformed requests are one-line errors that quote nothing") {
  CHECK(ParseError("protocol=https\nhunter2\n\n") ==
        "line 2 of git's request has no '=': expected key=value lines ended by a blank line");
  CHECK(ParseError(std::string("protocol=https\nhost=a\0b\n", 24)) ==
        "line 2 of git's request holds a NUL byte: expected key=value lines ended by a blank line");
  CHECK(ParseError(std::string("password=se\0cret\n", 17)).starts_with("line 1 of git's request holds a NUL"));
  CHECK(ParseError("protocol=https\nhost=a.example\rX-Evil: 1\n") ==
        "line 2 of git's request has a control character or invalid UTF-8 in its host: expected key=value lines "
        "ended by a blank line");
  CHECK(ParseError("path=a\tb\n").starts_with("line 1 of git's request has a control character"));
  CHECK(ParseError("protocol=\xff\n").starts_with("line 1 of git's request has a control character"));
  CHECK(ParseError("\xff\xfe binary\n").starts_with("line 1 of git's request has no '='"));
}

TEST_CASE("where a request ends, for the reader") {
  using tokex::GitRequestLength;
  CHECK(GitRequestLength("") == std::nullopt);
  CHECK(GitRequestLength("protocol=https\nhost=h\n") == std::nullopt);
  CHECK(GitRequestLength("protocol=https\nhost=h\n\nmore") == 23u);
  CHECK(GitRequestLength("\n") == 1u);
  CHECK(GitRequestLength("a=b\r\n\r\n") == 7u);
  CHECK(GitRequestLength("a=b\r\n\r") == std::nullopt);  // the CR may be a line's last byte
  CHECK(GitRequestLength("a=b\n\r") == std::nullopt);
}

TEST_CASE("the answer: username, password and expiry") {
  auto text = tokex::FormatGitAnswer(GitAnswer{.username = "client", .token = "xdr-TOKEN", .expires_at = 1767225600});
  REQUIRE(text.ok());
  CHECK(*text == "username=client\npassword=xdr-TOKEN\npassword_expiry_utc=1767225600\n");
  text = tokex::FormatGitAnswer(GitAnswer{.username = "client", .token = "t", .expires_at = 0});
  CHECK(*text == "username=client\npassword=t\n");
}

TEST_CASE("the answer to a git that announced capability[]=authtype") {
  auto text = tokex::FormatGitAnswer(
      GitAnswer{.username = "client", .token = "xdr-TOKEN", .expires_at = 1767225600, .bearer = true});
  REQUIRE(text.ok());
  CHECK(*text ==
        "capability[]=authtype\nauthtype=Bearer\ncredential=xdr-TOKEN\nephemeral=1\npassword_expiry_utc=1767225600\n");
}

TEST_CASE("values that would break git's lines are refused, never quoted") {
  for (const char* token : {"a\nb", "a\rb", "a\tb", "\x7f", "\xc2\x85"}) {
    auto text = tokex::FormatGitAnswer(GitAnswer{.username = "u", .token = token});
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().kind == ErrorKind::kNetwork);
    CHECK(text.error().message == "refusing to send git a token that holds a control character or invalid UTF-8");
  }
  auto text = tokex::FormatGitAnswer(GitAnswer{.username = std::string_view("u\0v", 3), .token = "t"});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kUsage);
  text = tokex::FormatGitAnswer(GitAnswer{.username = "u", .token = ""});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kInternal);
}

// The front's decisions.

namespace {

using tokex::FrontStep;

constexpr int64_t kNow = 1'800'000'000;

struct Home : tokex::testing::FrontHome {
  explicit Home(std::string text) : FrontHome(std::move(text), kNow) {}
};

using Run = tokex::testing::FrontRun;

Run Front(const Home& home, std::vector<std::string> argv, std::string_view request) {
  return tokex::testing::RunFrontIn(tokex::RunGitCredentialFront, home, std::move(argv), request);
}

const char* const kTwoProfiles = R"([profile "a"]
    preset    = cisco-xdr
    client-id = a
    match     = https://git.example/ https://git.example/team-a/
[profile "b"]
    preset    = cisco-xdr
    client-id = b
    username  = robot
    match     = https://git.example/team-b/
[profile "rim"]
    preset    = ennov-insight
    tenant    = t
    client-id = c
    base-url  = https://rim.example/insight
    match     = https://rim.example/
)";

const char* const kGet = "protocol=https\nhost=git.example\n\n";

}  // namespace

TEST_CASE("front: a fresh cached token answers at once") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  Run r = Front(home, {"get"}, kGet);
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kDone);
  CHECK(r.out == "username=client\npassword=tok-a\npassword_expiry_utc=1800000600\n");
}

TEST_CASE("front: git >= 2.46 gets a bearer credential") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  Run r = Front(home, {"get"}, "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=git.example\n"
                               "wwwauth[]=Basic realm=\"git\"\n");
  REQUIRE(r.step.ok());
  CHECK(r.out ==
        "capability[]=authtype\nauthtype=Bearer\ncredential=tok-a\nephemeral=1\npassword_expiry_utc=1800000600\n");
}

TEST_CASE("front: no fresh token hands the request and the config to the engine") {
  Home home(kTwoProfiles);
  Run r = Front(home, {"get"}, std::string(kGet) + "after=the blank line\n");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kNeedsEngine);
  CHECK(r.out.empty());
  CHECK(r.handoff.consumed_stdin == kGet);
  CHECK(r.handoff.config == home.config_text);
  // A token within the refresh margin (120 s) is not fresh either.
  home.CacheToken("a", "tok-a", kNow + 100);
  r = Front(home, {"get"}, kGet);
  CHECK(*r.step == FrontStep::kNeedsEngine);
  CHECK(r.out.empty());
}

TEST_CASE("front: no profile matches: nothing, so that git asks its next helper") {
  Home home(kTwoProfiles);
  for (const char* request : {"protocol=https\nhost=other.example\n\n", "protocol=http\nhost=git.example\n\n",
                              "protocol=https\nhost=git.example:8443\n\n", "protocol=cert\npath=/a.p12\n\n", "\n"}) {
    Run r = Front(home, {"get"}, request);
    REQUIRE(r.step.ok());
    CHECK(*r.step == FrontStep::kDone);
    CHECK(r.out.empty());
    CHECK(r.handoff.consumed_stdin.empty());
  }
}

TEST_CASE("front: a request with no http(s) URL does not even need a config") {
  Home home(kTwoProfiles);
  home.env.vars["TOKEX_CONFIG"] = home.dir.path + "/absent";
  Run r = Front(home, {"get"}, "protocol=cert\npath=/a.p12\n\n");
  REQUIRE(r.step.ok());
  r = Front(home, {"get"}, kGet);
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().message.starts_with("no config file at"));
}

TEST_CASE("front: credential.useHttpPath picks the profile by the longest path") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  home.CacheToken("b", "tok-b", kNow + 600);
  auto answer = [&](const std::string& path) {
    return Front(home, {"get"}, "protocol=https\nhost=git.example\npath=" + path + "\n\n").out;
  };
  CHECK(answer("team-b/repo.git") == "username=robot\npassword=tok-b\npassword_expiry_utc=1800000600\n");
  CHECK(answer("team-a/repo.git").find("password=tok-a\n") != std::string::npos);
  CHECK(answer("team-bx/repo.git").find("password=tok-a\n") != std::string::npos);
  CHECK(answer("").find("password=tok-a\n") != std::string::npos);
}

TEST_CASE("front: --profile names the profile, whatever the URL") {
  Home home(kTwoProfiles);
  home.CacheToken("b", "tok-b", kNow + 600);
  Run r = Front(home, {"--profile", "b", "get"}, "protocol=https\nhost=elsewhere.example\n\n");
  CHECK(r.out.find("password=tok-b\n") != std::string::npos);
  r = Front(home, {"--profile=b", "get"}, kGet);
  CHECK(r.out.find("password=tok-b\n") != std::string::npos);
  r = Front(home, {"--profile", "nope", "get"}, kGet);
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().kind == ErrorKind::kUsage);
  CHECK(r.step.error().message.starts_with("no profile 'nope' in "));
  // Still only for http(s): a client certificate's passphrase is not a token.
  r = Front(home, {"--profile", "b", "get"}, "protocol=cert\npath=/a.p12\n\n");
  CHECK(r.out.empty());
}

TEST_CASE("front: store does nothing and reads nothing; unknown operations likewise") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  for (const char* op : {"store", "frobnicate"}) {
    Run r = Front(home, {op}, "protocol=https\nhost=git.example\nusername=client\npassword=tok-a\n\n");
    REQUIRE(r.step.ok());
    CHECK(*r.step == FrontStep::kDone);
    CHECK(r.out.empty());
  }
  CHECK(Front(home, {"get"}, kGet).out.find("tok-a") != std::string::npos);
  // Not even a request that never ends holds them up.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  FILE* in = fdopen(fds[0], "r");
  tokex::HandOff handoff;
  double start = tokex::MonotonicSeconds();
  auto step = tokex::RunGitCredentialFront(std::vector<std::string>{"store"}, home.env, kNow, {in, stdout, stderr},
                                           &handoff);
  CHECK(tokex::MonotonicSeconds() - start < 1);
  CHECK(step.ok());
  fclose(in);
  close(fds[1]);
}

TEST_CASE("front: erase drops the matched profile's cached token, and only that") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  home.CacheToken("b", "tok-b", kNow + 600);
  Run r = Front(home, {"erase"}, "protocol=https\nhost=git.example\nusername=client\npassword=tok-a\n\n");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kDone);
  CHECK(r.out.empty());
  CHECK(*Front(home, {"get"}, kGet).step == FrontStep::kNeedsEngine);
  CHECK(Front(home, {"--profile", "b", "get"}, kGet).out.find("tok-b") != std::string::npos);
  // An erase for a URL no profile matches touches nothing.
  r = Front(home, {"erase"}, "protocol=https\nhost=other.example\n\n");
  CHECK(r.step.ok());
  CHECK(Front(home, {"--profile", "b", "get"}, kGet).out.find("tok-b") != std::string::npos);
}

TEST_CASE("front: a session preset cannot answer git, and says why") {
  Home home(kTwoProfiles);
  Run r = Front(home, {"get"}, "protocol=https\nhost=rim.example\n\n");
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().kind == ErrorKind::kUsage);
  CHECK(r.step.error().profile == "rim");
  CHECK(r.step.error().message ==
        "preset ennov-insight gives a session (a cookie and a CSRF header), which git cannot send: use tokex "
        "header or tokex cookies for it instead");
  CHECK(r.out.empty());
  CHECK(r.handoff.consumed_stdin.empty());
}

TEST_CASE("front: bad requests are errors, never answers") {
  Home home(kTwoProfiles);
  home.CacheToken("a", "tok-a", kNow + 600);
  for (std::string request : {std::string("protocol=https\nhost=git.example\njunk\n\n"),
                              std::string("protocol=https\nhost=git.example\0\n\n", 34),
                              std::string("protocol=https\nhost=git.example\r\n") + "path=x\ry\n\n",
                              std::string("protocol=https\nhost=") + std::string(70 * 1024, 'a') + "\n\n",
                              std::string(1 << 20, 'x')}) {
    Run r = Front(home, {"get"}, request);
    REQUIRE_FALSE(r.step.ok());
    CHECK(r.step.error().kind == ErrorKind::kUsage);
    CHECK(r.step.error().message.find('\n') == std::string::npos);
    CHECK(r.out.empty());
  }
  Run r = Front(home, {"get"}, std::string(1 << 20, 'x'));
  CHECK(r.step.error().message == "git's request on stdin is larger than 64 KiB: is that git writing?");
}

TEST_CASE("front: a request that never ends is given up after a bound") {
  Home home(kTwoProfiles);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  REQUIRE(write(fds[1], "protocol=https\n", 15) == 15);
  FILE* in = fdopen(fds[0], "r");
  tokex::HandOff handoff;
  double start = tokex::MonotonicSeconds();
  auto step = tokex::RunGitCredentialFront(std::vector<std::string>{"get"}, home.env, kNow, {in, stdout, stderr},
                                           &handoff);
  double took = tokex::MonotonicSeconds() - start;
  fclose(in);
  close(fds[1]);
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().message.starts_with("git's request on stdin did not end within 5s"));
  CHECK(took >= tokex::kGitRequestWait - 0.5);
  CHECK(took < tokex::kGitRequestWait + 5);
}

TEST_CASE("front: the command line") {
  auto parse = [](std::vector<std::string> argv) { return tokex::ParseGitArgs(argv); };
  CHECK(parse({"get"})->op == tokex::GitOperation::kGet);
  CHECK(parse({"store"})->op == tokex::GitOperation::kStore);
  CHECK(parse({"erase"})->op == tokex::GitOperation::kErase);
  CHECK(parse({"capability"})->op == tokex::GitOperation::kOther);
  auto inv = parse({"--profile", "p", "--config=/c", "get"});
  REQUIRE(inv.ok());
  CHECK(inv->profile == "p");
  CHECK(inv->config_path == "/c");
  const std::string usage =
      ": usage: git-credential-tokex [--profile PROFILE] [--config FILE] get|store|erase (see "
      "git-credential-tokex(1))";
  CHECK(parse({}).error().message == "no operation" + usage);
  CHECK(parse({"--profile"}).error().message == "option --profile needs a value" + usage);
  CHECK(parse({"--profile=", "get"}).error().message == "option --profile needs a value" + usage);
  CHECK(parse({"--verbose", "get"}).error().message == "unknown option '--verbose'" + usage);
  CHECK(parse({"get", "erase"}).error().message == "one operation only, after the options" + usage);
  CHECK(parse({"--profile", "../x", "get"}).error().message == "'../x' is not a profile name" + usage);
}

