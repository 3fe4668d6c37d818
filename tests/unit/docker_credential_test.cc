#include "docker_credential.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cache.h"
#include "docker_front.h"
#include "front_home.h"
#include "temp_dir.h"

using tokex::DockerAnswer;
using tokex::DockerServer;
using tokex::ErrorKind;

namespace {

// One row of the normalisation table: the request, then the URL it means
// ("SCHEME://HOST:PORT/PATH"), whether it named a scheme and a path, and
// whether it is Docker Hub.
struct UrlCase {
  std::string_view request;
  std::string_view url;
  bool has_scheme;
  bool has_path;
  bool hub;
};

std::string Spelled(const tokex::Url& u) { return u.scheme + "://" + u.host + ":" + std::to_string(u.port) + u.path; }

std::vector<std::string> Spelled(const std::vector<tokex::Url>& urls) {
  std::vector<std::string> out;
  for (const tokex::Url& u : urls) out.push_back(Spelled(u));
  return out;
}

}  // namespace

TEST_CASE("server URLs are read as registryurl.Parse reads them") {
  // The first rows are registryurl/parse_test.go's.
  const UrlCase cases[] = {
      {"foobar.example.com", "https://foobar.example.com:443/", false, false, false},
      {"foobar.example.com:2376", "https://foobar.example.com:2376/", false, false, false},
      {"//foobar.example.com:2376", "https://foobar.example.com:2376/", false, false, false},
      {"http://foobar.example.com:2376", "http://foobar.example.com:2376/", true, false, false},
      {"https://foobar.example.com:2376", "https://foobar.example.com:2376/", true, false, false},
      {"https://foobar.example.com:2376/some/path", "https://foobar.example.com:2376/some/path", true, true, false},
      {"https://foobar.example.com:2376/some/other/path?foo=bar", "https://foobar.example.com:2376/some/other/path",
       true, true, false},
      {"127.0.0.1:5000", "https://127.0.0.1:5000/", false, false, false},
      {"127.0.0.1:5000/team/app", "https://127.0.0.1:5000/team/app", false, true, false},
      {"https://127.0.0.1:5000/", "https://127.0.0.1:5000/", true, false, false},
      {"[::1]:5000", "https://[::1]:5000/", false, false, false},
      {"Registry.Example.COM", "https://registry.example.com:443/", false, false, false},
      // What the tools send: a final newline, surrounding blanks.
      {"127.0.0.1:5000\n", "https://127.0.0.1:5000/", false, false, false},
      {"  https://r.example/ \r\n", "https://r.example:443/", true, false, false},
      // Docker Hub under each of its names is one server, without a path.
      {"https://index.docker.io/v1/", "https://index.docker.io:443/", true, false, true},
      {"HTTPS://Index.Docker.IO/v1/", "https://index.docker.io:443/", true, false, true},
      {"docker.io", "https://index.docker.io:443/", false, false, true},
      {"index.docker.io", "https://index.docker.io:443/", false, false, true},
      {"registry-1.docker.io", "https://index.docker.io:443/", false, false, true},
      {"https://registry-1.docker.io/v2/", "https://index.docker.io:443/", true, false, true},
      {"docker.io:443", "https://index.docker.io:443/", false, false, true},
      // Another port is another server.
      {"docker.io:5000", "https://docker.io:5000/", false, false, false},
  };
  for (const UrlCase& c : cases) {
    CAPTURE(c.request);
    auto s = tokex::ParseDockerServer(c.request);
    REQUIRE(s.ok());
    CHECK(Spelled(s->url) == c.url);
    CHECK(s->has_scheme == c.has_scheme);
    CHECK(s->has_path == c.has_path);
    CHECK(s->docker_hub == c.hub);
  }
  auto s = tokex::ParseDockerServer("  https://index.docker.io/v1/\n");
  REQUIRE(s.ok());
  CHECK(s->text == "https://index.docker.io/v1/");
}

