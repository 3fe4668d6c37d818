// tokex env PROFILE [--github|--gitlab], when the front found no fresh
// token in the cache: obtain one, then write it as the front would have.
#include "ci_front.h"
#include "engine_commands.h"
#include "front.h"

namespace tokex {

Status EnvCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  // Before the exchange: a request that cannot be answered spends nothing.
  if (Status s = CheckEnvRequest(ctx, p); !s) return InProfile(s.error(), p.name);
  ObtainOptions options{.use_cache = !ctx.inv.no_cache,
                        .min_ttl = ctx.inv.min_ttl,
                        .deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)}};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return InProfile(c.error(), p.name);
  return InProfile(WriteEnv(ctx, p, *c), p.name);
}

}  // namespace tokex
