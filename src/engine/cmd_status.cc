// tokex status [PROFILE]: what is stored and cached, never a secret or a
// token.
#include "cache.h"
#include "engine_commands.h"
#include "front.h"
#include "refresh_token.h"
#include "text.h"

namespace tokex {

namespace {

// Appends one line of output; names, paths and messages in it may hold
// anything, so it is made safe for one terminal line.
void AddLine(std::string* out, std::string_view line) {
  *out += TerminalSafe(line);
  *out += '\n';
}

std::string TokenState(const Credential* c, const Profile& p, int64_t now) {
  if (c == nullptr) return "none cached";
  if (c->expires_at <= now) return "expired " + HumanDuration(now - c->expires_at) + " ago";
  return "cached, expires in " + HumanDuration(c->expires_at - now) + " (" + Rfc3339(c->expires_at) +
         "), obtained " + HumanDuration(now - c->obtained_at) + " ago" +
         (IsFresh(*c, now, p.refresh_margin, 0) ? "" : "; will be refreshed on next use");
}

// What is known of a stored refresh token's life: its JWT exp, or when it
// was stored and, with refresh-token-ttl, when that makes it expire.
std::string RefreshTokenState(const RefreshTokenLife& life, int64_t now) {
  std::string state = "stored";
  if (life.stored_at) state += " " + HumanDuration(now - *life.stored_at) + " ago (" + Rfc3339(*life.stored_at) + ")";
  if (!life.expires_at) return state;
  int64_t exp = *life.expires_at;
  std::string how = life.from_jwt ? "" : ", from refresh-token-ttl";
  if (exp <= now) return state + ", but expired " + HumanDuration(now - exp) + " ago" + how + ": store a new one";
  state += ", expires in " + HumanDuration(exp - now) + " (" + Rfc3339(exp) + how + ")";
  if (exp - now < kRefreshTokenWarning) state += "; warning: within 48 h, after which a person must store a new one";
  return state;
}

// "stored" or "missing"; for a refresh token, its expiry too.
Result<std::string> SecretState(SecretStore& store, const Profile& p, std::string_view name, EngineDeps& deps) {
  Result<StoredSecret> s = LookUpSecret(store, deps.paths, deps.uid, p, name);
  if (!s) return s.error();
  if (!s->present) return std::string("missing");
  if (s->life_unknown) return "stored; " + s->life_unknown->message;
  return RefreshTokenState(s->life, deps.clock.Now());
}

// The lines of one usable profile; the first store error met, if any.
Status ProfileStatus(const Profile& p, const TokenCache* cache, EngineDeps& deps, std::string* out) {
  Status result = Success();
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  AddLine(out, p.name + ": preset " + std::string(p.preset->name) + ", token URL " + p.token_url +
                   ", secrets in the " + store->Describe());
  for (std::string_view name : NeededSecrets(deps.exchanges, p)) {
    Result<std::string> state = SecretState(*store, p, name, deps);
    if (!state && result) result = InProfile(state.error(), p.name);
    AddLine(out, "  " + std::string(name) + ": " + (state ? *state : "unknown: " + state.error().message));
  }
  Result<std::vector<StoreFact>> facts = store->Health();
  if (!facts && result) result = InProfile(facts.error(), p.name);
  if (!facts) AddLine(out, "  store: unreachable: " + facts.error().message);
  for (const StoreFact& f : facts ? *facts : std::vector<StoreFact>()) AddLine(out, "  " + f.what + ": " + f.text);
  std::optional<Credential> c;
  if (cache != nullptr) c = cache->Read(p.name, p.CacheKey());
  AddLine(out, "  token: " + TokenState(c ? &*c : nullptr, p, deps.clock.Now()));
  return result;
}

// One profile's lines, usable or not.
Status AnyProfileStatus(const Profile& p, const TokenCache* cache, EngineDeps& deps, std::string* out) {
  if (!p.error) return ProfileStatus(p, cache, deps, out);
  AddLine(out, p.name + ": unusable: " + p.error->message);
  return *p.error;
}

}  // namespace

Status StatusCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  std::string_view only = ctx.inv.ProfileArg();
  if (!only.empty()) {
    if (Result<const Profile*> p = config->Find(only); !p) return p.error();
  }
  Result<TokenCache> cache = TokenCache::Open(ctx.paths.cache_dir, ctx.env.uid);
  if (!cache) deps.log.Notice("", "warning: " + cache.error().message);
  std::string out;
  AddLine(&out, "config: " + ctx.paths.config);
  AddLine(&out, "cache: " + ctx.paths.cache_dir);
  int problems = 0;
  ErrorKind kind = ErrorKind::kInternal;  // the first problem's, for the exit code
  for (const Profile& p : config->profiles) {
    if (!only.empty() && p.name != only) continue;
    Status s = AnyProfileStatus(p, cache ? &*cache : nullptr, deps, &out);
    if (!s && problems++ == 0) kind = s.error().kind;
  }
  if (Status s = WriteText(ctx.io.out, out); !s) return s;
  if (problems == 0) return Success();
  return MakeError(kind, problems == 1 ? "1 profile has a problem: see above"
                                       : std::to_string(problems) + " profiles have problems: see above");
}

}  // namespace tokex
