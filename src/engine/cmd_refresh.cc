// tokex refresh [--rotating | PROFILE...]: spends each refresh token that
// expires within the profile's keep-alive, through the normal exchange, so
// that a profile nobody used for days still works. One line per profile
// on stdout, never a token.
#include <algorithm>

#include "engine_commands.h"
#include "front.h"
#include "refresh_token.h"
#include "rotation.h"
#include "text.h"

namespace tokex {

namespace {

// "in 6d 2h (2026-12-01T10:00:00Z)", or "3h 0m ago (...)".
std::string When(int64_t at, int64_t now) {
  std::string date = " (" + Rfc3339(at) + ")";
  return at > now ? "in " + HumanDuration(at - now) + date : HumanDuration(now - at) + " ago" + date;
}

Error NoRefreshToken(const Profile& p) {
  std::optional<std::string_view> grant = p.Get("grant");
  return MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                          (grant ? " with grant = " + std::string(*grant) : std::string()) +
                                          " spends no refresh token: tokex refresh is for kaspersky-mdr, and for "
                                          "azure-ad, ennov-insight and oauth2 with grant = refresh_token");
}

// The line for a profile just refreshed: what its refresh token is now.
std::string Refreshed(const Profile& p, EngineDeps& deps, SecretStore& store, const Secret& before) {
  Result<Secret> after = store.Get(p.name, kRefreshTokenSecret);
  if (!after) return "refreshed";
  Result<RefreshTokenLife> life = LifeOf(deps.paths, deps.uid, p, *after);
  int64_t now = deps.clock.Now();
  std::string expiry = life && life->expires_at ? When(*life->expires_at, now) : std::string();
  if (SameSecret(before, *after))
    return "refreshed, but the server kept the refresh token" +
           (expiry.empty() ? std::string() : ", which still expires " + expiry);
  if (expiry.empty()) return "refreshed: a new refresh token is stored; its expiry is unknown: set refresh-token-ttl";
  return "refreshed: the refresh token now expires " + expiry;
}

// One profile: the line to print, or why it could not be refreshed.
Result<std::string> RefreshProfile(const CommandContext& ctx, const Profile& p, EngineDeps& deps) {
  if (!UsesRefreshToken(deps.exchanges, p)) return NoRefreshToken(p);
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  // A store that cannot take the next token would lose it: say so even
  // when nothing is due yet.
  if (Status s = CheckRotatable(*store, p.name, kRefreshTokenSecret); !s) return s.error();
  Result<Secret> token = store->Get(p.name, kRefreshTokenSecret);
  if (!token) return token.error();
  Result<RefreshTokenLife> life = LifeOf(deps.paths, deps.uid, p, *token);
  if (!life) return life.error();
  int64_t now = deps.clock.Now();
  if (life->expires_at && *life->expires_at - now > p.keep_alive)
    return "not due: the refresh token expires " + When(*life->expires_at, now);
  // An opaque token with refresh-token-ttl but no record of when it came:
  // renewing it starts the record. Without refresh-token-ttl nothing can.
  if (!life->expires_at && p.refresh_token_ttl == 0) return std::string("expiry unknown: set refresh-token-ttl");
  // Due, or already expired: the exchange refuses an expired JWT before
  // sending it, with the preset's way out, and the server judges the rest.
  ObtainOptions options{.use_cache = !ctx.inv.no_cache,
                        .deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)},
                        .renew = true};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return c.error();
  return Refreshed(p, deps, *store, *token);
}

// Whether the preset of an unusable profile can spend a refresh token.
bool MayRotate(const Profile& p) {
  if (p.preset == nullptr) return false;
  const auto& names = p.preset->secret_names;
  return std::find(names.begin(), names.end(), kRefreshTokenSecret) != names.end();
}

// The profiles to visit: those named, in order and once each, or every
// profile in the config. A name the config lacks is an error in its place.
std::vector<Result<const Profile*>> Selected(const CommandContext& ctx, const Config& config) {
  std::vector<Result<const Profile*>> out;
  if (ctx.inv.args.empty()) {
    for (const Profile& p : config.profiles) out.emplace_back(&p);
    return out;
  }
  std::vector<std::string_view> seen;
  for (const std::string& name : ctx.inv.args) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    out.push_back(config.Find(name));
  }
  return out;
}

}  // namespace

Status RefreshCommand(const CommandContext& ctx, EngineDeps& deps) {
  bool every = ctx.inv.args.empty();
  if (ctx.inv.Has("--rotating") && !every)
    return MakeError(ErrorKind::kUsage, "give --rotating or profile names, not both: see 'tokex help'");
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  std::vector<Error> failures;
  for (const Result<const Profile*>& selected : Selected(ctx, *config)) {
    if (!selected) {
      failures.push_back(selected.error());
      continue;
    }
    const Profile& p = **selected;
    if (p.error) {
      // Unusable, it may hold a refresh token nobody renews: a failure,
      // unless its preset (if this tokex even knows it) never has one.
      if (MayRotate(p)) failures.push_back(InProfile(*p.error, p.name));
      else deps.log.Note(p.name, "skipped: unusable, and not a preset with a refresh token: " + p.error->message);
      continue;
    }
    if (every && !UsesRefreshToken(deps.exchanges, p)) {
      deps.log.Note(p.name, "skipped: it spends no refresh token");
      continue;
    }
    Result<std::string> line = RefreshProfile(ctx, p, deps);
    if (!line) {
      failures.push_back(InProfile(line.error(), p.name));
      continue;
    }
    if (Status s = WriteText(ctx.io.out, TerminalSafe(p.name + ": " + *line) + "\n"); !s) return s;
  }
  if (failures.empty()) return Success();
  if (failures.size() == 1) return failures[0];
  for (const Error& e : failures) deps.log.Notice(e.profile, e.message);
  return MakeError(failures[0].kind, std::to_string(failures.size()) + " profiles failed: see above");
}

}  // namespace tokex
