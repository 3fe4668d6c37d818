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

// The tools read a helper's failure on stdout (docker-credential-helpers'
// Serve prints it there) and know only exit status 1.
int ReportOnStdout(std::string_view, const tokex::Error& e) { return tokex::ReportDockerFailure(e, stdout); }

}  // namespace

int main(int argc, char** argv) {
  return tokex::ThinMain(argc, argv, tokex::kDockerHelperName, tokex::RunDockerCredentialFront, ReportOnStdout);
}
