#include "front.h"

#include <array>
#include <cerrno>
#include <cstring>

#include "cache.h"
#include "ci_front.h"
#include "complete.h"
#include "text.h"
#include "tokex_version.h"

namespace tokex {

namespace {

using std::string_view_literals::operator""sv;

Result<FrontStep> Help(const CommandContext& ctx) {
  if (Status s = WriteText(ctx.io.out, UsageText(TokexCommands())); !s) return s.error();
  return FrontStep::kDone;
}

Result<FrontStep> Version(const CommandContext& ctx) {
  if (Status s = WriteText(ctx.io.out, "tokex " TOKEX_VERSION "\n"); !s) return s.error();
  return FrontStep::kDone;
}

Result<FrontStep> Forget(const CommandContext& ctx) {
  std::string_view name = ctx.inv.ProfileArg();
  if (name.empty()) {
    Result<TokenCache> cache = TokenCache::Open(ctx.paths.cache_dir, ctx.env.uid);
    if (!cache) return cache.error();
    if (Status s = cache->ForgetAll(); !s) return s.error();
    return FrontStep::kDone;
  }
  // Any name is accepted, so tokens of a profile since removed from the
  // config can be dropped too; but it becomes a file name.
  if (!IsValidProfileName(name))
    return MakeError(ErrorKind::kUsage, "'" + Printable(name, 64) + "' is not a profile name");
  if (Status s = ForgetCached(ctx.paths, ctx.env, name); !s) return s.error();
  return FrontStep::kDone;
}

// A credential command's cache hit; anything else is the engine's.
Result<FrontStep> PrintCached(const CommandContext& ctx) {
  if (ctx.inv.no_cache) return FrontStep::kNeedsEngine;
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  if (Status s = CheckFormat(p, ctx.inv.command->format); !s) return s.error();
  std::optional<Credential> cached = FreshCached(ctx.paths, ctx.env, p, ctx.now, ctx.inv.min_ttl);
  if (!cached) return FrontStep::kNeedsEngine;
  Result<std::string> text = FormatCredential(ctx.inv.command->format, *cached);
  if (!text) return FrontStep::kNeedsEngine;
  if (Status s = WriteAndWipe(ctx.io.out, &text.value()); !s) return InProfile(s.error(), p.name);
  return FrontStep::kDone;
}

constexpr std::array kSecretActions = {"set"sv, "rm"sv};
constexpr std::array kLoginFlags = {"--device"sv};
constexpr std::array kEnvFlags = {"--github"sv, "--gitlab"sv};
constexpr std::array kRefreshFlags = {"--rotating"sv};
constexpr std::array kCheckFlags = {"--exchange"sv};

// The order here is the order of `tokex help`.
constexpr std::array kCommands = {
    CommandInfo{.name = "token", .args = "PROFILE", .summary = "print the bare access token",
                .id = CommandId::kToken, .min_args = 1, .max_args = 1, .profile_arg = 0,
                .format = OutputFormat::kToken, .front = PrintCached},
    CommandInfo{.name = "header", .args = "PROFILE", .summary = "print the HTTP header line(s) to send",
                .id = CommandId::kHeader, .min_args = 1, .max_args = 1, .profile_arg = 0,
                .format = OutputFormat::kHeader, .front = PrintCached},
    CommandInfo{.name = "curl", .args = "PROFILE", .summary = "print a curl config: curl -K <(tokex curl P) URL",
                .id = CommandId::kCurl, .min_args = 1, .max_args = 1, .profile_arg = 0,
                .format = OutputFormat::kCurl, .front = PrintCached},
    CommandInfo{.name = "json", .args = "PROFILE", .summary = "print token, type, expiry, scope and headers as JSON",
                .id = CommandId::kJson, .min_args = 1, .max_args = 1, .profile_arg = 0,
                .format = OutputFormat::kJson, .front = PrintCached},
    CommandInfo{.name = "cookies", .args = "PROFILE", .summary = "print a cookie jar: curl -b FILE, wget --load-cookies",
                .id = CommandId::kCookies, .min_args = 1, .max_args = 1, .profile_arg = 0,
                .format = OutputFormat::kCookies, .front = PrintCached},
    CommandInfo{.name = "env", .args = "[--github|--gitlab] PROFILE",
                .summary = "print NAME=value for a shell, or add it to a CI job's environment",
                .id = CommandId::kEnv, .min_args = 1, .max_args = 1, .profile_arg = 0, .flags = kEnvFlags,
                .front = EnvCached},
    CommandInfo{.name = "exec", .args = "PROFILE -- CMD...",
                .summary = "run CMD with the credential in the profile's env-name", .id = CommandId::kExec,
                .min_args = 2, .max_args = 4096, .profile_arg = 0, .front = ExecCached},
    CommandInfo{.name = "match", .args = "URL", .summary = "print the profile whose match covers URL",
                .id = CommandId::kMatch, .min_args = 1, .max_args = 1, .front = MatchCommand},
    CommandInfo{.name = "secret", .args = "set|rm PROFILE NAME",
                .summary = "store (value read from stdin) or remove a secret", .id = CommandId::kSecret,
                .min_args = 3, .max_args = 3, .profile_arg = 1, .actions = kSecretActions},
    CommandInfo{.name = "login", .args = "[--device] PROFILE",
                .summary = "sign in (browser, or a code with --device) for the first refresh token",
                .id = CommandId::kLogin, .min_args = 1, .max_args = 1, .profile_arg = 0, .flags = kLoginFlags},
    CommandInfo{.name = "status", .args = "[PROFILE]", .summary = "show cached tokens and secret store health",
                .id = CommandId::kStatus, .min_args = 0, .max_args = 1, .profile_arg = 0},
    CommandInfo{.name = "refresh", .args = "[--rotating|PROFILE...]",
                .summary = "renew refresh tokens that expire within keep-alive",
                .id = CommandId::kRefresh, .min_args = 0, .max_args = 4096, .flags = kRefreshFlags},
    CommandInfo{.name = "check", .args = "[--exchange] [PROFILE]",
                .summary = "diagnose: config, store, secrets, DNS, TLS, clock, one exchange",
                .id = CommandId::kCheck, .min_args = 0, .max_args = 1, .profile_arg = 0, .flags = kCheckFlags},
    CommandInfo{.name = "forget", .args = "[PROFILE]", .summary = "drop cached tokens", .id = CommandId::kForget,
                .min_args = 0, .max_args = 1, .profile_arg = 0, .front = Forget},
    CommandInfo{.name = "help", .args = "", .summary = "show this help", .id = CommandId::kHelp, .min_args = 0,
                .max_args = 1, .front = Help},
    CommandInfo{.name = "version", .args = "", .summary = "show the version", .id = CommandId::kVersion,
                .min_args = 0, .max_args = 0, .front = Version},
    // The shell completions' question (complete.h), not listed by help.
    CommandInfo{.name = "__complete", .args = "-- WORD...", .summary = "candidates for the shell completions",
                .id = CommandId::kComplete, .min_args = 0, .max_args = 4096, .front = CompleteCommand,
                .hidden = true},
};

}  // namespace

std::span<const CommandInfo> TokexCommands() { return kCommands; }

Status CheckFormat(const Profile& p, OutputFormat format) {
  if (format != OutputFormat::kCookies || p.preset->session) return Success();
  return InProfile(MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                    " gives a token, not a session with cookies: use tokex header "
                                                    "or tokex curl"),
                   p.name);
}

