// git-credential-tokex: the front's side (a cache hit, store, erase) and
// what the engine's side (src/engine/git_credential.cc) shares with it, so
// that both read the request, pick the profile and answer the same way.
//
// git runs the helper as `git credential-tokex [--profile P] OPERATION`
// (the helper string "tokex --profile P" in git config), with the request
// on stdin (see git_credential.h).
#ifndef TOKEX_GIT_FRONT_H_
#define TOKEX_GIT_FRONT_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"
#include "config.h"
#include "credential.h"
#include "environment.h"
#include "git_credential.h"
#include "handoff.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// What git asks of a helper.
enum class GitOperation {
  kGet,    ///< a credential for the request's URL
  kStore,  ///< keep the credential git used: not git's to keep, so nothing
  kErase,  ///< the server refused it: drop the cached token
  kOther,  ///< an operation of a later git: ignored, as git expects
};

/// A parsed git-credential-tokex command line.
struct GitInvocation {
  GitOperation op = GitOperation::kOther;
  std::string profile;      ///< from --profile; empty: the profile whose match covers the URL
  std::string config_path;  ///< from --config, or empty
};

/// Parses argv (without argv[0]): options --profile P and --config FILE
/// (also as --profile=P, --config=FILE), then the operation git appends.
/// kUsage error for an unknown option, a missing or second operation, or
/// a --profile that is not a profile name.
Result<GitInvocation> ParseGitArgs(std::span<const std::string> argv);

/// Limits on reading git's request: git writes it at once and closes its
/// end, but a helper run by hand reads a terminal, and a caller could keep
/// the pipe open without ever finishing the request.
constexpr size_t kMaxGitRequest = 64 * 1024;
constexpr double kGitRequestWait = 5;           ///< seconds, from a pipe or file
constexpr double kGitRequestTerminalWait = 120;  ///< seconds, from a person at a terminal

/// Reads the request from `fd` up to the end of its blank line or the end
/// of the input, waiting at most kGitRequestWait seconds in all
/// (kGitRequestTerminalWait when `fd` is a terminal). Bytes read past the
/// blank line are dropped. kUsage error when the request is larger than
/// kMaxGitRequest or incomplete when the time is up; kInternal when `fd`
/// cannot be read. The result may hold a password (git sends one with
/// erase): the caller wipes it.
Result<std::string> ReadGitRequest(int fd);

/// A get or erase request and the profile that answers it.
struct GitTarget {
  Secret bytes;  ///< the request as read, for the hand-off to the engine
  GitRequest request;
  Profile profile;
};

/// Reads (ReadGitRequest from `in`) and parses the request, and finds its
/// profile: the one --profile names, or the one whose match covers the
/// request's URL (with its path when git sent one). nullopt when there is
/// nothing to answer: the request names no http(s) URL, or no profile
/// matches; the config is then not even read when the URL is missing.
/// Errors: the request's (kUsage), the config's, and the named profile's
/// (missing, or its own config error).
Result<std::optional<GitTarget>> ReadGitTarget(const GitInvocation& inv, ConfigSource& config, FILE* in);

/// Whether the profile's credential can go to git: kUsage error, naming
/// the profile, for a preset whose credential is a session (a cookie and a
/// CSRF header, ennov-insight), which git has no way to send.
Status CheckGitProfile(const Profile& profile);

/// Writes the answer to a get to `out` (FormatGitAnswer: username and
/// password, or a bearer credential when git announced
/// capability[]=authtype) and wipes it. Errors name the profile.
Status AnswerGit(FILE* out, const Profile& profile, const Credential& c, const GitRequest& request);

/// git-credential-tokex's front: parses `argv` (without argv[0]) and
/// answers what it can without the engine: a get from a fresh cached
/// token, an erase (drops the cached token), a store and unknown
/// operations (nothing), a request for a URL no profile matches (nothing,
/// so that git asks its next helper). Returns kNeedsEngine for a get the
/// cache cannot answer, with the request bytes and the config text in
/// `handoff`; or the error for the main to print.
Result<FrontStep> RunGitCredentialFront(std::span<const std::string> argv, const Environment& env, int64_t now,
                                        Io io, HandOff* handoff);

}  // namespace tokex

#endif  // TOKEX_GIT_FRONT_H_
