#include "config.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "temp_dir.h"

using tokex::Environment;
using tokex::ParseConfig;

namespace {

Environment Env() {
  Environment env;
  env.vars["HOME"] = "/home/u";
  env.uid = 1000;
  return env;
}

// The error that fails the whole file.
std::string FileError(const std::string& text) {
  auto c = ParseConfig(text, "/cfg", Env());
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().kind == tokex::ErrorKind::kUsage);
  return c.error().message;
}

// The error of profile "x" in a file that parses.
std::string ErrorOf(const std::string& text) {
  auto c = ParseConfig(text, "/cfg", Env());
  REQUIRE(c.ok());
  auto p = c->Find("x");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().kind == tokex::ErrorKind::kUsage);
  return p.error().message;
}

}  // namespace

TEST_CASE("cisco-xdr profile with defaults and region") {
  auto c = ParseConfig(
      "[profile \"xdr\"]\n"
      "  preset = cisco-xdr\n"
      "  region = eu\n"
      "  client-id = client-6fd1\n"
      "  match = https://visibility.eu.amp.cisco.com/\n"
      "  match = https://private.intel.eu.amp.cisco.com/\n"
      "  ca-file = ~/ca.pem\n",
      "/cfg", Env());
  REQUIRE(c.ok());
  auto p = c->Find("xdr");
  REQUIRE(p.ok());
  CHECK((*p)->token_url == "https://visibility.eu.amp.cisco.com/iroh/oauth2/token");
  CHECK((*p)->refresh_margin == 120);
  CHECK((*p)->timeout == 30);
  CHECK((*p)->ca_file == "/home/u/ca.pem");
  CHECK((*p)->store->name == "secret-service");
  CHECK((*p)->env_name == "XDR_TOKEN");
  REQUIRE((*p)->match.size() == 2);
  CHECK((*p)->match[1].host == "private.intel.eu.amp.cisco.com");
}

TEST_CASE("keep-alive and refresh-token-ttl: seconds, with defaults, checked like refresh-margin") {
  auto c = ParseConfig("[profile \"d\"]\npreset = kaspersky-mdr\nclient-id = c\n"
                       "[profile \"s\"]\npreset = oauth2\ntoken-url = https://h/t\nclient-id = c\n"
                       "grant = refresh_token\nkeep-alive = 604800\nrefresh-token-ttl = 1209600\n",
                       "/cfg", Env());
  REQUIRE(c.ok());
  CHECK(c->profiles[0].keep_alive == 172800);
  CHECK(c->profiles[0].refresh_token_ttl == 0);
  CHECK(c->profiles[1].keep_alive == 604800);
  CHECK(c->profiles[1].refresh_token_ttl == 1209600);
  CHECK(ErrorOf("[profile \"x\"]\npreset = kaspersky-mdr\nclient-id = a\nkeep-alive = 2d\n") ==
        "/cfg:4: key 'keep-alive': expected whole seconds from 0 to 31536000 (a year)");
  CHECK(ErrorOf("[profile \"x\"]\npreset = kaspersky-mdr\nclient-id = a\nkeep-alive = 31536001\n") ==
        "/cfg:4: key 'keep-alive': expected whole seconds from 0 to 31536000 (a year)");
  CHECK(ErrorOf("[profile \"x\"]\npreset = kaspersky-mdr\nclient-id = a\nrefresh-token-ttl = 59\n") ==
        "/cfg:4: key 'refresh-token-ttl': expected whole seconds from 60 to 315360000 (ten years)");
  CHECK(ErrorOf("[profile \"x\"]\npreset = kaspersky-mdr\nclient-id = a\nrefresh-token-ttl = -1\n") ==
        "/cfg:4: key 'refresh-token-ttl': expected whole seconds from 60 to 315360000 (ten years)");
}

TEST_CASE("region defaults to us; base-url overrides the host") {
  auto c = ParseConfig("[profile \"a\"]\npreset=cisco-xdr\nclient-id=x\n"
                       "[profile \"b\"]\npreset=cisco-xdr\nclient-id=x\nbase-url=https://127.0.0.1:8443/\n"
                       "[profile \"c\"]\npreset=cisco-xdr\nclient-id=x\ntoken-url=https://h/t\n",
                       "/cfg", Env());
  REQUIRE(c.ok());
  CHECK(c->profiles[0].token_url == "https://visibility.amp.cisco.com/iroh/oauth2/token");
  CHECK(c->profiles[1].token_url == "https://127.0.0.1:8443/iroh/oauth2/token");
  CHECK(c->profiles[2].token_url == "https://h/t");
}

