// The engine's side of docker-credential-tokex: not written yet.
#include "engine.h"

namespace tokex {

Status RunDockerCredential(const ReceivedHandOff&, const Environment&, EngineServices&, Io) {
  return MakeError(ErrorKind::kInternal, "docker-credential-tokex is not written yet");
}

}  // namespace tokex
