// Fuzzes the command-line parser, and what the shell completions read of a
// line (tokex __complete), with NUL-separated argument lists.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.h"
#include "complete.h"
#include "front.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> argv(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) argv.emplace_back();
    else argv.back().push_back(static_cast<char>(data[i]));
  }
  (void)tokex::ParseCommandLine(argv, tokex::TokexCommands());
  std::vector<std::string> line(argv.begin() + 1, argv.end());
  tokex::CompletionPoint point = tokex::LocateCompletion(line, tokex::TokexCommands());
  std::vector<std::string> words = tokex::CompletionWords(point, tokex::TokexCommands(), nullptr);
  std::string answer = tokex::FormatCompletion(point, words);
  if (!answer.empty() && answer.back() != '\n') abort();  // the scripts read whole lines
  return 0;
}
