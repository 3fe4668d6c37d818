// tokex __complete: what the shell completions (completions/ in the source
// tree) ask about the command line being typed. The front answers from the
// command table and the config alone, so one TAB costs one small process,
// and the three shells share one reading of the command line and the
// config instead of a copy each.
//
// The shells run `tokex __complete -- WORD...`, WORD... being the words
// after "tokex" up to the cursor, the last the word typed (maybe empty).
// The answer is one of:
//
//   words          the candidates follow, one a line, each starting with
//   NAME...        the word typed
//   files          the word is a file name (after "--config=", if it
//                  starts so): the shell completes it
//   command N      the word is CMD of tokex exec, or one of its arguments:
//                  the shell completes the command line that starts at
//                  WORD number N (counting from 0) as a command of its own
//
// or nothing at all: nothing to offer, or an error (an unreadable config,
// a line that makes no sense), since a completion must never write over
// the person's command line.
#ifndef TOKEX_COMPLETE_H_
#define TOKEX_COMPLETE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "config.h"
#include "result.h"

namespace tokex {

/// Where the word being typed stands on a tokex command line, read as
/// ParseCommandLine reads a whole one.
struct CompletionPoint {
  /// What the word is (besides an option, when `options`).
  enum class Slot {
    kNothing,     ///< free text (a URL, a number), or past the last argument
    kCommand,     ///< the command's name
    kAction,      ///< a sub-action: one of the row's `actions`
    kProfile,     ///< PROFILE: a profile of the config
    kSecretName,  ///< NAME after PROFILE: a secret of that profile's preset
    kDashes,      ///< where "--" must come before CMD
    kFile,        ///< the value of --config
    kProgram,     ///< CMD or one of its arguments, after "--"
  };
  Slot slot = Slot::kNothing;
  std::string word;                      ///< the word typed so far
  bool options = false;                  ///< it starts with "-" before any "--": options fit too
  const CommandInfo* command = nullptr;  ///< the command named before the word, if any
  std::string profile;                   ///< kSecretName: the PROFILE argument given
  std::string config_flag;               ///< the value of --config given before the word, or empty
  size_t program_at = 0;                 ///< kProgram: the index of CMD in the line
};

/// Reads `line` (the words after "tokex" up to the cursor, the last being
/// the word typed; an empty line is one empty word) against `commands`.
/// The placeholders of a row's `args` say what its arguments are, besides
/// `actions` and `profile_arg`: NAME after PROFILE is a secret name, CMD...
/// a command line. Does no I/O.
CompletionPoint LocateCompletion(std::span<const std::string> line, std::span<const CommandInfo> commands);

/// The candidates at `point` that start with the word typed, without
/// duplicates: command names (hidden ones left out), sub-actions, "--",
/// the command's own flags and the global options (when `options`), and
/// the names of profiles and of the profile's secrets in `config` (none
/// when it is null). Empty for kFile and kProgram, which the shell
/// completes.
std::vector<std::string> CompletionWords(const CompletionPoint& point, std::span<const CommandInfo> commands,
                                         const Config* config);

/// The answer of tokex __complete for `point` and its `words` (see the top
/// of this file).
std::string FormatCompletion(const CompletionPoint& point, std::span<const std::string> words);

/// The front handler of tokex __complete -- WORD...: prints
/// FormatCompletion, reading the config the completed line would use (its
/// --config, else TOKEX_CONFIG, else $XDG_CONFIG_HOME/tokex/config) only
/// when it needs a profile. Always kDone: on any error it prints nothing.
Result<FrontStep> CompleteCommand(const CommandContext& ctx);

}  // namespace tokex

#endif  // TOKEX_COMPLETE_H_
