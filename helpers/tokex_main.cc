// tokex: the thin front end. Answers cache hits without loading libcurl,
// libsecret, GLib or OpenSSL; anything else runs in tokex-engine.
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "environment.h"
#include "front.h"
#include "process.h"

int main(int argc, char** argv) {
  tokex::HardenProcess();
  std::vector<std::string> args(argv + 1, argv + argc);
  tokex::Environment env = tokex::Environment::FromEnviron(environ, geteuid());
  tokex::FrontOutcome outcome = tokex::RunFront(args, env, time(nullptr));
  if (!outcome.needs_engine) return outcome.exit_code;
  std::string engine = tokex::FindEngine();
  if (!engine.empty()) execv(engine.c_str(), argv);
  fputs("tokex: cannot run tokex-engine (needed when no cached token can be used): reinstall tokex\n", stderr);
  return 1;
}
