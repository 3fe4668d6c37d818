// A snapshot of the process environment, taken once by each main.
#ifndef TOKEX_ENVIRONMENT_H_
#define TOKEX_ENVIRONMENT_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

namespace tokex {

/// The variables tokex reads, and the user it runs as. Nothing in src/
/// calls getenv: mains fill this in and pass it down.
struct Environment {
  std::map<std::string, std::string, std::less<>> vars;
  uid_t uid = 0;

  /// The variable's value, or `fallback` when unset or empty.
  std::string Get(std::string_view name, std::string_view fallback = {}) const {
    auto it = vars.find(name);
    return it == vars.end() || it->second.empty() ? std::string(fallback) : it->second;
  }

  /// Builds a snapshot from an `environ`-style array.
  static Environment FromEnviron(char** envp, uid_t uid);
};

/// Where tokex keeps its files, derived from XDG variables and HOME.
struct Paths {
  std::string config;     ///< the config file
  std::string cache_dir;  ///< access tokens and locks (runtime dir)
  std::string data_dir;   ///< the opt-in file store
  std::string state_dir;  ///< recovery copies of rotated refresh tokens
};

/// Resolves Paths. `config_flag` (from --config) wins over TOKEX_CONFIG,
/// which wins over $XDG_CONFIG_HOME/tokex/config.
Paths ResolvePaths(const Environment& env, std::string_view config_flag);

/// Expands a leading "~/" with HOME.
std::string ExpandHome(std::string_view path, const Environment& env);

}  // namespace tokex

#endif  // TOKEX_ENVIRONMENT_H_