TEST_CASE("bad server URLs are refused in one line that never repeats a password") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "no credentials server URL"},
      {" \r\n", "no credentials server URL"},
      {"/foobar.example.com", "no hostname in URL"},
      {"https:///path", "no hostname in URL"},
      {"ftp://foobar.example.com:2376", "unsupported scheme: ftp: use https:// or http://"},
      {"://foobar.example.com", "missing protocol scheme: use https://HOST or HOST"},
      {"https://r.example\r\nX-Injected: 1", "the server URL holds a line break: send one URL on one line"},
      {"r.example\nr2.example", "the server URL holds a line break: send one URL on one line"},
      {"r.example\rr2", "the server URL holds a line break: send one URL on one line"},
      {"https://r.example/a b", "the server URL holds whitespace or a control character"},
      {std::string_view("r.example\0x", 11), "the server URL holds whitespace or a control character"},
      {"r.example\x7f", "the server URL holds whitespace or a control character"},
      {"r.example\xc2\x85", "the server URL holds a control character or invalid UTF-8"},
      {"r.example\xff", "the server URL holds a control character or invalid UTF-8"},
      {"https://robot:hunter2@r.example", "user names and passwords do not belong in a server URL: send HOST[:PORT]"},
      {"robot:hunter2@r.example:5000", "user names and passwords do not belong in a server URL: send HOST[:PORT]"},
      {"//hunter2@r.example", "user names and passwords do not belong in a server URL: send HOST[:PORT]"},
  };
  for (const auto& [request, message] : cases) {
    std::string_view shown = request;  // CAPTURE cannot take a structured binding
    CAPTURE(shown);
    auto s = tokex::ParseDockerServer(request);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::kUsage);
    CHECK(s.error().message == message);
  }
  auto s = tokex::ParseDockerServer("r.example:99999");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("bad port") != std::string::npos);
}

TEST_CASE("the URLs a server is looked up under") {
  auto urls = [](std::string_view request) {
    auto s = tokex::ParseDockerServer(request);
    REQUIRE(s.ok());
    return Spelled(tokex::DockerMatchUrls(*s));
  };
  using V = std::vector<std::string>;
  CHECK(urls("https://r.example:5000") == V{"https://r.example:5000/"});
  CHECK(urls("http://r.example") == V{"http://r.example:80/"});
  // Without a scheme, an http registry may be meant too.
  CHECK(urls("r.example:5000") == V{"https://r.example:5000/", "http://r.example:5000/"});
  CHECK(urls("r.example") == V{"https://r.example:443/", "http://r.example:80/"});
  CHECK(urls("r.example/team") == V{"https://r.example:443/team", "http://r.example:80/team"});
  const V hub{"https://index.docker.io:443/", "https://docker.io:443/", "https://registry-1.docker.io:443/"};
  CHECK(urls("https://index.docker.io/v1/") == hub);
  CHECK(urls("docker.io") == hub);
}

TEST_CASE("list keys") {
  auto key = [](std::string_view match) {
    auto u = tokex::ParseUrl(match);
    REQUIRE(u.ok());
    return tokex::DockerListKey(*u);
  };
  CHECK(key("https://127.0.0.1:5000") == "https://127.0.0.1:5000/");
  CHECK(key("https://r.example:443/team/") == "https://r.example/team/");
  CHECK(key("http://r.example:8080/") == "http://r.example:8080/");
  CHECK(key("https://docker.io/") == "https://index.docker.io/v1/");
  CHECK(key("https://index.docker.io/v1/") == "https://index.docker.io/v1/");
  CHECK(key("https://docker.io:5000/") == "https://docker.io:5000/");
}

