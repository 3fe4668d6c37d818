#include "obtain.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cache.h"
#include "lock.h"

namespace tokex {

namespace {

// A missing ca-file is the config's fault, not the network's: say so
// before anything is sent.
Status CheckFiles(const Profile& p) {
  if (p.ca_file.empty() || access(p.ca_file.c_str(), R_OK) == 0) return Success();
  return InProfile(MakeError(ErrorKind::kUsage, p.Where("ca-file") + ": cannot read " + p.ca_file + " (" +
                                                    strerror(errno) + "): fix the path"),
                   p.name);
}

Result<Credential> LoggedExchange(ExchangeContext& ctx, ExchangeFn exchange) {
  ctx.log.Note(ctx.profile.name, "exchanging at " + TokenHost(ctx.profile));
  return RunExchange(ctx, exchange);
}

// True when `now` is not the credential the cache held `before`.
bool Written(const std::optional<Credential>& before, const Credential& now) {
  return !before || before->obtained_at != now.obtained_at || !SameSecret(before->access_token, now.access_token);
}

// True when `c`, found after the call began, will do: fresh enough, or
// obtained since the call began (by the caller it waited for), even if
// short-lived. A renewal takes only the latter.
bool WillDo(const Credential& c, const Profile& p, const ObtainOptions& options, int64_t start, int64_t now) {
  bool since = c.obtained_at >= start && c.expires_at > now;
  return options.renew ? since : since || IsFresh(c, now, p.refresh_margin, options.min_ttl);
}

// For a store shared by a fleet of hosts: the token another host
// obtained, else the exchange under the fleet lock, its token shared.
Result<Credential> FleetExchange(ExchangeContext& ctx, SharedTokens& fleet, ExchangeFn exchange,
                                 const ObtainOptions& options, int64_t start, EngineDeps& deps) {
  const Profile& p = ctx.profile;
  // The shared token, when it will do; nullopt when it won't, and with
  // force (which must prove its own exchange) or without the cache (the
  // shared token is the fleet's cache).
  auto shared = [&](bool after_wait) -> Result<std::optional<Credential>> {
    if (options.force || !options.use_cache) return std::optional<Credential>();
    Result<std::optional<Credential>> c = fleet.ReadToken();
    if (!c || !c->has_value()) return c;
    int64_t now = deps.clock.Now();
    bool good = after_wait ? WillDo(**c, p, options, start, now)
                           : !options.renew && IsFresh(**c, now, p.refresh_margin, options.min_ttl);
    if (!good) return std::optional<Credential>();
    deps.log.Note(p.name, "using the token another host of the fleet obtained");
    return c;
  };
  Result<std::optional<Credential>> found = shared(false);
  if (!found) return InProfile(found.error(), p.name);
  if (found->has_value()) return std::move(**found);
  Result<std::unique_ptr<FleetLock>> lock = fleet.Lock(options.deadline);
  if (!lock) return InProfile(lock.error(), p.name);
  // Whoever held the fleet lock before us may just have shared a token.
  found = shared(true);
  if (!found) return InProfile(found.error(), p.name);
  if (found->has_value()) return std::move(**found);
  Result<Credential> c = LoggedExchange(ctx, exchange);
  if (c && options.use_cache) {
    if (Status s = fleet.WriteToken(*c); !s)
      deps.log.Notice(p.name, "warning: token not shared with the fleet: " + s.error().message);
    return c;
  }
  // A host that lost the compare-and-swap of a rotated refresh token
  // (its lock lapsed) uses the winner's token.
  Result<std::optional<Credential>> winner = shared(true);
  if (winner && winner->has_value()) return std::move(**winner);
  return c;
}

Result<Credential> Exchange(const Profile& p, ExchangeFn exchange, const ObtainOptions& options, int64_t start,
                            EngineDeps& deps) {
  if (Status s = CheckFiles(p); !s) return s.error();
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  ExchangeContext ctx{p, *store, deps.http, deps.clock, deps.random, deps.paths, deps.uid, options.deadline, deps.log};
  if (SharedTokens* fleet = store->Shared()) return FleetExchange(ctx, *fleet, exchange, options, start, deps);
  return LoggedExchange(ctx, exchange);
}

// The exchange, under the profile's lock, with its outcome shared: a
// token through the cache, a failure through the failure record, so that
// callers who waited on this exchange do not repeat it.
Result<Credential> SharedExchange(const Profile& p, ExchangeFn exchange, const ObtainOptions& options,
                                  const TokenCache& cache, EngineDeps& deps) {
  int64_t start = deps.clock.Now();
  int64_t start_ms = deps.clock.NowMs();
  const std::string key = p.CacheKey();
  std::optional<Credential> before;
  if (options.use_cache && options.renew) before = cache.Read(p.name, key);
  Result<ProfileLock> lock = ProfileLock::Acquire(cache.LockPath(p.name), options.deadline);
  if (!lock) return InProfile(lock.error(), p.name);
  if (options.use_cache && !options.force) {
    // Whoever held the lock before us may have just refreshed: a token
    // obtained since we started is used even if it is short-lived. A
    // renewal wants a new exchange, so only one written while it waited
    // will do (obtained_at, in whole seconds, cannot tell).
    std::optional<Credential> c = cache.Read(p.name, key);
    int64_t now = deps.clock.Now();
    bool shared = options.renew ? c && Written(before, *c) && c->expires_at > now
                                : c && WillDo(*c, p, options, start, now);
    if (shared) {
      deps.log.Note(p.name, "another caller refreshed the token; using it");
      return std::move(*c);
    }
    if (std::optional<Error> failed = cache.ReadFailure(p.name, key, start_ms)) {
      deps.log.Note(p.name, "the exchange another caller made while we waited failed; reporting its error");
      return *failed;
    }
  }
  Result<Credential> c = Exchange(p, exchange, options, start, deps);
  if (!options.use_cache) return c;
  Status kept = c ? cache.Write(p.name, key, *c) : cache.WriteFailure(p.name, key, c.error(), deps.clock.NowMs());
  if (!kept) deps.log.Notice(p.name, "warning: " + std::string(c ? "token" : "failure") + " not cached: " + kept.error().message);
  return c;
}

}  // namespace

Result<Credential> ObtainCredential(const Profile& p, const ObtainOptions& options, EngineDeps& deps) {
  ExchangeFn exchange = FindExchange(deps.exchanges, p.preset->name);
  // Every preset in the core's catalog has an exchange (tables_test).
  if (exchange == nullptr) return MakeError(ErrorKind::kInternal, "no exchange for preset " + std::string(p.preset->name));
  Result<TokenCache> cache = TokenCache::Open(deps.paths.cache_dir, deps.uid);
  if (!cache) {
    // A cache directory tokex cannot use (say another user made
    // /tmp/tokex-UID first) must not stop it: exchange uncached, unlocked.
    if (options.use_cache)
      deps.log.Notice(p.name, "warning: working without the token cache: " + cache.error().message +
                                  ": set XDG_RUNTIME_DIR to a private directory of yours");
    return Exchange(p, exchange, options, deps.clock.Now(), deps);
  }
  if (options.use_cache && !options.renew && !options.force) {
    std::optional<Credential> c = cache->Read(p.name, p.CacheKey());
    if (c && IsFresh(*c, deps.clock.Now(), p.refresh_margin, options.min_ttl)) return std::move(*c);
  }
  return SharedExchange(p, exchange, options, *cache, deps);
}

}  // namespace tokex
