// The thin front end of tokex: the command table, and the commands (or
// parts of commands) that need no network and no store: help, version,
// forget, and a credential served from the cache. It cannot load libcurl,
// libsecret, GLib or OpenSSL: src/front/ is compiled without their headers
// and linked without their libraries (see src/meson.build).
#ifndef TOKEX_FRONT_H_
#define TOKEX_FRONT_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cli.h"
#include "config.h"
#include "credential.h"
#include "environment.h"
#include "handoff.h"
#include "result.h"

namespace tokex {

/// The tokex command table, in the order help lists it.
std::span<const CommandInfo> TokexCommands();

/// Parses `argv` (without argv[0]) and runs the command as far as the
/// front can, writing results to `io` and notices to `io.err`. Returns
/// kNeedsEngine when the engine must run the same argv (nothing was
/// printed then; `handoff` holds what the engine needs of what the front
/// read), or the error for the main to print.
Result<FrontStep> RunFront(std::span<const std::string> argv, const Environment& env, int64_t now, Io io,
                           HandOff* handoff);

/// Loads the config file and returns the profile the command's PROFILE
/// argument names. Errors are kUsage (no config, no such profile, or the
/// profile's own config error).
Result<Profile> LoadProfile(const CommandContext& ctx);

/// Whether the profile's credential can be printed as `format`: a cookie
/// jar needs a preset whose credential is a session (kUsage otherwise),
/// which is known before any exchange is made.
Status CheckFormat(const Profile& profile, OutputFormat format);

/// Writes `text` to `out` and flushes; a kInternal error when the reader
/// went away.
Status WriteText(FILE* out, std::string_view text);

/// The cached credential of `profile` while more than max(its
/// refresh-margin, `min_ttl`) seconds of it remain at `now`; nullopt
/// otherwise, and when the cache cannot be opened or read (the engine,
/// which runs next, reports that).
std::optional<Credential> FreshCached(const Paths& paths, const Environment& env, const Profile& profile,
                                      int64_t now, int64_t min_ttl);

/// Drops the cached credential of the profile named `name` (a tool said
/// it was refused), so that the next request makes a fresh one.
Status ForgetCached(const Paths& paths, const Environment& env, std::string_view name);

/// WriteText for output that holds a credential: wipes `data` afterwards,
/// written or not.
Status WriteAndWipe(FILE* out, std::string* data);

}  // namespace tokex

#endif  // TOKEX_FRONT_H_
