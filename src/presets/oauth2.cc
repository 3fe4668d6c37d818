// Any RFC 6749 token endpoint: the client_credentials grant (section 4.4)
// with client authentication by HTTP Basic or by form fields (section
// 2.3.1), plus the optional scope, audience and resource parameters.
#include <vector>

#include "exchange.h"

namespace tokex {

Result<Credential> ExchangeOauth2(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  // The config parser has limited grant to client_credentials and
  // client-auth to basic or post.
  bool basic = p.Get("client-auth").value_or("basic") == "basic";
  Result<Secret> secret = ctx.store.Get(p.name, "client-secret");
  if (!secret) return secret.error();

  std::string_view client_id = *p.Get("client-id");
  std::vector<FormField> fields = {{"grant_type", "client_credentials"}};
  if (!basic) {
    fields.push_back({"client_id", client_id});
    fields.push_back({"client_secret", secret->view()});
  }
  for (std::string_view key : {"scopes", "audience", "resource"}) {
    // The config's "scopes" is RFC 6749's "scope".
    if (auto v = p.Get(key)) fields.push_back({key == "scopes" ? "scope" : key, *v});
  }
  HttpRequest request = FormTokenRequest(p, fields);
  if (basic) AddBasicAuth(&request, client_id, *secret);

  return RequestToken(ctx, request,
                      "check client-id and the stored client-secret (tokex secret set " + p.name +
                          " client-secret)");
}

}  // namespace tokex

namespace tokex {

std::vector<std::string_view> Oauth2Secrets(const Profile&) { return {"client-secret"}; }

}  // namespace tokex
