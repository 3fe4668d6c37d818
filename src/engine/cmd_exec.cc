// tokex exec PROFILE -- CMD..., when the front found no fresh token in the
// cache: obtain one, then become CMD as the front would have.
#include "ci_front.h"
#include "engine_commands.h"
#include "front.h"

namespace tokex {

Status ExecCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  if (Status s = CheckOneToken(p); !s) return s;
  ObtainOptions options{.use_cache = !ctx.inv.no_cache,
                        .min_ttl = ctx.inv.min_ttl,
                        .deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)}};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return InProfile(c.error(), p.name);
  // Returns only when CMD could not be run.
  return InProfile(ExecWithCredential(p, *c, CommandToRun(ctx)), p.name);
}

}  // namespace tokex
