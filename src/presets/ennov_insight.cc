// Ennov InSight on premises: seed 004. Step 1 is an Azure AD token (any of
// its grants, azure_ad.h); steps 2 to 4 turn it into a session: a
// JSESSIONID cookie and an X-CSRF-TOKEN header, which are the credential.
#include "ennov_insight.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "azure_ad.h"
#include "json.h"
#include "text.h"
#include "token_response.h"
#include "url.h"

namespace tokex {

namespace {

constexpr int64_t kDefaultSessionTtl = 1800;
constexpr std::string_view kSessionCookie = "JSESSIONID";
constexpr std::string_view kFix = "check base-url, and that the InSight server accepts this Azure AD application";

Error Unusable(std::string_view host, std::string_view what, std::string_view why) {
  return MakeError(ErrorKind::kNetwork, std::string(host) + " sent an unusable " + std::string(what) + " (" +
                                            std::string(why) + "): " + std::string(kFix));
}

// A header or cookie value that may go into a request as is.
bool Usable(std::string_view v) {
  return !v.empty() && !HasControlChars(v) && v.find_first_of(" ;,\"\\") == std::string_view::npos;
}

bool IsHeaderName(std::string_view s) {
  return !s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                           std::string_view::npos;
}

// The CSRF headers the server sends with every session answer.
Status ReadCsrf(const HttpResponse& r, std::string_view host, std::string_view what, InsightSession* s) {
  std::optional<std::string_view> token = r.Header("x-csrf-token");
  if (!token || !Usable(*token)) return Unusable(host, what, "no usable X-CSRF-TOKEN header");
  s->csrf_token = Secret(*token);
  if (auto name = r.Header("x-csrf-header")) {
    if (!IsHeaderName(*name)) return Unusable(host, what, "X-CSRF-HEADER is not a header name");
    s->csrf_header = *name;
  }
  if (auto param = r.Header("x-csrf-param")) {
    if (!IsHeaderName(*param)) return Unusable(host, what, "X-CSRF-PARAM is not a parameter name");
    s->csrf_param = *param;
  }
  return Success();
}

// A new JSESSIONID from Set-Cookie, if the answer carries one.
Status ReadSessionCookie(const HttpResponse& r, std::string_view host, InsightSession* s) {
  for (const auto& [name, value] : r.headers) {
    if (name != "set-cookie") continue;
    std::string_view v = value;
    std::string_view pair = v.substr(0, v.find(';'));
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != kSessionCookie) continue;
    std::string_view id = pair.substr(eq + 1);
    if (!Usable(id)) return Unusable(host, "login answer", "JSESSIONID is not a usable cookie value");
    s->id = Secret(id);
    // Attribute names are case-insensitive (RFC 6265 section 5.2).
    size_t path = AsciiLower(v).find("; path=");
    if (path != std::string_view::npos) s->cookie_path = v.substr(path + 7, v.find(';', path + 7) - path - 7);
    if (HasControlChars(s->cookie_path) || !s->cookie_path.starts_with('/')) s->cookie_path.clear();
  }
  return Success();
}

// A request to the InSight server: base-url plus `path`, with the
// profile's CA, timeout and allow-http.
HttpRequest SessionRequest(const Profile& p, std::string method, std::string_view path) {
  HttpRequest r = TokenRequest(p);
  r.method = std::move(method);
  r.url = p.base_url + std::string(path);
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

// The login body of step 4: the Azure AD tokens, as the seed shows.
std::string LoginBody(const TokenAnswer& azure) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("access_token");
  str(azure.credential.access_token.view());
  w.Key("refresh_token");
  str(azure.refresh_token ? azure.refresh_token->view() : std::string_view());
  w.Key("token_type");
  str("Bearer");
  w.EndObject();
  std::string body(sb.GetString(), sb.GetSize());
  WipeBytes(const_cast<char*>(sb.GetString()), sb.GetSize());
  return body;
}

// The session as a credential: the cookie and the CSRF header.
Credential SessionCredential(const Profile& p, const InsightSession& s, int64_t now) {
  Result<Url> base = ParseUrl(p.base_url);
  Credential c;
  c.access_token = s.id;
  c.token_type = "Session";
  c.obtained_at = now;
  c.expires_at = now + IntSetting(p, "session-ttl", kDefaultSessionTtl);
  c.headers.push_back({s.csrf_header, s.csrf_token});
  std::string path = !s.cookie_path.empty() ? s.cookie_path : base && base->path != "/" ? base->path : "/";
  c.cookies.push_back({base ? base->host : std::string(), path, std::string(kSessionCookie), s.id,
                       base && base->scheme == "https", c.expires_at});
  c.csrf_param = s.csrf_param;
  return c;
}

}  // namespace

Result<InsightSession> ParseSessionStart(const HttpResponse& response, std::string_view host) {
  if (response.status < 200 || response.status > 299) return ErrorFromResponse(response, {host, kFix});
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Unusable(host, "session answer", "not a JSON object");
  std::string_view id = JsonString(doc, "xAuthToken");
  if (!Usable(id)) return Unusable(host, "session answer", "no usable xAuthToken");
  InsightSession s;
  s.id = Secret(id);
  if (Status st = ReadCsrf(response, host, "session answer", &s); !st) return st.error();
  return s;
}

Result<InsightSession> ParseSessionLogin(const HttpResponse& response, InsightSession session, std::string_view host) {
  if (response.status < 200 || response.status > 299)
    return ErrorFromResponse(response, {host, "the InSight server refused the Azure AD token: check that the "
                                              "application is registered with InSight and the user may log in"});
  if (Status st = ReadCsrf(response, host, "login answer", &session); !st) return st.error();
  if (Status st = ReadSessionCookie(response, host, &session); !st) return st.error();
  return session;
}

Result<Credential> ExchangeEnnovInsight(ExchangeContext& ctx) {
  const Profile& p = ctx.profile;
  Result<TokenAnswer> azure = AzureAdToken(ctx);
  if (!azure) return azure.error();
  Result<Url> base = ParseUrl(p.base_url);
  std::string host = base ? base->HostPort() : p.base_url;

  // Step 2: a session id and its CSRF token.
  Result<HttpResponse> started = SendRequest(ctx, SessionRequest(p, "GET", "/api/v2/token"));
  if (!started) return started.error();
  Result<InsightSession> session = ParseSessionStart(*started, host);
  if (!session) return session.error();

  // Steps 3 and 4: the id as JSESSIONID, the token as X-CSRF-TOKEN, and
  // the Azure AD tokens in the body log the session in.
  HttpRequest login = SessionRequest(p, "POST", "/api/v2/login");
  login.headers.emplace_back("Content-Type", "application/json");
  login.headers.emplace_back(session->csrf_header, std::string(session->csrf_token.view()));
  login.headers.emplace_back("Cookie", std::string(kSessionCookie) + "=" + std::string(session->id.view()));
  login.body = LoginBody(*azure);
  Result<HttpResponse> answer = SendRequest(ctx, login);
  if (!answer) return answer.error();
  Result<InsightSession> logged_in = ParseSessionLogin(*answer, std::move(session.value()), host);
  if (!logged_in) return logged_in.error();
  return SessionCredential(p, *logged_in, ctx.clock.Now());
}

}  // namespace tokex
