// Splitting and checking the URLs found in config and helper requests.
#ifndef TOKEX_URL_H_
#define TOKEX_URL_H_

#include <string>
#include <string_view>

#include "result.h"

namespace tokex {

/// An absolute http(s) URL taken apart. `port` is the effective port
/// (443 or 80 when absent); `path` starts with '/' (added when absent).
struct Url {
  std::string scheme;  ///< lower-cased
  std::string host;    ///< lower-cased; IPv6 keeps its brackets
  int port = 0;
  std::string path;

  /// "host", or "host:port" when the port is not the scheme's default.
  std::string HostPort() const;

  /// scheme://host[:port]/path without the path's query and fragment,
  /// which may carry keys: what a message may show.
  std::string ForMessage() const;
};

/// Parses an http:// or https:// URL. Rejects user info, whitespace and
/// control characters, with a kUsage error that says what is wrong.
Result<Url> ParseUrl(std::string_view text);

}  // namespace tokex

#endif  // TOKEX_URL_H_
