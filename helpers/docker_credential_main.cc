// docker-credential-tokex: the credential helper docker, podman, skopeo
// and buildah run for a registry that config.json gives to tokex
// ("credHelpers": {"registry.example.com": "tokex"}). A thin front like
// tokex: answers a cache hit, erase, store, list and version without
// loading libcurl, libsecret, GLib or OpenSSL; a get it cannot answer goes
// to tokex-engine with the request it read.
#include <cstdio>

#include "docker_front.h"
#include "process.h"

namespace {

}  // namespace

int main(int argc, char** argv) {
  return tokex::ThinMain(argc, argv, tokex::kDockerHelperName, tokex::RunDockerCredentialFront,
                         tokex::ReportDockerFailure);
}
