// Fuzzes the command-line parser with NUL-separated argument lists.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.h"
#include "front.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> argv(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) argv.emplace_back();
    else argv.back().push_back(static_cast<char>(data[i]));
  }
  (void)tokex::ParseCommandLine(argv, tokex::TokexCommands());
  return 0;
}
