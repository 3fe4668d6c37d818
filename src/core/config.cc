#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "ini_parser.h"
#include "secret.h"
#include "text.h"
#include "url.h"

namespace tokex {

using std::string_view_literals::operator""sv;

namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

// Names that change how a program or a shell loads and runs.
constexpr std::array kUnsafeEnvNames = {
    "PATH"sv,          "IFS"sv,           "ENV"sv,          "BASH_ENV"sv,       "BASHOPTS"sv,
    "CDPATH"sv,        "SHELLOPTS"sv,     "PS4"sv,          "PROMPT_COMMAND"sv, "GLOBIGNORE"sv,
    "PERL5LIB"sv,      "PERL5OPT"sv,      "PERLLIB"sv,      "PERL5DB"sv,        "RUBYOPT"sv,
    "RUBYLIB"sv,       "NODE_OPTIONS"sv,  "NODE_PATH"sv,    "JAVA_TOOL_OPTIONS"sv, "_JAVA_OPTIONS"sv,
    "JDK_JAVA_OPTIONS"sv, "HOME"sv,       "SHELL"sv,        "GCONV_PATH"sv,     "GLIBC_TUNABLES"sv,
    "LOCPATH"sv,       "NLSPATH"sv,       "HOSTALIASES"sv,  "LOCALDOMAIN"sv,    "RES_OPTIONS"sv,
    "TMPDIR"sv,        "MALLOC_CHECK_"sv,
};
// Whole families: the dynamic loader's, macOS's, bash's exported functions,
// and every PYTHON* variable (PYTHONHOME, PYTHONINSPECT, PYTHONBREAKPOINT...).
constexpr std::array kUnsafeEnvPrefixes = {"LD_"sv, "DYLD_"sv, "BASH_FUNC_"sv, "PYTHON"sv};

// Keys under which people paste a secret into the config.
constexpr std::array kSecretLikeKeys = {
    "client-secret"sv, "secret"sv,   "app-secret"sv, "password"sv,     "refresh-token"sv, "private-key"sv,
    "api-key"sv,       "apikey"sv,   "token"sv,      "access-token"sv, "client_secret"sv, "refresh_token"sv,
};

bool LooksLikeSecret(std::string_view key) {
  return std::find(kSecretLikeKeys.begin(), kSecretLikeKeys.end(), key) != kSecretLikeKeys.end();
}

// The `tokex secret set` name for a key that looks like a secret.
std::string SecretNameFor(std::string_view key) {
  std::string name(key);
  std::replace(name.begin(), name.end(), '_', '-');
  return name == "secret" || name == "api-key" || name == "apikey" ? "client-secret" : name;
}

// The words of a list setting, split at spaces and tabs.
std::vector<std::string_view> Words(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t sp = list.find_first_of(" \t");
    if (sp != 0) out.push_back(list.substr(0, sp));
    list = sp == std::string_view::npos ? std::string_view() : list.substr(sp + 1);
  }
  return out;
}

Error ProfileError(const Profile& p, int line, std::string_view key, std::string_view what) {
  std::string msg = p.source + ":" + std::to_string(line) + ": ";
  if (!key.empty()) msg += "key '" + std::string(key) + "': ";
  return InProfile(MakeError(ErrorKind::kUsage, msg + std::string(what)), p.name);
}

class ProfileBuilder {
 public:
  ProfileBuilder(Profile* p, const Environment& env) : p_(p), env_(env) {}

  Error Fail(int line, std::string_view key, std::string_view what) const {
    return ProfileError(*p_, line, key, what);
  }
  Error Fail(std::string_view key, std::string_view what) const {
    auto it = p_->settings.find(key);
    return Fail(it == p_->settings.end() ? p_->line : it->second.line, key, what);
  }

  Status Build() {
    if (Status s = ResolvePreset(); !s) return s;
    if (Status s = CheckKeys(); !s) return s;
    if (Status s = ResolveFlags(); !s) return s;
    if (Status s = ResolveUrls(); !s) return s;
    return ResolveRest();
  }

