// The tokex command line: what a command table row holds, the context a
// handler runs in, and the parser of argv into an Invocation.
#ifndef TOKEX_CLI_H_
#define TOKEX_CLI_H_

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "diagnostics.h"
#include "environment.h"
#include "output.h"
#include "result.h"

namespace tokex {

/// Names a command in code: the engine's handler table
/// (src/engine/engine.cc) is keyed by it, so a row there that names no
/// command does not compile.
enum class CommandId {
  kToken,    ///< the bare access token
  kHeader,   ///< HTTP header lines
  kCurl,     ///< a curl config
  kJson,     ///< the credential as JSON
  kCookies,  ///< a Netscape cookie jar
  kLogin,    ///< sign in, for the first refresh token
  kExec,     ///< run a command with the credential in its environment
  kEnv,      ///< the credential as a variable for a shell or a CI
  kMatch,    ///< the profile a URL selects
  kSecret,   ///< set or remove a stored secret
  kStatus,   ///< what is stored and cached
  kRefresh,  ///< keep refresh tokens alive
  kCheck,    ///< the doctor: every step a credential needs, one line each
  kForget,   ///< drop cached tokens
  kHelp,     ///< the usage text
  kVersion,  ///< the version
  kComplete,  ///< candidates for the shell completions (hidden)
};

struct CommandInfo;

/// A parsed command line.
struct Invocation {
  const CommandInfo* command = nullptr;
  std::vector<std::string> args;  ///< positional arguments after the command name
  std::string config_path;        ///< from --config, or empty
  bool no_cache = false;
  int64_t min_ttl = 0;
  int verbose = 0;
  std::vector<std::string> flags;  ///< the command's own flags given (CommandInfo::flags)

  /// Whether the command's own flag `flag` was given.
  bool Has(std::string_view flag) const;

  /// The PROFILE argument, or empty when the command takes none or it was
  /// left out.
  std::string_view ProfileArg() const;
};

/// The streams a command reads and writes. `err` is for prompts only:
/// notices go through Diagnostics and errors are returned.
struct Io {
  FILE* in = stdin;
  FILE* out = stdout;
  FILE* err = stderr;
};

/// Everything a command handler gets from the process, read once.
struct CommandContext {
  const Invocation& inv;
  const Environment& env;
  const Paths& paths;
  ConfigSource& config;  ///< the config file at paths.config, read at most once
  int64_t now = 0;       ///< unix time at start
  Io io;
  Diagnostics& log;
};

/// What a front handler did: all of the command, or nothing that shows,
/// leaving it to the engine (a cache miss, say).
enum class FrontStep { kDone, kNeedsEngine };

/// Runs a command, or the part of it that needs no engine, in the thin
/// front end. A front handler must not reach libcurl, libsecret, GLib or
/// OpenSSL: the front's library cannot even include their headers.
using FrontHandler = Result<FrontStep> (*)(const CommandContext& ctx);

/// One row of a command table. Which executable runs a command follows
/// from its handlers: a front handler only (help), an engine handler only
/// (secret), or both (token: the front answers a cache hit, the engine the
/// rest).
struct CommandInfo {
  std::string_view name = {};
  std::string_view args = {};  ///< for the usage text, e.g. "PROFILE"
  std::string_view summary = {};
  CommandId id = CommandId::kHelp;
  int min_args = 0;  ///< positional arguments after the command name
  int max_args = 0;
  int profile_arg = -1;  ///< index of PROFILE among them, or -1 for none
  /// Allowed values of the first argument ("set", "rm"), or empty for any.
  std::span<const std::string_view> actions = {};
  /// Flags of this command alone ("--device"), besides the global ones.
  std::span<const std::string_view> flags = {};
  OutputFormat format = OutputFormat::kToken;  ///< what a credential command prints
  FrontHandler front = nullptr;                ///< null: only the engine runs it
  /// Left out of `tokex help`, of suggestions for a mistyped command and of
  /// completions: an interface for scripts (__complete), not for people.
  bool hidden = false;
};

/// An option every command takes, wherever it stands before "--".
struct GlobalOption {
  std::string_view name;
  bool takes_value = false;  ///< "--name VALUE" or "--name=VALUE"
};

/// The options ParseCommandLine reads besides each command's own flags,
/// for the shell completions.
std::span<const GlobalOption> GlobalOptions();

/// Parses argv (without argv[0]) against `commands`. Unknown commands and
/// flags, and wrong argument counts, are kUsage errors with a suggestion.
/// Does no I/O.
Result<Invocation> ParseCommandLine(std::span<const std::string> argv, std::span<const CommandInfo> commands);

/// The usage text generated from `commands`, hidden ones left out.
std::string UsageText(std::span<const CommandInfo> commands);

}  // namespace tokex

#endif  // TOKEX_CLI_H_