TEST_CASE("config errors name file, line and key") {
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nregion = mars\nclient-id = a\n") ==
        "/cfg:3: key 'region': unknown region 'mars' for preset cisco-xdr: use us, eu or apjc");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nregoin = eu\nclient-id = a\n") ==
        "/cfg:3: key 'regoin': unknown key for preset cisco-xdr: did you mean 'region'?");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\n") ==
        "/cfg:1: key 'client-id': missing: preset cisco-xdr needs it in profile 'x'");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco\nclient-id = a\n") ==
        "/cfg:2: key 'preset': unknown preset 'cisco': use cisco-xdr, cylance, kaspersky-mdr, azure-ad, ennov-insight or oauth2");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xrd\nclient-id = a\n") ==
        "/cfg:2: key 'preset': unknown preset 'cisco-xrd': did you mean 'cisco-xdr'?");
  CHECK(ErrorOf("[profile \"x\"]\nclient-id = a\n") ==
        "/cfg:1: key 'preset': profile 'x' has no preset: add 'preset = cisco-xdr' (or another preset)");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nclient-id = b\n") ==
        "/cfg:4: key 'client-id': set twice in profile 'x' (first on line 3)");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nbase-url = http://127.0.0.1/\n") ==
        "/cfg:4: key 'base-url': plain http:// is refused: use https://, or set allow-http = yes for a test server");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\ntimeout = 0\n") ==
        "/cfg:4: key 'timeout': expected whole seconds from 1 to 600");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nstore = vault\n") ==
        "/cfg:4: key 'store': unknown store 'vault': use secret-service, env, file or etcd");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nstore = flie\n") ==
        "/cfg:4: key 'store': unknown store 'flie': did you mean 'file'?");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nenv-name = LD_PRELOAD\n") ==
        "/cfg:4: key 'env-name': 'LD_PRELOAD' is not a usable variable name or changes how programs run");
  CHECK(ErrorOf("[profile \"x\"]\npreset = oauth2\nclient-id = a\ntoken-url = https://h/t\ngrant = password\n") ==
        "/cfg:5: key 'grant': 'password' is not supported by preset oauth2: use client_credentials, refresh_token or jwt-bearer");
  CHECK(ErrorOf("[profile \"x\"]\npreset = oauth2\nclient-id = a\n") ==
        "/cfg:1: key 'token-url': missing: preset oauth2 needs it in profile 'x'");
  CHECK(FileError("[global]\nx = y\n") ==
        "/cfg:1: unknown section '[global]': only [profile \"NAME\"] sections are allowed");
  CHECK(FileError("[profile \"../x\"]\n") == "/cfg:1: profile name '../x': use letters, digits, '.', '_' and '-'");
  CHECK(FileError("[profile \"x\"]\npreset cisco-xdr\n") == "/cfg:2: key 'preset': expected '=' after the key");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = \"a\\nb\"\n") ==
        "/cfg:3: key 'client-id': value contains a control character or invalid UTF-8");
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nmatch = https://u:p@h/\n") ==
        "/cfg:4: key 'match': 'https://...@h/' is not a usable URL: user names and passwords do not belong in a URL here");
}

TEST_CASE("a profile fails alone: the others in the file stay usable") {
  // As a config shared with a newer tokex would look: a preset this build
  // does not know, a key it does not know, a bad value, a key set twice.
  auto c = ParseConfig("[profile \"new\"]\npreset = acme-2030\nclient-id = a\n"
                       "[profile \"ok\"]\npreset = cisco-xdr\nclient-id = a\n"
                       "[profile \"key\"]\npreset = cisco-xdr\nclient-id = a\nfuture-key = 1\n"
                       "[profile \"twice\"]\npreset = cisco-xdr\nclient-id = a\nclient-id = b\n"
                       "[profile \"bad\"]\npreset = cisco-xdr\nclient-id = a\ntimeout = soon\n",
                       "/cfg", Env());
  REQUIRE(c.ok());
  REQUIRE(c->profiles.size() == 5);
  CHECK(c->Find("ok").ok());
  CHECK_FALSE(c->profiles[1].error);
  for (const char* name : {"new", "key", "twice", "bad"}) {
    auto p = c->Find(name);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().kind == tokex::ErrorKind::kUsage);
  }
  CHECK(c->Find("new").error().message == "/cfg:2: key 'preset': unknown preset 'acme-2030': use cisco-xdr, cylance, kaspersky-mdr, azure-ad, ennov-insight or oauth2");
  CHECK(c->Find("twice").error().message == "/cfg:14: key 'client-id': set twice in profile 'twice' (first on line 13)");
  // A broken profile is still listed, with its error, so status can show it.
  CHECK(c->profiles[0].name == "new");
  REQUIRE(c->profiles[0].error);
}