 private:
  Status ResolvePreset() {
    std::optional<std::string_view> name = p_->Get("preset");
    if (!name) {
      return Fail(p_->line, "preset",
                  "profile '" + p_->name + "' has no preset: add 'preset = " +
                      std::string(AllPresets()[0].name) + "' (or another preset)");
    }
    p_->preset = FindPreset(*name);
    if (p_->preset != nullptr) return Success();
    std::vector<std::string_view> names;
    for (const PresetInfo& info : AllPresets()) names.push_back(info.name);
    return Fail("preset", "unknown preset '" + std::string(*name) + "'" + ChoiceHint(*name, names));
  }

  Status CheckKeys() {
    std::vector<std::string_view> known(CommonKeys().begin(), CommonKeys().end());
    known.insert(known.end(), p_->preset->keys.begin(), p_->preset->keys.end());
    for (const auto& [key, setting] : p_->settings) {
      if (HasControlChars(setting.value))
        return Fail(setting.line, key, "value contains a control character or invalid UTF-8");
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == key;
      for (std::string_view prefix : p_->preset->key_prefixes) ok = ok || (key.starts_with(prefix) && key.size() > prefix.size());
      if (ok) continue;
      if (LooksLikeSecret(key))
        return Fail(setting.line, key,
                    "secrets never go in the config file: remove it and store the value with 'tokex secret set " +
                        p_->name + " " + SecretNameFor(key) + "' (it is read from stdin)");
      return Fail(setting.line, key, "unknown key for preset " + std::string(p_->preset->name) + DidYouMean(key, known));
    }
    for (const KeyChoices& choice : p_->preset->choices) {
      std::optional<std::string_view> v = p_->Get(choice.key);
      if (!v) continue;
      bool ok = false;
      for (std::string_view allowed : choice.values) ok = ok || allowed == *v;
      if (!ok)
        return Fail(choice.key, "'" + std::string(*v) + "' is not supported by preset " +
                                    std::string(p_->preset->name) + ": use " + JoinOr(choice.values));
    }
    for (const KeyRange& range : p_->preset->ranges) {
      std::optional<std::string_view> v = p_->Get(range.key);
      if (v && !ParseInt(*v, range.min, range.max))
        return Fail(range.key, "expected whole seconds from " + std::to_string(range.min) + " to " +
                                   std::to_string(range.max));
    }
    for (std::string_view k : p_->preset->required_keys) {
      if (!p_->Get(k))
        return Fail(p_->line, k,
                    "missing: preset " + std::string(p_->preset->name) + " needs it in profile '" +
                        p_->name + "'");
    }
    return Success();
  }

  Status ResolveFlags() {
    if (auto v = p_->Get("allow-http")) {
      std::optional<bool> b = ParseBool(*v);
      if (!b) return Fail("allow-http", "expected yes or no");
      p_->allow_http = *b;
    }
    if (auto v = p_->Get("timeout")) {
      std::optional<int64_t> n = ParseInt(*v, 1, 600);
      if (!n) return Fail("timeout", "expected whole seconds from 1 to 600");
      p_->timeout = *n;
    }
    if (auto v = p_->Get("refresh-margin")) {
      std::optional<int64_t> n = ParseInt(*v, 0, 86400);
      if (!n) return Fail("refresh-margin", "expected whole seconds from 0 to 86400");
      p_->refresh_margin = *n;
    }
    if (auto v = p_->Get("keep-alive")) {
      std::optional<int64_t> n = ParseInt(*v, 0, 365 * 86400);
      if (!n) return Fail("keep-alive", "expected whole seconds from 0 to 31536000 (a year)");
      p_->keep_alive = *n;
    }
    if (auto v = p_->Get("refresh-token-ttl")) {
      std::optional<int64_t> n = ParseInt(*v, 60, 10 * 365 * 86400);
      if (!n) return Fail("refresh-token-ttl", "expected whole seconds from 60 to 315360000 (ten years)");
      p_->refresh_token_ttl = *n;
    }
    return Success();
  }

