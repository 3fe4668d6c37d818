// tokex login [--device] PROFILE: sign in for the first refresh token. The
// refresh token goes to the store, the access token to the cache; neither
// is shown.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "engine_commands.h"
#include "front.h"
#include "lock.h"
#include "login.h"
#include "refresh_token.h"
#include "rotation.h"

namespace tokex {

namespace {

// Hands the URL to the desktop's browser; the URL is printed anyway, so a
// browser that does not start only costs a copy and paste.
void OpenBrowser(const std::string& url) {
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  if (posix_spawnp(&pid, "xdg-open", &fa, nullptr, const_cast<char* const*>(argv), environ) == 0) {
    int status;
    waitpid(pid, &status, 0);  // xdg-open returns once the browser is asked
  }
  posix_spawn_file_actions_destroy(&fa);
}

// Keeps what a sign-in brought: the refresh token first (it is the only
// copy), then the access token in the cache.
Status Keep(ExchangeContext& ctx, const TokenAnswer& answer, const TokenCache* cache) {
  const Profile& p = ctx.profile;
  if (!answer.refresh_token)
    return MakeError(ErrorKind::kRejected, "the server signed you in but sent no refresh token: add offline_access "
                                           "to scopes, or ask who manages the application to allow it");
  // As for a rotated token that the store refused: never lost.
  Status stored = ctx.store.Set(p.name, "refresh-token", *answer.refresh_token);
  NoteStoredAt(ctx.paths, ctx.uid, p.name, ctx.clock.Now(), ctx.log);
  if (!stored) return SaveForRecovery(ctx, "refresh-token", *answer.refresh_token, stored.error().message);
  (void)ClearRecovery(ctx.paths, p.name);
  if (cache != nullptr) {
    if (Status s = cache->Write(p.name, p.CacheKey(), answer.credential); !s)
      ctx.log.Notice(p.name, "warning: token not cached: " + s.error().message);
  }
  return Success();
}

}  // namespace

Status LoginCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  const PresetExchange* row = FindPresetExchange(deps.exchanges, p.preset->name);
  if (row == nullptr || row->login == nullptr)
    return InProfile(MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                      " has no sign-in: store its secret with tokex secret set"),
                     p.name);
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  if (Status s = store->CheckWritable(p.name, "refresh-token"); !s) return InProfile(s.error(), p.name);
  // Each request of a sign-in gets the profile's timeout; the person's
  // part has bounds of its own (kLoginWait, the device code's lifetime).
  Deadline deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)};
  Result<TokenCache> cache = TokenCache::Open(deps.paths.cache_dir, deps.uid);
  std::optional<ProfileLock> lock;
  if (cache) {
    Result<ProfileLock> held = ProfileLock::Acquire(cache->LockPath(p.name), Deadline::In(static_cast<double>(p.timeout)));
    if (!held) return InProfile(held.error(), p.name);
    lock.emplace(std::move(held.value()));
  }
  ExchangeContext ectx{p, *store, deps.http, deps.clock, deps.random, deps.paths, deps.uid, deadline, deps.log};
  bool display = !ctx.env.Get("DISPLAY").empty() || !ctx.env.Get("WAYLAND_DISPLAY").empty();
  Result<TokenAnswer> answer = ctx.inv.Has("--device") ? LoginWithDeviceCode(ectx, *row->login)
                                                       : LoginWithBrowser(ectx, *row->login, display ? OpenBrowser : nullptr);
  if (!answer) return InProfile(answer.error(), p.name);
  if (Status s = Keep(ectx, *answer, cache ? &*cache : nullptr); !s) return InProfile(s.error(), p.name);
  deps.log.Notice(p.name, "signed in: the refresh token is in the " + store->Describe());
  return Success();
}

}  // namespace tokex
