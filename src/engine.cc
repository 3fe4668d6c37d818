#include "engine.h"

#include <termios.h>
#include <unistd.h>

#include "cache.h"
#include "flow.h"
#include "http_curl.h"
#include "lock.h"
#include "text.h"

namespace tokex {

namespace {

constexpr size_t kMaxSecretInput = 64 * 1024;

void Note(const CommandContext& ctx, std::string_view profile, const std::string& what) {
  if (ctx.inv.verbose > 0) fprintf(ctx.err, "tokex: %.*s: %s\n", int(profile.size()), profile.data(), what.c_str());
}

// Reads the secret from stdin; on a terminal, prompts without echo.
Result<Secret> ReadSecret(const CommandContext& ctx, std::string_view profile, std::string_view name) {
  int fd = fileno(ctx.in);
  struct termios saved {};
  bool tty = isatty(fd) && tcgetattr(fd, &saved) == 0;
  if (tty) {
    // Echo goes off before the prompt appears: an answer typed (or sent by
    // a script) as soon as the prompt shows must be neither echoed nor
    // discarded by the mode change.
    struct termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
    fprintf(ctx.err, "%.*s for %.*s: ", int(name.size()), name.data(), int(profile.size()), profile.data());
    fflush(ctx.err);
  }
  std::string raw;
  raw.reserve(kMaxSecretInput + 1);  // no reallocation leaves copies behind
  char buf[4096];
  bool too_long = false;
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (raw.size() + static_cast<size_t>(n) > kMaxSecretInput) {
      too_long = true;
      break;
    }
    raw.append(buf, static_cast<size_t>(n));
    // On a terminal the first line is the whole answer.
    if (tty && raw.find('\n') != std::string::npos) break;
  }
  WipeBytes(buf, sizeof buf);
  if (tty) {
    tcsetattr(fd, TCSANOW, &saved);
    fputc('\n', ctx.err);
  }
  if (too_long) {
    WipeString(&raw);
    return MakeError(ErrorKind::kUsage, "the value on stdin is larger than 64 KiB");
  }
  return SecretFromInput(&raw);
}

int PrintCredential(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return ReportError(ctx.err, "", profile.error());
  const Profile& p = *profile;
  Result<Credential> c = ObtainCredential(ctx, p, deps);
  if (!c) return ReportError(ctx.err, p.name, c.error());
  Result<std::string> text = FormatCredential(FormatOf(ctx.inv.command->id), *c);
  if (!text) return ReportError(ctx.err, p.name, text.error());
  Status s = WriteAndWipe(ctx.out, &text.value());
  return s ? 0 : ReportError(ctx.err, p.name, s.error());
}

int SecretCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return ReportError(ctx.err, "", profile.error());
  const Profile& p = *profile;
  const std::string& name = ctx.inv.args[2];
  bool known = false;
  for (std::string_view n : p.preset->secret_names) known = known || n == name;
  if (!known)
    return ReportError(ctx.err, p.name,
                       MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                        " has no secret called '" + Printable(name, 40) +
                                                        "': use " + JoinOr(p.preset->secret_names)));
  std::unique_ptr<SecretStore> store = deps.make_store(p);
  if (Status s = store->CheckWritable(p.name, name); !s) return ReportError(ctx.err, p.name, s.error());
  TokenCache cache(ctx.paths.cache_dir, ctx.env.uid);
  if (ctx.inv.args[0] == "rm") {
    if (Status s = store->Remove(p.name, name); !s) return ReportError(ctx.err, p.name, s.error());
    if (cache.Open()) (void)cache.Forget(p.name);
    fprintf(ctx.err, "tokex: %s: removed %s from the %s\n", p.name.c_str(), name.c_str(), store->Describe().c_str());
    return 0;
  }
  Result<Secret> value = ReadSecret(ctx, p.name, name);
  if (!value) return ReportError(ctx.err, p.name, value.error());
  if (Status s = store->Set(p.name, name, *value); !s) return ReportError(ctx.err, p.name, s.error());
  // A token obtained with the old secret must not outlive it.
  if (cache.Open()) (void)cache.Forget(p.name);
  fprintf(ctx.err, "tokex: %s: stored %s in the %s\n", p.name.c_str(), name.c_str(), store->Describe().c_str());
  return 0;
}

// Status of one profile; returns the exit code it calls for.
int ProfileStatus(const CommandContext& ctx, const Profile& p, const TokenCache* cache, EngineDeps& deps) {
  int rc = 0;
  std::unique_ptr<SecretStore> store = deps.make_store(p);
  std::string out = p.name + ": preset " + std::string(p.preset->name) + ", token URL " + p.token_url +
                    ", secrets in the " + store->Describe() + "\n";
  for (std::string_view name : p.preset->secret_names) {
    Result<bool> has = store->Has(p.name, name);
    std::string state = !has ? "unknown: " + has.error().message : *has ? "stored" : "missing";
    if (!has) rc = has.error().ExitCode();
    out += "  " + std::string(name) + ": " + state + "\n";
  }
  std::optional<Credential> c;
  if (cache != nullptr) c = cache->Read(p.name, p.CacheKey());
  int64_t now = deps.clock.Now();
  if (!c) {
    out += "  token: none cached\n";
  } else if (c->expires_at <= now) {
    out += "  token: expired " + HumanDuration(now - c->expires_at) + " ago\n";
  } else {
    out += "  token: cached, expires in " + HumanDuration(c->expires_at - now) + " (" + Rfc3339(c->expires_at) +
           "), obtained " + HumanDuration(now - c->obtained_at) + " ago" +
           (IsFresh(*c, now, p.refresh_margin, 0) ? "" : "; will be refreshed on next use") + "\n";
  }
  fputs(out.c_str(), ctx.out);
  return rc;
}

int StatusCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Config> config = LoadConfig(ctx.paths.config, ctx.env);
  if (!config) return ReportError(ctx.err, "", config.error());
  TokenCache cache(ctx.paths.cache_dir, ctx.env.uid);
  Status cache_ok = cache.Open();
  if (!cache_ok) ReportError(ctx.err, "", cache_ok.error());
  fprintf(ctx.out, "config: %s\ncache: %s\n", ctx.paths.config.c_str(), ctx.paths.cache_dir.c_str());
  int rc = 0;
  if (!ctx.inv.args.empty()) {
    Result<const Profile*> profile = config->Find(ctx.inv.args[0]);
    if (!profile) return ReportError(ctx.err, "", profile.error());
    rc = ProfileStatus(ctx, **profile, cache_ok ? &cache : nullptr, deps);
  } else {
    for (const Profile& p : config->profiles) {
      int r = ProfileStatus(ctx, p, cache_ok ? &cache : nullptr, deps);
      if (rc == 0) rc = r;
    }
  }
  return fflush(ctx.out) == 0 ? rc : 1;
}

}  // namespace

Result<Secret> SecretFromInput(std::string* raw) {
  std::string_view v = *raw;
  if (v.ends_with('\n')) v.remove_suffix(1);
  if (v.ends_with('\r')) v.remove_suffix(1);
  Result<Secret> out = MakeError(ErrorKind::kUsage, "no value on stdin: pipe the secret in, e.g. "
                                                    "'tokex secret set PROFILE NAME < file'");
  if (!v.empty() && HasControlChars(v))
    out = MakeError(ErrorKind::kUsage, "the value contains a line break or another control character: "
                                       "give exactly one line");
  else if (!v.empty())
    out = Secret(v);
  WipeString(raw);
  return out;
}

Result<Credential> ObtainCredential(const CommandContext& ctx, const Profile& p, EngineDeps& deps) {
  TokenCache cache(ctx.paths.cache_dir, ctx.env.uid);
  if (Status s = cache.Open(); !s) return s.error();
  const std::string key = p.CacheKey();
  const bool use_cache = !ctx.inv.no_cache;
  int64_t start = deps.clock.Now();
  if (use_cache) {
    std::optional<Credential> c = cache.Read(p.name, key);
    if (c && IsFresh(*c, start, p.refresh_margin, ctx.inv.min_ttl)) return std::move(*c);
  }
  Result<ProfileLock> lock = ProfileLock::Acquire(cache.LockPath(p.name));
  if (!lock) return lock.error();
  if (use_cache) {
    // Whoever held the lock before us may have just refreshed: a token
    // obtained since we started is used even if it is short-lived, so N
    // waiting callers make one exchange between them.
    std::optional<Credential> c = cache.Read(p.name, key);
    int64_t now = deps.clock.Now();
    if (c && (IsFresh(*c, now, p.refresh_margin, ctx.inv.min_ttl) || (c->obtained_at >= start && c->expires_at > now))) {
      Note(ctx, p.name, "another caller refreshed the token; using it");
      return std::move(*c);
    }
  }
  Note(ctx, p.name, "exchanging at " + TokenHost(p));
  std::unique_ptr<SecretStore> store = deps.make_store(p);
  FlowContext flow{p, *store, deps.http, deps.clock};
  Result<Credential> c = RunExchange(flow);
  if (!c) return c;
  if (use_cache) {
    if (Status s = cache.Write(p.name, key, *c); !s)
      ReportError(ctx.err, p.name, MakeError(ErrorKind::kInternal, "warning: token not cached: " + s.error().message));
  }
  return c;
}

int RunEngine(const CommandContext& ctx, EngineDeps& deps) {
  if (std::optional<int> rc = RunLocalCommand(ctx)) return *rc;
  switch (ctx.inv.command->id) {
    case CommandId::kSecret: return SecretCommand(ctx, deps);
    case CommandId::kStatus: return StatusCommand(ctx, deps);
    default: return PrintCredential(ctx, deps);
  }
}

int EngineMain(std::span<const std::string> argv, const Environment& env) {
  SystemClock clock;
  Result<CommandContext> ctx = MakeContext(argv, env, clock.Now());
  if (!ctx) return ReportError(stderr, "", ctx.error());
  CurlHttpClient http;
  const Paths& paths = ctx->paths;
  EngineDeps deps{http, clock, [&](const Profile& p) { return MakeSecretStore(p, env, paths); }};
  return RunEngine(*ctx, deps);
}

}  // namespace tokex
