// The front's part of tokex exec, env and match (ci_front.cc): what it
// decides before any exchange, what it does on a cache hit, and how it
// runs a command (in a forked child, so that a successful exec does not
// replace the test).
#include "ci_front.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cache.h"
#include "front.h"
#include "front_home.h"
#include "temp_dir.h"

using tokex::CommandContext;
using tokex::Credential;
using tokex::ErrorKind;
using tokex::FrontStep;
using tokex::testing::Contents;
using tokex::testing::TempDir;

namespace {

constexpr int64_t kNow = 1'800'000'000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
}

// One tokex command run by the front, in a directory of its own: config,
// cache and whatever the test adds to the environment.
class CommandRun {
 public:
  explicit CommandRun(std::string config_text = kConfig) : home_(std::move(config_text), kNow) {}
  ~CommandRun() {
    if (out_) fclose(out_);
    if (err_) fclose(err_);
  }

  static constexpr const char* kConfig =
      "[profile \"xdr\"]\n  preset = cisco-xdr\n  client-id = c\n  match = https://api.example/\n"
      "[profile \"rim\"]\n  preset = ennov-insight\n  tenant = t\n  client-id = c\n  base-url = https://rim.example/\n";

  const std::string& dir() const { return home_.dir.path; }
  void Set(const std::string& name, const std::string& value) { home_.env.vars[name] = value; }

  // Caches a bearer credential for `profile` that expires in `ttl` seconds.
  void Cache(const std::string& profile, const std::string& token, int64_t ttl = 600) {
    home_.CacheToken(profile, token, kNow + ttl);
  }

  // Runs the front handler of argv[0]'s command.
  tokex::Result<FrontStep> Run(std::vector<std::string> argv) {
    auto inv = tokex::ParseCommandLine(argv, tokex::TokexCommands());
    REQUIRE(inv.ok());
    inv_ = std::make_unique<tokex::Invocation>(*inv);
    paths_ = tokex::ResolvePaths(home_.env, inv_->config_path);
    config_ = std::make_unique<tokex::ConfigSource>(paths_.config, home_.env);
    out_ = tmpfile();
    err_ = tmpfile();
    log_ = std::make_unique<tokex::StreamDiagnostics>("tokex", err_, 0);
    CommandContext ctx{*inv_, home_.env, paths_, *config_, kNow, {stdin, out_, err_}, *log_};
    return inv_->command->front(ctx);
  }

  std::string out() { return Contents(out_); }
  std::string err() { return Contents(err_); }

 private:
  tokex::testing::FrontHome home_;
  tokex::Paths paths_;
  std::unique_ptr<tokex::Invocation> inv_;
  std::unique_ptr<tokex::ConfigSource> config_;
  std::unique_ptr<tokex::StreamDiagnostics> log_;
  FILE* out_ = nullptr;
  FILE* err_ = nullptr;
};

struct Ran {
  int status = -1;
  std::string out;
};

// ExecWithEnvironment in a forked child; what it printed and how it ended.
// A child whose exec failed exits 200 + the error's exit code - 120.
Ran ExecInChild(std::vector<std::string> command, std::vector<std::string> environment) {
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    tokex::Error e = tokex::ExecWithEnvironment(command, &environment);
    _exit(200 + e.ExitCode() - 120);
  }
  close(pipefd[1]);
  Ran r;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  REQUIRE(waitpid(pid, &r.status, 0) == pid);
  return r;
}

}  // namespace

TEST_CASE("ChildEnvironment keeps everything but the variable, in order, and adds it last") {
  const char* envp[] = {"A=1", "XDR_TOKEN=old", "B=two=2", "XDR_TOKEN=duplicate", "XDR_TOKENX=kept",
                        "XDR_TOKEN", "NOEQUALS", "X=XDR_TOKEN=", nullptr};
  auto env = tokex::ChildEnvironment(const_cast<char* const*>(envp), "XDR_TOKEN", "new 'v'");
  CHECK(env == std::vector<std::string>{"A=1", "B=two=2", "XDR_TOKENX=kept", "NOEQUALS", "X=XDR_TOKEN=",
                                        "XDR_TOKEN=new 'v'"});
  CHECK(tokex::ChildEnvironment(nullptr, "T", "v") == std::vector<std::string>{"T=v"});
}

