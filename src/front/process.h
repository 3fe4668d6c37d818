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

/// The engine executable to run on a cache miss: next to this executable
/// in a build tree, else the installed one in libexecdir (returned even
/// when it is missing, so that the error names it).
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
