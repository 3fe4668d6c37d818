// What `tokex env` writes: a variable for a POSIX shell, the lines GitHub
// Actions reads from a step's output and from $GITHUB_ENV, and GitLab's
// rules for values it can mask. Pure: no I/O, no randomness of its own.
//
//   ShellAssignment("XDR_TOKEN", "it's")  ->  export XDR_TOKEN='it'\''s'
//   GitHubMaskLine("a%b")                 ->  ::add-mask::a%25b
//   GitHubEnvBlock("XDR_TOKEN", "v", r)   ->  \nXDR_TOKEN<<ghadelimiter_<hex>\nv\nghadelimiter_<hex>\n
#ifndef TOKEX_ENV_OUTPUT_H_
#define TOKEX_ENV_OUTPUT_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// `value` as one word for a POSIX shell: in single quotes, inside which
/// nothing is special, with each ' written as '\'' (close, an escaped
/// quote, reopen). The caller has refused control characters.
std::string ShellQuote(std::string_view value);

/// "export NAME='value'\n", for `eval "$(tokex env P)"` in sh, bash, zsh
/// or dash: exported, so that the programs the script runs see it too.
/// kUsage when `name` is not a usable variable name (IsSafeEnvName);
/// kNetwork when `value` is empty or holds a control character or invalid
/// UTF-8 (a server's answer that must not reach a shell). The result holds
/// the value: the caller wipes it.
Result<std::string> ShellAssignment(std::string_view name, std::string_view value);

/// "::add-mask::VALUE\n": the workflow command that makes the GitHub
/// Actions runner hide VALUE in the job's log from then on. '%' is written
/// as %25, since the runner decodes %25, %0D and %0A in a command's data
/// (actions/runner, ActionCommand.UnescapeData): unescaped, a value holding
/// "%0A" would make the runner hide another string than the value. Same
/// refusals as ShellAssignment. The result holds the value.
Result<std::string> GitHubMaskLine(std::string_view value);

/// Random bytes GitHubEnvBlock takes for one delimiter.
inline constexpr size_t kDelimiterBytes = 16;

/// The block that sets NAME to VALUE for the job's later steps when
/// appended to the file $GITHUB_ENV names:
///
///   \nNAME<<DELIMITER\nVALUE\nDELIMITER\n
///
/// as the runner reads that file (actions/runner, FileCommandManager: a
/// line NAME<<DELIMITER, then the value's lines up to a line that is
/// exactly DELIMITER). The leading empty line, which the runner skips,
/// keeps NAME off the end of a last line another step left without a
/// newline. DELIMITER is "ghadelimiter_" and the hex of kDelimiterBytes
/// bytes of `random`; `random` holds one or more such candidates, tried in
/// turn until one does not occur in VALUE (a value cannot end its own
/// block early). kInternal when `random` holds no whole candidate or
/// every candidate occurs in VALUE; otherwise as ShellAssignment. The
/// result holds the value.
Result<std::string> GitHubEnvBlock(std::string_view name, std::string_view value,
                                   std::span<const unsigned char> random);

/// Why GitLab could not mask `value` in a job's log, or empty when it
/// could. GitLab masks only values of at least 8 characters drawn from
/// A-Z a-z 0-9 and _ + = / @ : . ~ - (Ci::Maskable::REGEX in GitLab's
/// app/models/concerns/ci/maskable.rb, what its documentation on masked
/// CI/CD variables describes). The reason names neither the value nor
/// any character of it.
std::string GitLabMaskProblem(std::string_view value);

}  // namespace tokex

#endif  // TOKEX_ENV_OUTPUT_H_
