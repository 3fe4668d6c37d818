// The HTTP interface the flows talk through; CurlHttpClient implements it.
#ifndef TOKEX_HTTP_H_
#define TOKEX_HTTP_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clock.h"
#include "deadline.h"
#include "result.h"

namespace tokex {

/// A request. Header values and the body may hold secrets: both are wiped
/// when the request is destroyed.
struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string ca_file;  ///< extra trust anchors; empty for the system store
  double timeout_seconds = 30;  ///< for the whole request, connect included
  bool allow_http = false;

  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = default;
  HttpRequest& operator=(const HttpRequest&) = default;
  ~HttpRequest();
};

/// A response. The body may hold tokens: it is wiped on destruction.
struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;

  /// The first header called `name` (lower case), if any.
  std::optional<std::string_view> Header(std::string_view name) const;

  HttpResponse() = default;
  HttpResponse(HttpResponse&&) = default;
  HttpResponse& operator=(HttpResponse&&) = default;
  ~HttpResponse();
};

/// Sends one request. Implementations verify TLS, never follow redirects,
/// cap the body at 1 MiB and return kNetwork errors for transport failures.
/// An HTTP error status is a response, not an error.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

/// Retry policy for transient failures.
struct RetryPolicy {
  int max_attempts = 3;
  double first_backoff_seconds = 0.5;
};

/// Sends `request`, retrying what may pass (errors marked transient, 429
/// and 5xx) with exponential backoff, honouring Retry-After (seconds or an
/// HTTP date). Everything fits before `deadline` (on clock.Monotonic()):
/// each attempt gets at most the time left, a wait never runs past it, and
/// a Retry-After that ends past it fails at once with a kNetwork error
/// saying when to try again. Anything else, including 4xx, is returned at
/// once. When attempts or time run out, returns the last response or
/// error.
Result<HttpResponse> SendWithRetry(HttpClient& client, Clock& clock, const HttpRequest& request,
                                   const Deadline& deadline, const RetryPolicy& policy = {});

/// True for 429 and 5xx: worth asking again later.
bool IsTransientStatus(long status);

}  // namespace tokex

#endif  // TOKEX_HTTP_H_
