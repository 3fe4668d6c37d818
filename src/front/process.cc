#include "process.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "diagnostics.h"

#include "tokex_version.h"

#if defined(__SANITIZE_ADDRESS__)
#define TOKEX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TOKEX_SANITIZED 1
#endif
#endif

namespace tokex {

void HardenProcess() {
  // The soft limit only: a command tokex exec runs inherits it (its
  // environment holds the token too) but may raise it again.
  struct rlimit limit {0, 0};
  if (getrlimit(RLIMIT_CORE, &limit) != 0) limit = {0, 0};
  limit.rlim_cur = 0;
  setrlimit(RLIMIT_CORE, &limit);
#ifndef TOKEX_SANITIZED
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

std::string EngineBeside(std::string_view exe, std::string_view relative) {
  std::string dir(exe.substr(0, exe.rfind('/')));
  // `exe` comes from /proc/self/exe, which holds no symlink: dropping a
  // component for each ".." lands where the kernel would.
  while (relative.starts_with("../") && !dir.empty()) {
    dir.resize(dir.rfind('/'));
    relative.remove_prefix(3);
  }
  return dir + "/" + std::string(relative);
}

std::string FindEngine() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self);
  // Without /proc (or with a path too long for the buffer) tokex cannot
  // know where it runs from: only the configured location is left.
  if (n <= 0 || static_cast<size_t>(n) >= sizeof self) return TOKEX_ENGINE_PATH;
  std::string_view exe(self, static_cast<size_t>(n));
  std::string installed = EngineBeside(exe, TOKEX_ENGINE_RELPATH);
  if (access(installed.c_str(), X_OK) == 0) return installed;
  // The build tree keeps both executables in one directory.
  std::string sibling = EngineBeside(exe, "tokex-engine");
  if (access(sibling.c_str(), X_OK) == 0) return sibling;
  return installed;
}

int ReportOnStderr(std::string_view name, const Error& e, Io io) {
  fputs(ErrorLine(name, e).c_str(), io.err);
  fflush(io.err);
  return e.ExitCode();
}

int ThinMain(int argc, char** argv, std::string_view name, FrontFn front, ReportFn report) {
  HardenProcess();
  std::vector<std::string> args(argv + 1, argv + argc);
  Environment env = Environment::FromEnviron(environ, geteuid());
  HandOff handoff;
  Io io{stdin, stdout, stderr};
  Result<FrontStep> step = front(args, env, time(nullptr), io, &handoff);
  if (!step) return report(name, step.error(), io);
  if (*step == FrontStep::kDone) return 0;
  // The engine gets the same command line, under the front's own name.
  args.insert(args.begin(), std::string(name));
  return report(name, ExecEngine(FindEngine(), args, handoff), io);
}

}  // namespace tokex
