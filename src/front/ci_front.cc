#include "ci_front.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "env_output.h"
#include "front.h"
#include "secret.h"
#include "text.h"
#include "url.h"

namespace tokex {

namespace {

// Closes a descriptor this file opened.
class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  OwnedFd& operator=(OwnedFd&&) = delete;
  ~OwnedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The delimiter is random so that nothing a server puts in a token can end
// the block early; getrandom(2) keeps OpenSSL off the hit path.
Status FillRandom(std::span<unsigned char> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError(ErrorKind::kInternal, std::string("getrandom failed: ") + strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Success();
}

// The runner creates $GITHUB_ENV before each step: a missing file means
// this is no step of a GitHub Actions job, and a FIFO or a terminal would
// carry the token elsewhere (O_NONBLOCK: opening a FIFO never waits).
Result<OwnedFd> OpenGitHubEnv(const std::string& path) {
  OwnedFd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0)
    return MakeError(ErrorKind::kUsage, "cannot open $GITHUB_ENV (" + path + "): " + strerror(errno) +
                                            ": run tokex env --github in a step of a GitHub Actions job");
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return MakeError(ErrorKind::kUsage, "$GITHUB_ENV (" + path +
                                            ") is not a regular file: run tokex env --github "
                                            "in a step of a GitHub Actions job");
  return fd;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return MakeError(ErrorKind::kInternal, "cannot write to $GITHUB_ENV (" + path + "): " + strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Success();
}

// The mask goes out first: the runner hides the token in every later line
// of the log, including its own debug line for the variable it sets.
Status WriteGitHub(const CommandContext& ctx, const Profile& p, std::string_view token) {
  std::string path = ctx.env.Get("GITHUB_ENV");
  Result<OwnedFd> file = OpenGitHubEnv(path);
  if (!file) return file.error();
  Result<std::string> mask = GitHubMaskLine(token);
  if (!mask) return mask.error();
  if (Status s = WriteAndWipe(ctx.io.out, &mask.value()); !s) return s;
  std::array<unsigned char, 4 * kDelimiterBytes> random;
  if (Status s = FillRandom(random); !s) return s;
  Result<std::string> block = GitHubEnvBlock(p.env_name, token, random);
  if (!block) return block.error();
  Status s = WriteAll(file->get(), *block, path);
  WipeString(&block.value());
  return s;
}

}  // namespace

Status CheckOneToken(const Profile& p) {
  if (!p.preset->session) return Success();
  return InProfile(MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                    " gives a session (a cookie and a CSRF header), not one token "
                                                    "for a variable: use tokex cookies, tokex header or tokex curl"),
                   p.name);
}

Status CheckEnvRequest(const CommandContext& ctx, const Profile& p) {
  if (Status s = CheckOneToken(p); !s) return s;
  if (ctx.inv.Has("--github") && ctx.inv.Has("--gitlab"))
    return MakeError(ErrorKind::kUsage, "use one of --github and --gitlab");
  if (!ctx.inv.Has("--github")) return Success();
  std::string path = ctx.env.Get("GITHUB_ENV");
  if (path.empty())
    return MakeError(ErrorKind::kUsage,
                     "GITHUB_ENV is not set: run tokex env --github in a step of a GitHub "
                     "Actions job, or leave out --github");
  // Opened here too, so that a file the token cannot go to spends no exchange.
  Result<OwnedFd> file = OpenGitHubEnv(path);
  return file ? Success() : Status(file.error());
}

std::span<const std::string> CommandToRun(const CommandContext& ctx) {
  return std::span<const std::string>(ctx.inv.args).subspan(1);
}

std::vector<std::string> ChildEnvironment(char* const* envp, std::string_view name, std::string_view value) {
  std::vector<std::string> out;
  for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    // Every copy goes, so that no later duplicate can win over the token.
    if (entry.starts_with(name) && (entry.size() == name.size() || entry[name.size()] == '=')) continue;
    out.emplace_back(entry);
  }
  std::string mine(name);
  mine += '=';
  mine += value;
  out.push_back(std::move(mine));
  return out;
}

