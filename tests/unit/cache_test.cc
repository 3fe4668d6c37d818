#include "cache.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "lock.h"
#include "private_file.h"
#include "temp_dir.h"

using tokex::CacheRecord;
using tokex::Credential;
using tokex::Secret;
using tokex::TokenCache;
using tokex::testing::TempDir;

namespace {

Credential Sample() {
  Credential c = tokex::MakeBearerCredential(Secret("tok"), "bearer", 100, 700, "s1 s2");
  c.cookies.push_back({"h", "/p", "SID", Secret("v"), false, 9});
  return c;
}

}  // namespace

TEST_CASE("cache records round-trip") {
  CacheRecord r{"k1", "xdr", Sample()};
  auto back = tokex::ParseCacheRecord(tokex::SerializeCacheRecord(r));
  REQUIRE(back.ok());
  CHECK(back->key == "k1");
  CHECK(back->profile == "xdr");
  const Credential& c = back->credential;
  CHECK(c.access_token.view() == "tok");
  CHECK(c.token_type == "Bearer");
  CHECK(c.obtained_at == 100);
  CHECK(c.expires_at == 700);
  CHECK(c.scope == "s1 s2");
  REQUIRE(c.headers.size() == 1);
  CHECK(c.headers[0].value.view() == "Bearer tok");
  REQUIRE(c.cookies.size() == 1);
  CHECK(c.cookies[0].path == "/p");
  CHECK_FALSE(c.cookies[0].secure);
  CHECK(c.cookies[0].expires == 9);
}

TEST_CASE("corrupt or tampered records are rejected") {
  for (const char* bad : {
           "", "{", "[]", "{\"v\":2}",
           "{\"v\":1,\"key\":\"k\",\"profile\":\"p\",\"obtained_at\":1,\"expires_at\":2,\"access_token\":\"a\","
           "\"token_type\":\"Bearer\",\"scope\":\"\",\"headers\":[[\"Authorization\",\"Bearer a\\r\\nX: y\"]],"
           "\"cookies\":[]}",
           "{\"v\":1,\"key\":\"k\",\"profile\":\"p\",\"obtained_at\":1,\"expires_at\":2,\"access_token\":\"a\","
           "\"token_type\":\"Bearer\",\"scope\":\"\",\"headers\":[[\"Authorization\"]],\"cookies\":[]}",
       }) {
    CAPTURE(bad);
    CHECK_FALSE(tokex::ParseCacheRecord(bad).ok());
  }
}