TEST_CASE("store's JSON is decoded as encoding/json decodes Credentials") {
  auto r = tokex::ParseDockerStoreRequest(R"({"ServerURL":"127.0.0.1:5000","Username":"robot","Secret":"hunter2"})"
                                          "\n");
  REQUIRE(r.ok());
  CHECK(r->server_url == "127.0.0.1:5000");
  CHECK(r->username == "robot");
  // Keys match in any case; unknown keys and what follows the value are
  // ignored; a null leaves a field as it was; the last duplicate wins.
  r = tokex::ParseDockerStoreRequest(
      R"( {"serverurl":"a","USERNAME":"u","secret":null,"Extra":[1],"Username":"v"} junk)");
  REQUIRE(r.ok());
  CHECK(r->server_url == "a");
  CHECK(r->username == "v");
  r = tokex::ParseDockerStoreRequest(R"({"ServerURL":"a\u00e9\/b","Username":"u\"q"})");
  REQUIRE(r.ok());
  CHECK(r->server_url == "a\xc3\xa9/b");
  CHECK(r->username == "u\"q");
}

TEST_CASE("bad store requests are refused without quoting them") {
  constexpr std::string_view kNotJson =
      R"(the store request is not a JSON object: expected {"ServerURL", "Username", "Secret"})";
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", kNotJson},
      {R"({"Secret":"hunter2")", kNotJson},
      {R"(["hunter2"])", kNotJson},
      {R"("hunter2")", kNotJson},
      {R"({"ServerURL":"a","Username":"u","Secret":7})", "the store request's Secret is not a string"},
      {R"({"ServerURL":["a"],"Username":"u"})", "the store request's ServerURL is not a string"},
      {R"({"Username":"u","Secret":"hunter2"})", "no credentials server URL"},
      {"null", "no credentials server URL"},
      {R"({"ServerURL":"a","Secret":"hunter2"})", "no credentials username"},
  };
  for (const auto& [json, message] : cases) {
    std::string_view shown = json;
    CAPTURE(shown);
    auto r = tokex::ParseDockerStoreRequest(std::string(json));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::kUsage);
    CHECK(r.error().message == message);
  }
}

TEST_CASE("get's answer is the JSON docker decodes") {
  auto text = tokex::FormatDockerAnswer(DockerAnswer{"127.0.0.1:5000", "client", "xdr-tok"});
  REQUIRE(text.ok());
  CHECK(*text == R"({"ServerURL":"127.0.0.1:5000","Username":"client","Secret":"xdr-tok"})"
                 "\n");
  text = tokex::FormatDockerAnswer(DockerAnswer{"https://index.docker.io/v1/", "a\"b\\c", "t/é"});
  REQUIRE(text.ok());
  CHECK(*text == R"({"ServerURL":"https://index.docker.io/v1/","Username":"a\"b\\c","Secret":"t/é"})"
                 "\n");
}

TEST_CASE("values that would break the answer are refused, never quoted") {
  for (const char* token : {"a\nb", "a\rb", "a\tb", "\x7f", "\xc2\x85", "\xff"}) {
    auto text = tokex::FormatDockerAnswer(DockerAnswer{"r", "u", token});
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().kind == ErrorKind::kNetwork);
    CHECK(text.error().message == "refusing to send docker a Secret that holds a control character or invalid UTF-8");
  }
  auto text = tokex::FormatDockerAnswer(DockerAnswer{"r", std::string_view("u\0v", 3), "t"});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kUsage);
  CHECK(text.error().message == "refusing to send docker a Username that holds a control character or invalid UTF-8");
  text = tokex::FormatDockerAnswer(DockerAnswer{"r\n", "u", "t"});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kUsage);
  text = tokex::FormatDockerAnswer(DockerAnswer{"r", "u", ""});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kInternal);
}

TEST_CASE("list's answer: keys in byte order, as Go writes a map") {
  std::map<std::string, std::string> accounts{{"https://z.example/", "zed"}, {"https://a.example:5000/", "client"}};
  auto text = tokex::FormatDockerList(accounts);
  REQUIRE(text.ok());
  CHECK(*text == R"({"https://a.example:5000/":"client","https://z.example/":"zed"})"
                 "\n");
  text = tokex::FormatDockerList({});
  REQUIRE(text.ok());
  CHECK(*text == "{}\n");
  text = tokex::FormatDockerList({{"https://a.example/", "bad\nname"}});
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().kind == ErrorKind::kUsage);
}

// The front's decisions.

