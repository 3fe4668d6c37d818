// tokex exec, env and match: not written yet.
#include "ci_front.h"

namespace tokex {

Result<FrontStep> ExecCached(const CommandContext&) { return FrontStep::kNeedsEngine; }

Result<FrontStep> EnvCached(const CommandContext&) { return FrontStep::kNeedsEngine; }

Result<FrontStep> MatchCommand(const CommandContext&) {
  return MakeError(ErrorKind::kInternal, "tokex match is not written yet");
}

}  // namespace tokex
