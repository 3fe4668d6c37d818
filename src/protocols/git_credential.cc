#include "git_credential.h"

#include <algorithm>

#include "secret.h"
#include "text.h"

namespace tokex {

namespace {

// One line of a request, without its LF and without the CR before it.
std::string_view LineAt(std::string_view text, size_t at, size_t* next) {
  size_t lf = text.find('\n', at);
  std::string_view line = text.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
  *next = lf == std::string_view::npos ? text.size() : lf + 1;
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

Error LineError(int number, std::string_view what) {
  return MakeError(ErrorKind::kUsage,
                   "line " + std::to_string(number) + " of git's request " + std::string(what) +
                       ": expected key=value lines ended by a blank line");
}

// Whether `host` can only be a host name or address, with an optional
// port: what git sends. A '/', '@', '?' or '#' would move text into
// another part of the URL built from it.
bool IsPlainHost(std::string_view host) {
  return std::none_of(host.begin(), host.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '/' || c == '\\' || c == '@' || c == '?' || c == '#';
  });
}

Status CheckItem(std::string_view key, std::string_view value, ErrorKind kind) {
  if (!HasControlChars(value)) return Success();
  return MakeError(kind, "refusing to send git a " + std::string(key) +
                             " that holds a control character or invalid UTF-8");
}

}  // namespace

bool GitRequest::HasCapability(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

std::optional<size_t> GitRequestLength(std::string_view data) {
  for (size_t at = 0; at < data.size();) {
    size_t next = 0;
    std::string_view line = LineAt(data, at, &next);
    if (next == data.size() && !data.ends_with('\n')) return std::nullopt;  // a line still arriving
    if (line.empty()) return next;
    at = next;
  }
  return std::nullopt;
}

Result<GitRequest> ParseGitRequest(std::string_view text) {
  GitRequest r;
  int number = 0;
  for (size_t at = 0; at < text.size();) {
    size_t next = 0;
    std::string_view line = LineAt(text, at, &next);
    at = next;
    ++number;
    if (line.empty()) break;
    if (line.find('\0') != std::string_view::npos) return LineError(number, "holds a NUL byte");
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return LineError(number, "has no '='");
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);
    std::string* field = key == "protocol" ? &r.protocol : key == "host" ? &r.host : key == "path" ? &r.path : nullptr;
    if (field != nullptr) {
      if (HasControlChars(value))
        return LineError(number, "has a control character or invalid UTF-8 in its " + std::string(key));
      field->assign(value);
      r.has_path = r.has_path || key == "path";
    } else if (key == "capability[]") {
      r.capabilities.emplace_back(value);
    } else if (key == "wwwauth[]") {
      r.wwwauth.emplace_back(value);
    }
    // Any other key is skipped: see the header.
  }
  return r;
}

Result<std::optional<Url>> GitRequestUrl(const GitRequest& request) {
  std::string scheme = AsciiLower(request.protocol);
  if ((scheme != "https" && scheme != "http") || request.host.empty()) return std::optional<Url>();
  // The host is not quoted: text before an '@' could be a password.
  auto bad_host = [] {
    return MakeError(ErrorKind::kUsage,
                     "the host in git's request is not HOST or HOST:PORT (it holds user info, a path, "
                     "whitespace or a bad port)");
  };
  if (!IsPlainHost(request.host)) return bad_host();
  Result<Url> url = ParseUrl(scheme + "://" + request.host + "/");
  if (!url) return bad_host();
  if (request.has_path) url->path = request.path.starts_with('/') ? request.path : "/" + request.path;
  return std::optional<Url>(std::move(url.value()));
}

Result<std::string> FormatGitAnswer(const GitAnswer& a) {
  if (a.token.empty()) return MakeError(ErrorKind::kInternal, "no access token to give git");
  if (Status s = CheckItem("token", a.token, ErrorKind::kNetwork); !s) return s.error();
  if (Status s = CheckItem("user name", a.username, ErrorKind::kUsage); !s) return s.error();
  std::string out;
  // Room for everything up front: a reallocation would leave a copy of
  // the token behind in freed memory.
  out.reserve(a.token.size() + a.username.size() + 160);
  if (a.bearer) {
    out += "capability[]=authtype\nauthtype=Bearer\ncredential=";
    out += a.token;
    out += "\nephemeral=1\n";
  } else {
    out += "username=";
    out += a.username;
    out += "\npassword=";
    out += a.token;
    out += "\n";
  }
  if (a.expires_at > 0) out += "password_expiry_utc=" + std::to_string(a.expires_at) + "\n";
  return out;
}

}  // namespace tokex
