// What a command says besides its result: notes, notices and the one
// error line that ends a failed run.
#ifndef TOKEX_DIAGNOSTICS_H_
#define TOKEX_DIAGNOSTICS_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// Where commands send what is neither their output nor their error:
/// notices a person should see ("stored client-secret in ...", "warning:
/// token not cached") and notes shown only with -v. Errors never go here:
/// they are returned, and each main prints the one that ends its run.
/// Nothing sent here may contain a secret.
class Diagnostics {
 public:
  virtual ~Diagnostics() = default;

  /// Always shown.
  virtual void Notice(std::string_view profile, std::string_view text) = 0;

  /// Shown with -v only.
  virtual void Note(std::string_view profile, std::string_view text) = 0;
};

/// Writes "PROGRAM: PROFILE: text" lines to a stream (stderr in the mains),
/// each made safe for one terminal line (TerminalSafe).
class StreamDiagnostics : public Diagnostics {
 public:
  StreamDiagnostics(std::string_view program, FILE* stream, int verbose)
      : program_(program), stream_(stream), verbose_(verbose) {}

  void Notice(std::string_view profile, std::string_view text) override;
  void Note(std::string_view profile, std::string_view text) override;

 private:
  std::string program_;
  FILE* stream_;
  int verbose_;
};

/// "PROGRAM: PROFILE: message\n", or "PROGRAM: message\n" when the error
/// names no profile: the contract's one-line error. Everything before the
/// newline is made safe for one terminal line (TerminalSafe).
std::string ErrorLine(std::string_view program, const Error& e);

}  // namespace tokex

#endif  // TOKEX_DIAGNOSTICS_H_
