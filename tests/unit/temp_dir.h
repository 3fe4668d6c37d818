// A temporary directory for a unit test, removed with everything in it.
#ifndef TOKEX_TESTS_UNIT_TEMP_DIR_H_
#define TOKEX_TESTS_UNIT_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace tokex::testing {

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/tokex-unit-XXXXXX";
    path = mkdtemp(t);
  }
  // Not system("rm -rf"): its result cannot be ignored in a build with
  // _FORTIFY_SOURCE (a Debian package build), where that is an error.
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_TEMP_DIR_H_
