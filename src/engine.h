// The engine: everything the thin front end hands over — exchanges,
// secret stores, status. Links libcurl, libsecret and OpenSSL.
#ifndef TOKEX_ENGINE_H_
#define TOKEX_ENGINE_H_

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "clock.h"
#include "credential.h"
#include "front.h"
#include "http.h"
#include "secret_store.h"

namespace tokex {

/// The engine's ways out to the world, passed in so tests can swap them.
struct EngineDeps {
  HttpClient& http;
  Clock& clock;
  std::function<std::unique_ptr<SecretStore>(const Profile&)> make_store;
};

/// Returns the profile's credential: from the cache while fresh, otherwise
/// by one exchange under the profile's lock (the cache is read again once
/// the lock is held, so concurrent callers share one exchange). A cache
/// that cannot be written is reported on ctx.err and is not an error.
Result<Credential> ObtainCredential(const CommandContext& ctx, const Profile& profile, EngineDeps& deps);

/// Runs any command to completion, printing results and errors. Returns
/// the exit code.
int RunEngine(const CommandContext& ctx, EngineDeps& deps);

/// Runs argv with the real clock, libcurl and the profile's store.
int EngineMain(std::span<const std::string> argv, const Environment& env);

/// Turns what a person typed or piped into a secret: one trailing newline
/// (LF or CRLF) is dropped; empty values and control characters are kUsage
/// errors. Wipes `raw`.
Result<Secret> SecretFromInput(std::string* raw);

}  // namespace tokex

#endif  // TOKEX_ENGINE_H_