  Status CheckUrl(std::string_view key, std::string_view value) {
    Result<Url> url = ParseUrl(value);
    if (!url) return Fail(key, url.error().message);
    if (url->scheme == "http" && !p_->allow_http)
      return Fail(key, "plain http:// is refused: use https://, or set allow-http = yes for a test server");
    return Success();
  }

  // The region's base URL (region_key), or the preset's one location.
  Result<std::string> RegionBase() {
    const PresetInfo& preset = *p_->preset;
    if (preset.regions.empty()) return std::string();
    std::optional<std::string_view> region = preset.region_key.empty() ? std::nullopt : p_->Get(preset.region_key);
    if (!region) return std::string(preset.regions[0].base_url);
    std::vector<std::string_view> names;
    for (const PresetRegion& r : preset.regions) {
      if (r.name == *region) return std::string(r.base_url);
      names.push_back(r.name);
    }
    return Fail(preset.region_key, "unknown " + std::string(preset.region_key) + " '" + std::string(*region) +
                                       "' for preset " + std::string(preset.name) + ": use " + JoinOr(names));
  }

  // The preset's token path with each {KEY} replaced by the profile's value.
  Result<std::string> TokenPath() {
    std::string_view path = p_->preset->token_path;
    std::string out;
    while (!path.empty()) {
      size_t open = path.find('{');
      out += path.substr(0, open);
      if (open == std::string_view::npos) break;
      size_t close = path.find('}', open);
      std::string_view key = path.substr(open + 1, close - open - 1);
      std::optional<std::string_view> v = p_->Get(key);
      // Required by the catalog, so present; it goes into a URL path.
      if (!v || v->empty() || v->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") !=
                                  std::string_view::npos)
        return Fail(key, "use letters, digits, '.', '_', '~' and '-' only: it is part of the token URL");
      out += *v;
      path.remove_prefix(close + 1);
    }
    return out;
  }

  Status ResolveUrls() {
    Result<std::string> token_base = RegionBase();
    if (!token_base) return token_base.error();
    if (auto v = p_->Get("base-url")) {
      if (Status s = CheckUrl("base-url", *v); !s) return s;
      p_->base_url = *v;
      while (p_->base_url.ends_with('/')) p_->base_url.pop_back();
      if (!p_->preset->base_url_is_api) *token_base = p_->base_url;
    } else if (!p_->preset->base_url_is_api) {
      p_->base_url = *token_base;
    }
    if (auto v = p_->Get("token-url")) {
      if (Status s = CheckUrl("token-url", *v); !s) return s;
      p_->token_url = *v;
    } else if (!token_base->empty() && !p_->preset->token_path.empty()) {
      Result<std::string> path = TokenPath();
      if (!path) return path.error();
      p_->token_url = *token_base + *path;
    }
    if (p_->token_url.empty())
      return Fail(p_->line, "token-url", "missing: set token-url or base-url");
    for (std::string_view one : Words(p_->Get("match").value_or(""))) {
      Result<Url> url = ParseUrl(one);
      if (!url) return Fail("match", url.error().message);
      p_->match.push_back(std::move(url.value()));
    }
    return Success();
  }

  Status ResolveRest() {
    if (auto v = p_->Get("store")) {
      p_->store = FindStore(*v);
      if (p_->store == nullptr) {
        std::vector<std::string_view> names;
        for (const StoreInfo& info : AllStores()) names.push_back(info.name);
        return Fail("store", "unknown store '" + std::string(*v) + "'" + ChoiceHint(*v, names));
      }
    }
    for (auto [key, field] : {std::pair{"ca-file", &p_->ca_file}, std::pair{"certificate", &p_->certificate}}) {
      if (Status s = ResolvePath(key, field); !s) return s;
    }
    p_->env_name = EnvNameWord(p_->name) + "_TOKEN";
    if (auto v = p_->Get("env-name")) {
      if (!IsSafeEnvName(*v))
        return Fail("env-name", "'" + std::string(*v) +
                                    "' is not a usable variable name or changes how programs run");
      p_->env_name = *v;
    }
    p_->username = p_->Get("username").value_or(p_->preset->default_username);
    return ResolveEtcd();
  }