TEST_CASE("allow-http admits http endpoints") {
  auto c = ParseConfig("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nbase-url = http://127.0.0.1:1/\nallow-http = yes\n",
                       "/cfg", Env());
  REQUIRE(c.ok());
  CHECK(c->profiles[0].allow_http);
  CHECK(c->profiles[0].token_url == "http://127.0.0.1:1/iroh/oauth2/token");
}

TEST_CASE("unknown profiles get a suggestion") {
  auto c = ParseConfig("[profile \"xdr\"]\npreset = cisco-xdr\nclient-id = a\n", "/cfg", Env());
  REQUIRE(c.ok());
  auto p = c->Find("xrd");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message == "no profile 'xrd' in /cfg: did you mean 'xdr'?");
  CHECK(c->Find("zzzzzz").error().message == "no profile 'zzzzzz' in /cfg: profiles there are xdr");
}

TEST_CASE("the cache key changes with any setting") {
  const char* base = "[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\n";
  auto a = ParseConfig(base, "/cfg", Env());
  auto b = ParseConfig(std::string(base) + "region = eu\n", "/cfg", Env());
  auto c = ParseConfig("[profile \"x\"]\npreset = cisco-xdr\nclient-id = b\n", "/cfg", Env());
  auto a2 = ParseConfig(std::string("# comment\n") + base, "/other", Env());
  REQUIRE((a.ok() && b.ok() && c.ok() && a2.ok()));
  std::string ka = a->profiles[0].CacheKey();
  CHECK(ka.size() == 16);
  CHECK(ka != b->profiles[0].CacheKey());
  CHECK(ka != c->profiles[0].CacheKey());
  CHECK(ka == a2->profiles[0].CacheKey());
}

TEST_CASE("safe environment names") {
  CHECK(tokex::IsSafeEnvName("XDR_TOKEN"));
  CHECK_FALSE(tokex::IsSafeEnvName("LD_LIBRARY_PATH"));
  CHECK_FALSE(tokex::IsSafeEnvName("BASH_ENV"));
  CHECK_FALSE(tokex::IsSafeEnvName("PATH"));
  CHECK_FALSE(tokex::IsSafeEnvName("1X"));
  CHECK_FALSE(tokex::IsSafeEnvName("A-B"));
  CHECK_FALSE(tokex::IsSafeEnvName("PYTHONHOME"));
  CHECK_FALSE(tokex::IsSafeEnvName("GLIBC_TUNABLES"));
  CHECK(tokex::IsSafeEnvName("PYTH"));
}

namespace {

struct ConfigFile {
  tokex::testing::TempDir tmp;
  std::string path = tmp.path + "/config";
  explicit ConfigFile(mode_t mode) {
    std::ofstream(path) << "[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\n";
    REQUIRE(chmod(path.c_str(), mode) == 0);
  }
};

std::string ReadError(const std::string& path, uid_t uid, double wait = 5) {
  auto r = tokex::ReadConfigFile(path, uid, tokex::Deadline::In(wait));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().ExitCode() == 2);
  return r.error().message;
}

}  // namespace

TEST_CASE("a config others could have written is refused, as ssh refuses one") {
  for (mode_t mode : {0620, 0602, 0666}) {
    ConfigFile f(mode);
    CHECK(ReadError(f.path, getuid()) == "config " + f.path +
                                             " is writable by others, who could send your secrets elsewhere: chmod go-w " +
                                             f.path);
  }
  ConfigFile mine(0644);
  CHECK(tokex::ReadConfigFile(mine.path, getuid(), tokex::Deadline::In(5)).ok());
  // Owned by someone else: the file here is the test runner's, so ask as
  // another user would.
  if (getuid() != 0) {
    CHECK(ReadError(mine.path, getuid() + 1).find("belongs to another user") != std::string::npos);
  } else {
    REQUIRE(chown(mine.path.c_str(), 65534, 65534) == 0);
    CHECK(ReadError(mine.path, 0).find("belongs to another user (uid 65534)") != std::string::npos);
    REQUIRE(chown(mine.path.c_str(), 0, 0) == 0);
    CHECK(tokex::ReadConfigFile(mine.path, 1000, tokex::Deadline::In(5)).ok());  // root's, not writable by others
  }
}