TEST_CASE("ExecWithEnvironment runs the command with exactly that environment") {
  Ran r = ExecInChild({"sh", "-c", "env; exit 7"}, {"ONLY=this", "TOKEN=t k"});
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 7);
  CHECK(r.out.find("ONLY=this\n") != std::string::npos);
  CHECK(r.out.find("TOKEN=t k\n") != std::string::npos);
  CHECK(r.out.find("HOME=") == std::string::npos);
  r = ExecInChild({"sh", "-c", "kill -TERM $$"}, {});
  REQUIRE(WIFSIGNALED(r.status));
  CHECK(WTERMSIG(r.status) == SIGTERM);
}

TEST_CASE("ExecWithEnvironment: 127 for a missing command, 126 for one that cannot run, as a shell") {
  TempDir dir;
  std::string plain = dir.path + "/plain";
  WriteFile(plain, "#!/bin/sh\nexit 0\n", 0644);
  std::string bad_interpreter = dir.path + "/bad-interpreter";
  WriteFile(bad_interpreter, "#!/nonexistent/interpreter\n", 0755);
  std::string script = dir.path + "/no-shebang";
  WriteFile(script, "exit 5\n", 0755);
  struct Case {
    std::vector<std::string> command;
    ErrorKind kind;
    std::string message;
  };
  for (const Case& c : {
           Case{{"no-such-command-tokex", "arg"}, tokex::kCommandNotFound,
                "no-such-command-tokex: command not found"},
           Case{{dir.path + "/absent"}, tokex::kCommandNotFound, dir.path + "/absent: command not found"},
           Case{{""}, tokex::kCommandNotFound, ": command not found"},
           Case{{}, tokex::kCommandNotFound, "'': command not found"},
           Case{{plain}, tokex::kCommandNotExecutable, plain + ": cannot run it: Permission denied"},
           Case{{dir.path}, tokex::kCommandNotExecutable, dir.path + ": cannot run it: Permission denied"},
           Case{{bad_interpreter}, tokex::kCommandNotExecutable,
                bad_interpreter + ": cannot run it: its interpreter (#!) was not found"},
       }) {
    CAPTURE(c.message);
    std::vector<std::string> environment = {"T=secret-token"};
    tokex::Error e = tokex::ExecWithEnvironment(c.command, &environment);
    CHECK(e.kind == c.kind);
    CHECK(e.message == c.message);
    CHECK(environment[0].empty());  // wiped
  }
  CHECK(static_cast<int>(tokex::kCommandNotFound) == 127);
  CHECK(static_cast<int>(tokex::kCommandNotExecutable) == 126);
  // A file in no executable format runs under /bin/sh, as in a shell.
  Ran r = ExecInChild({script}, {});
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 5);
}

