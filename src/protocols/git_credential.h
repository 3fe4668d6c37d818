// git's credential helper protocol (gitcredentials(7), git-credential(1)),
// as git-credential-tokex speaks it.
//
// git runs `git credential-tokex get` and writes a request on its stdin:
//
//   capability[]=authtype        (git 2.46 and later only)
//   protocol=https
//   host=git.example.com:8443
//   path=team/repo.git           (only with credential.useHttpPath)
//   wwwauth[]=Basic realm="git"
//
// ended by a blank line or by the end of the input. The helper answers
//
//   username=client
//   password=TOKEN
//   password_expiry_utc=1767225600
//
// or, when git announced capability[]=authtype, a bearer credential that
// git sends as "Authorization: Bearer TOKEN" and never stores:
//
//   capability[]=authtype
//   authtype=Bearer
//   credential=TOKEN
//   ephemeral=1
//   password_expiry_utc=1767225600
//
// These functions only parse and format; they do no I/O.
#ifndef TOKEX_GIT_CREDENTIAL_H_
#define TOKEX_GIT_CREDENTIAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "url.h"

namespace tokex {

/// What tokex needs of git's request. The password and username git may
/// send are not kept: tokex answers with its own.
struct GitRequest {
  std::string protocol;
  std::string host;  ///< "host" or "host:port", as git sends it
  std::string path;  ///< without the leading '/', as git sends it
  bool has_path = false;  ///< git sent path= (credential.useHttpPath)
  std::vector<std::string> capabilities;  ///< every capability[] value, in order
  std::vector<std::string> wwwauth;       ///< every wwwauth[] value, in order

  /// Whether git announced `capability` (e.g. "authtype").
  bool HasCapability(std::string_view capability) const;
};

/// The length of the request at the start of `data` when `data` holds
/// all of it: through the end of its first blank line (an empty line, or a
/// lone CR before LF). nullopt while no blank line has arrived; the end of
/// the input also ends a request, which the reader knows and this does not.
std::optional<size_t> GitRequestLength(std::string_view data);

/// Parses a request: key=value lines up to the first blank line or the
/// end of `text`; one CR before each LF is dropped (git does the same).
/// Keys tokex does not use are skipped, as git's own credential_read()
/// does on purpose: git adds keys over time and old helpers must keep
/// working. A later value of protocol, host or path replaces an earlier
/// one; capability[] and wwwauth[] collect every value. Errors are kUsage
/// and name the line, never its text (which may hold a password): a line
/// without '=', a NUL byte, or a control character in protocol, host or
/// path.
Result<GitRequest> ParseGitRequest(std::string_view text);

/// The URL the request is about, for Config::Match: "PROTOCOL://HOST/PATH"
/// with the path only when git sent one. nullopt when the request names
/// no http or https URL (no protocol or host, or another protocol such as
/// "cert" or "smtp", which tokex has no token for). kUsage error when the
/// host is not HOST or HOST:PORT (user info, a slash, whitespace, a bad
/// port).
Result<std::optional<Url>> GitRequestUrl(const GitRequest& request);

/// What git-credential-tokex answers to a get.
struct GitAnswer {
  std::string_view username;
  std::string_view token;   ///< the access token
  int64_t expires_at = 0;   ///< unix seconds; 0 when unknown (not sent)
  /// Answer authtype=Bearer and credential=TOKEN (git announced
  /// capability[]=authtype) instead of username and password.
  bool bearer = false;
};

/// The answer's key=value lines. The result holds the token: the caller
/// wipes it. Refuses to write a value holding CR, LF, NUL or another
/// control character (git would read it as another line or cut it):
/// kNetwork for the token (a broken server answer), kUsage for the user
/// name, naming the field and never its value. An empty token is kInternal.
Result<std::string> FormatGitAnswer(const GitAnswer& answer);

}  // namespace tokex

#endif  // TOKEX_GIT_CREDENTIAL_H_
