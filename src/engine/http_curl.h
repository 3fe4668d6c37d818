// HttpClient over libcurl.
#ifndef TOKEX_HTTP_CURL_H_
#define TOKEX_HTTP_CURL_H_

#include <string>
#include <string_view>

#include "http.h"

namespace tokex {

/// Sends requests with libcurl: TLS peer and host always verified, no
/// redirects, https only (http only when the request allows it), proxy
/// variables honoured as libcurl does, bodies capped at 1 MiB.
class CurlHttpClient : public HttpClient {
 public:
  CurlHttpClient();
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;
  /// Send, plus the stage a failure stopped at (from libcurl's error and
  /// timings), the address connected and the leaf certificate's expiry
  /// (CURLOPT_CERTINFO).
  HttpInspection Inspect(const HttpRequest& request) override;
};

/// `s` percent-encoded for an application/x-www-form-urlencoded body.
std::string FormEscape(std::string_view s);

}  // namespace tokex

#endif  // TOKEX_HTTP_CURL_H_
