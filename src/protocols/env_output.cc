#include "env_output.h"

#include "config.h"
#include "secret.h"
#include "text.h"

namespace tokex {

namespace {

constexpr std::string_view kDelimiterPrefix = "ghadelimiter_";

// The refusals every writer here shares. Messages never quote the value.
Status CheckVariable(std::string_view name, std::string_view value) {
  if (!IsSafeEnvName(name))
    return MakeError(ErrorKind::kUsage,
                     "'" + Printable(name, 64) + "' is not a usable variable name or changes how programs run");
  if (value.empty()) return MakeError(ErrorKind::kNetwork, "the server gave an empty token");
  if (HasControlChars(value))
    return MakeError(ErrorKind::kNetwork,
                     "the token holds a control character or invalid UTF-8: it cannot be written for a shell");
  return Success();
}

std::string Hex(std::span<const unsigned char> bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

bool MaskableByGitLab(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("_+=/@:.~-").find(c) != std::string_view::npos;
}

}  // namespace

std::string ShellQuote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

Result<std::string> ShellAssignment(std::string_view name, std::string_view value) {
  if (Status s = CheckVariable(name, value); !s) return s.error();
  std::string out = "export ";
  out += name;
  out += '=';
  out += ShellQuote(value);
  out += '\n';
  return out;
}

Result<std::string> GitHubMaskLine(std::string_view value) {
  // Any safe name will do: only the value is checked here.
  if (Status s = CheckVariable("VALUE", value); !s) return s.error();
  std::string out = "::add-mask::";
  for (char c : value) {
    if (c == '%')
      out += "%25";
    else
      out += c;
  }
  out += '\n';
  return out;
}

Result<std::string> GitHubEnvBlock(std::string_view name, std::string_view value,
                                   std::span<const unsigned char> random) {
  if (Status s = CheckVariable(name, value); !s) return s.error();
  for (size_t at = 0; at + kDelimiterBytes <= random.size(); at += kDelimiterBytes) {
    std::string delimiter = std::string(kDelimiterPrefix) + Hex(random.subspan(at, kDelimiterBytes));
    if (value.find(delimiter) != std::string_view::npos) continue;
    std::string out = "\n";
    out += name;
    out += "<<" + delimiter + "\n";
    out += value;
    out += "\n" + delimiter + "\n";
    return out;
  }
  return MakeError(ErrorKind::kInternal, "no heredoc delimiter for $GITHUB_ENV that the token does not contain");
}

std::string GitLabMaskProblem(std::string_view value) {
  std::string problem;
  if (value.size() < 8) problem = "it is shorter than 8 characters";
  for (char c : value) {
    if (MaskableByGitLab(c)) continue;
    problem += problem.empty() ? "it holds" : " and holds";
    problem += " characters other than A-Z a-z 0-9 _ + = / @ : . ~ -";
    break;
  }
  return problem;
}

}  // namespace tokex
