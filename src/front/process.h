// Process set-up shared by the mains.
#ifndef TOKEX_PROCESS_H_
#define TOKEX_PROCESS_H_

#include <string>

namespace tokex {

/// Keeps secrets out of core files: no core dumps, and (outside sanitizer
/// builds, whose leak checker needs it) not dumpable or ptrace-attachable
/// by other processes of the user.
void HardenProcess();

/// The engine executable to run on a cache miss: next to this executable
/// in a build tree, else the installed one in libexecdir (returned even
/// when it is missing, so that the error names it).
std::string FindEngine();

}  // namespace tokex

#endif  // TOKEX_PROCESS_H_
