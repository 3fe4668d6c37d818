#include "oauth_callback.h"

#include "secret.h"  // HasControlChars

namespace tokex {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent- and '+'-decodes one name or value; false when malformed.
bool Unescape(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out->push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = HexDigit(s[i + 1]);
      int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(s[i]);
    }
  }
  return true;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!Unescape(pair.substr(0, eq), &name) ||
        (eq != std::string_view::npos && !Unescape(pair.substr(eq + 1), &value)))
      return MakeError(ErrorKind::kUsage, "the query is not well-formed");
    if (!params.emplace(std::move(name), std::move(value)).second)
      return MakeError(ErrorKind::kUsage, "a query parameter is given twice");
  }
  return params;
}

Result<CallbackRequest> ParseCallbackRequest(std::string_view head) {
  auto bad = [](std::string_view why) { return MakeError(ErrorKind::kUsage, "not a sign-in redirect: " + std::string(why)); };
  std::string_view line = head.substr(0, head.find("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return bad("the request line is malformed");
  if (line.substr(0, sp1) != "GET") return bad("only GET is expected");
  std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad("not HTTP/1.x");
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!target.starts_with('/')) return bad("the target is not a path");
  size_t q = target.find('?');
  CallbackRequest r;
  r.path = target.substr(0, q);
  if (HasControlChars(r.path)) return bad("the path holds control characters");
  if (q == std::string_view::npos) return r;
  Result<std::map<std::string, std::string>> params = ParseQuery(target.substr(q + 1));
  if (!params) return bad(params.error().message);
  r.params = std::move(params.value());
  return r;
}

std::string CallbackPage(int status, std::string_view message) {
  std::string body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>tokex</title></head><body><p>" +
                     HtmlEscape(message) + "</p></body></html>\n";
  std::string reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace tokex