TEST_CASE("a FIFO config with no writer fails at the deadline; one with a writer is read") {
  tokex::testing::TempDir tmp;
  std::string fifo = tmp.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  double start = tokex::MonotonicSeconds();
  CHECK(ReadError(fifo, getuid(), 0.3).find("gave no end of file") != std::string::npos);
  CHECK(tokex::MonotonicSeconds() - start < 2);

  pid_t writer = fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    usleep(200 * 1000);  // after the reader is waiting
    int fd = open(fifo.c_str(), O_WRONLY);
    const char text[] = "[profile \"x\"]\n";
    _exit(fd >= 0 && write(fd, text, sizeof text - 1) == sizeof text - 1 ? 0 : 1);
  }
  auto r = tokex::ReadConfigFile(fifo, getuid(), tokex::Deadline::In(5));
  waitpid(writer, nullptr, 0);
  REQUIRE(r.ok());
  CHECK(*r == "[profile \"x\"]\n");
}

TEST_CASE("config errors name the profile; a secret in the config gets the command that stores it") {
  auto c = ParseConfig("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nclient-secret = hunter2\n", "/cfg", Env());
  REQUIRE(c.ok());
  auto p = c->Find("x");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().profile == "x");
  CHECK(p.error().message == "/cfg:4: key 'client-secret': secrets never go in the config file: remove it and "
                             "store the value with 'tokex secret set x client-secret' (it is read from stdin)");
  CHECK(p.error().message.find("hunter2") == std::string::npos);
  CHECK(ErrorOf("[profile \"x\"]\npreset = oauth2\nclient-id = a\ntoken-url = https://h/t\nclient_secret = s\n")
            .find("'tokex secret set x client-secret'") != std::string::npos);
}

TEST_CASE("each preset's token URL: regions, clouds, {key} in the path, base-url of the API") {
  auto c = ParseConfig(
      "[profile \"cy\"]\npreset = cylance\nregion = euc1\ntenant = t1\nclient-id = app\ntoken-lifetime = 600\n"
      "[profile \"cy-default\"]\npreset = cylance\ntenant = t1\nclient-id = app\n"
      "[profile \"mdr\"]\npreset = kaspersky-mdr\nclient-id = 9ed43ed5\n"
      "[profile \"az\"]\npreset = azure-ad\ntenant = 72f988bf-86f1-41af\nclient-id = c\ncloud = usgov\n"
      "[profile \"az-test\"]\npreset = azure-ad\ntenant = t\nclient-id = c\nbase-url = https://127.0.0.1:9/\n"
      "[profile \"rim\"]\npreset = ennov-insight\ntenant = t\nclient-id = c\nbase-url = https://rim.example.com:8443/insight\n"
      "[profile \"o2\"]\npreset = oauth2\nclient-id = c\ntoken-url = https://idp/t\nform-resource_id = r1\n",
      "/cfg", Env());
  REQUIRE(c.ok());
  auto url = [&](const char* name) {
    auto p = c->Find(name);
    REQUIRE(p.ok());
    return (*p)->token_url;
  };
  CHECK(url("cy") == "https://protectapi-euc1.cylance.com/auth/v2/token");
  CHECK(url("cy-default") == "https://protectapi.cylance.com/auth/v2/token");
  CHECK(url("mdr") == "https://mdr.kaspersky.com/api/v1/9ed43ed5/session/confirm");
  CHECK(url("az") == "https://login.microsoftonline.us/72f988bf-86f1-41af/oauth2/v2.0/token");
  CHECK(url("az-test") == "https://127.0.0.1:9/t/oauth2/v2.0/token");
  // Ennov's base-url is the InSight server; its token comes from Azure AD.
  CHECK(url("rim") == "https://login.microsoftonline.com/t/oauth2/v2.0/token");
  CHECK((*c->Find("rim"))->base_url == "https://rim.example.com:8443/insight");
  CHECK(url("o2") == "https://idp/t");
}

