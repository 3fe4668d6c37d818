#include "token_response.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>

#include "json.h"
#include "jwt.h"
#include "text.h"

namespace tokex {

namespace {

constexpr int64_t kDefaultLifetime = 300;

// RFC 6749 section 5.2 errors that say the request, not the credentials,
// is wrong: the profile's settings need fixing.
// RFC 8707's invalid_target is a resource the config names wrongly.
constexpr std::array<std::string_view, 5> kRequestErrors = {"invalid_request", "invalid_scope", "unsupported_grant_type",
                                                            "unauthorized_client", "invalid_target"};
constexpr int64_t kMaxLifetime = 366 * 86400;

// expires_in is a number per RFC 6749 section 5.1, but some servers send
// it as a string.
std::optional<int64_t> ExpiresIn(const rapidjson::Value& doc) {
  if (std::optional<int64_t> n = JsonInt(doc, "expires_in", true)) return n;
  std::string_view s = JsonString(doc, "expires_in");
  return s.empty() ? std::nullopt : ParseInt(s, 0, kMaxLifetime);
}

}  // namespace

// Every body is parsed with kParseIterativeFlag: the response cap lets
// through a million '[', which the recursive parser would take as deep
// into the stack.

std::optional<Secret> RefreshTokenIn(const HttpResponse& response) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError()) return std::nullopt;
  std::string_view refresh = JsonString(doc, "refresh_token");
  if (refresh.empty() || HasControlChars(refresh)) return std::nullopt;
  return Secret(refresh);
}

std::string OAuthErrorCode(const HttpResponse& response) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError()) return {};
  return std::string(JsonString(doc, "error"));
}

Error ErrorFromResponse(const HttpResponse& response, const ExchangeHints& hints) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  std::string_view code;
  std::string detail;
  if (!doc.HasParseError() && doc.IsObject()) {
    code = JsonString(doc, "error");
    std::string_view desc = JsonString(doc, "error_description");
    if (desc.empty()) desc = JsonString(doc, "message");
    // Azure AD's descriptions go on with trace and correlation ids.
    desc = desc.substr(0, desc.find_first_of("\r\n"));
    if (!code.empty()) detail = Printable(code, 60);
    if (!desc.empty()) detail += (detail.empty() ? "" : ": ") + Printable(desc, 200);
  }
  std::string status = "HTTP " + std::to_string(response.status);
  std::string what = std::string(hints.host) + " answered " + status + (detail.empty() ? "" : " (" + detail + ")");
  long s = response.status;
  if ((s == 400 || s == 401 || s == 403) &&
      std::find(kRequestErrors.begin(), kRequestErrors.end(), code) != kRequestErrors.end())
    return MakeError(ErrorKind::kUsage, "the server refused the request: " + what +
                                            ": check the profile's grant, scopes and client-id");
  if (s == 400 || s == 401 || s == 403)
    return MakeError(ErrorKind::kRejected, "the server rejected the credentials: " + what + ": " +
                                               std::string(hints.rejected_fix));
  if (s >= 300 && s < 400)
    return MakeError(ErrorKind::kNetwork, what + ": token endpoints are never followed through redirects; "
                                                 "check token-url or base-url");
  if (IsTransientStatus(s)) return MakeError(ErrorKind::kNetwork, what + " after retries: try again later");
  return MakeError(ErrorKind::kNetwork, what + ": check token-url or base-url");
}

Result<TokenAnswer> ParseTokenAnswer(const HttpResponse& response, int64_t now, const ExchangeHints& hints) {
  if (response.status < 200 || response.status > 299) return ErrorFromResponse(response, hints);
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorKind::kNetwork, std::string(hints.host) + " sent an unusable token response (" +
                                              std::string(why) + "): check token-url or base-url");
  };
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return bad("not a JSON object");
  std::string_view token = JsonString(doc, "access_token");
  if (token.empty()) return bad("no access_token");
  std::optional<int64_t> lifetime = ExpiresIn(doc);
  if (doc.HasMember("expires_in") && !lifetime) return bad("expires_in is not a number");
  // Without expires_in, the token's own JWT exp; failing that, a guess.
  std::optional<int64_t> exp =
      lifetime ? std::optional<int64_t>(now + std::clamp(*lifetime, -kMaxLifetime, kMaxLifetime)) : JwtExpiry(token);
  int64_t expires_at = exp ? std::min(*exp, now + kMaxLifetime) : now + kDefaultLifetime;
  // A token that is already dead is the server's mistake (or its clock's):
  // never print or cache it.
  if (expires_at <= now)
    return MakeError(ErrorKind::kNetwork, std::string(hints.host) + " issued a token that has already expired (" +
                                              (lifetime ? "expires_in " + std::to_string(*lifetime)
                                                        : "its exp is " + Rfc3339(*exp)) +
                                              "): check the server's clock and this machine's, then try again");
  Credential c = MakeBearerCredential(Secret(token), JsonString(doc, "token_type"), now, expires_at,
                                      std::string(JsonString(doc, "scope")));
  if (Status s = ValidateCredential(c); !s) return s.error();
  TokenAnswer answer{std::move(c), std::nullopt};
  if (doc.HasMember("refresh_token")) {
    std::string_view refresh = JsonString(doc, "refresh_token");
    if (refresh.empty() || HasControlChars(refresh)) return bad("refresh_token is not a usable string");
    answer.refresh_token = Secret(refresh);
  }
  return answer;
}

Result<Credential> ParseTokenResponse(const HttpResponse& response, int64_t now, const ExchangeHints& hints) {
  Result<TokenAnswer> answer = ParseTokenAnswer(response, now, hints);
  if (!answer) return answer.error();
  return std::move(answer->credential);
}

}  // namespace tokex
