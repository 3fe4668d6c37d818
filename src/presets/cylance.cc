// BlackBerry Cylance: an auth token (a JWT signed HS256 with the app
// secret) exchanged at /auth/v2/token for an access token. Seed 002,
// "Generate the authentication and access tokens", and its Python example,
// followed step by step.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "exchange.h"
#include "jwt.h"
#include "random.h"

namespace tokex {

namespace {

// "timeout = 1800  # 30 minutes from now": the example's auth token
// lifetime, and the longest the config allows.
constexpr int64_t kDefaultLifetime = 1800;

// The profile's `scopes`, split on spaces (the config refuses tabs, as
// every control character).
std::vector<std::string_view> Scopes(const Profile& p) {
  std::vector<std::string_view> out;
  std::string_view rest = p.Get("scopes").value_or("");
  while (true) {
    size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = std::min(rest.find(' '), rest.size());
    out.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  return out;
}

// The example's `claims`, in its order; "scp" (optional there, "to
// restrict the list of scopes being requested") only when scopes are set.
std::string ClaimsJson(const Profile& p, std::string_view jti, int64_t now) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("exp");
  w.Int64(now + IntSetting(p, "token-lifetime", kDefaultLifetime));
  w.Key("iat");
  w.Int64(now);
  w.Key("iss");
  str("http://cylance.com");
  w.Key("sub");
  str(p.Get("client-id").value_or(""));
  w.Key("tid");
  str(p.Get("tenant").value_or(""));
  w.Key("jti");
  str(jti);
  if (std::vector<std::string_view> scopes = Scopes(p); !scopes.empty()) {
    w.Key("scp");
    w.StartArray();
    for (std::string_view s : scopes) str(s);
    w.EndArray();
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

std::string RejectedFix(const Profile& p) {
  return "check client-id (the app id " + std::string(p.Get("client-id").value_or("")) + "), tenant (" +
         std::string(p.Get("tenant").value_or("")) + ") and the stored app secret (tokex secret set " + p.name +
         " app-secret); Cylance also rejects an auth token whose iat is off, so check this machine's clock";
}

}  // namespace

Result<Credential> ExchangeCylance(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  Result<Secret> secret = ctx.store.Get(p.name, "app-secret");
  if (!secret) return secret.error();

  // jti_val = str(uuid.uuid4()): a fresh one each time, since Cylance
  // refuses an auth token it has seen.
  Result<std::string> jti = UuidV4(ctx.random);
  if (!jti) return jti.error();
  JwtKey key{.hmac = &*secret};
  Result<std::string> auth_token = SignJwt(JwtAlg::kHs256, {}, ClaimsJson(p, *jti, ctx.clock.Now()), key);
  if (!auth_token) return auth_token.error();

  // payload = {"auth_token": encoded}, posted as JSON with the example's
  // Content-Type.
  HttpRequest request = TokenRequest(p);
  request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  request.headers.emplace_back("Accept", "application/json");
  // A JWT is base64url and dots: nothing to escape, and no copy left
  // behind in a JSON writer's buffer.
  request.body = "{\"auth_token\":\"" + *auth_token + "\"}";
  WipeString(&*auth_token);

  // The answer holds access_token alone; its lifetime is its own JWT exp.
  return RequestToken(ctx, request, RejectedFix(p));
}

}  // namespace tokex
