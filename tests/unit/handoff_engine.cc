// A stand-in for tokex-engine in handoff_test: receives a hand-off the way
// the engine does and prints what arrived, as
//   argv0=NAME
//   arg=ARG            (one line per remaining argument)
//   config=TEXT        (when a config was handed over)
//   stdin=TEXT
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "handoff.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto in = tokex::ReceiveHandOff(args);
  if (!in) {
    fprintf(stderr, "%s\n", in.error().message.c_str());
    return 3;
  }
  std::string out = "argv0=" + std::string(argv[0]) + "\n";
  for (const std::string& a : in->args) out += "arg=" + a + "\n";
  if (in->config) out += "config=" + *in->config + "\n";
  out += "stdin=";
  char buf[65536];
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
