#include "engine.h"

#include <array>

#include "diagnostics.h"
#include "docker_front.h"
#include "engine_commands.h"
#include "front.h"
#include "handoff.h"
#include "process.h"

namespace tokex {

namespace {

constexpr std::array kEngineCommands = {
    EngineCommand{CommandId::kToken, PrintCredentialCommand},
    EngineCommand{CommandId::kHeader, PrintCredentialCommand},
    EngineCommand{CommandId::kCurl, PrintCredentialCommand},
    EngineCommand{CommandId::kJson, PrintCredentialCommand},
    EngineCommand{CommandId::kCookies, PrintCredentialCommand},
    EngineCommand{CommandId::kSecret, SecretCommand},
    EngineCommand{CommandId::kLogin, LoginCommand},
    EngineCommand{CommandId::kExec, ExecCommand},
    EngineCommand{CommandId::kEnv, EnvCommand},
    EngineCommand{CommandId::kStatus, StatusCommand},
    EngineCommand{CommandId::kRefresh, RefreshCommand},
    EngineCommand{CommandId::kCheck, CheckCommand},
};

EngineHandler FindHandler(CommandId id) {
  for (const EngineCommand& c : kEngineCommands) {
    if (c.id == id) return c.run;
  }
  return nullptr;
}

// The tokex command line, as the tokex front hands it over.
Status RunTokex(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io) {
  Result<Invocation> inv = ParseCommandLine(in.args, TokexCommands());
  if (!inv) return inv.error();
  Paths paths = ResolvePaths(env, inv->config_path);
  ConfigSource config(paths.config, env);
  if (in.config) config.Provide(*in.config);
  StreamDiagnostics log("tokex", io.err, inv->verbose);
  CommandContext ctx{*inv, env, paths, config, services.clock.Now(), io, log};
  EngineHandler handler = FindHandler(inv->command->id);
  if (handler == nullptr) {
    // A command the front finishes by itself (help, forget), reached by
    // running tokex-engine by hand.
    Result<FrontStep> step = inv->command->front(ctx);
    return step ? Success() : Status(step.error());
  }
  EngineDeps deps = MakeEngineDeps(services, env, paths, log);
  return handler(ctx, deps);
}

// The fronts that hand over to the engine, by the name they put in argv[0].
struct EngineFront {
  std::string_view name;
  Status (*run)(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io);
  ReportFn report;  ///< as the front's main reports (ThinMain)
};

constexpr std::array kFronts = {
    EngineFront{"tokex", RunTokex, ReportOnStderr},
    EngineFront{"git-credential-tokex", RunGitCredential, ReportOnStderr},
    EngineFront{"docker-credential-tokex", RunDockerCredential, ReportDockerFailure},
};

}  // namespace

std::span<const EngineCommand> EngineCommands() { return kEngineCommands; }

EngineDeps MakeEngineDeps(EngineServices& services, const Environment& env, const Paths& paths, Diagnostics& log) {
  return EngineDeps{services.http,
                    services.clock,
                    services.random,
                    services.exchanges,
                    [&services, &env, &paths](const Profile& p) { return OpenStore(services.stores, {p, env, paths, &services.http, &services.clock});
                    },
                    paths,
                    env.uid,
                    log};
}

int RunEngine(std::span<const std::string> argv, const Environment& env, EngineServices& services, Io io) {
  std::string_view self = argv.empty() ? "" : std::string_view(argv[0]);
  if (size_t slash = self.rfind('/'); slash != std::string_view::npos) self.remove_prefix(slash + 1);
  const EngineFront* front = &kFronts[0];
  for (const EngineFront& f : kFronts) {
    if (f.name == self) front = &f;
  }
  Result<ReceivedHandOff> in = ReceiveHandOff(argv.empty() ? argv : argv.subspan(1));
  Status s = in ? front->run(*in, env, services, io) : Status(in.error());
  if (s) return 0;
  return front->report(front->name, s.error(), io);
}

}  // namespace tokex
