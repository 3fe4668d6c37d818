// tokex token|header|curl|json PROFILE, when the front found no fresh
// token in the cache.
#include "engine_commands.h"
#include "front.h"
#include "output.h"

namespace tokex {

Status PrintCredentialCommand(const CommandContext& ctx, EngineDeps& deps) {
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  if (Status s = CheckFormat(p, ctx.inv.command->format); !s) return s;
  ObtainOptions options{.use_cache = !ctx.inv.no_cache,
                        .min_ttl = ctx.inv.min_ttl,
                        .deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)}};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return InProfile(c.error(), p.name);
  Result<std::string> text = FormatCredential(ctx.inv.command->format, *c);
  if (!text) return InProfile(text.error(), p.name);
  return InProfile(WriteAndWipe(ctx.io.out, &text.value()), p.name);
}

}  // namespace tokex