TEST_CASE("preset keys: ranges, prefixes, URL-safe values in the token path") {
  CHECK(ErrorOf("[profile \"x\"]\npreset = cylance\ntenant = t\nclient-id = a\ntoken-lifetime = 3600\n") ==
        "/cfg:5: key 'token-lifetime': expected whole seconds from 60 to 1800");
  CHECK(ErrorOf("[profile \"x\"]\npreset = kaspersky-mdr\nclient-id = a/../b\n") ==
        "/cfg:3: key 'client-id': use letters, digits, '.', '_', '~' and '-' only: it is part of the token URL");
  CHECK(ErrorOf("[profile \"x\"]\npreset = azure-ad\ntenant = t\nclient-id = c\ncloud = mars\n") ==
        "/cfg:5: key 'cloud': unknown cloud 'mars' for preset azure-ad: use public, usgov or china");
  CHECK(ErrorOf("[profile \"x\"]\npreset = ennov-insight\ntenant = t\nclient-id = c\n") ==
        "/cfg:1: key 'base-url': missing: preset ennov-insight needs it in profile 'x'");
  // A bare prefix is not an extra field; and cisco-xdr takes none.
  CHECK(ErrorOf("[profile \"x\"]\npreset = oauth2\nclient-id = c\ntoken-url = https://h/t\nform- = 1\n")
            .find("unknown key for preset oauth2") != std::string::npos);
  CHECK(ErrorOf("[profile \"x\"]\npreset = cisco-xdr\nclient-id = c\nform-a = 1\n")
            .find("unknown key for preset cisco-xdr") != std::string::npos);
}

TEST_CASE("match: scheme, host and port exactly; the path in whole segments; the longest wins") {
  auto c = ParseConfig("[profile \"org\"]\npreset = cisco-xdr\nclient-id = a\nmatch = https://git.example/org\n"
                       "[profile \"repo\"]\npreset = cisco-xdr\nclient-id = a\nmatch = https://git.example/org/repo.git\n"
                       "[profile \"host\"]\npreset = cisco-xdr\nclient-id = a\nmatch = https://registry.example:5000/\n"
                       "[profile \"broken\"]\npreset = nope\nmatch = https://broken.example/\n",
                       "/cfg", Env());
  REQUIRE(c.ok());
  auto name = [&](const char* url, bool with_path = true) -> std::string {
    auto u = tokex::ParseUrl(url);
    REQUIRE(u.ok());
    const tokex::Profile* p = c->Match(*u, with_path);
    return p ? p->name : "(none)";
  };
  CHECK(name("https://git.example/org/other.git") == "org");
  CHECK(name("https://git.example/org") == "org");
  CHECK(name("https://git.example/org/repo.git") == "repo");
  CHECK(name("https://git.example/org/repo.git/info/refs?service=x") == "repo");
  CHECK(name("https://git.example/orgx/a") == "(none)");
  CHECK(name("http://git.example/org/a") == "(none)");
  CHECK(name("https://git.example:8443/org/a") == "(none)");
  CHECK(name("https://git.example/") == "(none)");
  CHECK(name("https://git.example", false) == "org");  // no path: the first profile of the host
  CHECK(name("https://registry.example:5000/v2/") == "host");
  CHECK(name("https://registry.example:5000", false) == "host");
  CHECK(name("https://broken.example/") == "(none)");  // an unusable profile never matches
  // ...but says why when nothing does.
  REQUIRE(c->UnusableMatcher() != nullptr);
  CHECK(c->UnusableMatcher()->name == "broken");
  tokex::Error e = c->NoMatchError("https://broken.example/");
  CHECK(e.kind == tokex::ErrorKind::kUsage);
  CHECK(e.message.starts_with("no usable profile in /cfg matches https://broken.example/: profile 'broken' has a "
                              "match but cannot be used: /cfg:"));
  auto fine = ParseConfig("[profile \"a\"]\npreset = cisco-xdr\nclient-id = a\n", "/cfg", Env());
  REQUIRE(fine.ok());
  CHECK(fine->UnusableMatcher() == nullptr);
  CHECK(fine->NoMatchError("https://x.example/").message ==
        "no usable profile in /cfg matches https://x.example/: add a match for it to a profile (see tokex.conf(5))");
}

