// The front's part of tokex exec, tokex env and tokex match (ci_front.cc).
#ifndef TOKEX_CI_FRONT_H_
#define TOKEX_CI_FRONT_H_

#include "cli.h"

namespace tokex {

/// tokex exec PROFILE -- CMD...: on a cache hit, runs CMD in this process
/// with the credential in the profile's env-name; else the engine's.
Result<FrontStep> ExecCached(const CommandContext& ctx);

/// tokex env PROFILE [--github|--gitlab]: on a cache hit, prints the
/// variable for a shell or a CI; else the engine's.
Result<FrontStep> EnvCached(const CommandContext& ctx);

/// tokex match URL: prints the name of the profile whose `match` covers
/// URL; kUsage when none does.
Result<FrontStep> MatchCommand(const CommandContext& ctx);

}  // namespace tokex

#endif  // TOKEX_CI_FRONT_H_
