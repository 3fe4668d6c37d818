#include "flow.h"

#include <array>
#include <string_view>

#include "crypto.h"
#include "oauth2.h"
#include "url.h"

namespace tokex {

namespace {

struct FlowEntry {
  std::string_view preset;
  Result<Credential> (*exchange)(FlowContext&);
};

constexpr std::array kFlows = {
    FlowEntry{"cisco-xdr", ExchangeCiscoXdr},
    FlowEntry{"oauth2", ExchangeOauth2},
};

}  // namespace

HttpRequest TokenRequest(const Profile& profile) {
  HttpRequest r;
  r.url = profile.token_url;
  r.ca_file = profile.ca_file;
  r.timeout_seconds = profile.timeout;
  r.allow_http = profile.allow_http;
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
  request->headers.emplace_back("Authorization", "Basic " + Base64(joined));
  WipeString(&joined);
}

Result<Credential> RequestToken(FlowContext& ctx, const HttpRequest& request, std::string_view rejected_fix) {
  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendWithRetry(ctx.http, ctx.clock, request);
  if (!response) return response.error();
  std::string host = TokenHost(ctx.profile);
  return ParseTokenResponse(*response, now, {host, rejected_fix});
}

Result<Credential> RunExchange(FlowContext& ctx) {
  for (const FlowEntry& f : kFlows) {
    if (f.preset != ctx.profile.preset->name) continue;
    Result<Credential> c = f.exchange(ctx);
    if (!c) return c;
    if (Status s = ValidateCredential(*c); !s) return s.error();
    return c;
  }
  // Every preset in the core's table has a flow; reaching here is a bug.
  return MakeError(ErrorKind::kInternal, "no exchange for preset " + std::string(ctx.profile.preset->name));
}

}  // namespace tokex
