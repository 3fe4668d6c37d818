// git-credential-tokex: the credential helper git runs for
// `credential.helper = tokex`. A thin front like tokex: answers a cache
// hit, store and erase without loading libcurl, libsecret, GLib or
// OpenSSL; a get it cannot answer goes to tokex-engine with the request
// it read.
//
// git shows the helper's stderr to the person and carries on with its
// next helper, whatever the exit code: the code is the contract's, for
// people and scripts.
#include "git_front.h"
#include "process.h"

int main(int argc, char** argv) {
  return tokex::ThinMain(argc, argv, "git-credential-tokex", tokex::RunGitCredentialFront, tokex::ReportOnStderr);
}
