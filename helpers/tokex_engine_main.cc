// tokex-engine: runs what a thin front end hands over (a cache miss, a
// secret to store, status). argv[0] names the front; run by hand, it
// behaves as tokex.
#include <unistd.h>

#include <string>
#include <vector>

#include "clock.h"
#include "engine.h"
#include "http_curl.h"
#include "preset_registry.h"
#include "process.h"
#include "random.h"
#include "store_registry.h"

int main(int argc, char** argv) {
  tokex::HardenProcess();
  std::vector<std::string> args(argv, argv + argc);
  tokex::Environment env = tokex::Environment::FromEnviron(environ, geteuid());
  tokex::SystemClock clock;
  tokex::CurlHttpClient http;
  tokex::SystemRandom random;
  tokex::EngineServices services{http, clock, random, tokex::PresetExchanges(), tokex::StoreFactories()};
  return tokex::RunEngine(args, env, services, {stdin, stdout, stderr});
}
