#include "docker_credential.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <optional>

#include "secret.h"
#include "text.h"

namespace tokex {

namespace {

using std::string_view_literals::operator""sv;

// Docker Hub's names: docker sends the first (as https://index.docker.io/v1/),
// podman and skopeo the second, and the third is where its API answers.
constexpr std::array kHubHosts = {"index.docker.io"sv, "docker.io"sv, "registry-1.docker.io"sv};

bool IsHubHost(std::string_view host) {
  for (std::string_view h : kHubHosts) {
    if (host == h) return true;
  }
  return false;
}

// What strings.TrimSpace removes, in ASCII.
std::string_view TrimSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

Error UrlError(std::string_view why) { return MakeError(ErrorKind::kUsage, std::string(why)); }

// Refuses what must never reach a URL, a message or an answer.
Status CheckUrlText(std::string_view text) {
  if (text.find_first_of("\r\n") != std::string_view::npos)
    return UrlError("the server URL holds a line break: send one URL on one line");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return UrlError("the server URL holds whitespace or a control character");
  }
  if (HasControlChars(text)) return UrlError("the server URL holds a control character or invalid UTF-8");
  return Success();
}

bool HasExplicitPort(std::string_view authority) {
  if (authority.starts_with('[')) return authority.find("]:") != std::string_view::npos;
  return authority.find(':') != std::string_view::npos;
}

// Case-insensitive in ASCII, as encoding/json matches keys to fields.
bool SameKey(std::string_view a, std::string_view b) { return AsciiLower(a) == AsciiLower(b); }

Status CheckValue(std::string_view field, std::string_view value, ErrorKind kind) {
  if (!HasControlChars(value)) return Success();
  return MakeError(kind, "refusing to send docker a " + std::string(field) +
                             " that holds a control character or invalid UTF-8");
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(JsonWriter* w, std::string_view s) { w->String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// The buffer's text and a newline, the buffer wiped: it may hold a token.
std::string TakeLine(rapidjson::StringBuffer* sb) {
  std::string out;
  out.reserve(sb->GetSize() + 1);  // no reallocation leaves a copy behind
  out.append(sb->GetString(), sb->GetSize());
  out += '\n';
  WipeBytes(const_cast<char*>(sb->GetString()), sb->GetSize());
  return out;
}

}  // namespace

Result<DockerServer> ParseDockerServer(std::string_view request) {
  std::string_view text = TrimSpace(request);
  if (text.empty()) return UrlError(kDockerMissingServerUrl);
  if (Status s = CheckUrlText(text); !s) return s.error();
  DockerServer server;
  server.text = text;
  // registryurl.Parse: without "://", the URL is "//" + text.
  std::string scheme = "https";
  std::string_view rest = text;
  if (size_t sep = text.find("://"); sep != std::string_view::npos) {
    server.has_scheme = true;
    scheme = AsciiLower(text.substr(0, sep));
    rest = text.substr(sep + 3);
    if (scheme.empty()) return UrlError("missing protocol scheme: use https://HOST or HOST");
    if (scheme != "https" && scheme != "http")
      return UrlError("unsupported scheme: " + Printable(scheme, 32) + ": use https:// or http://");
  } else if (text.starts_with("//")) {
    rest = text.substr(2);
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  // Checked before ParseUrl, whose message would quote the password.
  if (authority.find('@') != std::string_view::npos)
    return UrlError("user names and passwords do not belong in a server URL: send HOST[:PORT]");
  if (authority.empty()) return UrlError("no hostname in URL");
  std::string_view path = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  path = path.substr(0, path.find_first_of("?#"));  // registryurl drops the query
  Result<Url> url = ParseUrl(scheme + "://" + std::string(authority) + std::string(path));
  if (!url) return url.error();
  server.url = std::move(url.value());
  server.has_port = HasExplicitPort(authority);
  if (IsHubHost(server.url.host) && server.url.HostPort() == server.url.host) {
    // https://index.docker.io/v1/ is docker's name for Hub, not a path on it.
    server.docker_hub = true;
    server.url = Url{"https", std::string(kHubHosts[0]), 443, "/"};
    return server;
  }
  server.has_path = server.url.path != "/";
  return server;
}

std::vector<Url> DockerMatchUrls(const DockerServer& server) {
  std::vector<Url> urls;
  if (server.docker_hub) {
    for (std::string_view host : kHubHosts) urls.push_back(Url{"https", std::string(host), 443, "/"});
    return urls;
  }
  urls.push_back(server.url);
  if (!server.has_scheme) {
    Url http = server.url;
    http.scheme = "http";
    if (!server.has_port) http.port = 80;
    urls.push_back(std::move(http));
  }
  return urls;
}

std::string DockerListKey(const Url& match) {
  if (IsHubHost(match.host) && match.HostPort() == match.host) return std::string(kDockerHubServerUrl);
  return match.scheme + "://" + match.HostPort() + match.path;
}

Result<DockerStoreRequest> ParseDockerStoreRequest(std::string json) {
  DockerStoreRequest r;
  std::optional<Error> error;
  {
    rapidjson::Document doc;
    // In place, so that the Secret is decoded nowhere but in `json`, which
    // is wiped below; the first value only, as json.Decoder.Decode reads.
    doc.ParseInsitu<rapidjson::kParseStopWhenDoneFlag>(json.data());
    if (doc.HasParseError() || !(doc.IsObject() || doc.IsNull())) {
      error = MakeError(ErrorKind::kUsage,
                        R"(the store request is not a JSON object: expected {"ServerURL", "Username", "Secret"})");
    } else if (doc.IsObject()) {
      const rapidjson::Value& root = doc;
      for (auto it = root.MemberBegin(); it != root.MemberEnd(); ++it) {
        const auto& m = *it;
        std::string_view key(m.name.GetString(), m.name.GetStringLength());
        std::string* field = SameKey(key, "ServerURL") ? &r.server_url
                             : SameKey(key, "Username") ? &r.username
                                                         : nullptr;
        bool secret = SameKey(key, "Secret");
        if ((field == nullptr && !secret) || m.value.IsNull()) continue;
        if (!m.value.IsString()) {
          error = MakeError(ErrorKind::kUsage, "the store request's " + Printable(key, 16) + " is not a string");
          break;
        }
        if (field != nullptr) field->assign(m.value.GetString(), m.value.GetStringLength());
      }
    }
  }
  WipeString(&json);
  if (error) return *error;
  if (r.server_url.empty()) return MakeError(ErrorKind::kUsage, std::string(kDockerMissingServerUrl));
  if (r.username.empty()) return MakeError(ErrorKind::kUsage, std::string(kDockerMissingUsername));
  return r;
}

Result<std::string> FormatDockerAnswer(const DockerAnswer& answer) {
  if (answer.secret.empty()) return MakeError(ErrorKind::kInternal, "no token to send docker");
  if (Status s = CheckValue("ServerURL", answer.server_url, ErrorKind::kUsage); !s) return s.error();
  if (Status s = CheckValue("Username", answer.username, ErrorKind::kUsage); !s) return s.error();
  if (Status s = CheckValue("Secret", answer.secret, ErrorKind::kNetwork); !s) return s.error();
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("ServerURL");
  WriteString(&w, answer.server_url);
  w.Key("Username");
  WriteString(&w, answer.username);
  w.Key("Secret");
  WriteString(&w, answer.secret);
  w.EndObject();
  return TakeLine(&sb);
}

Result<std::string> FormatDockerList(const std::map<std::string, std::string>& accounts) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  for (const auto& [url, username] : accounts) {
    if (Status s = CheckValue("server URL", url, ErrorKind::kUsage); !s) return s.error();
    if (Status s = CheckValue("Username", username, ErrorKind::kUsage); !s) return s.error();
    WriteString(&w, url);
    WriteString(&w, username);
  }
  w.EndObject();
  return TakeLine(&sb);
}

}  // namespace tokex
