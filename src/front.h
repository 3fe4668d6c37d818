// The thin front end: answers cache hits and the commands that need no
// network or store, and says when the engine must take over. It must not
// pull in libcurl, libsecret, GLib or OpenSSL (see meson.build).
#ifndef TOKEX_FRONT_H_
#define TOKEX_FRONT_H_

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"
#include "config.h"
#include "environment.h"
#include "result.h"

namespace tokex {

/// Everything a command needs from the process, read once by a main.
struct CommandContext {
  Invocation inv;
  Environment env;
  Paths paths;
  int64_t now = 0;  ///< unix time at start
  FILE* in = stdin;
  FILE* out = stdout;
  FILE* err = stderr;
};

/// What the front end did: finished with `exit_code`, or handed over.
struct FrontOutcome {
  bool needs_engine = false;
  int exit_code = 0;
};

/// Runs `argv` (without argv[0]) as far as the thin path can. Prints
/// results and errors itself; when `needs_engine` is set it has printed
/// nothing and the caller must run the same argv in the engine.
FrontOutcome RunFront(std::span<const std::string> argv, const Environment& env, int64_t now);

/// Prints "tokex: PROFILE: message" (or "tokex: message") and returns the
/// error's exit code.
int ReportError(FILE* err, std::string_view profile, const Error& e);

/// Writes `data` to `out` and flushes; a kInternal error when the reader
/// went away. Wipes `data` afterwards.
Status WriteAndWipe(FILE* out, std::string* data);

/// Parses argv and builds a context; errors are reported to `err`.
/// Returns the exit code to use when parsing failed.
Result<CommandContext> MakeContext(std::span<const std::string> argv, const Environment& env,
                                   int64_t now);

/// Loads the config and returns the profile the command names (its first
/// argument, or the second for `secret`). Errors are kUsage.
Result<Profile> LoadProfile(const CommandContext& ctx);

/// Runs the commands that never need the engine (help, version, forget).
/// Returns nullopt for other commands.
std::optional<int> RunLocalCommand(const CommandContext& ctx);

/// Prints the cached credential for a print command when it is fresh.
/// Returns nullopt when the engine must fetch (or report a cache problem).
std::optional<int> TryPrintCached(const CommandContext& ctx);

}  // namespace tokex

#endif  // TOKEX_FRONT_H_
