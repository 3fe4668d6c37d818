#include "http.h"

#include <algorithm>
#include <cstdint>
#include <ctime>

#include "secret.h"
#include "text.h"
#include "url.h"

namespace tokex {

HttpRequest::~HttpRequest() {
  WipeString(&body);
  for (auto& [name, value] : headers) WipeString(&value);
}

HttpResponse::~HttpResponse() { WipeString(&body); }

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

HttpInspection HttpClient::Inspect(const HttpRequest& request) {
  HttpInspection out;
  Result<HttpResponse> r = Send(request);
  if (r) {
    out.response = std::move(*r);
  } else {
    out.error = r.error();
    out.failed_at = HttpStage::kConnect;
    out.reason = r.error().message;
  }
  return out;
}

std::optional<int64_t> ParseHttpDate(std::string_view value) {
  std::string text(value);
  struct tm tm {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

bool IsTransientStatus(long status) { return status == 429 || (status >= 500 && status <= 599); }

namespace {

// Seconds Retry-After asks to wait: delay-seconds or an HTTP date (RFC
// 9110 section 10.2.3); nullopt when absent or unreadable.
std::optional<double> RetryAfter(const HttpResponse& r, int64_t now) {
  std::optional<std::string_view> value = r.Header("retry-after");
  if (!value) return std::nullopt;
  // Any number of seconds: a server that asks for years is answered at
  // once, like one that asks for a minute past the deadline.
  if (std::optional<int64_t> secs = ParseInt(*value, 0, INT64_MAX)) return static_cast<double>(*secs);
  std::optional<int64_t> date = ParseHttpDate(*value);
  if (!date) return std::nullopt;
  return static_cast<double>(std::max<int64_t>(0, *date - now));
}

Error WaitTooLong(const HttpRequest& request, const HttpResponse& r, double wait, int64_t now) {
  Result<Url> url = ParseUrl(request.url);
  std::string host = url ? url->HostPort() : request.url;
  // Past a year the exact date says nothing (and would overflow).
  int64_t secs = static_cast<int64_t>(std::min(wait, 366.0 * 86400) + 0.999);
  return MakeError(ErrorKind::kNetwork, host + " answered HTTP " + std::to_string(r.status) + " and asks to wait " +
                                            HumanDuration(secs) + ", past the timeout: try again after " +
                                            Rfc3339(now + secs));
}

}  // namespace

Result<HttpResponse> SendWithRetry(HttpClient& client, Clock& clock, const HttpRequest& request,
                                   const Deadline& deadline, const RetryPolicy& policy) {
  double backoff = policy.first_backoff_seconds;
  HttpRequest attempt = request;
  for (int n = 1;; ++n) {
    double left = deadline.Remaining(clock.Monotonic());
    if (left <= 0)
      return MakeError(ErrorKind::kNetwork, "the timeout passed before the request could be sent: raise timeout");
    attempt.timeout_seconds = std::min(request.timeout_seconds, left);
    Result<HttpResponse> r = client.Send(attempt);
    bool transient = r ? IsTransientStatus(r->status) : r.error().transient;
    if (!transient || n >= policy.max_attempts) return r;
    double wait = backoff;
    if (r) {
      if (std::optional<double> asked = RetryAfter(*r, clock.Now())) {
        if (*asked >= deadline.Remaining(clock.Monotonic())) return WaitTooLong(request, *r, *asked, clock.Now());
        wait = std::max(wait, *asked);
      }
    }
    // A wait that would leave no time for another attempt ends the tries.
    if (wait >= deadline.Remaining(clock.Monotonic())) return r;
    clock.SleepSeconds(wait);
    backoff *= 2;
  }
}

}  // namespace tokex