namespace {

using tokex::FrontStep;

constexpr int64_t kNow = 1'800'000'000;

struct Home : tokex::testing::FrontHome {
  explicit Home(std::string text) : FrontHome(std::move(text), kNow) {}
};

using Run = tokex::testing::FrontRun;
using tokex::testing::Contents;

Run Front(const Home& home, std::vector<std::string> argv, std::string_view request = {}) {
  return tokex::testing::RunFrontIn(tokex::RunDockerCredentialFront, home, std::move(argv), request);
}

std::string Reported(const tokex::Error& e) {
  FILE* out = tmpfile();
  REQUIRE(out != nullptr);
  CHECK(tokex::ReportDockerFailure(tokex::kDockerHelperName, e, {stdin, out, stderr}) == 1);
  std::string text = Contents(out);
  fclose(out);
  return text;
}

const char* const kProfiles = R"([profile "reg"]
    preset    = cisco-xdr
    client-id = a
    match     = https://127.0.0.1:5000/
[profile "hub"]
    preset    = oauth2
    token-url = https://login.example/token
    client-id = h
    username  = robot
    match     = https://docker.io/
[profile "team"]
    preset    = cisco-xdr
    client-id = t
    match     = https://r.example/team/ http://plain.example:5000/
[profile "broken"]
    preset    = cisco-xdr
    region    = mars
    match     = https://broken.example/
[profile "rim"]
    preset    = ennov-insight
    tenant    = t
    client-id = c
    base-url  = https://rim.example/insight
    match     = https://rim.example/
)";

}  // namespace

TEST_CASE("front: a fresh cached token answers at once") {
  Home home(kProfiles);
  home.CacheToken("reg", "tok-reg", kNow + 600);
  Run r = Front(home, {"get"}, "127.0.0.1:5000");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kDone);
  CHECK(r.out == R"({"ServerURL":"127.0.0.1:5000","Username":"client","Secret":"tok-reg"})"
                 "\n");
  r = Front(home, {"get"}, "https://127.0.0.1:5000\n");
  REQUIRE(r.step.ok());
  CHECK(r.out == R"({"ServerURL":"https://127.0.0.1:5000","Username":"client","Secret":"tok-reg"})"
                 "\n");
}

TEST_CASE("front: Docker Hub under docker's name and under podman's") {
  Home home(kProfiles);
  home.CacheToken("hub", "tok-hub", kNow + 600);
  for (const char* request : {"https://index.docker.io/v1/", "docker.io", "registry-1.docker.io"}) {
    CAPTURE(request);
    Run r = Front(home, {"get"}, request);
    REQUIRE(r.step.ok());
    CHECK(r.out == std::string(R"({"ServerURL":")") + request + R"(","Username":"robot","Secret":"tok-hub"})" + "\n");
  }
}

TEST_CASE("front: no fresh token hands the request and the config to the engine") {
  Home home(kProfiles);
  Run r = Front(home, {"get"}, "127.0.0.1:5000\n");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kNeedsEngine);
  CHECK(r.out.empty());
  CHECK(r.handoff.consumed_stdin == "127.0.0.1:5000\n");
  CHECK(r.handoff.config == home.config_text);
  // A token within the refresh margin (120 s) is not fresh either.
  home.CacheToken("reg", "tok-reg", kNow + 100);
  r = Front(home, {"get"}, "127.0.0.1:5000");
  CHECK(*r.step == FrontStep::kNeedsEngine);
  CHECK(r.out.empty());
}