TEST_CASE("TokenCache writes 0600 files atomically and keys them") {
  TempDir tmp;
  auto opened = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(opened.ok());
  TokenCache& cache = *opened;
  struct stat st {};
  REQUIRE(stat((tmp.path + "/c").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK_FALSE(cache.Read("xdr", "k1").has_value());
  REQUIRE(cache.Write("xdr", "k1", Sample()).ok());
  REQUIRE(stat((tmp.path + "/c/xdr.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto hit = cache.Read("xdr", "k1");
  REQUIRE(hit.has_value());
  CHECK(hit->access_token.view() == "tok");
  CHECK_FALSE(cache.Read("xdr", "other-key").has_value());
  CHECK_FALSE(cache.Read("other", "k1").has_value());
  REQUIRE(cache.Forget("xdr").ok());
  CHECK_FALSE(cache.Read("xdr", "k1").has_value());
  CHECK(cache.Forget("xdr").ok());
}

TEST_CASE("ForgetAll drops every cached token and keeps the locks") {
  TempDir tmp;
  auto opened = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(opened.ok());
  TokenCache& cache = *opened;
  REQUIRE(cache.Write("a", "k", Sample()).ok());
  REQUIRE(cache.Write("b", "k", Sample()).ok());
  { std::ofstream(cache.LockPath("a")) << ""; }
  REQUIRE(cache.ForgetAll().ok());
  CHECK_FALSE(cache.Read("a", "k").has_value());
  CHECK_FALSE(cache.Read("b", "k").has_value());
  CHECK(access(cache.LockPath("a").c_str(), F_OK) == 0);
}

TEST_CASE("a symlink or a loose file in the cache is not read") {
  TempDir tmp;
  REQUIRE(chmod(tmp.path.c_str(), 0700) == 0);
  auto opened = TokenCache::Open(tmp.path, getuid());
  REQUIRE(opened.ok());
  TokenCache& cache = *opened;
  REQUIRE(cache.Write("real", "k", Sample()).ok());
  REQUIRE(symlink((tmp.path + "/real.json").c_str(), (tmp.path + "/link.json").c_str()) == 0);
  CHECK_FALSE(cache.Read("link", "k").has_value());
  REQUIRE(chmod((tmp.path + "/real.json").c_str(), 0644) == 0);
  CHECK_FALSE(cache.Read("real", "k").has_value());
}

TEST_CASE("a cache directory open to others is refused") {
  TempDir tmp;
  std::string dir = tmp.path + "/open";
  REQUIRE(mkdir(dir.c_str(), 0755) == 0);
  REQUIRE(chmod(dir.c_str(), 0755) == 0);
  auto s = TokenCache::Open(dir, getuid());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == dir + " is not a private directory (it must be a directory owned by you with mode 0700): "
                                   "remove it, or fix it with chmod 700");
  CHECK_FALSE(TokenCache::Open(dir, getuid() + 1).ok());
}

TEST_CASE("a cache directory that is a symlink is refused, even to a private directory") {
  TempDir tmp;
  std::string real = tmp.path + "/real";
  std::string link = tmp.path + "/link";
  REQUIRE(mkdir(real.c_str(), 0700) == 0);
  REQUIRE(symlink(real.c_str(), link.c_str()) == 0);
  CHECK_FALSE(TokenCache::Open(link, getuid()).ok());
}

TEST_CASE("freshness honours the margin and --min-ttl") {
  Credential c = Sample();  // expires at 700
  CHECK(tokex::IsFresh(c, 500, 120, 0));
  CHECK_FALSE(tokex::IsFresh(c, 580, 120, 0));
  CHECK_FALSE(tokex::IsFresh(c, 500, 120, 300));
  CHECK(tokex::IsFresh(c, 500, 0, 199));
}

TEST_CASE("a token as large as the response cap lets through is cached") {
  TempDir tmp;
  auto cache = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(cache.ok());
  std::string big(1 << 20, 'a');
  Credential c = tokex::MakeBearerCredential(Secret(big), "Bearer", 1, 700, "");
  REQUIRE(cache->Write("xdr", "k", c).ok());
  auto hit = cache->Read("xdr", "k");
  REQUIRE(hit.has_value());
  CHECK(hit->access_token.size() == big.size());
}

TEST_CASE("forget and the next write remove the temporary files of a killed writer") {
  TempDir tmp;
  auto cache = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(cache.ok());
  // What WritePrivateFile leaves when killed between write and rename.
  std::string left = tmp.path + "/c/.xdr.json.Ab12Cd";
  std::string other = tmp.path + "/c/.other.json.Zz99Yy";
  std::string unrelated = tmp.path + "/c/.xdr.jsonx";
  for (const std::string& f : {left, other, unrelated}) std::ofstream(f) << "{\"access_token\":\"tok\"}";
  REQUIRE(cache->Write("xdr", "k", Sample()).ok());
  CHECK(access(left.c_str(), F_OK) != 0);
  CHECK(access(other.c_str(), F_OK) == 0);  // another profile's writer may still be at it
  std::ofstream(left) << "x";
  REQUIRE(cache->Forget("xdr").ok());
  CHECK(access(left.c_str(), F_OK) != 0);
  CHECK(access(other.c_str(), F_OK) == 0);
  REQUIRE(cache->ForgetAll().ok());
  CHECK(access(other.c_str(), F_OK) != 0);
  CHECK(access(unrelated.c_str(), F_OK) == 0);  // not a file of the cache's
}

TEST_CASE("forget drops a recorded failure too") {
  TempDir tmp;
  auto cache = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(cache.ok());
  REQUIRE(cache->WriteFailure("xdr", "k", tokex::MakeError(tokex::ErrorKind::kRejected, "no"), 5).ok());
  struct stat st {};
  REQUIRE(stat((tmp.path + "/c/xdr.failed").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(cache->ReadFailure("xdr", "k", 5).has_value());
  REQUIRE(cache->Forget("xdr").ok());
  CHECK_FALSE(cache->ReadFailure("xdr", "k", 0).has_value());
}

TEST_CASE("waiting for a profile lock ends at the deadline and names the holder") {
  TempDir tmp;
  std::string path = tmp.path + "/xdr.lock";
  auto held = tokex::ProfileLock::Acquire(path, tokex::Deadline::In(1));
  REQUIRE(held.ok());
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Another process, so that flock sees a second holder.
    auto again = tokex::ProfileLock::Acquire(path, tokex::Deadline::In(0.3));
    bool named = !again.ok() && again.error().ExitCode() == 5 &&
                 again.error().message.find("process " + std::to_string(getppid())) != std::string::npos;
    _exit(named ? 0 : 1);
  }
  int status = 0;
  double start = tokex::MonotonicSeconds();
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(tokex::MonotonicSeconds() - start < 2);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a deeply nested cache record or failure record is corrupt, not a crash") {
  CHECK_FALSE(tokex::ParseCacheRecord(std::string(4 << 20, '[')).ok());
  CHECK_FALSE(tokex::ParseCacheRecord(std::string(1 << 20, '{').insert(0, "{\"v\":")).ok());
  TempDir tmp;
  auto cache = TokenCache::Open(tmp.path + "/c", getuid());
  REQUIRE(cache.ok());
  std::string deep = std::string(60000, '[') + std::string(60000, ']');
  for (const char* name : {"/c/xdr.json", "/c/xdr.failed"}) {
    int fd = open((tmp.path + name).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, deep.data(), deep.size()) == static_cast<ssize_t>(deep.size()));
    close(fd);
  }
  CHECK_FALSE(cache->Read("xdr", "k").has_value());
  CHECK_FALSE(cache->ReadFailure("xdr", "k", 0).has_value());
}

TEST_CASE("a lock file that is a symlink, a FIFO or a directory is refused, its target untouched") {
  TempDir tmp;
  std::string path = tmp.path + "/xdr.lock";
  std::string target = tmp.path + "/target";
  REQUIRE(symlink(target.c_str(), path.c_str()) == 0);
  auto linked = tokex::ProfileLock::Acquire(path, tokex::Deadline::In(1));
  REQUIRE_FALSE(linked.ok());
  CHECK(linked.error().message == path + " is a symbolic link: remove it");
  CHECK(access(target.c_str(), F_OK) != 0);
  REQUIRE(unlink(path.c_str()) == 0);
  REQUIRE(mkfifo(path.c_str(), 0600) == 0);
  double start = tokex::MonotonicSeconds();
  auto fifo = tokex::ProfileLock::Acquire(path, tokex::Deadline::In(1));
  CHECK(tokex::MonotonicSeconds() - start < 0.5);
  REQUIRE_FALSE(fifo.ok());
  CHECK(fifo.error().message == path + " is not a lock file of yours: remove it");
  REQUIRE(unlink(path.c_str()) == 0);
  REQUIRE(mkdir(path.c_str(), 0700) == 0);
  auto dir = tokex::ProfileLock::Acquire(path, tokex::Deadline::In(1));
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().message == path + " is not a lock file of yours: remove it");
}
