// The docker-credential-helpers protocol (github.com/docker/
// docker-credential-helpers, credentials/credentials.go), as
// docker-credential-tokex speaks it to docker, podman, skopeo and buildah.
//
// The tool runs `docker-credential-tokex ACTION`, writes the request on
// stdin and closes it:
//
//   get      stdin:  127.0.0.1:5000            (or https://index.docker.io/v1/)
//            stdout: {"ServerURL":"127.0.0.1:5000","Username":"client","Secret":"TOKEN"}
//   erase    stdin:  a server URL; nothing on stdout
//   store    stdin:  {"ServerURL":"...","Username":"...","Secret":"..."}
//   list     stdout: {"https://127.0.0.1:5000/":"client"}
//   version  stdout: one line
//
// A failure is one line on stdout and exit status 1; for a server the
// helper has nothing for, that line is exactly kDockerNotFound, which the
// tool recognises and treats as "no credentials" (it goes on without).
//
// These functions only parse and format; they do no I/O.
#ifndef TOKEX_DOCKER_CREDENTIAL_H_
#define TOKEX_DOCKER_CREDENTIAL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"
#include "url.h"

namespace tokex {

/// The answer docker-credential-helpers' clients recognise as "this
/// helper has no credentials for that server" (credentials/error.go).
inline constexpr std::string_view kDockerNotFound = "credentials not found in native keychain";
/// Their texts for a request without a server URL or a user name, which
/// the clients recognise too.
inline constexpr std::string_view kDockerMissingServerUrl = "no credentials server URL";
inline constexpr std::string_view kDockerMissingUsername = "no credentials username";

/// Docker Hub's server URL as docker sends it.
inline constexpr std::string_view kDockerHubServerUrl = "https://index.docker.io/v1/";

/// A server URL as docker-credential-helpers' registryurl package reads
/// it: with or without a scheme ("registry.example.com:5000" means
/// //registry.example.com:5000), the query dropped.
struct DockerServer {
  /// The URL as sent, without surrounding whitespace: what ServerURL
  /// echoes in the answer to get.
  std::string text;
  /// The URL taken apart; https when no scheme was given. Docker Hub, under
  /// any of its names, is https://index.docker.io/.
  Url url;
  bool has_scheme = false;  ///< false: https or http may serve it
  bool has_port = false;    ///< the URL named its port
  bool has_path = false;    ///< a path other than "/" was given (never for Docker Hub)
  bool docker_hub = false;  ///< docker.io, index.docker.io or registry-1.docker.io
};

/// Parses the request of get or erase: one server URL, with surrounding
/// whitespace (a final line break) ignored. Errors are kUsage and never
/// repeat user info: an empty request (kDockerMissingServerUrl), a line
/// break, whitespace, a control character or invalid UTF-8 inside, a
/// scheme other than http(s), user info ("user:password@"), no host, a bad
/// port.
Result<DockerServer> ParseDockerServer(std::string_view request);

/// The URLs to look up with Config::Match, in order: the server's URL; for
/// a URL without a scheme, then the same with http://; for Docker Hub,
/// each of its names with https://.
std::vector<Url> DockerMatchUrls(const DockerServer& server);

/// The key under which `list` shows a profile's `match` URL:
/// kDockerHubServerUrl for Docker Hub, else SCHEME://HOST[:PORT]/PATH.
std::string DockerListKey(const Url& match);

/// What `store` is given. The Secret is read past, never copied out.
struct DockerStoreRequest {
  std::string server_url;
  std::string username;
};

/// Parses the JSON object `store` reads, as Go's encoding/json decodes it
/// into docker-credential-helpers' Credentials: the first JSON value is
/// read, keys match case-insensitively, unknown keys are ignored, a null
/// leaves a field empty. `json` is parsed in place and wiped, since it
/// holds the Secret. Errors are kUsage and never quote the input: not a
/// JSON object, a field that is not a string, an empty ServerURL
/// (kDockerMissingServerUrl) or Username (kDockerMissingUsername).
Result<DockerStoreRequest> ParseDockerStoreRequest(std::string json);

/// What get answers.
struct DockerAnswer {
  std::string_view server_url;  ///< the URL as sent (DockerServer::text)
  std::string_view username;
  std::string_view secret;  ///< the access token
};

/// The answer to get: {"ServerURL","Username","Secret"} and a newline, as
/// Go's json.Encoder writes it. The result holds the token: the caller
/// wipes it. Refuses a value holding a control character or invalid UTF-8,
/// naming the field and never its value: kNetwork for the secret (a broken
/// server answer), kUsage for the others. An empty secret is kInternal.
Result<std::string> FormatDockerAnswer(const DockerAnswer& answer);

/// The answer to list: a JSON object of server URL -> user name, keys in
/// byte order (as Go writes a map), and a newline. kUsage error for a key
/// or value holding a control character or invalid UTF-8.
Result<std::string> FormatDockerList(const std::map<std::string, std::string>& accounts);

}  // namespace tokex

#endif  // TOKEX_DOCKER_CREDENTIAL_H_
