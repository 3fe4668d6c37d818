#include "output.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "text.h"

namespace tokex {

namespace {

std::string HeaderLines(const Credential& c) {
  std::string out;
  for (const HeaderField& h : c.headers) {
    out += h.name;
    out += ": ";
    out += h.value.view();
    out += '\n';
  }
  return out;
}

std::string CookieHeaderValue(const Credential& c) {
  std::string out;
  for (const Cookie& k : c.cookies) {
    if (!out.empty()) out += "; ";
    out += k.name;
    out += '=';
    out += k.value.view();
  }
  return out;
}

std::string CurlConfig(const Credential& c) {
  std::string out;
  for (const HeaderField& h : c.headers) {
    std::string line = h.name + ": ";
    line += h.value.view();
    out += "header = " + CurlQuote(line) + "\n";
    WipeString(&line);
  }
  if (!c.cookies.empty()) {
    std::string cookies = CookieHeaderValue(c);
    out += "cookie = " + CurlQuote(cookies) + "\n";
    WipeString(&cookies);
  }
  return out;
}

std::string Json(const Credential& c) {
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  w.Key("access_token");
  str(c.access_token.view());
  w.Key("token_type");
  str(c.token_type);
  w.Key("expires_at");
  str(Rfc3339(c.expires_at));
  w.Key("scope");
  str(c.scope);
  w.Key("headers");
  w.StartObject();
  for (const HeaderField& h : c.headers) {
    str(h.name);
    str(h.value.view());
  }
  if (!c.cookies.empty()) {
    std::string cookies = CookieHeaderValue(c);
    str("Cookie");
    str(cookies);
    WipeString(&cookies);
  }
  w.EndObject();
  if (!c.csrf_param.empty()) {
    w.Key("csrf_param");
    str(c.csrf_param);
  }
  w.EndObject();
  std::string out;
  out.reserve(sb.GetSize() + 1);  // no reallocation leaves a copy of the token behind
  out.assign(sb.GetString(), sb.GetSize());
  out += '\n';
  WipeBytes(const_cast<char*>(sb.GetString()), sb.GetSize());
  return out;
}

// The Netscape format curl and wget read: one line per cookie, seven
// tab-separated fields (domain, include subdomains, path, secure, expiry,
// name, value). Validation has ruled out tabs and line breaks.
std::string CookieJar(const Credential& c) {
  std::string out = "# Netscape HTTP Cookie File\n# Made by tokex: the session of one profile. Do not edit.\n\n";
  for (const Cookie& k : c.cookies) {
    out += k.domain + "\tFALSE\t" + k.path + "\t" + (k.secure ? "TRUE" : "FALSE") + "\t" + std::to_string(k.expires) +
           "\t" + k.name + "\t";
    out += k.value.view();
    out += '\n';
  }
  return out;
}

}  // namespace

std::string CurlQuote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\\' || ch == '"') out += '\\';
    out += ch;
  }
  out += '"';
  return out;
}

Result<std::string> FormatCredential(OutputFormat format, const Credential& c) {
  // Checked here as well as after each exchange: whatever the source, no
  // control character reaches a header or a config line.
  if (Status s = ValidateCredential(c); !s) return s.error();
  switch (format) {
    case OutputFormat::kToken: {
      std::string out(c.access_token.view());
      out += '\n';
      return out;
    }
    case OutputFormat::kHeader: {
      std::string out = HeaderLines(c);
      if (!c.cookies.empty()) {
        std::string cookies = CookieHeaderValue(c);
        out += "Cookie: " + cookies + "\n";
        WipeString(&cookies);
      }
      return out;
    }
    case OutputFormat::kCurl:
      return CurlConfig(c);
    case OutputFormat::kJson:
      return Json(c);
    case OutputFormat::kCookies:
      if (c.cookies.empty())
        return MakeError(ErrorKind::kUsage, "this credential is a token, not a session with cookies: use tokex header "
                                            "or tokex curl");
      return CookieJar(c);
  }
  return MakeError(ErrorKind::kInternal, "unknown output format");
}

}  // namespace tokex
