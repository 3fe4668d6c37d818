// What a front's unit test runs in: a config file, a runtime (cache)
// directory and the environment that points tokex at them.
#ifndef TOKEX_TESTS_UNIT_FRONT_HOME_H_
#define TOKEX_TESTS_UNIT_FRONT_HOME_H_

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache.h"
#include "config.h"
#include "credential.h"
#include "environment.h"
#include "process.h"
#include "temp_dir.h"

namespace tokex::testing {

struct FrontHome {
  TempDir dir;
  Environment env;
  std::string config_text;
  int64_t now;  ///< the time the test runs the front at

  FrontHome(std::string text, int64_t now_) : config_text(std::move(text)), now(now_) {
    std::string config = dir.path + "/config";
    FILE* f = fopen(config.c_str(), "w");
    REQUIRE(f != nullptr);
    fputs(config_text.c_str(), f);
    fclose(f);
    REQUIRE(chmod(config.c_str(), 0600) == 0);
    env.uid = geteuid();
    env.vars = {{"TOKEX_CONFIG", config}, {"XDG_RUNTIME_DIR", dir.path}, {"HOME", dir.path}};
  }

  TokenCache Cache() const {
    auto cache = TokenCache::Open(dir.path + "/tokex", env.uid);
    REQUIRE(cache.ok());
    return *cache;
  }

  /// The cache key of `profile`, which must be in the config.
  std::string Key(const std::string& profile) const {
    auto config = ParseConfig(config_text, "config", env);
    REQUIRE(config.ok());
    auto p = config->Find(profile);
    REQUIRE(p.ok());
    return (*p)->CacheKey();
  }

  /// Caches a bearer `token` for `profile`, obtained just before `now` and
  /// valid until `expires_at`.
  void CacheToken(const std::string& profile, const std::string& token, int64_t expires_at) const {
    auto c = MakeBearerCredential(Secret(token), "bearer", now - 10, expires_at, "");
    REQUIRE(Cache().Write(profile, Key(profile), c).ok());
  }

  bool Cached(const std::string& profile) const { return Cache().Read(profile, Key(profile)).has_value(); }
};

/// All that `f` holds, from its start.
inline std::string Contents(FILE* f) {
  std::string s;
  fflush(f);
  rewind(f);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

/// What one run of a front did.
struct FrontRun {
  Result<FrontStep> step = FrontStep::kDone;
  std::string out;
  HandOff handoff;
};

/// Runs `front` in `home` with `request` on stdin, which ends after it as
/// when a tool writes its request and closes the pipe.
inline FrontRun RunFrontIn(FrontFn front, const FrontHome& home, std::vector<std::string> argv,
                           std::string_view request) {
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  REQUIRE((in != nullptr && out != nullptr));
  REQUIRE(fwrite(request.data(), 1, request.size(), in) == request.size());
  rewind(in);
  FrontRun r;
  r.step = front(argv, home.env, home.now, {in, out, stderr}, &r.handoff);
  r.out = Contents(out);
  fclose(in);
  fclose(out);
  return r;
}

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_FRONT_HOME_H_
