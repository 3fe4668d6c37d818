#include "obtain.h"

#include "cache.h"
#include "lock.h"

namespace tokex {

Result<Credential> ObtainCredential(const Profile& p, const ObtainOptions& options, EngineDeps& deps) {
  ExchangeFn exchange = FindExchange(deps.exchanges, p.preset->name);
  // Every preset in the core's catalog has an exchange (tables_test).
  if (exchange == nullptr) return MakeError(ErrorKind::kInternal, "no exchange for preset " + std::string(p.preset->name));
  Result<TokenCache> cache = TokenCache::Open(deps.paths.cache_dir, deps.uid);
  if (!cache) return cache.error();
  const std::string key = p.CacheKey();
  int64_t start = deps.clock.Now();
  if (options.use_cache) {
    std::optional<Credential> c = cache->Read(p.name, key);
    if (c && IsFresh(*c, start, p.refresh_margin, options.min_ttl)) return std::move(*c);
  }
  Result<ProfileLock> lock = ProfileLock::Acquire(cache->LockPath(p.name));
  if (!lock) return lock.error();
  if (options.use_cache) {
    // Whoever held the lock before us may have just refreshed: a token
    // obtained since we started is used even if it is short-lived, so N
    // waiting callers make one exchange between them.
    std::optional<Credential> c = cache->Read(p.name, key);
    int64_t now = deps.clock.Now();
    if (c && (IsFresh(*c, now, p.refresh_margin, options.min_ttl) || (c->obtained_at >= start && c->expires_at > now))) {
      deps.log.Note(p.name, "another caller refreshed the token; using it");
      return std::move(*c);
    }
  }
  deps.log.Note(p.name, "exchanging at " + TokenHost(p));
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  ExchangeContext ctx{p, *store, deps.http, deps.clock, deps.random, deps.paths, deps.uid, deps.log};
  Result<Credential> c = RunExchange(ctx, exchange);
  if (!c) return c;
  if (options.use_cache) {
    if (Status s = cache->Write(p.name, key, *c); !s) deps.log.Notice(p.name, "warning: token not cached: " + s.error().message);
  }
  return c;
}

}  // namespace tokex
