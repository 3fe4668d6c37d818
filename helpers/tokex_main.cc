// tokex: the thin front end. Answers cache hits without loading libcurl,
// libsecret, GLib or OpenSSL; anything else runs in tokex-engine.
#include "front.h"
#include "process.h"

int main(int argc, char** argv) { return tokex::ThinMain(argc, argv, "tokex", tokex::RunFront, tokex::ReportOnStderr); }
