// tokex: the thin front end. Answers cache hits without loading libcurl,
// libsecret, GLib or OpenSSL; anything else runs in tokex-engine.
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "environment.h"
#include "front.h"
#include "handoff.h"
#include "process.h"

namespace {

int Fail(const tokex::Error& e) {
  fputs(tokex::ErrorLine("tokex", e).c_str(), stderr);
  return e.ExitCode();
}

}  // namespace

int main(int argc, char** argv) {
  tokex::HardenProcess();
  std::vector<std::string> args(argv + 1, argv + argc);
  tokex::Environment env = tokex::Environment::FromEnviron(environ, geteuid());
  tokex::HandOff handoff;
  tokex::Result<tokex::FrontStep> step = tokex::RunFront(args, env, time(nullptr), {stdin, stdout, stderr}, &handoff);
  if (!step) return Fail(step.error());
  if (*step == tokex::FrontStep::kDone) return 0;
  // The engine gets the same command line, under the front's own name.
  args.insert(args.begin(), "tokex");
  return Fail(tokex::ExecEngine(tokex::FindEngine(), args, handoff));
}
