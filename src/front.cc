#include "front.h"

#include <cstring>

#include "cache.h"
#include "text.h"
#include "tokex_version.h"

namespace tokex {

int ReportError(FILE* err, std::string_view profile, const Error& e) {
  std::string line = "tokex: ";
  if (!profile.empty()) line += std::string(profile) + ": ";
  line += e.message + "\n";
  fputs(line.c_str(), err);
  fflush(err);
  return e.ExitCode();
}

Status WriteAndWipe(FILE* out, std::string* data) {
  bool ok = fwrite(data->data(), 1, data->size(), out) == data->size();
  ok = fflush(out) == 0 && ok;
  WipeString(data);
  if (!ok) return MakeError(ErrorKind::kInternal, std::string("cannot write output: ") + strerror(errno));
  return Success();
}

Result<CommandContext> MakeContext(std::span<const std::string> argv, const Environment& env,
                                   int64_t now) {
  Result<Invocation> inv = ParseCommandLine(argv);
  if (!inv) return inv.error();
  CommandContext ctx;
  ctx.paths = ResolvePaths(env, inv->config_path);
  ctx.inv = std::move(inv.value());
  ctx.env = env;
  ctx.now = now;
  return ctx;
}

Result<Profile> LoadProfile(const CommandContext& ctx) {
  Result<Config> config = LoadConfig(ctx.paths.config, ctx.env);
  if (!config) return config.error();
  Result<const Profile*> profile =
      config->Find(ctx.inv.args.at(ctx.inv.command->id == CommandId::kSecret ? 1 : 0));
  if (!profile) return profile.error();
  return **profile;
}

namespace {

int Forget(const CommandContext& ctx) {
  TokenCache cache(ctx.paths.cache_dir, ctx.env.uid);
  if (Status s = cache.Open(); !s) return ReportError(ctx.err, "", s.error());
  if (!ctx.inv.args.empty()) {
    const std::string& name = ctx.inv.args[0];
    if (!IsValidProfileName(name))
      return ReportError(ctx.err, "", MakeError(ErrorKind::kUsage, "'" + Printable(name, 64) + "' is not a profile name"));
    Status s = cache.Forget(name);
    return s ? 0 : ReportError(ctx.err, name, s.error());
  }
  Status s = cache.ForgetAll();
  return s ? 0 : ReportError(ctx.err, "", s.error());
}

}  // namespace

std::optional<int> RunLocalCommand(const CommandContext& ctx) {
  switch (ctx.inv.command->id) {
    case CommandId::kHelp: {
      std::string text = UsageText();
      fputs(text.c_str(), ctx.out);
      return fflush(ctx.out) == 0 ? 0 : 1;
    }
    case CommandId::kVersion:
      fputs("tokex " TOKEX_VERSION "\n", ctx.out);
      return fflush(ctx.out) == 0 ? 0 : 1;
    case CommandId::kForget:
      return Forget(ctx);
    default:
      return std::nullopt;
  }
}

std::optional<int> TryPrintCached(const CommandContext& ctx) {
  if (!PrintsCredential(ctx.inv.command->id) || ctx.inv.no_cache) return std::nullopt;
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return ReportError(ctx.err, "", profile.error());
  const Profile& p = *profile;
  TokenCache cache(ctx.paths.cache_dir, ctx.env.uid);
  if (!cache.Open()) return std::nullopt;
  std::optional<Credential> cached = cache.Read(p.name, p.CacheKey());
  if (!cached || !IsFresh(*cached, ctx.now, p.refresh_margin, ctx.inv.min_ttl)) return std::nullopt;
  Result<std::string> text = FormatCredential(FormatOf(ctx.inv.command->id), *cached);
  if (!text) return std::nullopt;
  Status s = WriteAndWipe(ctx.out, &text.value());
  return s ? 0 : ReportError(ctx.err, p.name, s.error());
}

FrontOutcome RunFront(std::span<const std::string> argv, const Environment& env, int64_t now) {
  Result<CommandContext> ctx = MakeContext(argv, env, now);
  if (!ctx) return {false, ReportError(stderr, "", ctx.error())};
  if (std::optional<int> rc = RunLocalCommand(*ctx)) return {false, *rc};
  if (std::optional<int> rc = TryPrintCached(*ctx)) return {false, *rc};
  return {true, 0};
}

}  // namespace tokex
