// The hand-off from a front to the engine, with a real exec: a stand-in
// engine (sh running cat) shows what the engine would receive.
#include "handoff.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

struct Handed {
  std::string out;
  int status = -1;
};

// Forks a "front" whose stdin is a pipe holding `input`. It reads
// `consume` bytes of it, as a helper reads its request, then hands over to
// `sh -c SCRIPT` with what it read. Returns what the stand-in engine
// printed.
Handed HandOver(const std::string& input, size_t consume, const std::string& script) {
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
    std::vector<std::string> argv = {"git-credential-tokex", "-c", script};
    tokex::ExecEngine("/bin/sh", argv, consumed);
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

TEST_CASE("a request the front read arrives intact on the engine's stdin") {
  std::string request = "protocol=https\nhost=git.example\npath=a b\x01\xff\n\n";
  Handed h = HandOver(request + "what git sent after the blank line", request.size(), "cat");
  CHECK(WIFEXITED(h.status));
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == request);
}

TEST_CASE("a request larger than a pipe's buffer is handed over whole") {
  std::string request;
  for (int i = 0; request.size() < 300 * 1024; ++i) request += "key" + std::to_string(i) + "=value\n";
  Handed h = HandOver(request, request.size(), "cat");
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out.size() == request.size());
  CHECK(h.out == request);
}

TEST_CASE("argv[0] names the front; nothing consumed leaves stdin as it was") {
  Handed h = HandOver("untouched input", 0, "printf '%s:' \"$0\"; cat");
  CHECK(WEXITSTATUS(h.status) == 0);
  CHECK(h.out == "git-credential-tokex:untouched input");
}

TEST_CASE("an engine that cannot be run is an error naming it") {
  std::vector<std::string> argv = {"tokex"};
  tokex::Error e = tokex::ExecEngine("/nonexistent/tokex-engine", argv, {});
  CHECK(e.kind == tokex::ErrorKind::kInternal);
  CHECK(e.message.find("/nonexistent/tokex-engine") != std::string::npos);
}
