// tokex exec, tokex env and tokex match: the front's part (a cache hit,
// or a command that needs no credential), and what the engine's part
// (src/engine/cmd_exec.cc, cmd_env.cc) shares with it after a miss, so
// that a credential is written or handed to a command in one way only.
#ifndef TOKEX_CI_FRONT_H_
#define TOKEX_CI_FRONT_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "config.h"
#include "credential.h"
#include "result.h"

namespace tokex {

/// The exit codes of a command tokex exec could not run, those of a POSIX
/// shell (XCU 2.8.2): not found, and found but not executable. Not
/// enumerators of ErrorKind: the contract's codes are 1 to 5, and these
/// are what the command's caller expects instead of the command's own.
inline constexpr ErrorKind kCommandNotFound = static_cast<ErrorKind>(127);
inline constexpr ErrorKind kCommandNotExecutable = static_cast<ErrorKind>(126);

/// tokex exec PROFILE -- CMD...: on a cache hit, becomes CMD (ExecWithCredential);
/// kNeedsEngine on a miss. Errors: the profile's (kUsage), CheckOneToken's,
/// and ExecWithCredential's.
Result<FrontStep> ExecCached(const CommandContext& ctx);

/// tokex env PROFILE [--github|--gitlab]: on a cache hit, writes the
/// variable (WriteEnv); kNeedsEngine on a miss. Errors: the profile's,
/// CheckEnvRequest's and WriteEnv's.
Result<FrontStep> EnvCached(const CommandContext& ctx);

/// tokex match URL: prints the name of the usable profile whose `match`
/// covers URL, path included (Config::Match). kUsage for a URL that
/// ParseUrl refuses, or when no profile matches.
Result<FrontStep> MatchCommand(const CommandContext& ctx);

/// Whether the profile's credential fits in one variable: kUsage for a
/// preset whose credential is a session (a cookie and a CSRF header),
/// known before any exchange.
Status CheckOneToken(const Profile& profile);

/// What tokex env must know before any exchange: CheckOneToken, at most
/// one of --github and --gitlab, and for --github a GITHUB_ENV in the
/// environment naming a regular file tokex can append to (kUsage
/// otherwise, as WriteEnv).
Status CheckEnvRequest(const CommandContext& ctx, const Profile& profile);

/// The command tokex exec runs: its arguments after PROFILE.
std::span<const std::string> CommandToRun(const CommandContext& ctx);

/// The environment of the command: every entry of `envp` (an `environ`
/// style array) in its order, except those that set `name`, then
/// NAME=value. The result holds the value: the caller wipes it.
std::vector<std::string> ChildEnvironment(char* const* envp, std::string_view name, std::string_view value);

/// Replaces this process with `command` (its first word looked up in PATH
/// when it has no '/', as execvp does; a file that is not an executable
/// format runs under /bin/sh), whose whole environment is `environment`:
/// nothing of tokex stays between the command and its caller, so its exit
/// status, its signals and its stdin/stdout are the command's. Returns
/// only on failure, wiping `environment`: kCommandNotFound when there is
/// no such command, kCommandNotExecutable when it cannot be run (not
/// executable, a directory, a missing #! interpreter); the message names
/// the command.
Error ExecWithEnvironment(std::span<const std::string> command, std::vector<std::string>* environment);

/// ExecWithEnvironment with this process's environment plus the profile's
/// env-name set to the credential's access token (ChildEnvironment).
/// kNetwork for a token that is empty or holds a control character.
Error ExecWithCredential(const Profile& profile, const Credential& c, std::span<const std::string> command);

/// Writes the credential's access token as the profile's env-name for the
/// invocation's flags: `export NAME='token'` on ctx.io.out (ShellAssignment);
/// with --gitlab the same, and a notice on ctx.log when GitLab could not
/// mask the token (GitLabMaskProblem); with --github, `::add-mask::` on
/// ctx.io.out, then the NAME<<DELIMITER block appended to the file
/// $GITHUB_ENV names (opened O_WRONLY|O_APPEND, never created; kUsage when
/// it is missing or not a regular file, kInternal when it cannot be
/// written), the delimiter drawn from getrandom(2). Nothing is appended
/// when the mask line could not be written.
Status WriteEnv(const CommandContext& ctx, const Profile& profile, const Credential& c);

}  // namespace tokex

#endif  // TOKEX_CI_FRONT_H_
