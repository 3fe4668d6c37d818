#include "git_front.h"


#include <array>
#include <cerrno>
#include <cstring>

#include "front.h"
#include "stdin_request.h"
#include "text.h"

namespace tokex {

namespace {

constexpr std::string_view kUsage =
    "usage: git-credential-tokex [--profile PROFILE] [--config FILE] get|store|erase (see git-credential-tokex(1))";

struct GitOperationName {
  std::string_view name;
  GitOperation op;
};

constexpr std::array kOperations = {
    GitOperationName{"get", GitOperation::kGet},
    GitOperationName{"store", GitOperation::kStore},
    GitOperationName{"erase", GitOperation::kErase},
};

Error UsageError(std::string_view what) {
  return MakeError(ErrorKind::kUsage, std::string(what) + ": " + std::string(kUsage));
}

GitOperation FindOperation(std::string_view name) {
  for (const GitOperationName& o : kOperations) {
    if (o.name == name) return o.op;
  }
  return GitOperation::kOther;
}

// The value of option `name` at argv[*i] ("--name VALUE" or
// "--name=VALUE"), advancing *i past it; nullopt when argv[*i] is not it.
std::optional<Result<std::string>> OptionValue(std::span<const std::string> argv, size_t* i, std::string_view name) {
  std::string_view a = argv[*i];
  if (!a.starts_with(name)) return std::nullopt;
  a.remove_prefix(name.size());
  if (a.starts_with('=')) return Result<std::string>(std::string(a.substr(1)));
  if (!a.empty()) return std::nullopt;
  if (*i + 1 >= argv.size()) return Result<std::string>(UsageError("option " + std::string(name) + " needs a value"));
  return Result<std::string>(argv[++*i]);
}

}  // namespace

Result<GitInvocation> ParseGitArgs(std::span<const std::string> argv) {
  GitInvocation inv;
  bool have_op = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::optional<Result<std::string>> value;
    std::string_view option = "--profile";
    std::string* target = &inv.profile;
    if (!(value = OptionValue(argv, &i, option))) {
      option = "--config";
      target = &inv.config_path;
      value = OptionValue(argv, &i, option);
    }
    if (value) {
      if (!*value) return value->error();
      if ((*value)->empty()) return UsageError("option " + std::string(option) + " needs a value");
      *target = std::move(value->value());
      continue;
    }
    const std::string& a = argv[i];
    if (a.starts_with('-')) return UsageError("unknown option '" + Printable(a, 64) + "'");
    if (have_op) return UsageError("one operation only, after the options");
    inv.op = FindOperation(a);
    have_op = true;
  }
  if (!have_op) return UsageError("no operation");
  if (!inv.profile.empty() && !IsValidProfileName(inv.profile))
    return UsageError("'" + Printable(inv.profile, 64) + "' is not a profile name");
  return inv;
}

Result<std::string> ReadGitRequest(int fd) {
  static constexpr RequestFormat kGitRequest = {
      .what = "git's request",
      .max_bytes = kMaxGitRequest,
      .wait = kGitRequestWait,
      .terminal_wait = kGitRequestTerminalWait,
      .length = GitRequestLength,
      .too_large_hint = "is that git writing?",
      .too_slow_hint = "expected key=value lines ended by a blank line or the end of the input",
  };
  return ReadRequest(fd, kGitRequest);
}

Result<std::optional<GitTarget>> ReadGitTarget(const GitInvocation& inv, ConfigSource& config, FILE* in) {
  Result<std::string> read = ReadGitRequest(fileno(in));
  if (!read) return read.error();
  Secret bytes(*read);
  WipeString(&read.value());
  Result<GitRequest> request = ParseGitRequest(bytes.view());
  if (!request) return request.error();
  Result<std::optional<Url>> url = GitRequestUrl(*request);
  if (!url) return url.error();
  if (!*url) return std::optional<GitTarget>();
  Result<Config> cfg = config.Load();
  if (!cfg) return cfg.error();
  const Profile* p = nullptr;
  if (!inv.profile.empty()) {
    Result<const Profile*> named = cfg->Find(inv.profile);
    if (!named) return InProfile(named.error(), inv.profile);
    p = *named;
  } else {
    p = cfg->Match(**url, request->has_path);
    // git asks its next helper; a profile meant for the URL that cannot
    // be used is worth a line on the way.
    if (p == nullptr && cfg->UnusableMatcher() != nullptr) return cfg->NoMatchError((*url)->ForMessage());
    if (p == nullptr) return std::optional<GitTarget>();
  }
  return std::optional<GitTarget>(GitTarget{std::move(bytes), std::move(request.value()), *p});
}

Status CheckGitProfile(const Profile& p) {
  if (!p.preset->session) return Success();
  return InProfile(MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                    " gives a session (a cookie and a CSRF header), which git "
                                                    "cannot send: use tokex header or tokex cookies for it instead"),
                   p.name);
}

Status AnswerGit(FILE* out, const Profile& p, const Credential& c, const GitRequest& request) {
  GitAnswer answer{.username = p.username,
                   .token = c.access_token.view(),
                   .expires_at = c.expires_at,
                   .bearer = request.HasCapability("authtype")};
  Result<std::string> text = FormatGitAnswer(answer);
  if (!text) return InProfile(text.error(), p.name);
  return InProfile(WriteAndWipe(out, &text.value()), p.name);
}

Result<FrontStep> RunGitCredentialFront(std::span<const std::string> argv, const Environment& env, int64_t now,
                                        Io io, HandOff* handoff) {
  Result<GitInvocation> inv = ParseGitArgs(argv);
  if (!inv) return inv.error();
  // store: the token is tokex's to keep, not git's. Anything else is an
  // operation of a later git, which expects a helper to ignore it.
  if (inv->op != GitOperation::kGet && inv->op != GitOperation::kErase) return FrontStep::kDone;
  Paths paths = ResolvePaths(env, inv->config_path);
  ConfigSource config(paths.config, env);
  Result<std::optional<GitTarget>> target = ReadGitTarget(*inv, config, io.in);
  if (!target) return target.error();
  if (!*target) return FrontStep::kDone;  // git asks its next helper
  const Profile& p = (*target)->profile;
  if (inv->op == GitOperation::kErase) {
    if (Status s = ForgetCached(paths, env, p.name); !s) return s.error();
    return FrontStep::kDone;
  }
  if (Status s = CheckGitProfile(p); !s) return s.error();
  if (std::optional<Credential> cached = FreshCached(paths, env, p, now, 0)) {
    if (Status s = AnswerGit(io.out, p, *cached, (*target)->request); !s) return s.error();
    return FrontStep::kDone;
  }
  handoff->consumed_stdin.assign((*target)->bytes.view());
  handoff->config = config.text();
  return FrontStep::kNeedsEngine;
}

}  // namespace tokex