  // The file `key` names, "~/" expanded, into `field` when it is set.
  Status ResolvePath(std::string_view key, std::string* field) {
    std::optional<std::string_view> v = p_->Get(key);
    if (!v) return Success();
    if (v->empty()) return Fail(key, "empty path");
    *field = ExpandHome(*v, env_);
    return Success();
  }

  // The etcd-* keys: required or refused by `store`.
  Status ResolveEtcd() {
    bool want = p_->store->name == "etcd";
    for (const auto& [key, setting] : p_->settings) {
      if (!want && key.starts_with("etcd-"))
        return Fail(setting.line, key, "only used with store = etcd: remove it, or set store = etcd");
    }
    if (!want) return Success();
    EtcdSettings e;
    std::optional<std::string_view> endpoints = p_->Get("etcd-endpoints");
    if (!endpoints) return Fail(p_->line, "etcd-endpoints", "missing: store = etcd needs the cluster's client URLs");
    for (std::string_view one : Words(*endpoints)) {
      if (Status s = CheckUrl("etcd-endpoints", one); !s) return s;
      std::string url(one);
      while (url.ends_with('/')) url.pop_back();
      e.endpoints.push_back(std::move(url));
    }
    if (e.endpoints.empty()) return Fail("etcd-endpoints", "empty: list the cluster's client URLs");
    for (auto [key, field] : {std::pair{"etcd-ca-file", &e.ca_file}, std::pair{"etcd-client-cert", &e.client_cert},
                              std::pair{"etcd-client-key", &e.client_key}}) {
      if (Status s = ResolvePath(key, field); !s) return s;
    }
    if (e.client_cert.empty() != e.client_key.empty())
      return Fail(e.client_cert.empty() ? "etcd-client-key" : "etcd-client-cert",
                  "set both etcd-client-cert and etcd-client-key, or neither");
    e.user = p_->Get("etcd-user").value_or("");
    if (auto v = p_->Get("etcd-prefix")) {
      // A key of etcd's: printable, and not empty (tokex would share the
      // whole keyspace with others).
      if (v->empty() || HasControlChars(*v)) return Fail("etcd-prefix", "expected a non-empty key prefix, e.g. tokex/");
      e.prefix = *v;
    }
    if (auto v = p_->Get("etcd-local-store")) {
      e.local_store = FindStore(*v);
      std::vector<std::string_view> names;
      for (const StoreInfo& info : AllStores()) {
        if (!info.shared) names.push_back(info.name);
      }
      if (e.local_store == nullptr || e.local_store->shared)
        return Fail("etcd-local-store", "'" + std::string(*v) + "' is not a store of this host: use " + JoinOr(names));
    }
    if (auto v = p_->Get("etcd-lock-ttl")) {
      std::optional<int64_t> n = ParseInt(*v, 2, 600);
      if (!n) return Fail("etcd-lock-ttl", "expected whole seconds from 2 to 600");
      e.lock_ttl = *n;
    }
    p_->etcd = std::move(e);
    return Success();
  }

  Profile* p_;
  const Environment& env_;
};

}  // namespace

std::optional<std::string_view> Profile::Get(std::string_view key) const {
  auto it = settings.find(key);
  if (it == settings.end()) return std::nullopt;
  return std::string_view(it->second.value);
}

std::string Profile::Where(std::string_view key) const {
  auto it = settings.find(key);
  return source + ":" + std::to_string(it == settings.end() ? line : it->second.line) + ": key '" + std::string(key) +
         "'";
}

