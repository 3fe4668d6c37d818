// Azure AD (Microsoft Entra ID) v2.0 token endpoint. Seed 004, step 1: POST
// https://login.microsoftonline.com/<tenant_id>/oauth2/v2.0/token with
// grant_type=refresh_token, client_id, refresh_token and scope
// "<client_id>/.default openid offline_access". The same documentation's
// client_credentials and password (ROPC) grants go to the same endpoint.
#include "azure_ad.h"

#include <optional>
#include <string>
#include <vector>

#include "assertion.h"
#include "rotation.h"

namespace tokex {

namespace {

constexpr std::string_view kRefreshToken = "refresh-token";
constexpr std::string_view kClientSecret = "client-secret";

std::string_view Grant(const Profile& p) { return p.Get("grant").value_or("refresh_token"); }

std::string_view ClientId(const Profile& p) { return *p.Get("client-id"); }

// The profile's scopes, else the seed's: the app's own API, and for a
// signed-in user also openid and offline_access, without which Azure sends
// no refresh token and the stored one could not be renewed.
std::string Scope(const Profile& p, bool for_user) {
  if (std::optional<std::string_view> v = p.Get("scopes")) return std::string(*v);
  std::string scope = std::string(ClientId(p)) + "/.default";
  if (for_user) scope += " openid offline_access";
  return scope;
}

// The client-secret of a confidential client; nullopt for a public client
// (one without a stored secret), which Azure refuses to see one from.
Result<std::optional<Secret>> OptionalClientSecret(ExchangeContext& ctx) {
  Result<bool> has = ctx.store.Has(ctx.profile.name, kClientSecret);
  if (!has) return has.error();
  if (!*has) return std::optional<Secret>();
  Result<Secret> secret = ctx.store.Get(ctx.profile.name, kClientSecret);
  if (!secret) return secret.error();
  return std::optional<Secret>(std::move(secret.value()));
}

std::string SignInAgain(const Profile& p) {
  return "sign in again with 'tokex login " + p.name + "', or store a new refresh token with 'tokex secret set " +
         p.name + " refresh-token'";
}

// Step 1 of the seed. Azure answers every refresh with a new refresh token
// and the spent one must not be used again, so ExchangeRotating stores the
// new one before the access token goes anywhere.
Result<TokenAnswer> RefreshTokenGrant(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  Result<std::optional<Secret>> client_secret = OptionalClientSecret(ctx);
  if (!client_secret) return client_secret.error();
  std::string scope = Scope(p, true);
  std::string fix = SignInAgain(p);
  RefreshRequestFn build = [&](ExchangeContext&, const Secret& refresh_token) -> Result<HttpRequest> {
    std::vector<FormField> fields = {{"grant_type", "refresh_token"},
                                     {"client_id", ClientId(p)},
                                     {"refresh_token", refresh_token.view()},
                                     {"scope", scope}};
    if (*client_secret) fields.push_back({"client_secret", (*client_secret)->view()});
    return FormTokenRequest(p, fields);
  };
  return ExchangeRotating(ctx, kRefreshToken, fix, [&fix](std::string_view) { return fix; }, build);
}

// The app signs in as itself, with its secret or with a certificate
// (private_key_jwt: Azure wants the token URL as aud, at most 10 minutes
// of lifetime and the certificate's x5t#S256 in the header).
Result<TokenAnswer> ClientCredentialsGrant(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  std::string scope = Scope(p, false);
  std::vector<FormField> fields = {{"grant_type", "client_credentials"}, {"client_id", ClientId(p)}, {"scope", scope}};
  std::string fix;
  std::optional<Secret> secret;
  std::string assertion;
  if (p.certificate.empty()) {
    Result<Secret> s = ctx.store.Get(p.name, kClientSecret);
    if (!s) return s.error();
    secret = std::move(s.value());
    fields.push_back({"client_secret", secret->view()});
    fix = "check client-id and the stored client-secret (tokex secret set " + p.name +
          " client-secret): a secret's value, not its ID, and not expired";
  } else {
    AssertionClaims claims{std::string(ClientId(p)), std::string(ClientId(p)), p.token_url, 600};
    Result<std::string> signed_jwt = SignAssertion(ctx, claims, JwtAlg::kPs256);
    if (!signed_jwt) return signed_jwt.error();
    assertion = std::move(signed_jwt.value());
    fields.push_back({"client_assertion_type", kJwtBearerAssertionType});
    fields.push_back({"client_assertion", assertion});
    fix = "check client-id, that " + p.certificate + " is a certificate registered on the app, and that the stored " +
          "private-key is its key (tokex secret set " + p.name + " private-key)";
  }
  return RequestTokenAnswer(ctx, FormTokenRequest(p, fields), fix);
}

// Resource owner password credentials: the user's name and password, for
// tenants that still allow it (no MFA, no federated users).
Result<TokenAnswer> PasswordGrant(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  std::optional<std::string_view> username = p.Get("username");
  if (!username)
    return MakeError(ErrorKind::kUsage, p.Where("username") +
                                            ": missing: grant = password needs the user to sign in as "
                                            "(username = NAME@DOMAIN)");
  Result<std::optional<Secret>> client_secret = OptionalClientSecret(ctx);
  if (!client_secret) return client_secret.error();
  Result<Secret> password = ctx.store.Get(p.name, "password");
  if (!password) return password.error();
  std::string scope = Scope(p, true);
  std::vector<FormField> fields = {{"grant_type", "password"},
                                   {"client_id", ClientId(p)},
                                   {"username", *username},
                                   {"password", password->view()},
                                   {"scope", scope}};
  if (*client_secret) fields.push_back({"client_secret", (*client_secret)->view()});
  // A refresh token in the answer is passed on (ennov-insight's login sends
  // it) but not stored: the password is what this grant keeps.
  return RequestTokenAnswer(ctx, FormTokenRequest(p, fields),
                            "check username and the stored password (tokex secret set " + p.name +
                                " password), and that the tenant allows the password grant (ROPC) for this "
                                "user: not with MFA or a federated account");
}

// Azure AD v2.0 keeps the authorization and device endpoints beside the
// token endpoint: .../oauth2/v2.0/{authorize,devicecode,token}.
std::string SiblingEndpoint(const Profile& p, std::string_view name) {
  std::string_view url = p.token_url;
  size_t slash = url.rfind('/');
  return std::string(url.substr(0, slash + 1)) + std::string(name);
}

// Only the refresh_token grant holds what a sign-in brings.
Result<LoginEndpoints> LoginEndpointsOf(const Profile& p) {
  if (Grant(p) != "refresh_token")
    return MakeError(ErrorKind::kUsage, "grant " + std::string(Grant(p)) +
                                            " needs no sign-in: tokex login is for grant = refresh_token");
  return LoginEndpoints{SiblingEndpoint(p, "authorize"), SiblingEndpoint(p, "devicecode"), Scope(p, true)};
}

// The client's part of a sign-in's token requests: its id, and its secret
// when it is a confidential client.
Result<HttpRequest> LoginTokenRequest(ExchangeContext& ctx, std::vector<FormField> fields) {
  Result<std::optional<Secret>> secret = OptionalClientSecret(ctx);
  if (!secret) return secret.error();
  fields.insert(fields.begin(), FormField{"client_id", ClientId(ctx.profile)});
  if (*secret) fields.push_back({"client_secret", (*secret)->view()});
  return FormTokenRequest(ctx.profile, fields);
}

}  // namespace

const LoginHooks kAzureAdLogin{LoginEndpointsOf, LoginTokenRequest};

Result<TokenAnswer> AzureAdToken(ExchangeContext& ctx) {
  // The config parser has limited grant to the three below.
  std::string_view grant = Grant(ctx.profile);
  if (grant == "client_credentials") return ClientCredentialsGrant(ctx);
  if (grant == "password") return PasswordGrant(ctx);
  return RefreshTokenGrant(ctx);
}

std::vector<std::string_view> AzureAdSecrets(const Profile& profile) {
  std::string_view grant = Grant(profile);
  if (grant == "client_credentials")
    return {profile.certificate.empty() ? kClientSecret : std::string_view("private-key")};
  if (grant == "password") return {"password"};
  return {kRefreshToken};
}

Result<Credential> ExchangeAzureAd(ExchangeContext& ctx) {
  Result<TokenAnswer> answer = AzureAdToken(ctx);
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

}  // namespace tokex
