// A temporary directory for a unit test, removed with everything in it.
#ifndef TOKEX_TESTS_UNIT_TEMP_DIR_H_
#define TOKEX_TESTS_UNIT_TEMP_DIR_H_

#include <stdlib.h>

#include <string>

namespace tokex::testing {

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/tokex-unit-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() {
    std::string cmd = "rm -rf '" + path + "'";
    (void)system(cmd.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace tokex::testing

#endif  // TOKEX_TESTS_UNIT_TEMP_DIR_H_
