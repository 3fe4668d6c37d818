// docker-credential-tokex: the front's side (a cache hit, erase, store,
// list, version) and what the engine's side (src/engine/
// docker_credential.cc) shares with it, so that both read the request,
// pick the profile and answer the same way.
//
// docker, podman, skopeo and buildah run `docker-credential-tokex ACTION`
// for a registry that a config.json or auth.json gives to tokex under
// "credHelpers" (or "credsStore"), with the request on stdin (see
// docker_credential.h). The profile is the one whose `match` covers the
// server URL. Every failure is one line on stdout and exit status 1, as
// docker-credential-helpers' Serve does: the tools show that line.
#ifndef TOKEX_DOCKER_FRONT_H_
#define TOKEX_DOCKER_FRONT_H_

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"
#include "config.h"
#include "credential.h"
#include "docker_credential.h"
#include "environment.h"
#include "handoff.h"
#include "result.h"

namespace tokex {

/// The name the helper goes by, in argv[0] of the hand-off and in messages.
inline constexpr std::string_view kDockerHelperName = "docker-credential-tokex";

/// Limits on reading a request: a tool writes it at once and closes its
/// end, but a helper run by hand reads a terminal, and a caller could keep
/// the pipe open without ever finishing the request.
inline constexpr size_t kMaxDockerRequest = 64 * 1024;
inline constexpr double kDockerRequestWait = 5;             ///< seconds, from a pipe or file
inline constexpr double kDockerRequestTerminalWait = 120;  ///< seconds, from a person at a terminal

/// Reads a request from `fd` up to the end of the input, waiting at most
/// kDockerRequestWait seconds in all (kDockerRequestTerminalWait when `fd`
/// is a terminal). A line break ends the wait: the bytes that have arrived
/// by then are the request, so that a URL ended by a newline is enough on
/// a pipe left open. kUsage error when the input is larger than
/// kMaxDockerRequest, or when the time is up before a line break or the
/// end; kInternal when `fd` cannot be read. The result may hold a password
/// (store's Secret): the caller wipes it; nothing read is left unwiped on
/// failure.
Result<std::string> ReadDockerRequest(int fd);

/// The error whose line is exactly kDockerNotFound: "no credentials here".
Error DockerNotFound();

/// Whether `e` is DockerNotFound().
bool IsDockerNotFound(const Error& e);

/// The usable profile (see Config::Match) whose `match` covers `server`,
/// trying each of DockerMatchUrls in turn; nullptr when none does.
const Profile* FindDockerProfile(const Config& config, const DockerServer& server);

/// A get or erase request and the profile that answers it.
struct DockerTarget {
  std::string bytes;  ///< the request as read, for the hand-off to the engine
  DockerServer server;
  Profile profile;
};

/// Reads (ReadDockerRequest from `fd`) and parses a get or erase request,
/// loads the config and finds the request's profile. Errors: the
/// request's and the config's, and DockerNotFound() when no profile
/// matches.
Result<DockerTarget> ReadDockerTarget(ConfigSource& config, int fd);

/// Whether the profile's credential can go to a registry: kUsage error,
/// naming the profile, for a preset whose credential is a session (a
/// cookie and a CSRF header, ennov-insight), which has no token to send.
Status CheckDockerProfile(const Profile& profile);

/// Writes the answer to get (FormatDockerAnswer: ServerURL as sent, the
/// profile's username, Secret = the access token) to `out` and wipes it.
/// Errors name the profile.
Status AnswerDockerGet(FILE* out, const DockerTarget& target, const Credential& c);

/// Prints `e` as docker-credential-helpers' Serve does, on `out` (stdout:
/// the tools read a helper's failure there): the protocol's own texts
/// (kDockerNotFound, kDockerMissingServerUrl, kDockerMissingUsername)
/// alone on their line, which is how the tools recognise them; anything
/// else as "docker-credential-tokex: [PROFILE: ]message". Returns the exit
/// status, 1. On io.out only, where the tools read it (a ReportFn, see
/// process.h): the clients capture stderr and never show it.
int ReportDockerFailure(std::string_view name, const Error& e, Io io);

/// docker-credential-tokex's front: `argv` (without argv[0]) must be one
/// action. Answers what it can without the engine: get from a fresh cached
/// token, erase (drops the cached token), store (nothing to keep: a matched
/// registry succeeds, another fails), list (the config's match URLs),
/// version, --help. Returns kNeedsEngine for a get the cache cannot
/// answer, with the request bytes and the config text in `handoff`; or the
/// error for the main to report (ReportDockerFailure): DockerNotFound()
/// when no profile matches, kUsage for a missing or unknown action.
Result<FrontStep> RunDockerCredentialFront(std::span<const std::string> argv, const Environment& env, int64_t now,
                                           Io io, HandOff* handoff);

}  // namespace tokex

#endif  // TOKEX_DOCKER_FRONT_H_
