// tokex secret set|rm PROFILE NAME: the value is read from stdin, without
// echo on a terminal, never from argv.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "cache.h"
#include "engine_commands.h"
#include "front.h"
#include "refresh_token.h"
#include "rotation.h"
#include "terminal.h"
#include "text.h"

namespace tokex {

namespace {

constexpr size_t kMaxSecretInput = 64 * 1024;

// On a terminal the answer is the first line, or PEM text pasted at the
// prompt (a private key) up to its END line.
bool AnswerComplete(std::string_view raw) {
  if (raw.find('\n') == std::string_view::npos) return false;
  if (!raw.starts_with("-----BEGIN ")) return true;
  size_t end = raw.find("\n-----END ");
  return end != std::string_view::npos && raw.find('\n', end + 1) != std::string_view::npos;
}

// Reads stdin up to EOF, or on a terminal up to a complete answer, into a
// buffer that never reallocates (no copies left behind). False when the
// input is larger than kMaxSecretInput.
bool ReadInput(int fd, bool tty, std::string* raw) {
  raw->reserve(kMaxSecretInput + 1);
  char buf[4096];
  bool fits = true;
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (raw->size() + static_cast<size_t>(n) > kMaxSecretInput) {
      fits = false;
      break;
    }
    raw->append(buf, static_cast<size_t>(n));
    if (tty && AnswerComplete(*raw)) break;
  }
  WipeBytes(buf, sizeof buf);
  return fits;
}

// Prompts on the terminal `fd` without echo and reads one line.
bool ReadFromTerminal(const CommandContext& ctx, int fd, const struct termios& saved, const std::string& prompt,
                      std::string* raw) {
  bool fits = false;
  {
    // Echo goes off before the prompt appears: an answer typed (or sent by
    // a script) as soon as the prompt shows must be neither echoed nor
    // discarded by the mode change.
    QuietTerminal quiet(fd, fileno(ctx.io.err), saved, prompt);
    fwrite(prompt.data(), 1, prompt.size(), ctx.io.err);
    fflush(ctx.io.err);
    fits = ReadInput(fd, true, raw);
  }
  fputc('\n', ctx.io.err);
  return fits;
}

// The secret from stdin; on a terminal, prompts without echo.
Result<Secret> ReadSecret(const CommandContext& ctx, std::string_view profile, std::string_view name) {
  int fd = fileno(ctx.io.in);
  struct termios saved {};
  std::string raw;
  bool fits = false;
  if (isatty(fd) && tcgetattr(fd, &saved) == 0)
    fits = ReadFromTerminal(ctx, fd, saved, std::string(name) + " for " + std::string(profile) + ": ", &raw);
  else
    fits = ReadInput(fd, false, &raw);
  if (!fits) {
    WipeString(&raw);
    return MakeError(ErrorKind::kUsage, "the value on stdin is larger than 64 KiB");
  }
  return SecretFromInput(name, &raw);
}

Status CheckSecretName(const Profile& p, std::string_view name) {
  std::vector<std::string_view> names(p.preset->secret_names.begin(), p.preset->secret_names.end());
  // A fleet's own: the key that seals its values, the etcd user's password.
  if (p.etcd) names.insert(names.end(), {"etcd-key", "etcd-password"});
  if (std::find(names.begin(), names.end(), name) != names.end()) return Success();
  return MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) + " has no secret called '" +
                                          Printable(name, 40) + "': use " + JoinOr(names));
}

// A token obtained with the old secret must not outlive it.
void DropCachedToken(const CommandContext& ctx, const Profile& p) {
  Result<TokenCache> cache = TokenCache::Open(ctx.paths.cache_dir, ctx.env.uid);
  if (cache) (void)cache->Forget(p.name);
}

Status SetOrRemove(const CommandContext& ctx, EngineDeps& deps, const Profile& p) {
  const std::string& name = ctx.inv.args[2];
  if (Status s = CheckSecretName(p, name); !s) return s;
  std::unique_ptr<SecretStore> store = deps.open_store(p);
  if (Status s = store->CheckWritable(p.name, name); !s) return s;
  if (ctx.inv.args[0] == "rm") {
    if (Status s = store->Remove(p.name, name); !s) return s;
    DropCachedToken(ctx, p);
    if (name == kRefreshTokenSecret) (void)ForgetStoredAt(ctx.paths, p.name);
    deps.log.Notice(p.name, "removed " + name + " from the " + store->Describe());
    return Success();
  }
  Result<Secret> value = ReadSecret(ctx, p.name, name);
  if (!value) return value.error();
  if (Status s = store->Set(p.name, name, *value); !s) return s;
  DropCachedToken(ctx, p);
  if (name == kRefreshTokenSecret) NoteStoredAt(ctx.paths, ctx.env.uid, p.name, deps.clock.Now(), deps.log);
  // A rotated value kept aside by a failed store write is older than what
  // a person stores now.
  if (Status s = ClearRecovery(ctx.paths, p.name); !s) deps.log.Notice(p.name, "warning: " + s.error().message);
  deps.log.Notice(p.name, "stored " + name + " in the " + store->Describe());
  return Success();
}

}  // namespace

Result<Secret> SecretFromInput(std::string_view name, std::string* raw) {
  std::string_view v = *raw;
  if (v.ends_with('\n')) v.remove_suffix(1);
  if (v.ends_with('\r')) v.remove_suffix(1);
  Result<Secret> out = MakeError(ErrorKind::kUsage, "no value on stdin: pipe the secret in, e.g. "
                                                    "'tokex secret set PROFILE NAME < file'");
  if (!v.empty() && !IsUsableSecret(name, v))
    out = MakeError(ErrorKind::kUsage, "the value contains a line break, another control character or invalid UTF-8: "
                                       "give exactly one line");
  else if (!v.empty())
    out = Secret(v);
  WipeString(raw);
  return out;
}

Status SecretCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  return InProfile(SetOrRemove(ctx, deps, *profile), profile->name);
}

}  // namespace tokex
