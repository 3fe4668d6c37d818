// Handing a command over from a thin front end to tokex-engine, and the
// engine's side of it.
#ifndef TOKEX_HANDOFF_H_
#define TOKEX_HANDOFF_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace tokex {

/// What a front passes to the engine besides its command line.
struct HandOff {
  /// What the front already read of its stdin (a helper's request). When
  /// not empty, the engine's stdin holds exactly these bytes, so it reads
  /// the request as if first-hand; the rest of the front's stdin is not
  /// passed on. When empty, stdin is passed on untouched.
  std::string consumed_stdin;
  /// The config text the front read, if it read one: the engine uses it
  /// instead of reading the file again, which a pipe (--config <(...))
  /// would not allow, and so sees the very config the front saw.
  std::optional<std::string> config;
};

/// Replaces this process with the engine at `engine_path` (execv).
/// `argv` becomes the engine's argv: its first element names the front
/// that hands over ("tokex"), which picks the engine's personality. What
/// `handoff` carries travels in anonymous memory files (memfd), never in
/// argv, the environment or a file on disk; the engine's argv[1] is then
/// "--handoff-config=FD" when a config is passed. Returns only on failure,
/// with a kInternal error.
Error ExecEngine(const std::string& engine_path, std::span<const std::string> argv, const HandOff& handoff);

/// The engine's side: the arguments after argv[0] without the hand-off
/// option, and the config text it points to.
struct ReceivedHandOff {
  std::vector<std::string> args;
  std::optional<std::string> config;
};

/// Takes a leading "--handoff-config=FD" out of `args` (the engine's argv
/// after argv[0]) and reads the config from FD (at most 1 MiB), closing it.
/// kInternal error when FD cannot be read.
Result<ReceivedHandOff> ReceiveHandOff(std::span<const std::string> args);

}  // namespace tokex

#endif  // TOKEX_HANDOFF_H_
