#include "diagnostics.h"

#include "text.h"

namespace tokex {

namespace {

// Everything before the newline goes through TerminalSafe: a message may
// echo a config value, a path or a command-line word holding anything.
std::string Line(std::string_view program, std::string_view profile, std::string_view text) {
  std::string line(program);
  line += ": ";
  if (!profile.empty()) {
    line += profile;
    line += ": ";
  }
  line += text;
  line = TerminalSafe(line);
  line += '\n';
  return line;
}

}  // namespace

void StreamDiagnostics::Notice(std::string_view profile, std::string_view text) {
  std::string line = Line(program_, profile, text);
  fputs(line.c_str(), stream_);
  fflush(stream_);
}

void StreamDiagnostics::Note(std::string_view profile, std::string_view text) {
  if (verbose_ > 0) Notice(profile, text);
}

std::string ErrorLine(std::string_view program, const Error& e) { return Line(program, e.profile, e.message); }

}  // namespace tokex
