// The engine's side of git-credential-tokex: not written yet.
#include "engine.h"

namespace tokex {

Status RunGitCredential(const ReceivedHandOff&, const Environment&, EngineServices&, Io) {
  return MakeError(ErrorKind::kInternal, "git-credential-tokex is not written yet");
}

}  // namespace tokex