Error ExecWithEnvironment(std::span<const std::string> command, std::vector<std::string>* environment) {
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : *environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  // execvpe rather than setenv and execvp: the engine may have threads
  // (GDBus) that read the environment, and nothing here changes it.
  if (!command.empty()) execvpe(argv[0], argv.data(), envp.data());
  int err = command.empty() ? ENOENT : errno;
  for (std::string& entry : *environment) WipeString(&entry);
  std::string name = command.empty() ? "''" : Printable(command[0], 100);
  bool path_given = !command.empty() && command[0].find('/') != std::string::npos;
  // ENOENT for a file that is there: its #! interpreter is missing.
  if (err == ENOENT && path_given && access(command[0].c_str(), F_OK) == 0)
    return MakeError(kCommandNotExecutable, name + ": cannot run it: its interpreter (#!) was not found");
  if (err == ENOENT) return MakeError(kCommandNotFound, name + ": command not found");
  return MakeError(kCommandNotExecutable, name + ": cannot run it: " + strerror(err));
}

Error ExecWithCredential(const Profile& p, const Credential& c, std::span<const std::string> command) {
  std::string_view token = c.access_token.view();
  if (token.empty() || HasControlChars(token))
    return MakeError(ErrorKind::kNetwork,
                     "the token is empty or holds a control character: it cannot be put in " + p.env_name);
  // The command gets tokex's whole environment, not the Environment
  // snapshot, which keeps only the variables tokex itself reads.
  std::vector<std::string> environment = ChildEnvironment(environ, p.env_name, token);
  return ExecWithEnvironment(command, &environment);
}

Status WriteEnv(const CommandContext& ctx, const Profile& p, const Credential& c) {
  std::string_view token = c.access_token.view();
  if (ctx.inv.Has("--github")) return WriteGitHub(ctx, p, token);
  Result<std::string> text = ShellAssignment(p.env_name, token);
  if (!text) return text.error();
  if (ctx.inv.Has("--gitlab")) {
    if (std::string problem = GitLabMaskProblem(token); !problem.empty())
      ctx.log.Notice(p.name, "warning: GitLab could not mask this token in a job log (" + problem + "): never print " +
                                 p.env_name);
  }
  return WriteAndWipe(ctx.io.out, &text.value());
}

Result<FrontStep> ExecCached(const CommandContext& ctx) {
  if (ctx.inv.no_cache) return FrontStep::kNeedsEngine;
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  if (Status s = CheckOneToken(p); !s) return s.error();
  std::optional<Credential> cached = FreshCached(ctx.paths, ctx.env, p, ctx.now, ctx.inv.min_ttl);
  if (!cached) return FrontStep::kNeedsEngine;
  return InProfile(ExecWithCredential(p, *cached, CommandToRun(ctx)), p.name);
}

Result<FrontStep> EnvCached(const CommandContext& ctx) {
  if (ctx.inv.no_cache) return FrontStep::kNeedsEngine;
  Result<Profile> profile = LoadProfile(ctx);
  if (!profile) return profile.error();
  const Profile& p = *profile;
  if (Status s = CheckEnvRequest(ctx, p); !s) return InProfile(s.error(), p.name);
  std::optional<Credential> cached = FreshCached(ctx.paths, ctx.env, p, ctx.now, ctx.inv.min_ttl);
  if (!cached) return FrontStep::kNeedsEngine;
  if (Status s = WriteEnv(ctx, p, *cached); !s) return InProfile(s.error(), p.name);
  return FrontStep::kDone;
}

Result<FrontStep> MatchCommand(const CommandContext& ctx) {
  // ParseUrl's message would quote the URL, user info and all.
  Result<Url> url = ParseUrl(ctx.inv.args[0]);
  if (!url)
    return MakeError(ErrorKind::kUsage,
                     "not a URL tokex can match: give an absolute http:// or https:// URL "
                     "without user info, spaces or control characters");
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  const Profile* p = config->Match(*url, true);
  if (p == nullptr) return config->NoMatchError(url->ForMessage());
  if (Status s = WriteText(ctx.io.out, p->name + "\n"); !s) return s.error();
  return FrontStep::kDone;
}

}  // namespace tokex
