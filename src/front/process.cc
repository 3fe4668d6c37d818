#include "process.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

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
  struct rlimit none {0, 0};
  setrlimit(RLIMIT_CORE, &none);
#ifndef TOKEX_SANITIZED
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

std::string FindEngine() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir.resize(dir.rfind('/'));
    // The build tree keeps both executables in one directory; an installed
    // tokex never has tokex-engine beside it in bindir.
    std::string sibling = dir + "/tokex-engine";
    if (access(sibling.c_str(), X_OK) == 0) return sibling;
  }
  return TOKEX_ENGINE_PATH;
}

}  // namespace tokex