TEST_CASE("front: which profile a server selects") {
  Home home(kProfiles);
  auto profile_of = [&home](std::string_view request) -> std::string {
    Run r = Front(home, {"get"}, request);
    if (!r.step.ok()) return tokex::IsDockerNotFound(r.step.error()) ? "not found" : r.step.error().message;
    CHECK(*r.step == FrontStep::kNeedsEngine);
    auto config = tokex::ParseConfig(*r.handoff.config, "config", home.env);
    auto server = tokex::ParseDockerServer(r.handoff.consumed_stdin);
    REQUIRE((config.ok() && server.ok()));
    return tokex::FindDockerProfile(*config, *server)->name;
  };
  CHECK(profile_of("127.0.0.1:5000") == "reg");
  CHECK(profile_of("https://127.0.0.1:5000/v2/") == "reg");
  CHECK(profile_of("http://127.0.0.1:5000") == "not found");  // another scheme
  CHECK(profile_of("127.0.0.1:5001") == "not found");
  CHECK(profile_of("127.0.0.1") == "not found");
  CHECK(profile_of("nothing.example") == "not found");
  // Without a path, scheme, host and port decide; with one, the path too.
  CHECK(profile_of("r.example") == "team");
  CHECK(profile_of("https://r.example/team/app") == "team");
  CHECK(profile_of("https://r.example/other") == "not found");
  // Without a scheme, an http registry is found too.
  CHECK(profile_of("plain.example:5000") == "team");
  // A profile with a config error is never picked.
  CHECK(profile_of("broken.example") == "not found");
}

TEST_CASE("front: no match is docker's not-found answer") {
  Home home(kProfiles);
  Run r = Front(home, {"get"}, "elsewhere.example:5000");
  REQUIRE_FALSE(r.step.ok());
  CHECK(tokex::IsDockerNotFound(r.step.error()));
  CHECK(r.out.empty());
  CHECK(Reported(r.step.error()) == "credentials not found in native keychain\n");
}

TEST_CASE("front: the protocol's own texts are reported alone, the rest as tokex's") {
  using tokex::MakeError;
  CHECK(Reported(MakeError(ErrorKind::kUsage, "no credentials server URL")) == "no credentials server URL\n");
  CHECK(Reported(MakeError(ErrorKind::kUsage, "no credentials username")) == "no credentials username\n");
  CHECK(Reported(MakeError(ErrorKind::kStore, "keyring locked")) == "docker-credential-tokex: keyring locked\n");
  CHECK(Reported(tokex::InProfile(MakeError(ErrorKind::kStore, "keyring locked"), "reg")) ==
        "docker-credential-tokex: reg: keyring locked\n");
}

TEST_CASE("front: a session profile has no token for a registry") {
  Home home(kProfiles);
  Run r = Front(home, {"get"}, "rim.example");
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().kind == ErrorKind::kUsage);
  CHECK(r.step.error().profile == "rim");
  CHECK(Reported(r.step.error()) ==
        "docker-credential-tokex: rim: preset ennov-insight gives a session (a cookie and a CSRF header), not a token "
        "a registry takes: take this registry out of the profile's match\n");
}

TEST_CASE("front: erase drops the cached token of the matched profile only") {
  Home home(kProfiles);
  home.CacheToken("reg", "tok-reg", kNow + 600);
  home.CacheToken("hub", "tok-hub", kNow + 600);
  Run r = Front(home, {"erase"}, "127.0.0.1:5000\n");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kDone);
  CHECK(r.out.empty());
  CHECK_FALSE(home.Cached("reg"));
  CHECK(home.Cached("hub"));
  r = Front(home, {"erase"}, "elsewhere.example");
  REQUIRE_FALSE(r.step.ok());
  CHECK(tokex::IsDockerNotFound(r.step.error()));
  CHECK(home.Cached("hub"));
}

TEST_CASE("front: store succeeds for a matched registry and keeps nothing") {
  Home home(kProfiles);
  Run r = Front(home, {"store"}, R"({"ServerURL":"127.0.0.1:5000","Username":"me","Secret":"hunter2"})"
                                 "\n");
  REQUIRE(r.step.ok());
  CHECK(*r.step == FrontStep::kDone);
  CHECK(r.out.empty());
  CHECK_FALSE(home.Cached("reg"));
  r = Front(home, {"store"}, R"({"ServerURL":"elsewhere.example","Username":"me","Secret":"hunter2"})");
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().message ==
        "no profile's match covers elsewhere.example: tokex keeps no registry passwords; use another credential "
        "helper for this registry");
  r = Front(home, {"store"}, R"({"ServerURL":"127.0.0.1:5000","Secret":"hunter2"})");
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().message == "no credentials username");
}