Status WriteText(FILE* out, std::string_view text) {
  bool ok = fwrite(text.data(), 1, text.size(), out) == text.size();
  ok = fflush(out) == 0 && ok;
  if (!ok) return MakeError(ErrorKind::kInternal, std::string("cannot write output: ") + strerror(errno));
  return Success();
}

std::optional<Credential> FreshCached(const Paths& paths, const Environment& env, const Profile& profile,
                                      int64_t now, int64_t min_ttl) {
  Result<TokenCache> cache = TokenCache::Open(paths.cache_dir, env.uid);
  if (!cache) return std::nullopt;
  std::optional<Credential> cached = cache->Read(profile.name, profile.CacheKey());
  if (!cached || !IsFresh(*cached, now, profile.refresh_margin, min_ttl)) return std::nullopt;
  return cached;
}

Status ForgetCached(const Paths& paths, const Environment& env, std::string_view name) {
  Result<TokenCache> cache = TokenCache::Open(paths.cache_dir, env.uid);
  if (!cache) return InProfile(cache.error(), name);
  return InProfile(cache->Forget(name), name);
}

Status WriteAndWipe(FILE* out, std::string* data) {
  Status s = WriteText(out, *data);
  WipeString(data);
  return s;
}

Result<Profile> LoadProfile(const CommandContext& ctx) {
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  Result<const Profile*> profile = config->Find(ctx.inv.ProfileArg());
  if (!profile) return profile.error();
  return **profile;
}

Result<FrontStep> RunFront(std::span<const std::string> argv, const Environment& env, int64_t now, Io io,
                           HandOff* handoff) {
  Result<Invocation> inv = ParseCommandLine(argv, TokexCommands());
  if (!inv) return inv.error();
  if (inv->command->front == nullptr) return FrontStep::kNeedsEngine;
  Paths paths = ResolvePaths(env, inv->config_path);
  ConfigSource config(paths.config, env);
  StreamDiagnostics log("tokex", io.err, inv->verbose);
  CommandContext ctx{*inv, env, paths, config, now, io, log};
  Result<FrontStep> step = inv->command->front(ctx);
  if (step && *step == FrontStep::kNeedsEngine) handoff->config = config.text();
  return step;
}

}  // namespace tokex
