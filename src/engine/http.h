// The HTTP interface the flows talk through; CurlHttpClient implements it.
#ifndef TOKEX_HTTP_H_
#define TOKEX_HTTP_H_

#include <cstdint>
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
  std::string client_cert;  ///< PEM certificate for TLS client authentication, or empty
  std::string client_key;   ///< its PEM private key file, set with client_cert
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

/// How far a request gets, in order: each stage needs the ones before it.
enum class HttpStage {
  kResolve,  ///< the host name to an address
  kConnect,  ///< a connection to it
  kTls,      ///< the TLS handshake, the server's certificate verified
  kAnswer,   ///< the server's answer
};

/// What one request showed of the server on the way (HttpClient::Inspect),
/// for tokex check, which reports each stage as a step of its own.
struct HttpInspection {
  std::optional<HttpResponse> response;  ///< the answer, when one came
  std::optional<Error> error;            ///< why none came, as Send reports it
  HttpStage failed_at = HttpStage::kAnswer;  ///< the stage that failed, when `error` is set
  std::string reason;   ///< the transport's own words for the failure, printable
  std::string address;  ///< the IP address connected (or tried), when known
  std::optional<int64_t> certificate_expiry;  ///< the leaf certificate's notAfter (unix time), when known
};

/// Sends one request. Implementations verify TLS, never follow redirects,
/// cap the body at 1 MiB and return kNetwork errors for transport failures.
/// An HTTP error status is a response, not an error.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

  /// Sends `request` once, as Send does, and tells how far it got and what
  /// the server showed: the address, the certificate's expiry. This
  /// default, for clients that cannot tell the stages apart, sends it and
  /// puts any failure at kConnect.
  virtual HttpInspection Inspect(const HttpRequest& request);
};

/// The time an HTTP date (RFC 9110 section 5.6.7, IMF-fixdate: "Sun, 06
/// Nov 1994 08:49:37 GMT") names, as unix time; nullopt when `value` is not
/// one.
std::optional<int64_t> ParseHttpDate(std::string_view value);

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
