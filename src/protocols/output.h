// Writers that turn a credential into what a calling tool reads.
#ifndef TOKEX_OUTPUT_H_
#define TOKEX_OUTPUT_H_

#include <string>
#include <string_view>

#include "credential.h"
#include "result.h"

namespace tokex {

/// The output formats of `tokex token|header|curl|json`.
enum class OutputFormat {
  kToken,   ///< the bare access token and a newline
  kHeader,  ///< "Name: value" lines
  kCurl,    ///< curl config lines, for `curl -K`
  kJson,     ///< one JSON object
  kCookies,  ///< a Netscape cookie jar (curl -b, wget --load-cookies)
};

/// Formats `c`. The result holds the token: the caller wipes it. Fails
/// with kNetwork when a value holds a control character or invalid UTF-8,
/// and kCookies with kUsage when the credential has no cookies.
Result<std::string> FormatCredential(OutputFormat format, const Credential& c);

/// `s` as a double-quoted curl config value: backslash and quote escaped.
/// `s` must hold no control characters (checked by the caller).
std::string CurlQuote(std::string_view s);

}  // namespace tokex

#endif  // TOKEX_OUTPUT_H_
