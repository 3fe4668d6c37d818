#include "exchange.h"

#include <algorithm>
#include <cstdint>

#include "crypto.h"
#include "http_curl.h"
#include "token_response.h"
#include "text.h"
#include "url.h"

namespace tokex {

const PresetExchange* FindPresetExchange(std::span<const PresetExchange> exchanges, std::string_view preset) {
  for (const PresetExchange& e : exchanges) {
    if (e.preset == preset) return &e;
  }
  return nullptr;
}

ExchangeFn FindExchange(std::span<const PresetExchange> exchanges, std::string_view preset) {
  const PresetExchange* e = FindPresetExchange(exchanges, preset);
  return e == nullptr ? nullptr : e->exchange;
}

std::vector<std::string_view> NeededSecrets(std::span<const PresetExchange> exchanges, const Profile& profile) {
  const PresetExchange* e = FindPresetExchange(exchanges, profile.preset->name);
  if (e != nullptr && e->needed_secrets != nullptr) return e->needed_secrets(profile);
  return {profile.preset->secret_names.begin(), profile.preset->secret_names.end()};
}

bool NeedsSecret(std::span<const PresetExchange> exchanges, const Profile& profile, std::string_view secret) {
  std::vector<std::string_view> names = NeededSecrets(exchanges, profile);
  return std::find(names.begin(), names.end(), secret) != names.end();
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

Result<HttpResponse> SendRequest(ExchangeContext& ctx, const HttpRequest& request) {
  Result<Url> url = ParseUrl(request.url);
  if (url && url->scheme == "http")
    ctx.log.Notice(ctx.profile.name, "warning: sending credentials to " + url->HostPort() +
                                         " over plain http (allow-http = yes): anyone on the network can read them");
  return SendWithRetry(ctx.http, ctx.clock, request, ctx.deadline);
}

Result<TokenAnswer> RequestTokenAnswer(ExchangeContext& ctx, const HttpRequest& request, std::string_view rejected_fix) {
  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendRequest(ctx, request);
  if (!response) return response.error();
  Result<Url> url = ParseUrl(request.url);
  std::string host = url ? url->HostPort() : request.url;
  return ParseTokenAnswer(*response, now, {host, rejected_fix});
}

Result<Credential> RequestToken(ExchangeContext& ctx, const HttpRequest& request, std::string_view rejected_fix) {
  Result<TokenAnswer> answer = RequestTokenAnswer(ctx, request, rejected_fix);
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

int64_t IntSetting(const Profile& profile, std::string_view key, int64_t fallback) {
  std::optional<std::string_view> v = profile.Get(key);
  std::optional<int64_t> n = v ? ParseInt(*v, INT64_MIN, INT64_MAX) : std::nullopt;
  return n.value_or(fallback);
}

}  // namespace tokex
