// The redirect a browser brings back to `tokex login` (RFC 8252 loopback
// redirect): the request head, its query, and the page answered.
#ifndef TOKEX_OAUTH_CALLBACK_H_
#define TOKEX_OAUTH_CALLBACK_H_

#include <map>
#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// Parses an application/x-www-form-urlencoded query ("a=1&b=%20x"):
/// '+' is a space, %XX a byte. A name given twice or a malformed %
/// sequence is a kUsage error. Decoded values may hold any byte: whoever
/// shows one makes it printable. Does no I/O.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query);

/// What the browser asked for.
struct CallbackRequest {
  std::string path;                           ///< without the query
  std::map<std::string, std::string> params;  ///< the query, decoded
};

/// Parses an HTTP/1.x request head (the request line and the headers up to
/// the blank line) of a GET. Anything else (another method, a bad request
/// line, a target that is not an absolute path) is a kUsage error saying
/// what is wrong, without quoting the request. Does no I/O.
Result<CallbackRequest> ParseCallbackRequest(std::string_view head);

/// A complete HTTP/1.1 response with a small HTML page saying `message`
/// (escaped), for the browser tab the sign-in ends in.
std::string CallbackPage(int status, std::string_view message);

}  // namespace tokex

#endif  // TOKEX_OAUTH_CALLBACK_H_
