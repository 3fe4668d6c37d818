#include "url.h"

#include "secret.h"
#include "text.h"

namespace tokex {

std::string Url::HostPort() const {
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  return default_port ? host : host + ":" + std::to_string(port);
}

std::string Url::ForMessage() const {
  std::string_view p = path;
  return scheme + "://" + HostPort() + std::string(p.substr(0, p.find_first_of("?#")));
}

namespace {

// `text` without the user info of its authority ("https://u:p@h/" becomes
// "https://...@h/"): a message may quote a URL, never a password in it.
std::string Redacted(std::string_view text) {
  size_t start = text.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = text.find_first_of("/?#", start);
  size_t at = text.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  return std::string(text.substr(0, start)) + "..." + std::string(text.substr(at));
}

}  // namespace

Result<Url> ParseUrl(std::string_view text) {
  auto fail = [&](std::string_view why) {
    return MakeError(ErrorKind::kUsage, "'" + Printable(Redacted(text), 100) + "' is not a usable URL: " + std::string(why));
  };
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return fail("it contains whitespace or a control character");
  }
  if (HasControlChars(text)) return fail("it contains a control character or invalid UTF-8");
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return fail("expected https://HOST/...");
  Url url;
  url.scheme = AsciiLower(text.substr(0, sep));
  if (url.scheme != "https" && url.scheme != "http") return fail("only https:// (or http://) is supported");
  std::string_view rest = text.substr(sep + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos)
    return fail("user names and passwords do not belong in a URL here");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return fail("no host");
  url.host = AsciiLower(host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    std::optional<int64_t> n = ParseInt(port, 1, 65535);
    if (!n) return fail("bad port");
    url.port = static_cast<int>(*n);
  }
  if (path[0] != '/') url.path = "/";
  url.path += path;
  return url;
}

}  // namespace tokex
