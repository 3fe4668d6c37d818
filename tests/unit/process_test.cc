// Where a front looks for tokex-engine.
#include "process.h"

#include <doctest/doctest.h>

#include "tokex_version.h"

TEST_CASE("the engine is found relative to the front's own directory") {
  using tokex::EngineBeside;
  CHECK(EngineBeside("/usr/bin/tokex", "../libexec/tokex/tokex-engine") == "/usr/libexec/tokex/tokex-engine");
  CHECK(EngineBeside("/tmp/d/usr/local/bin/git-credential-tokex", "../libexec/tokex/tokex-engine") ==
        "/tmp/d/usr/local/libexec/tokex/tokex-engine");
  CHECK(EngineBeside("/opt/t/bin/tokex", "../../lib/x/tokex/tokex-engine") == "/opt/lib/x/tokex/tokex-engine");
  CHECK(EngineBeside("/usr/lib/tokex/tokex", "tokex-engine") == "/usr/lib/tokex/tokex-engine");
  CHECK(EngineBeside("/build/helpers/tokex", "tokex-engine") == "/build/helpers/tokex-engine");
  // An old executable replaced under a running process.
  CHECK(EngineBeside("/usr/bin/tokex (deleted)", "../libexec/tokex/tokex-engine") ==
        "/usr/libexec/tokex/tokex-engine");
}

TEST_CASE("the configured relative path leads from bindir to the configured engine") {
  CHECK(tokex::EngineBeside(TOKEX_BINDIR "/tokex", TOKEX_ENGINE_RELPATH) == TOKEX_ENGINE_PATH);
}
