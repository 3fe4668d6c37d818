// tokex exec: not written yet.
#include "engine_commands.h"

namespace tokex {

Status ExecCommand(const CommandContext&, EngineDeps&) {
  return MakeError(ErrorKind::kInternal, "tokex exec is not written yet");
}

}  // namespace tokex
