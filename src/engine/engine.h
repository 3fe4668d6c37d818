// The engine: everything a thin front end hands over (exchanges, secret
// stores, status), run as the tokex-engine executable. Links libcurl,
// libsecret and OpenSSL, which the fronts must never load.
#ifndef TOKEX_ENGINE_H_
#define TOKEX_ENGINE_H_

#include <span>
#include <string>

#include "cli.h"
#include "environment.h"
#include "exchange.h"
#include "handoff.h"
#include "obtain.h"
#include "result.h"
#include "secret_store.h"

namespace tokex {

/// Runs a command in the engine. Writes results to ctx.io.out and
/// notices to ctx.log; returns the error for the caller to print.
using EngineHandler = Status (*)(const CommandContext& ctx, EngineDeps& deps);

/// One row of the engine's command table: the handler of a row of the
/// front's table (TokexCommands) that the engine runs.
struct EngineCommand {
  CommandId id;
  EngineHandler run;
};

/// The engine's command table.
std::span<const EngineCommand> EngineCommands();

/// What the engine main provides: the real ways out, and the two
/// registries that sit above the engine (src/presets/, src/stores/).
struct EngineServices {
  HttpClient& http;
  Clock& clock;
  Random& random;
  std::span<const PresetExchange> exchanges;
  std::span<const StoreFactory> stores;
};

/// The engine's deps for one command: `services`, and a store factory
/// bound to `env` and `paths` (which must outlive the result).
EngineDeps MakeEngineDeps(EngineServices& services, const Environment& env, const Paths& paths, Diagnostics& log);

/// The engine's side of each helper front (a file each): runs the request
/// the front read (on stdin, see handoff.h) to its end, answering in the
/// helper's protocol. Errors are returned for RunEngine to print.
Status RunGitCredential(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io);
Status RunDockerCredential(const ReceivedHandOff& in, const Environment& env, EngineServices& services, Io io);

/// Runs `argv` as the front named by argv[0] would have ("tokex", or a
/// path ending in it; anything else, such as tokex-engine run by hand,
/// behaves as tokex). The one place in the engine that prints an error:
/// one line on io.err. Returns the exit code.
int RunEngine(std::span<const std::string> argv, const Environment& env, EngineServices& services, Io io);

}  // namespace tokex

#endif  // TOKEX_ENGINE_H_
