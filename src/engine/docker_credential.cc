// The engine's side of docker-credential-tokex: a get the front could not
// answer from the cache. The front handed over its request (now on stdin)
// and the config it read; this reads both again, picks the same profile
// and obtains the credential.
#include <cstdio>

#include "diagnostics.h"
#include "docker_front.h"
#include "engine.h"

namespace tokex {

namespace {

Status Get(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io) {
  Paths paths = ResolvePaths(env, {});
  ConfigSource config(paths.config, env);
  if (in.config) config.Provide(*in.config);
  Result<DockerTarget> t = ReadDockerTarget(config, fileno(io.in));
  if (!t) return t.error();
  const Profile& p = t->profile;
  if (Status s = CheckDockerProfile(p); !s) return s;
  StreamDiagnostics log(kDockerHelperName, io.err, 0);
  EngineDeps deps = MakeEngineDeps(services, env, paths, log);
  ObtainOptions options{.deadline = Deadline{deps.clock.Monotonic() + static_cast<double>(p.timeout)}};
  Result<Credential> c = ObtainCredential(p, options, deps);
  if (!c) return InProfile(c.error(), p.name);
  return AnswerDockerGet(io.out, *t, *c);
}

// The front hands over only a get; the rest (tokex-engine run by hand
// under the helper's name) is the front's to answer.
Status Run(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io) {
  if (in.args.size() == 1 && in.args[0] == "get") return Get(in, env, services, io);
  HandOff unused;
  Result<FrontStep> step = RunDockerCredentialFront(in.args, env, services.clock.Now(), io, &unused);
  if (!step) return step.error();
  return Success();
}

}  // namespace

Status RunDockerCredential(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io) {
  return Run(in, env, services, io);
}

}  // namespace tokex
