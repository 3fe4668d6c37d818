#include "credential.h"

#include <algorithm>
#include <cctype>

#include "text.h"

namespace tokex {

namespace {

bool IsHeaderName(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

bool IsCookieToken(std::string_view s) {
  return !s.empty() && !HasControlChars(s) &&
         s.find_first_of(" \t;,=\"\\") == std::string_view::npos;
}

}  // namespace

Credential MakeBearerCredential(Secret token, std::string_view token_type, int64_t obtained_at,
                                int64_t expires_at, std::string scope) {
  Credential c;
  std::string type(token_type.empty() ? "Bearer" : token_type);
  if (AsciiLower(type) == "bearer") type = "Bearer";
  std::string header = type + " ";
  header += token.view();
  c.headers.push_back(HeaderField{"Authorization", Secret(header)});
  WipeString(&header);
  c.access_token = std::move(token);
  c.token_type = std::move(type);
  c.obtained_at = obtained_at;
  c.expires_at = expires_at;
  c.scope = std::move(scope);
  return c;
}

Status ValidateCredential(const Credential& c) {
  auto bad = [](std::string what) {
    return MakeError(ErrorKind::kNetwork, "the server's " + what +
                                              " is empty or contains control characters or invalid UTF-8: "
                                              "refusing to use it");
  };
  if (c.access_token.empty() || HasControlChars(c.access_token.view())) return bad("access token");
  if (HasControlChars(c.token_type) || !IsHeaderName(c.token_type)) return bad("token type");
  if (HasControlChars(c.scope)) return bad("scope");
  if (!c.csrf_param.empty() && !IsCookieToken(c.csrf_param)) return bad("CSRF parameter name");
  for (const HeaderField& h : c.headers) {
    if (!IsHeaderName(h.name)) return bad("header name");
    if (h.value.empty() || HasControlChars(h.value.view())) return bad("header " + h.name);
  }
  for (const Cookie& k : c.cookies) {
    if (!IsCookieToken(k.name)) return bad("cookie name");
    if (!IsCookieToken(k.value.view())) return bad("cookie " + k.name);
    if (HasControlChars(k.domain) || HasControlChars(k.path) || k.domain.find_first_of(" \t") != std::string::npos)
      return bad("cookie domain or path");
  }
  return Success();
}

bool IsFresh(const Credential& c, int64_t now, int64_t margin, int64_t min_ttl) {
  return c.expires_at - now > std::max(margin, min_ttl);
}

}  // namespace tokex
