// The engine's side of git-credential-tokex: a get the front could not
// answer from the cache. The front handed over its request (now on stdin)
// and the config it read; this reads both again, picks the same profile
// and obtains the credential.
#include "engine.h"
#include "git_front.h"

namespace tokex {

Status RunGitCredential(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io) {
  Result<GitInvocation> inv = ParseGitArgs(in.args);
  if (!inv) return inv.error();
  // The front answers store and erase itself; it hands over only a get.
  if (inv->op != GitOperation::kGet) return Success();
  Paths paths = ResolvePaths(env, inv->config_path);
  ConfigSource config(paths.config, env);
  if (in.config) config.Provide(*in.config);
  Result<std::optional<GitTarget>> target = ReadGitTarget(*inv, config, io.in);
  if (!target) return target.error();
  if (!*target) return Success();
  const Profile& p = (*target)->profile;
  if (Status s = CheckGitProfile(p); !s) return s;
  StreamDiagnostics log("git-credential-tokex", io.err, 0);
  EngineDeps deps = MakeEngineDeps(services, env, paths, log);
  ObtainOptions options{.deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)}};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return InProfile(c.error(), p.name);
  return AnswerGit(io.out, p, *c, (*target)->request);
}

}  // namespace tokex
