// The tokex command line: one table of commands, shared by the thin front
// end and the engine, and the parser of argv into an Invocation.
#ifndef TOKEX_CLI_H_
#define TOKEX_CLI_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "output.h"
#include "result.h"

namespace tokex {

enum class CommandId {
  kToken,
  kHeader,
  kCurl,
  kJson,
  kSecret,
  kStatus,
  kForget,
  kHelp,
  kVersion,
};

/// One row of the command table.
struct CommandInfo {
  std::string_view name;
  std::string_view args;
  std::string_view summary;
  CommandId id;
  int min_args;  ///< positional arguments after the command name
  int max_args;
};

/// Every command, in the order help lists them.
std::span<const CommandInfo> Commands();

/// A parsed command line.
struct Invocation {
  const CommandInfo* command = nullptr;
  std::vector<std::string> args;  ///< positional arguments
  std::string config_path;        ///< from --config, or empty
  bool no_cache = false;
  int64_t min_ttl = 0;
  int verbose = 0;
};

/// Parses argv (without argv[0]). Unknown commands and flags are kUsage
/// errors with a suggestion. Does no I/O.
Result<Invocation> ParseCommandLine(std::span<const std::string> argv);

/// The output format a credential command prints.
OutputFormat FormatOf(CommandId id);

/// True for the commands that print a credential (token/header/curl/json).
bool PrintsCredential(CommandId id);

/// The usage text generated from the table.
std::string UsageText();

}  // namespace tokex

#endif  // TOKEX_CLI_H_
