#include "exchange.h"

#include "crypto.h"
#include "http_curl.h"
#include "token_response.h"
#include "url.h"

namespace tokex {

ExchangeFn FindExchange(std::span<const PresetExchange> exchanges, std::string_view preset) {
  for (const PresetExchange& e : exchanges) {
    if (e.preset == preset) return e.exchange;
  }
  return nullptr;
}

Result<Credential> RunExchange(ExchangeContext& ctx, ExchangeFn exchange) {
  Result<Credential> c = exchange(ctx);
  if (!c) return c;
  if (Status s = ValidateCredential(*c); !s) return s.error();
  return c;
}

HttpRequest TokenRequest(const Profile& profile) {
  HttpRequest r;
  r.url = profile.token_url;
  r.ca_file = profile.ca_file;
  r.timeout_seconds = profile.timeout;
  r.allow_http = profile.allow_http;
  return r;
}

HttpRequest FormTokenRequest(const Profile& profile, std::span<const FormField> fields) {
  HttpRequest r = TokenRequest(profile);
  for (const FormField& f : fields) {
    if (!r.body.empty()) r.body += '&';
    std::string value = FormEscape(f.value);
    r.body += FormEscape(f.name);
    r.body += '=';
    r.body += value;
    WipeString(&value);
  }
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

std::string TokenHost(const Profile& profile) {
  Result<Url> url = ParseUrl(profile.token_url);
  return url ? url->HostPort() : profile.token_url;
}

void AddBasicAuth(HttpRequest* request, std::string_view user, const Secret& password) {
  std::string joined(user);
  joined += ':';
  joined += password.view();
  std::string encoded = Base64(joined);
  request->headers.emplace_back("Authorization", "Basic " + encoded);
  WipeString(&encoded);
  WipeString(&joined);
}

Result<Credential> RequestToken(ExchangeContext& ctx, const HttpRequest& request, std::string_view rejected_fix) {
  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendWithRetry(ctx.http, ctx.clock, request, ctx.deadline);
  if (!response) return response.error();
  std::string host = TokenHost(ctx.profile);
  return ParseTokenResponse(*response, now, {host, rejected_fix});
}

}  // namespace tokex
