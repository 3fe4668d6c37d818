// Any RFC 6749 token endpoint: the client_credentials grant (section 4.4)
// with client authentication by HTTP Basic or by form fields (section
// 2.3.1), plus the optional scope, audience and resource parameters.
#include "flow.h"
#include "http_curl.h"

namespace tokex {

Result<Credential> ExchangeOauth2(FlowContext& ctx) {
  const Profile& p = ctx.profile;
  // The config parser has limited grant to client_credentials and
  // client-auth to basic or post.
  std::string_view auth = p.Get("client-auth").value_or("basic");
  Result<Secret> secret = ctx.store.Get(p.name, "client-secret");
  if (!secret) return secret.error();

  HttpRequest request = TokenRequest(p);
  std::string_view client_id = *p.Get("client-id");
  request.body = "grant_type=client_credentials";
  if (auth == "basic") {
    AddBasicAuth(&request, client_id, *secret);
  } else {
    std::string escaped = FormEscape(secret->view());
    request.body += "&client_id=" + FormEscape(client_id) + "&client_secret=" + escaped;
    WipeString(&escaped);
  }
  if (auto scopes = p.Get("scopes")) request.body += "&scope=" + FormEscape(*scopes);
  if (auto audience = p.Get("audience")) request.body += "&audience=" + FormEscape(*audience);
  if (auto resource = p.Get("resource")) request.body += "&resource=" + FormEscape(*resource);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");

  return RequestToken(ctx, request,
                      "check client-id and the stored client-secret (tokex secret set " + p.name +
                          " client-secret)");
}

}  // namespace tokex
