// The engine's command handlers, one file each (cmd_*.cc).
#ifndef TOKEX_ENGINE_COMMANDS_H_
#define TOKEX_ENGINE_COMMANDS_H_

#include <string>

#include "cli.h"
#include "obtain.h"
#include "result.h"
#include "secret.h"

namespace tokex {

/// token, header, curl, json: obtains the credential and prints it in the
/// command's format (cmd_print.cc).
Status PrintCredentialCommand(const CommandContext& ctx, EngineDeps& deps);

/// secret set|rm PROFILE NAME (cmd_secret.cc).
Status SecretCommand(const CommandContext& ctx, EngineDeps& deps);

/// login [--device] PROFILE (cmd_login.cc).
Status LoginCommand(const CommandContext& ctx, EngineDeps& deps);

/// exec PROFILE -- CMD... (cmd_exec.cc).
Status ExecCommand(const CommandContext& ctx, EngineDeps& deps);

/// env PROFILE [--github|--gitlab] (cmd_env.cc).
Status EnvCommand(const CommandContext& ctx, EngineDeps& deps);

/// status [PROFILE] (cmd_status.cc).
Status StatusCommand(const CommandContext& ctx, EngineDeps& deps);

/// refresh [--rotating | PROFILE...] (cmd_refresh.cc).
Status RefreshCommand(const CommandContext& ctx, EngineDeps& deps);

/// check [--exchange] [PROFILE] (cmd_check.cc).
Status CheckCommand(const CommandContext& ctx, EngineDeps& deps);

/// Turns what a person typed or piped into the secret `name`: one trailing
/// newline (LF or CRLF) is dropped; an empty value, or one that is not
/// usable (IsUsableSecret: control characters or invalid UTF-8, unless a
/// private-key in PEM) is a kUsage error. Wipes `raw`.
Result<Secret> SecretFromInput(std::string_view name, std::string* raw);

}  // namespace tokex

#endif  // TOKEX_ENGINE_COMMANDS_H_
