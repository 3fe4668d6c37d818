// Cisco XDR (Threat Response): OAuth2 client_credentials with HTTP Basic
// client authentication. Seeds 001 (OAuth2 API docs) and 003 (API client
// README): tokens last 600 s and go out as "Authorization: Bearer".
#include "crypto.h"
#include "flow.h"
#include "oauth2.h"

namespace tokex {

Result<Credential> ExchangeCiscoXdr(FlowContext& ctx) {
  const Profile& p = ctx.profile;
  Result<Secret> secret = ctx.store.Get(p.name, "client-secret");
  if (!secret) return secret.error();

  // Step 1 of the docs: POST the form with Basic auth client_id:secret,
  // exactly as their sample (requests' auth=(id, secret)) sends it.
  HttpRequest request = TokenRequest(p);
  std::string basic(*p.Get("client-id"));
  basic += ':';
  basic += secret->view();
  request.headers.emplace_back("Authorization", "Basic " + Base64(basic));
  WipeString(&basic);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");
  request.body = "grant_type=client_credentials";

  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendWithRetry(ctx.http, ctx.clock, request);
  if (!response) return response.error();
  std::string host = TokenHost(p);
  return ParseTokenResponse(*response, now,
                            {host, "check client-id and the stored client-secret (tokex secret set " + p.name +
                                       " client-secret), or the API client's status in the XDR console"});
}

}  // namespace tokex
