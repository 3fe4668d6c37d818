// Fuzzes the env_output codec: whatever the token, what it writes reads
// back as exactly that token, by a shell's single-quote rules, by the
// GitHub runner's decoding of a command's data and by its reading of
// $GITHUB_ENV; and GitLabMaskProblem agrees with GitLab's pattern.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "env_output.h"

namespace {

void Require(bool ok) {
  if (!ok) abort();
}

// The word a POSIX shell reads from `quoted`: '...' spans and \' only,
// which is all ShellQuote writes.
std::string ShellUnquote(std::string_view quoted) {
  std::string out;
  size_t i = 0;
  while (i < quoted.size()) {
    if (quoted[i] == '\\') {
      Require(i + 1 < quoted.size() && quoted[i + 1] == '\'');
      out += '\'';
      i += 2;
      continue;
    }
    Require(quoted[i] == '\'');
    size_t end = quoted.find('\'', i + 1);
    Require(end != std::string_view::npos);
    out += quoted.substr(i + 1, end - i - 1);
    i = end + 1;
  }
  return out;
}

// ActionCommand.UnescapeData: each mapping replaced in turn.
std::string RunnerUnescape(std::string s) {
  for (auto [from, to] : {std::pair{"%0D", "\r"}, std::pair{"%0A", "\n"}, std::pair{"%25", "%"}}) {
    std::string out;
    size_t at = 0, hit;
    while ((hit = s.find(from, at)) != std::string::npos) {
      out += s.substr(at, hit - at);
      out += to;
      at = hit + 3;
    }
    out += s.substr(at);
    s = out;
  }
  return s;
}

void CheckShell(std::string_view value) {
  auto line = tokex::ShellAssignment("T", value);
  if (!line.ok()) return;
  Require(line->starts_with("export T=") && line->ends_with("\n"));
  std::string_view word(*line);
  word = word.substr(9, word.size() - 10);
  Require(ShellUnquote(word) == value);
}

void CheckMask(std::string_view value) {
  auto line = tokex::GitHubMaskLine(value);
  if (!line.ok()) return;
  Require(line->starts_with("::add-mask::") && line->ends_with("\n"));
  Require(line->find('\n') == line->size() - 1);
  Require(RunnerUnescape(line->substr(12, line->size() - 13)) == value);
}

// Reads the block back as the runner does: a NAME<<DELIMITER line, value
// lines, then a line that is exactly DELIMITER.
void CheckBlock(std::string_view value, std::span<const unsigned char> random) {
  auto block = tokex::GitHubEnvBlock("T", value, random);
  if (!block.ok()) return;
  std::string_view b(*block);
  Require(b.starts_with("\nT<<ghadelimiter_"));
  size_t header_end = b.find('\n', 1);
  std::string_view delimiter = b.substr(4, header_end - 4);
  Require(value.find(delimiter) == std::string_view::npos);
  std::string_view rest = b.substr(header_end + 1);
  size_t end = rest.find("\n" + std::string(delimiter) + "\n");
  Require(end != std::string_view::npos && end + delimiter.size() + 2 == rest.size());
  Require(rest.substr(0, end) == value);
}

void CheckGitLab(std::string_view value) {
  bool maskable = value.size() >= 8;
  for (char c : value) {
    bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   std::string_view("_+=/@:.~-").find(c) != std::string_view::npos;
    maskable = maskable && allowed;
  }
  std::string problem = tokex::GitLabMaskProblem(value);
  Require(problem.empty() == maskable);
}

}  // namespace

// The first byte says how many of the next bytes are random for the
// delimiter; the rest is the token.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t n_random = std::min<size_t>(data[0] % (3 * tokex::kDelimiterBytes), size - 1);
  std::span<const unsigned char> random(data + 1, n_random);
  std::string_view value(reinterpret_cast<const char*>(data + 1 + n_random), size - 1 - n_random);
  CheckShell(value);
  CheckMask(value);
  CheckBlock(value, random);
  CheckGitLab(value);
  return 0;
}
