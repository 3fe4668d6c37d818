// Process set-up shared by the mains.
#ifndef TOKEX_PROCESS_H_
#define TOKEX_PROCESS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"
#include "environment.h"
#include "handoff.h"
#include "result.h"

namespace tokex {

/// Keeps secrets out of core files: no core dumps, and (outside sanitizer
/// builds, whose leak checker needs it) not dumpable or ptrace-attachable
/// by other processes of the user.
void HardenProcess();

/// The path `relative` (a path below the directory of executable `exe`,
/// possibly starting with "../") names, with the leading ".." resolved
/// against that directory. `exe` must be absolute and free of symlinks.
std::string EngineBeside(std::string_view exe, std::string_view relative);

/// The engine executable to run on a cache miss, found from this
/// executable's own location (/proc/self/exe), never from the environment
/// or PATH: the engine gets secrets. First where the install puts it
/// relative to bindir (TOKEX_ENGINE_RELPATH: any prefix, DESTDIR or
/// relocated copy of the whole install), then beside this executable (a
/// build tree). When neither exists, the first, so that the error names
/// it: an engine from another install may not speak this front's hand-off.
/// The configured absolute location only when /proc/self/exe cannot be
/// read (no /proc).
std::string FindEngine();

/// A front: runs `argv` (without argv[0]) as far as it can without the
/// engine (see RunFront).
using FrontFn = Result<FrontStep> (*)(std::span<const std::string> argv, const Environment& env, int64_t now,
                                      Io io, HandOff* handoff);

/// Reports the error that ends executable `name` the way its callers read
/// it, on `io`, and returns the exit status.
using ReportFn = int (*)(std::string_view name, const Error& e, Io io);

/// ReportFn for people and scripts: ErrorLine on io.err, the contract's
/// exit code.
int ReportOnStderr(std::string_view name, const Error& e, Io io);

/// The main of a thin executable called `name`: hardens the process, runs
/// `front`, and on kNeedsEngine hands over to tokex-engine with the same
/// arguments under `name`. Returns only on failure or when done.
int ThinMain(int argc, char** argv, std::string_view name, FrontFn front, ReportFn report);

}  // namespace tokex

#endif  // TOKEX_PROCESS_H_
