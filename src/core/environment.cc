#include "environment.h"

#include <cstring>

namespace tokex {

namespace {

// Only these variables are kept: the snapshot never holds unrelated
// secrets of other programs.
bool Wanted(std::string_view name) {
  return name.starts_with("TOKEX_") || name.starts_with("XDG_") || name == "HOME" ||
         name == "DBUS_SESSION_BUS_ADDRESS" || name == "GITHUB_ENV" || name == "CI" || name == "DISPLAY" ||
         name == "WAYLAND_DISPLAY";
}

}  // namespace

Environment Environment::FromEnviron(char** envp, uid_t uid) {
  Environment env;
  env.uid = uid;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    if (Wanted(name)) env.vars.emplace(std::string(name), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::string ExpandHome(std::string_view path, const Environment& env) {
  if (path.starts_with("~/")) return env.Get("HOME", "/") + std::string(path.substr(1));
  return std::string(path);
}

Paths ResolvePaths(const Environment& env, std::string_view config_flag) {
  std::string home = env.Get("HOME", "/");
  auto xdg = [&](std::string_view var, std::string_view fallback) {
    std::string v = env.Get(var);
    // The XDG spec says relative values are invalid and must be ignored.
    return !v.empty() && v[0] == '/' ? v : home + std::string(fallback);
  };
  Paths p;
  if (!config_flag.empty()) {
    p.config = ExpandHome(config_flag, env);
  } else if (std::string c = env.Get("TOKEX_CONFIG"); !c.empty()) {
    p.config = ExpandHome(c, env);
  } else {
    p.config = xdg("XDG_CONFIG_HOME", "/.config") + "/tokex/config";
  }
  std::string runtime = env.Get("XDG_RUNTIME_DIR");
  p.cache_dir = !runtime.empty() && runtime[0] == '/' ? runtime + "/tokex"
                                                      : "/tmp/tokex-" + std::to_string(env.uid);
  p.data_dir = xdg("XDG_DATA_HOME", "/.local/share") + "/tokex";
  p.state_dir = xdg("XDG_STATE_HOME", "/.local/state") + "/tokex";
  return p;
}

}  // namespace tokex
