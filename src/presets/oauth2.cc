// Any RFC 6749 token endpoint. The grant (`grant`): client_credentials
// (RFC 6749 section 4.4), refresh_token (section 6; a rotated refresh
// token is stored before anything else happens) or jwt-bearer (RFC 7523
// section 2.1). The client authenticates (`client-auth`) with HTTP Basic or
// form fields (RFC 6749 section 2.3.1), with a signed assertion
// (private_key_jwt, RFC 7523 sections 2.2 and 3), or not at all (a public
// client, RFC 6749 section 2.1). Then the optional scope (section 3.3),
// audience (RFC 8693), resource (RFC 8707) and the profile's own
// `form-NAME` fields.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "assertion.h"
#include "crypto.h"
#include "exchange.h"
#include "http_curl.h"
#include "login.h"
#include "rotation.h"
#include "text.h"

namespace tokex {

namespace {

using std::string_view_literals::operator""sv;

constexpr std::string_view kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
// Long enough for a slow network, short enough that a leaked assertion
// is soon worthless.
constexpr int64_t kAssertionLifetime = 300;
constexpr std::string_view kFormPrefix = "form-";
// Fields tokex sends itself: a form-NAME key may not send them again, as
// RFC 6749 section 3.2 forbids a parameter twice.
constexpr std::array kOwnFields = {
    "grant_type"sv,       "refresh_token"sv, "assertion"sv,             "client_id"sv,
    "client_secret"sv,    "scope"sv,         "client_assertion_type"sv, "client_assertion"sv,
    "audience"sv,         "resource"sv,
};

enum class Grant { kClientCredentials, kRefreshToken, kJwtBearer };
enum class ClientAuth { kBasic, kPost, kPrivateKeyJwt, kNone };

// The config parser has limited `grant` and `client-auth` to these values.
Grant GrantOf(const Profile& p) {
  std::string_view g = p.Get("grant").value_or("client_credentials");
  if (g == "refresh_token") return Grant::kRefreshToken;
  if (g == "jwt-bearer") return Grant::kJwtBearer;
  return Grant::kClientCredentials;
}

ClientAuth ClientAuthOf(const Profile& p) {
  std::string_view a = p.Get("client-auth").value_or("basic");
  if (a == "post") return ClientAuth::kPost;
  if (a == "private_key_jwt") return ClientAuth::kPrivateKeyJwt;
  if (a == "none") return ClientAuth::kNone;
  return ClientAuth::kBasic;
}

// The secret the grant spends, if any.
std::string_view GrantSecret(Grant g) {
  if (g == Grant::kRefreshToken) return "refresh-token";
  if (g == Grant::kJwtBearer) return "private-key";
  return {};
}

// The secret the client authenticates with, if any.
std::string_view ClientAuthSecret(ClientAuth a) {
  if (a == ClientAuth::kBasic || a == ClientAuth::kPost) return "client-secret";
  if (a == ClientAuth::kPrivateKeyJwt) return "private-key";
  return {};
}

// What a person checks when the server refuses the request; `error` is
// the server's RFC 6749 error code, which tells the client's part
// (invalid_client) from the grant's (invalid_grant).
std::string RejectedFix(const Profile& p, std::string_view error) {
  std::string set = "tokex secret set " + p.name;
  std::string grant;
  if (GrantOf(p) == Grant::kRefreshToken) grant = "store a new refresh token with " + set + " refresh-token";
  if (GrantOf(p) == Grant::kJwtBearer)
    grant = "check assertion-subject and that the server trusts the stored private-key (" + set + " private-key)";
  std::string client = "check client-id";
  ClientAuth auth = ClientAuthOf(p);
  if (auth == ClientAuth::kBasic || auth == ClientAuth::kPost)
    client += " and the stored client-secret (" + set + " client-secret)";
  if (auth == ClientAuth::kPrivateKeyJwt)
    client += " and that the server holds the certificate of the stored private-key (" + set + " private-key)";
  if (grant.empty() || error == "invalid_client") return client;
  if (error == "invalid_grant") return grant;
  return grant + ", or " + client;
}

// A form-NAME key that would repeat a field tokex sends is a config error.
Status CheckFormKeys(const Profile& p) {
  for (const auto& [key, setting] : p.settings) {
    if (!key.starts_with(kFormPrefix)) continue;
    std::string_view name = std::string_view(key).substr(kFormPrefix.size());
    if (std::find(kOwnFields.begin(), kOwnFields.end(), name) != kOwnFields.end())
      return MakeError(ErrorKind::kUsage, p.Where(key) + ": tokex sends the form field '" + std::string(name) +
                                              "' itself (from grant, client-auth, client-id, scopes, audience "
                                              "or resource): remove this key");
  }
  return Success();
}

// RFC 6749 section 2.3.1: the client id and secret are each form-encoded
// before they are joined for HTTP Basic, so a ':' in either survives.
// (AddBasicAuth does not encode: Cisco XDR wants them as they are.)
void AddFormEncodedBasicAuth(HttpRequest* request, std::string_view client_id, const Secret& secret) {
  std::string joined = FormEscape(client_id);
  std::string password = FormEscape(secret.view());
  joined += ':';
  joined += password;
  std::string encoded = Base64(joined);
  request->headers.emplace_back("Authorization", "Basic " + encoded);
  WipeString(&encoded);
  WipeString(&password);
  WipeString(&joined);
}

// Appends scope (unless the caller sends its own), audience, resource and
// the form-NAME fields (in key order). The views point into `p`.
void AddParameters(const Profile& p, std::vector<FormField>* fields) {
  bool has_scope = std::any_of(fields->begin(), fields->end(), [](const FormField& f) { return f.name == "scope"; });
  // The config's "scopes" is RFC 6749's "scope".
  if (auto v = p.Get("scopes"); v && !has_scope) fields->push_back({"scope", *v});
  for (std::string_view key : {"audience"sv, "resource"sv}) {
    if (auto v = p.Get(key)) fields->push_back({key, *v});
  }
  for (const auto& [key, setting] : p.settings) {
    if (key.starts_with(kFormPrefix))
      fields->push_back({std::string_view(key).substr(kFormPrefix.size()), setting.value});
  }
}

// The token request: the grant's `fields`, the client's authentication,
// then AddParameters. Errors: a missing secret or key (the store's), an
// unusable private key or certificate (kUsage).
Result<HttpRequest> BuildRequest(ExchangeContext& ctx, std::vector<FormField> fields) {
  const Profile& p = ctx.profile;
  ClientAuth auth = ClientAuthOf(p);
  std::string client_id(*p.Get("client-id"));
  std::optional<Secret> secret;
  if (auth == ClientAuth::kBasic || auth == ClientAuth::kPost) {
    Result<Secret> s = ctx.store.Get(p.name, "client-secret");
    if (!s) return s.error();
    secret = std::move(s.value());
  }
  std::string assertion;
  if (auth == ClientAuth::kPrivateKeyJwt) {
    Result<std::string> a =
        SignAssertion(ctx, {client_id, client_id, p.token_url, kAssertionLifetime}, JwtAlg::kRs256);
    if (!a) return a.error();
    assertion = std::move(a.value());
  }
  if (auth != ClientAuth::kBasic) fields.push_back({"client_id", client_id});
  if (auth == ClientAuth::kPost) fields.push_back({"client_secret", secret->view()});
  if (auth == ClientAuth::kPrivateKeyJwt) {
    fields.push_back({"client_assertion_type", kJwtBearerAssertionType});
    fields.push_back({"client_assertion", assertion});
  }
  AddParameters(p, &fields);
  HttpRequest request = FormTokenRequest(p, fields);
  if (auth == ClientAuth::kBasic) AddFormEncodedBasicAuth(&request, client_id, *secret);
  WipeString(&assertion);
  return request;
}

// Sends the request for the grant's `fields` and reads the answer; a
// refusal says what to check, by the error the server names.
Result<TokenAnswer> Request(ExchangeContext& ctx, std::vector<FormField> fields) {
  Result<HttpRequest> request = BuildRequest(ctx, std::move(fields));
  if (!request) return request.error();
  int64_t now = ctx.clock.Now();
  Result<HttpResponse> response = SendRequest(ctx, *request);
  WipeString(&request->body);
  if (!response) return response.error();
  std::string host = TokenHost(ctx.profile);
  std::string fix = RejectedFix(ctx.profile, OAuthErrorCode(*response));
  return ParseTokenAnswer(*response, now, {host, fix});
}

Result<TokenAnswer> RefreshTokenGrant(ExchangeContext& ctx) {
  std::string expired_fix = "store a new refresh token with tokex secret set " + ctx.profile.name + " refresh-token";
  const Profile& p = ctx.profile;
  return ExchangeRotating(
      ctx, "refresh-token", expired_fix, [&p](std::string_view error) { return RejectedFix(p, error); },
      [](ExchangeContext& c, const Secret& refresh) {
        return BuildRequest(c, {{"grant_type", "refresh_token"}, {"refresh_token", refresh.view()}});
      });
}

// RFC 7523 section 3: the client (iss) asserts the subject to the
// server (aud); both may be other than the client id and the token URL.
Result<TokenAnswer> JwtBearerGrant(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  std::string client_id(*p.Get("client-id"));
  AssertionClaims claims{client_id, std::string(p.Get("assertion-subject").value_or(client_id)),
                         std::string(p.Get("assertion-audience").value_or(p.token_url)), kAssertionLifetime};
  Result<std::string> assertion = SignAssertion(ctx, claims, JwtAlg::kRs256);
  if (!assertion) return assertion.error();
  Result<TokenAnswer> answer = Request(ctx, {{"grant_type", kJwtBearerGrant}, {"assertion", *assertion}});
  WipeString(&assertion.value());
  return answer;
}

// Sign-in needs the server's endpoints from the profile; the scopes must
// make it hand out a refresh token (often offline_access).
Result<LoginEndpoints> LoginEndpointsOf(const Profile& p) {
  if (GrantOf(p) != Grant::kRefreshToken)
    return MakeError(ErrorKind::kUsage, "tokex login is for grant = refresh_token: this grant needs no sign-in");
  return LoginEndpoints{std::string(p.Get("authorize-url").value_or("")), std::string(p.Get("device-url").value_or("")),
                        std::string(p.Get("scopes").value_or(""))};
}

}  // namespace

// extern: a const at namespace scope would be internal to this file.
extern const LoginHooks kOauth2Login{LoginEndpointsOf, BuildRequest};

// Both registered in preset_registry.cc.

Result<Credential> ExchangeOauth2(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  if (Status s = CheckFormKeys(p); !s) return s.error();
  Grant grant = GrantOf(p);
  // RFC 6749 section 4.4: only a confidential client may use it.
  if (grant == Grant::kClientCredentials && ClientAuthOf(p) == ClientAuth::kNone)
    return MakeError(ErrorKind::kUsage, p.Where("client-auth") +
                                            ": grant client_credentials needs client authentication: use basic, "
                                            "post or private_key_jwt");
  Result<TokenAnswer> answer = grant == Grant::kRefreshToken ? RefreshTokenGrant(ctx)
                               : grant == Grant::kJwtBearer  ? JwtBearerGrant(ctx)
                                                             : Request(ctx, {{"grant_type", "client_credentials"}});
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

std::vector<std::string_view> Oauth2Secrets(const Profile& profile) {
  std::vector<std::string_view> names;
  for (std::string_view name : {GrantSecret(GrantOf(profile)), ClientAuthSecret(ClientAuthOf(profile))}) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

}  // namespace tokex
