#include "http.h"

#include <algorithm>

#include "secret.h"
#include "text.h"

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

bool IsTransientStatus(long status) { return status == 429 || (status >= 500 && status <= 599); }

Result<HttpResponse> SendWithRetry(HttpClient& client, Sleeper& sleeper, const HttpRequest& request,
                                   const RetryPolicy& policy) {
  double backoff = policy.first_backoff_seconds;
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> r = client.Send(request);
    bool transient = r ? IsTransientStatus(r->status) : r.error().kind == ErrorKind::kNetwork;
    if (!transient || attempt >= policy.max_attempts) return r;
    double wait = backoff;
    if (r) {
      if (std::optional<std::string_view> ra = r->Header("retry-after")) {
        std::optional<int64_t> secs = ParseInt(*ra, 0, 86400);
        // A server that wants us gone for longer than the cap gets its
        // answer returned now rather than a caller stuck waiting.
        if (secs && *secs > policy.max_retry_after_seconds) return r;
        if (secs) wait = std::max(wait, static_cast<double>(*secs));
      }
    }
    sleeper.SleepSeconds(wait);
    backoff *= 2;
  }
}

}  // namespace tokex