TEST_CASE("store = etcd: endpoints in order, TLS files, user, prefix, local store, lock TTL") {
  auto c = ParseConfig(
      "[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nstore = etcd\n"
      "etcd-endpoints = https://10.0.0.1:2379/  https://10.0.0.2:2379\n"
      "etcd-ca-file = ~/ca.pem\netcd-client-cert = /c.pem\netcd-client-key = /k.pem\netcd-user = fleet\n"
      "etcd-prefix = ci/\netcd-local-store = env\netcd-lock-ttl = 4\n",
      "/cfg", Env());
  REQUIRE(c.ok());
  const tokex::Profile& p = c->profiles[0];
  REQUIRE_FALSE(p.error);
  REQUIRE(p.etcd);
  CHECK(p.etcd->endpoints == std::vector<std::string>{"https://10.0.0.1:2379", "https://10.0.0.2:2379"});
  CHECK(p.etcd->ca_file == "/home/u/ca.pem");
  CHECK(p.etcd->client_cert == "/c.pem");
  CHECK(p.etcd->client_key == "/k.pem");
  CHECK(p.etcd->user == "fleet");
  CHECK(p.etcd->prefix == "ci/");
  CHECK(p.etcd->local_store->name == "env");
  CHECK(p.etcd->lock_ttl == 4);

  auto d = ParseConfig("[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nstore = etcd\netcd-endpoints = https://e:2379\n",
                       "/cfg", Env());
  REQUIRE(d.ok());
  REQUIRE(d->profiles[0].etcd);
  CHECK(d->profiles[0].etcd->prefix == "tokex/");
  CHECK(d->profiles[0].etcd->local_store->name == "secret-service");
  CHECK(d->profiles[0].etcd->lock_ttl == 10);
}

TEST_CASE("store = etcd: what is missing, misplaced or wrong names the key") {
  const std::string head = "[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\n";
  CHECK(ErrorOf(head + "etcd-endpoints = https://e:2379\n") ==
        "/cfg:4: key 'etcd-endpoints': only used with store = etcd: remove it, or set store = etcd");
  CHECK(ErrorOf(head + "store = etcd\n") ==
        "/cfg:1: key 'etcd-endpoints': missing: store = etcd needs the cluster's client URLs");
  const std::string etcd = head + "store = etcd\netcd-endpoints = https://e:2379\n";
  CHECK(ErrorOf(head + "store = etcd\netcd-endpoints = http://e:2379\n") ==
        "/cfg:5: key 'etcd-endpoints': plain http:// is refused: use https://, or set allow-http = yes for a test server");
  CHECK(ErrorOf(etcd + "etcd-local-store = etcd\n") ==
        "/cfg:6: key 'etcd-local-store': 'etcd' is not a store of this host: use secret-service, env or file");
  CHECK(ErrorOf(etcd + "etcd-client-cert = /c.pem\n") ==
        "/cfg:6: key 'etcd-client-cert': set both etcd-client-cert and etcd-client-key, or neither");
  CHECK(ErrorOf(etcd + "etcd-lock-ttl = 1\n") == "/cfg:6: key 'etcd-lock-ttl': expected whole seconds from 2 to 600");
  CHECK(ErrorOf(etcd + "etcd-prefix =\n") == "/cfg:6: key 'etcd-prefix': expected a non-empty key prefix, e.g. tokex/");
}

TEST_CASE("the shared cache key leaves out what differs between the hosts of a fleet") {
  const std::string head = "[profile \"x\"]\npreset = cisco-xdr\nclient-id = a\nstore = etcd\n";
  auto a = ParseConfig(head + "etcd-endpoints = https://a:2379 https://b:2379\n", "/cfg", Env());
  auto b = ParseConfig(head + "etcd-endpoints = https://b:2379 https://a:2379\netcd-local-store = env\n", "/cfg", Env());
  auto c = ParseConfig(head + "etcd-endpoints = https://a:2379\nregion = eu\n", "/cfg", Env());
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a->profiles[0].SharedCacheKey() == b->profiles[0].SharedCacheKey());
  CHECK(a->profiles[0].CacheKey() != b->profiles[0].CacheKey());
  CHECK(a->profiles[0].SharedCacheKey() != c->profiles[0].SharedCacheKey());
}
