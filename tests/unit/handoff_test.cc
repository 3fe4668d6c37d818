// The hand-off from a front to the engine, with a real exec: a stand-in
// engine (handoff_engine.cc) receives it as the engine does and prints
// what arrived.
#include "handoff.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace {

struct Handed {
  std::string out;
  int status = -1;
};

// Forks a "front" whose stdin is a pipe holding `input`. It reads
// `consume` bytes of it, as a helper reads its request, then hands over to
// the stand-in engine with what it read and `config`. Returns what the
// stand-in printed.
Handed HandOver(const std::string& input, size_t consume, std::optional<std::string> config = {}) {
  int in[2], out[2];
  REQUIRE(pipe(in) == 0);
  REQUIRE(pipe(out) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    std::string consumed(consume, '\0');
    size_t got = 0;
    while (got < consume) {
      ssize_t n = read(0, consumed.data() + got, consume - got);
      if (n <= 0) _exit(90);
      got += static_cast<size_t>(n);
    }
    std::vector<std::string> argv = {"git-credential-tokex", "get", "--profile", "p"};
    tokex::ExecEngine(TOKEX_HANDOFF_ENGINE, argv, tokex::HandOff{consumed, config});
    _exit(91);  // ExecEngine returned: it failed
  }
  close(in[0]);
  close(out[1]);
  // The writer may block on a full pipe while the child reads: write from
  // a child of our own.
  pid_t writer = fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    close(out[0]);
    size_t done = 0;
    while (done < input.size()) {
      ssize_t n = write(in[1], input.data() + done, input.size() - done);
      if (n <= 0) _exit(1);
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(in[1]);
  Handed h;
  char buf[65536];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) h.out.append(buf, static_cast<size_t>(n));
  close(out[0]);
  waitpid(writer, nullptr, 0);
  waitpid(pid, &h.status, 0);
  return h;
}

}  // namespace

const std::string kHeader = "argv0=git-credential-tokex\narg=get\narg=--profile\narg=p\n";

TEST_CASE("a request the front read arrives intact on the engine's stdin") {
  std::string request = "protocol=https\nhost=git.example\npath=a b\x01\xff\n\n";
  Handed h = HandOver(request + "what git sent after the blank line", request.size());
  CHECK(WIFEXITED(h.status));
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == kHeader + "stdin=" + request);
}

TEST_CASE("a request larger than a pipe's buffer is handed over whole") {
  std::string request;
  for (int i = 0; request.size() < 300 * 1024; ++i) request += "key" + std::to_string(i) + "=value\n";
  Handed h = HandOver(request, request.size());
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == kHeader + "stdin=" + request);
}

TEST_CASE("argv[0] names the front; nothing consumed leaves stdin as it was") {
  Handed h = HandOver("untouched input", 0);
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == kHeader + "stdin=untouched input");
}

TEST_CASE("the config the front read reaches the engine, beside the request") {
  std::string config = "[profile \"p\"]\n  preset = cisco-xdr\n";
  Handed h = HandOver("req\n\n", 5, config);
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == kHeader + "config=" + config + "\nstdin=req\n\n");
  // An empty config is a config too (--config /dev/null), not none.
  h = HandOver("", 0, std::string());
  CHECK(h.out == kHeader + "config=\nstdin=");
}

TEST_CASE("the engine side leaves a command line without a hand-off as it is") {
  std::vector<std::string> args = {"token", "--handoff-config=5"};
  auto r = tokex::ReceiveHandOff(args);
  REQUIRE(r.ok());
  CHECK(r->args == args);
  CHECK_FALSE(r->config.has_value());
  std::vector<std::string> bad = {"--handoff-config=x", "token"};
  CHECK(tokex::ReceiveHandOff(bad).error().kind == tokex::ErrorKind::kInternal);
}

TEST_CASE("an engine that cannot be run is an error naming it") {
  std::vector<std::string> argv = {"tokex"};
  tokex::Error e = tokex::ExecEngine("/nonexistent/tokex-engine", argv, {});
  CHECK(e.kind == tokex::ErrorKind::kInternal);
  CHECK(e.message.find("/nonexistent/tokex-engine") != std::string::npos);
}