TEST_CASE("exec on a hit runs the command itself; a miss, --no-cache or a stale token go to the engine") {
  CommandRun run;
  auto step = run.Run({"exec", "xdr", "--", "true"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kNeedsEngine);
  run.Cache("xdr", "xdr-cached");
  step = run.Run({"--no-cache", "exec", "xdr", "--", "true"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kNeedsEngine);
  step = run.Run({"--min-ttl", "900", "exec", "xdr", "--", "true"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kNeedsEngine);
  // A hit: the exec happens, and fails here, in the front.
  step = run.Run({"exec", "xdr", "--", "no-such-command-tokex"});
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().ExitCode() == 127);
  CHECK(step.error().profile == "xdr");
  CHECK(step.error().message.find("xdr-cached") == std::string::npos);
  run.Cache("xdr", "xdr-stale", 60);  // within refresh-margin
  step = run.Run({"exec", "xdr", "--", "no-such-command-tokex"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kNeedsEngine);
}

TEST_CASE("exec and env refuse a session preset before the cache") {
  CommandRun run;
  for (std::vector<std::string> argv : {std::vector<std::string>{"exec", "rim", "--", "true"},
                                        std::vector<std::string>{"env", "rim"}}) {
    auto step = run.Run(argv);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().kind == ErrorKind::kUsage);
    CHECK(step.error().profile == "rim");
    CHECK(step.error().message.starts_with("preset ennov-insight gives a session"));
  }
}

TEST_CASE("env on a hit prints the export line; --gitlab warns when GitLab could not mask the token") {
  CommandRun run;
  auto step = run.Run({"env", "xdr"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kNeedsEngine);
  CHECK(run.out().empty());
  run.Cache("xdr", "xdr-it's-long");
  step = run.Run({"env", "xdr"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kDone);
  CHECK(run.out() == "export XDR_TOKEN='xdr-it'\\''s-long'\n");
  CHECK(run.err().empty());
  step = run.Run({"env", "--gitlab", "xdr"});
  REQUIRE(step.ok());
  CHECK(run.out() == "export XDR_TOKEN='xdr-it'\\''s-long'\n");
  CHECK(run.err() == "tokex: xdr: warning: GitLab could not mask this token in a job log (it holds characters "
                     "other than A-Z a-z 0-9 _ + = / @ : . ~ -): never print XDR_TOKEN\n");
  run.Cache("xdr", "xdr-Zm9v_YmFy");
  step = run.Run({"env", "--gitlab", "xdr"});
  REQUIRE(step.ok());
  CHECK(run.err().empty());
}

TEST_CASE("env --github: the mask line, then the block appended to $GITHUB_ENV") {
  CommandRun run;
  std::string file = run.dir() + "/github_env";
  WriteFile(file, "EARLIER=1");
  run.Set("GITHUB_ENV", file);
  run.Cache("xdr", "xdr-100%");
  auto step = run.Run({"env", "--github", "xdr"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kDone);
  CHECK(run.out() == "::add-mask::xdr-100%25\n");
  std::string text = ReadFile(file);
  REQUIRE(text.starts_with("EARLIER=1\nXDR_TOKEN<<ghadelimiter_"));
  std::string delimiter = text.substr(text.find("<<") + 2, 13 + 32);
  CHECK(text == "EARLIER=1\nXDR_TOKEN<<" + delimiter + "\nxdr-100%\n" + delimiter + "\n");
  // Another run, another delimiter.
  REQUIRE(run.Run({"env", "--github", "xdr"}).ok());
  std::string again = ReadFile(file).substr(text.size());
  CHECK(again.find(delimiter) == std::string::npos);
  CHECK(again.starts_with("\nXDR_TOKEN<<ghadelimiter_"));
}

TEST_CASE("env --github refuses, before the cache, a GITHUB_ENV the token cannot go to") {
  CommandRun run;
  run.Cache("xdr", "xdr-cached");
  std::string fifo = run.dir() + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (const auto& refused : std::vector<std::pair<std::string, std::string>>{
           {"", "GITHUB_ENV is not set"},
           {run.dir() + "/absent", "No such file or directory"},
           {run.dir(), "cannot open $GITHUB_ENV"},
           {fifo, "cannot open $GITHUB_ENV"},
           {"/dev/null", "is not a regular file"},
       }) {
    const std::string& file = refused.first;
    const std::string& words = refused.second;
    CAPTURE(file);
    run.Set("GITHUB_ENV", file);
    auto step = run.Run({"env", "--github", "xdr"});
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().kind == ErrorKind::kUsage);
    CHECK(step.error().message.find(words) != std::string::npos);
    CHECK(run.out().empty());
  }
  run.Set("GITHUB_ENV", run.dir() + "/config");
  auto step = run.Run({"env", "--github", "--gitlab", "xdr"});
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().message == "use one of --github and --gitlab");
}

TEST_CASE("match prints the profile whose match covers the URL") {
  CommandRun run;
  auto step = run.Run({"match", "https://API.example:443/v1/x?k=1"});
  REQUIRE(step.ok());
  CHECK(*step == FrontStep::kDone);
  CHECK(run.out() == "xdr\n");
  step = run.Run({"match", "https://other.example/v1?api_key=hush"});
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().kind == ErrorKind::kUsage);
  CHECK(step.error().message.starts_with("no usable profile in "));
  CHECK(step.error().message.find("matches https://other.example/v1: ") != std::string::npos);
  CHECK(step.error().message.find("hush") == std::string::npos);
  step = run.Run({"match", "https://user:hunter2@api.example/"});
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().kind == ErrorKind::kUsage);
  CHECK(step.error().message.find("hunter2") == std::string::npos);
  CHECK(run.out().empty());
}
