// Cisco XDR (Threat Response): OAuth2 client_credentials with HTTP Basic
// client authentication. Seeds 001 (OAuth2 API docs) and 003 (API client
// README): tokens last 600 s and go out as "Authorization: Bearer".
#include "exchange.h"

namespace tokex {

Result<Credential> ExchangeCiscoXdr(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  Result<Secret> secret = ctx.store.Get(p.name, "client-secret");
  if (!secret) return secret.error();

  // "Generate an Access Token": POST the form with Basic auth
  // client_id:secret, exactly as the vendor's sample (requests'
  // auth=(id, secret)) sends it, asking for JSON.
  const FormField fields[] = {{"grant_type", "client_credentials"}};
  HttpRequest request = FormTokenRequest(p, fields);
  AddBasicAuth(&request, *p.Get("client-id"), *secret);

  return RequestToken(ctx, request,
                      "check client-id and the stored client-secret (tokex secret set " + p.name +
                          " client-secret), or the API client's status in the XDR console");
}

}  // namespace tokex
