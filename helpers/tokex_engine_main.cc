// tokex-engine: the full tokex, run by tokex when a cache hit is not
// enough. Not meant to be run by hand, though it works the same.
#include <unistd.h>

#include <string>
#include <vector>

#include "engine.h"
#include "process.h"

int main(int argc, char** argv) {
  tokex::HardenProcess();
  std::vector<std::string> args(argv + 1, argv + argc);
  return tokex::EngineMain(args, tokex::Environment::FromEnviron(environ, geteuid()));
}
