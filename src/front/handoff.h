// Handing a command over from a thin front end to tokex-engine.
#ifndef TOKEX_HANDOFF_H_
#define TOKEX_HANDOFF_H_

#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// Replaces this process with the engine at `engine_path` (execv).
/// `argv` becomes the engine's whole argv: its first element names the
/// front that hands over ("tokex"), which picks the engine's personality.
///
/// `consumed_stdin` is what the front has already read of its stdin (a
/// helper's request). When it is not empty the engine's stdin holds
/// exactly those bytes, in an anonymous memory file, so the engine reads
/// the request as if it came first-hand; the rest of the front's stdin is
/// not passed on. The bytes never go through argv, the environment or a
/// file on disk. When it is empty, stdin is passed on untouched.
///
/// Returns only on failure, with a kInternal error.
Error ExecEngine(const std::string& engine_path, std::span<const std::string> argv,
                 std::string_view consumed_stdin);

}  // namespace tokex

#endif  // TOKEX_HANDOFF_H_
