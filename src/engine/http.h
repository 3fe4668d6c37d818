// The HTTP interface the flows talk through; CurlHttpClient implements it.
#ifndef TOKEX_HTTP_H_
#define TOKEX_HTTP_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  long timeout_seconds = 30;
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

/// Waits; an interface so tests need not sleep.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void SleepSeconds(double seconds) = 0;
};

/// Retry policy for transient failures.
struct RetryPolicy {
  int max_attempts = 3;
  double first_backoff_seconds = 0.5;
  double max_retry_after_seconds = 30;
};

/// Sends `request`, retrying transport failures, 429 and 5xx with
/// exponential backoff and honouring Retry-After (in seconds) up to the
/// policy's cap. Anything else, including 4xx, is returned at once. When
/// the attempts run out, returns the last response or a kNetwork error.
Result<HttpResponse> SendWithRetry(HttpClient& client, Sleeper& sleeper, const HttpRequest& request,
                                   const RetryPolicy& policy = {});

/// True for 429 and 5xx: worth asking again later.
bool IsTransientStatus(long status);

}  // namespace tokex

#endif  // TOKEX_HTTP_H_