namespace {

// A hex digest of the profile's name, settings (but those `skip` names)
// and token URL.
std::string SettingsDigest(const Profile& p, bool (*skip)(std::string_view key)) {
  uint64_t h = Fnv1a64("tokex-cache-v1");
  // A NUL after each field keeps "ab"+"c" apart from "a"+"bc".
  auto mix = [&h](std::string_view s) { h = Fnv1a64(std::string_view("\0", 1), Fnv1a64(s, h)); };
  mix(p.name);
  for (const auto& [key, setting] : p.settings) {
    if (skip(key)) continue;
    mix(key);
    mix(setting.value);
  }
  mix(p.token_url);
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string Profile::CacheKey() const {
  return SettingsDigest(*this, [](std::string_view) { return false; });
}

std::string Profile::SharedCacheKey() const {
  return SettingsDigest(*this, [](std::string_view key) { return key.starts_with("etcd-"); });
}

bool IsValidProfileName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsSafeEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  for (std::string_view prefix : kUnsafeEnvPrefixes) {
    if (name.starts_with(prefix)) return false;
  }
  for (std::string_view bad : kUnsafeEnvNames) {
    if (name == bad) return false;
  }
  return true;
}

Result<const Profile*> Config::Find(std::string_view name) const {
  std::vector<std::string_view> names;
  for (const Profile& p : profiles) {
    if (p.name == name) {
      if (p.error) return *p.error;
      return &p;
    }
    names.push_back(p.name);
  }
  std::string msg = "no profile '" + std::string(name) + "' in " + source;
  if (std::string hint = DidYouMean(name, names); !hint.empty())
    msg += hint;
  else if (names.empty())
    msg += ": add a [profile \"" + std::string(name) + "\"] section (see tokex.conf(5))";
  else
    msg += ": profiles there are " + JoinOr(names);
  return MakeError(ErrorKind::kUsage, msg);
}

namespace {

// The path of a URL without its query or fragment.
std::string_view PathOf(const Url& url) {
  std::string_view p = url.path;
  return p.substr(0, p.find_first_of("?#"));
}

// Whether `prefix` covers `path` in whole segments.
bool PathCovers(std::string_view prefix, std::string_view path) {
  if (!path.starts_with(prefix)) return false;
  return prefix.size() == path.size() || prefix.ends_with('/') || path[prefix.size()] == '/';
}

}  // namespace

const Profile* Config::Match(const Url& url, bool with_path) const {
  const Profile* best = nullptr;
  size_t best_length = 0;
  for (const Profile& p : profiles) {
    if (p.error) continue;
    for (const Url& m : p.match) {
      if (m.scheme != url.scheme || m.host != url.host || m.port != url.port) continue;
      std::string_view prefix = PathOf(m);
      if (with_path && !PathCovers(prefix, PathOf(url))) continue;
      size_t length = with_path ? prefix.size() : 0;
      if (best == nullptr || length > best_length) {
        best = &p;
        best_length = length;
      }
    }
  }
  return best;
}

const Profile* Config::UnusableMatcher() const {
  for (const Profile& p : profiles) {
    if (p.error && p.settings.contains("match")) return &p;
  }
  return nullptr;
}

Error Config::NoMatchError(std::string_view url) const {
  std::string msg = "no usable profile in " + source + " matches " + std::string(url);
  if (const Profile* p = UnusableMatcher())
    return MakeError(ErrorKind::kUsage, msg + ": profile '" + p->name + "' has a match but cannot be used: " +
                                            p->error->message);
  return MakeError(ErrorKind::kUsage, msg + ": add a match for it to a profile (see tokex.conf(5))");
}

Result<Config> ParseConfig(std::string_view text, std::string_view source, const Environment& env) {
  Result<IniDocument> doc = ParseIni(text, source);
  if (!doc) return doc.error();
  Config config;
  config.source = source;
  for (IniSection& section : doc->sections) {
    std::string where = std::string(source) + ":" + std::to_string(section.line) + ": ";
    if (section.name != "profile" || !section.has_subsection)
      return MakeError(ErrorKind::kUsage,
                       where + "unknown section '[" + section.name +
                           "]': only [profile \"NAME\"] sections are allowed");
    if (!IsValidProfileName(section.subsection))
      return MakeError(ErrorKind::kUsage, where + "profile name '" + Printable(section.subsection, 64) +
                                              "': use letters, digits, '.', '_' and '-'");
    Profile* profile = nullptr;
    for (Profile& p : config.profiles) {
      if (p.name == section.subsection) profile = &p;
    }
    if (profile == nullptr) {
      profile = &config.profiles.emplace_back();
      profile->name = section.subsection;
      profile->source = source;
      profile->line = section.line;
    }
    for (IniEntry& e : section.entries) {
      auto [it, inserted] = profile->settings.try_emplace(e.key, Setting{e.value, e.line});
      if (inserted) continue;
      if (e.key == "match") {  // several match lines add up
        it->second.value += " " + e.value;
        continue;
      }
      if (!profile->error)
        profile->error = ProfileError(*profile, e.line, e.key,
                                      "set twice in profile '" + profile->name + "' (first on line " +
                                          std::to_string(it->second.line) + ")");
    }
  }
  for (Profile& p : config.profiles) {
    if (p.error) continue;
    if (Status s = ProfileBuilder(&p, env).Build(); !s) p.error = s.error();
  }
  return config;
}

namespace {

// Refuses a config someone else could have written: it decides where
// secrets are sent.
Status CheckConfigOwner(const std::string& path, const struct stat& st, uid_t uid) {
  if (st.st_uid != uid && st.st_uid != 0)
    return MakeError(ErrorKind::kUsage, "config " + path + " belongs to another user (uid " +
                                            std::to_string(st.st_uid) + "): use a config file of your own");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return MakeError(ErrorKind::kUsage, "config " + path +
                                            " is writable by others, who could send your secrets elsewhere: "
                                            "chmod go-w " + path);
  return Success();
}

Error NoEndOfFile(const std::string& path) {
  return MakeError(ErrorKind::kUsage, "config " + path + " gave no end of file in time: is it a FIFO nothing writes to?");
}

// Waits until `fd` can be read without blocking, or `deadline` passes.
bool WaitReadable(int fd, const Deadline& deadline) {
  struct pollfd p = {fd, POLLIN, 0};
  int ms = static_cast<int>(deadline.Remaining() * 1000);
  int n;
  while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR) ms = static_cast<int>(deadline.Remaining() * 1000);
  return n > 0;
}

// Reads `fd` (opened non-blocking) to its end, waiting for a pipe, FIFO or
// terminal until `deadline`. A FIFO is waited on before each read: one
// that no writer ever opened reads as an empty file at once.
Status ReadAll(int fd, bool fifo, const std::string& path, const Deadline& deadline, std::string* text) {
  char buf[8192];
  while (true) {
    if (fifo && !WaitReadable(fd, deadline)) return NoEndOfFile(path);
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      text->append(buf, static_cast<size_t>(n));
      if (text->size() > kMaxConfigBytes) return MakeError(ErrorKind::kUsage, "config " + path + " is larger than 1 MiB");
      continue;
    }
    if (n == 0) return Success();
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return MakeError(ErrorKind::kUsage, "cannot read config " + path + ": " + strerror(errno));
    if (!fifo && !WaitReadable(fd, deadline)) return NoEndOfFile(path);
  }
}

}  // namespace