TEST_CASE("front: list shows every usable profile's match URLs and user name") {
  Home home(kProfiles);
  Run r = Front(home, {"list"});
  REQUIRE(r.step.ok());
  CHECK(r.out == R"({"http://plain.example:5000/":"client","https://127.0.0.1:5000/":"client",)"
                 R"("https://index.docker.io/v1/":"robot","https://r.example/team/":"client"})"
                 "\n");
}

TEST_CASE("front: version, help, and actions it does not know") {
  Home home(kProfiles);
  for (const char* action : {"version", "--version", "-v"}) {
    Run r = Front(home, {action});
    REQUIRE(r.step.ok());
    CHECK(r.out.starts_with("docker-credential-tokex (tokex) "));
  }
  Run r = Front(home, {"--help"});
  REQUIRE(r.step.ok());
  CHECK(r.out == "Usage: docker-credential-tokex <store|get|erase|list|version>\n");
  r = Front(home, {"gte"});
  REQUIRE_FALSE(r.step.ok());
  CHECK(Reported(r.step.error()) ==
        "docker-credential-tokex: unknown action: gte: did you mean 'get'? (Usage: docker-credential-tokex "
        "<store|get|erase|list|version>)\n");
  r = Front(home, {});
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().kind == ErrorKind::kUsage);
  r = Front(home, {"get", "extra"});
  REQUIRE_FALSE(r.step.ok());
  CHECK(r.step.error().message ==
        "expected one action (Usage: docker-credential-tokex <store|get|erase|list|version>)");
}

TEST_CASE("front: bad requests are one clear error") {
  Home home(kProfiles);
  home.CacheToken("reg", "tok-reg", kNow + 600);
  auto error_of = [&home](std::string_view request) {
    Run r = Front(home, {"get"}, request);
    REQUIRE_FALSE(r.step.ok());
    CHECK(r.out.empty());
    return r.step.error().message;
  };
  CHECK(error_of("") == "no credentials server URL");
  CHECK(error_of("https://127.0.0.1:5000\r\nX: 1") == "the server URL holds a line break: send one URL on one line");
  CHECK(error_of("https://me:hunter2@127.0.0.1:5000") ==
        "user names and passwords do not belong in a server URL: send HOST[:PORT]");
  CHECK(error_of(std::string_view("127.0.0.1:5000\0", 15)) == "the server URL holds whitespace or a control character");
}

TEST_CASE("requests are read to their end, or to a line break on a pipe left open") {
  // From a file: all of it, up to the limit.
  auto from_file = [](const std::string& content) {
    FILE* f = tmpfile();
    REQUIRE(f != nullptr);
    REQUIRE(fwrite(content.data(), 1, content.size(), f) == content.size());
    fflush(f);
    lseek(fileno(f), 0, SEEK_SET);
    auto r = tokex::ReadDockerRequest(fileno(f));
    fclose(f);
    return r;
  };
  auto r = from_file(std::string(tokex::kMaxDockerRequest, 'a'));
  REQUIRE(r.ok());
  CHECK(r->size() == tokex::kMaxDockerRequest);
  r = from_file(std::string(tokex::kMaxDockerRequest + 1, 'a'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::kUsage);
  CHECK(r.error().message == "the request on stdin is larger than 64 KiB: send one server URL");
  r = from_file("r.example\nmore\n");
  REQUIRE(r.ok());
  CHECK(*r == "r.example\nmore\n");

  // From a pipe whose writer keeps it open: a line break ends the wait, and
  // what has arrived by then is the request.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const char request[] = "127.0.0.1:5000\nX: 1";
  REQUIRE(write(fds[1], request, sizeof request - 1) == static_cast<ssize_t>(sizeof request - 1));
  auto start = std::chrono::steady_clock::now();
  r = tokex::ReadDockerRequest(fds[0]);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  REQUIRE(r.ok());
  CHECK(*r == request);
  close(fds[0]);
  close(fds[1]);
}


