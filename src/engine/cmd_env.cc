// tokex env: not written yet.
#include "engine_commands.h"

namespace tokex {

Status EnvCommand(const CommandContext&, EngineDeps&) {
  return MakeError(ErrorKind::kInternal, "tokex env is not written yet");
}

}  // namespace tokex