Result<std::string> ReadConfigFile(const std::string& path, uid_t uid, const Deadline& deadline) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT)
      return MakeError(ErrorKind::kUsage, "no config file at " + path +
                                              ": create it with a [profile \"NAME\"] section "
                                              "(see tokex.conf(5)) or pass --config FILE");
    return MakeError(ErrorKind::kUsage, "cannot read config " + path + ": " + strerror(errno));
  }
  struct stat st {};
  Status s = fstat(fd, &st) == 0 ? CheckConfigOwner(path, st, uid)
                                 : MakeError(ErrorKind::kUsage, "cannot read config " + path + ": " + strerror(errno));
  if (s && S_ISDIR(st.st_mode)) s = MakeError(ErrorKind::kUsage, "config " + path + " is a directory: give a file");
  std::string text;
  if (s) s = ReadAll(fd, S_ISFIFO(st.st_mode), path, deadline, &text);
  close(fd);
  if (!s) return s.error();
  return text;
}

Result<Config> ConfigSource::Load() {
  if (!text_) {
    Result<std::string> text = ReadConfigFile(path_, env_.uid, Deadline::In(kReadWait));
    if (!text) return text.error();
    text_ = std::move(text.value());
  }
  return ParseConfig(*text_, path_, env_);
}

}  // namespace tokex
