// tokex check [--exchange] [PROFILE]: the doctor. One line per step of
// each profile (check.h); exits with the first failing step's code.
#include "check.h"
#include "engine_commands.h"
#include "front.h"

namespace tokex {

Status CheckCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  std::string_view only = ctx.inv.ProfileArg();
  bool named = false;
  for (const Profile& p : config->profiles) named = named || p.name == only;
  // A name the config lacks gets Find's error, with its suggestion.
  if (!only.empty() && !named) return config->Find(only).error();
  if (config->profiles.empty())
    return MakeError(ErrorKind::kUsage, config->source + " has no profile to check: add one (man 5 tokex.conf)");
  CheckOptions options{.exchange_rotating = ctx.inv.Has("--exchange")};
  std::optional<Error> first;
  int failed = 0;
  for (const Profile& p : config->profiles) {
    if (!only.empty() && p.name != only) continue;
    CheckReport report = CheckProfile(p, options, deps);
    std::string out;
    for (const CheckLine& line : report.lines) out += FormatCheckLine(p.name, line);
    // Each profile's lines as soon as they are known: the next may take a while.
    if (Status s = WriteText(ctx.io.out, out); !s) return s;
    if (report.failure) {
      ++failed;
      if (!first) first = report.failure;
    }
  }
  if (!first) return Success();
  Error e = MakeError(first->kind, failed == 1 ? "a step failed: see above"
                                               : std::to_string(failed) + " profiles have a failing step: see above");
  return failed == 1 ? InProfile(e, first->profile) : e;
}

}  // namespace tokex
