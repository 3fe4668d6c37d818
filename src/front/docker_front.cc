#include "docker_front.h"


#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "diagnostics.h"
#include "front.h"
#include "stdin_request.h"
#include "secret.h"
#include "text.h"
#include "tokex_version.h"

namespace tokex {

namespace {

using std::string_view_literals::operator""sv;

constexpr std::string_view kUsageText = "Usage: docker-credential-tokex <store|get|erase|list|version>";

// What every action gets.
struct DockerContext {
  const Environment& env;
  const Paths& paths;
  ConfigSource& config;
  int64_t now;
  Io io;
  HandOff* handoff;
};

Result<FrontStep> Print(FILE* out, std::string_view text) {
  if (Status s = WriteText(out, text); !s) return s.error();
  return FrontStep::kDone;
}

Result<FrontStep> Get(const DockerContext& ctx) {
  Result<DockerTarget> t = ReadDockerTarget(ctx.config, fileno(ctx.io.in));
  if (!t) return t.error();
  if (Status s = CheckDockerProfile(t->profile); !s) return s.error();
  if (std::optional<Credential> c = FreshCached(ctx.paths, ctx.env, t->profile, ctx.now, 0)) {
    if (Status s = AnswerDockerGet(ctx.io.out, *t, *c); !s) return s.error();
    return FrontStep::kDone;
  }
  ctx.handoff->consumed_stdin = std::move(t->bytes);
  ctx.handoff->config = ctx.config.text();
  return FrontStep::kNeedsEngine;
}

// The tool was refused with the token: drop it, so that the next get
// makes a fresh one.
Result<FrontStep> Erase(const DockerContext& ctx) {
  Result<DockerTarget> t = ReadDockerTarget(ctx.config, fileno(ctx.io.in));
  if (!t) return t.error();
  if (Status s = ForgetCached(ctx.paths, ctx.env, t->profile.name); !s) return s.error();
  return FrontStep::kDone;
}

// `docker login` hands over the password it was given. The token is
// tokex's to make, not docker's to keep: a registry tokex serves takes
// nothing, and for any other one, saying so beats losing the password.
Result<FrontStep> Store(const DockerContext& ctx) {
  Result<std::string> bytes = ReadDockerRequest(fileno(ctx.io.in));
  if (!bytes) return bytes.error();
  Result<DockerStoreRequest> r = ParseDockerStoreRequest(std::move(bytes.value()));
  WipeString(&bytes.value());  // what a short string's move leaves behind
  if (!r) return r.error();
  Result<DockerServer> server = ParseDockerServer(r->server_url);
  if (!server) return server.error();
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  if (FindDockerProfile(*config, *server) != nullptr) return FrontStep::kDone;
  return MakeError(ErrorKind::kUsage, "no profile's match covers " + Printable(server->text, 100) +
                                          ": tokex keeps no registry passwords; use another credential helper "
                                          "for this registry");
}

Result<FrontStep> List(const DockerContext& ctx) {
  Result<Config> config = ctx.config.Load();
  if (!config) return config.error();
  std::map<std::string, std::string> accounts;
  for (const Profile& p : config->profiles) {
    if (p.error || p.preset == nullptr || p.preset->session) continue;
    // The first profile in the file wins a URL, as in Config::Match.
    for (const Url& m : p.match) accounts.emplace(DockerListKey(m), p.username);
  }
  Result<std::string> text = FormatDockerList(accounts);
  if (!text) return text.error();
  return Print(ctx.io.out, *text);
}

Result<FrontStep> Version(const DockerContext& ctx) {
  return Print(ctx.io.out, std::string(kDockerHelperName) + " (tokex) " TOKEX_VERSION "\n");
}

Result<FrontStep> Help(const DockerContext& ctx) { return Print(ctx.io.out, std::string(kUsageText) + "\n"); }

struct DockerAction {
  std::string_view name;
  Result<FrontStep> (*run)(const DockerContext& ctx);
};

// credentials.HandleCommand's actions, then the flags Serve takes.
constexpr std::array kActions = {
    DockerAction{"store", Store},       DockerAction{"get", Get},         DockerAction{"erase", Erase},
    DockerAction{"list", List},         DockerAction{"version", Version}, DockerAction{"--version", Version},
    DockerAction{"-v", Version},        DockerAction{"--help", Help},     DockerAction{"-h", Help},
};
constexpr std::array kActionNames = {"store"sv, "get"sv, "erase"sv, "list"sv, "version"sv};

}  // namespace

Result<std::string> ReadDockerRequest(int fd) {
  static constexpr RequestFormat kDockerRequest = {
      .what = "the request",
      .max_bytes = kMaxDockerRequest,
      .wait = kDockerRequestWait,
      .terminal_wait = kDockerRequestTerminalWait,
      .line_ends_wait = true,
      .too_large_hint = "send one server URL",
      .too_slow_hint = "write the server URL and close stdin (or end it with a newline)",
  };
  return ReadRequest(fd, kDockerRequest);
}

Error DockerNotFound() { return MakeError(ErrorKind::kInternal, std::string(kDockerNotFound)); }

bool IsDockerNotFound(const Error& e) { return e.profile.empty() && e.message == kDockerNotFound; }

const Profile* FindDockerProfile(const Config& config, const DockerServer& server) {
  for (const Url& url : DockerMatchUrls(server)) {
    if (const Profile* p = config.Match(url, server.has_path)) return p;
  }
  return nullptr;
}

Result<DockerTarget> ReadDockerTarget(ConfigSource& config, int fd) {
  Result<std::string> bytes = ReadDockerRequest(fd);
  if (!bytes) return bytes.error();
  Result<DockerServer> server = ParseDockerServer(*bytes);
  if (!server) return server.error();
  Result<Config> c = config.Load();
  if (!c) return c.error();
  const Profile* p = FindDockerProfile(*c, *server);
  if (p == nullptr) return DockerNotFound();
  return DockerTarget{std::move(bytes.value()), std::move(server.value()), *p};
}

Status CheckDockerProfile(const Profile& p) {
  if (!p.preset->session) return Success();
  return InProfile(MakeError(ErrorKind::kUsage, "preset " + std::string(p.preset->name) +
                                                    " gives a session (a cookie and a CSRF header), not a token "
                                                    "a registry takes: take this registry out of the profile's match"),
                   p.name);
}

Status AnswerDockerGet(FILE* out, const DockerTarget& t, const Credential& c) {
  Result<std::string> text = FormatDockerAnswer({t.server.text, t.profile.username, c.access_token.view()});
  if (!text) return InProfile(text.error(), t.profile.name);
  return InProfile(WriteAndWipe(out, &text.value()), t.profile.name);
}

int ReportDockerFailure(std::string_view name, const Error& e, Io io) {
  // The clients recognise these texts only when they come alone.
  bool bare = e.profile.empty() && (e.message == kDockerNotFound || e.message == kDockerMissingServerUrl ||
                                    e.message == kDockerMissingUsername);
  std::string line = bare ? e.message + "\n" : ErrorLine(name, e);
  fputs(line.c_str(), io.out);
  fflush(io.out);
  return 1;
}

Result<FrontStep> RunDockerCredentialFront(std::span<const std::string> argv, const Environment& env, int64_t now,
                                           Io io, HandOff* handoff) {
  if (argv.size() != 1)
    return MakeError(ErrorKind::kUsage, "expected one action (" + std::string(kUsageText) + ")");
  Paths paths = ResolvePaths(env, {});
  ConfigSource config(paths.config, env);
  DockerContext ctx{env, paths, config, now, io, handoff};
  for (const DockerAction& a : kActions) {
    if (a.name == argv[0]) return a.run(ctx);
  }
  return MakeError(ErrorKind::kUsage, "unknown action: " + Printable(argv[0], 64) + DidYouMean(argv[0], kActionNames) +
                                          " (" + std::string(kUsageText) + ")");
}

}  // namespace tokex
