// Fuzzes the docker-credential-helpers codec: server URLs, store's JSON,
// and the answers written around any value.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "docker_credential.h"
#include "secret.h"

namespace {

// A written answer must read back as the same values.
void CheckAnswer(std::string_view server_url, std::string_view secret) {
  auto text = tokex::FormatDockerAnswer({server_url, "client", secret});
  bool writable = !secret.empty() && !tokex::HasControlChars(secret) && !tokex::HasControlChars(server_url);
  if (text.ok() != writable) abort();
  if (!text.ok()) return;
  if (text->back() != '\n' || text->find_first_of("\r\n") != text->size() - 1) abort();
  rapidjson::Document doc;
  doc.Parse(text->c_str());
  if (doc.HasParseError() || !doc.IsObject() || doc.MemberCount() != 3) abort();
  if (std::string_view(doc["ServerURL"].GetString(), doc["ServerURL"].GetStringLength()) != server_url) abort();
  if (std::string_view(doc["Secret"].GetString(), doc["Secret"].GetStringLength()) != secret) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto server = tokex::ParseDockerServer(input);
  if (server.ok()) {
    const tokex::DockerServer& s = *server;
    std::string_view rest = s.text;
    if (size_t sep = rest.find("://"); sep != std::string_view::npos) rest.remove_prefix(sep + 3);
    if (rest.starts_with("//")) rest.remove_prefix(2);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (s.text.empty() || tokex::HasControlChars(s.text) || authority.find('@') != std::string_view::npos) abort();
    if (s.url.host.empty() || s.url.path.empty() || s.url.path[0] != '/') abort();
    if (s.docker_hub && (s.has_path || s.url.host != "index.docker.io")) abort();
    if (tokex::DockerMatchUrls(s).empty()) abort();
    CheckAnswer(s.text, "xdr-token");
  }
  auto store = tokex::ParseDockerStoreRequest(std::string(input));
  if (store.ok() && (store->server_url.empty() || store->username.empty())) abort();
  CheckAnswer("127.0.0.1:5000", input);
  auto list = tokex::FormatDockerList({{std::string(input), "client"}});
  if (list.ok() == tokex::HasControlChars(input)) abort();
  return 0;
}
