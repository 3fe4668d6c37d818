// The tokex configuration: profiles read from the INI file, validated.
#ifndef TOKEX_CONFIG_H_
#define TOKEX_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "environment.h"
#include "preset_catalog.h"
#include "result.h"
#include "store_catalog.h"
#include "url.h"

namespace tokex {

/// One setting as written, with the line it came from (for messages).
struct Setting {
  std::string value;
  int line = 0;
};

/// How a profile with `store = etcd` reaches its cluster (the etcd-*
/// keys), validated.
struct EtcdSettings {
  std::vector<std::string> endpoints;  ///< base URLs, tried in order
  std::string ca_file;                 ///< "~/" expanded; empty for the system store
  std::string client_cert;             ///< PEM files for TLS client authentication, or empty
  std::string client_key;
  std::string user;                    ///< etcd user; empty without etcd authentication
  std::string prefix = "tokex/";       ///< every key of tokex's starts with it
  /// Where this host keeps etcd-key and etcd-password.
  const StoreInfo* local_store = &DefaultStore();
  int64_t lock_ttl = 10;  ///< seconds: the fleet lock's lease, kept alive while held
};

/// A profile, validated. Derived members are filled in by ParseConfig.
/// A profile that failed validation keeps its error in `error` and may
/// have some members unset: only its name, source, line and settings can
/// be relied on. Config::Find hands out the error instead of the profile.
struct Profile {
  std::string name;
  std::string source;  ///< config file path, for messages
  int line = 0;        ///< line of the [profile] header
  std::optional<Error> error;  ///< why the profile cannot be used
  const PresetInfo* preset = nullptr;
  std::map<std::string, Setting, std::less<>> settings;

  std::string token_url;  ///< resolved: token-url, or base-url + preset path
  std::string base_url;   ///< resolved: base-url, or the region's URL
  std::string ca_file;    ///< "~/" expanded; empty for the system store
  std::string certificate;  ///< "~/" expanded; empty when not set
  int64_t timeout = 30;   ///< seconds, whole exchange
  int64_t refresh_margin = 120;
  /// Seconds: `tokex refresh` renews a refresh token that expires sooner.
  int64_t keep_alive = 2 * 86400;
  /// Seconds an opaque refresh token lives from when it is stored; 0 when
  /// the profile does not say (a JWT's own exp wins over it).
  int64_t refresh_token_ttl = 0;
  std::vector<Url> match;  ///< the URL prefixes that select this profile in the helpers
  std::string username;
  const StoreInfo* store = &DefaultStore();
  std::string env_name;
  bool allow_http = false;
  std::optional<EtcdSettings> etcd;  ///< set exactly when store = etcd

  /// The setting's value, or nullopt when not set.
  std::optional<std::string_view> Get(std::string_view key) const;

  /// "SOURCE:LINE: key 'KEY'" for messages about a setting (the profile's
  /// header line when the key is not set).
  std::string Where(std::string_view key) const;

  /// A hex digest of every setting: a cache written under other settings
  /// never matches. Contains no secret because the config holds none.
  std::string CacheKey() const;

  /// CacheKey without the settings that may differ between the hosts of a
  /// fleet (the etcd-* keys): the key of the access token they share.
  std::string SharedCacheKey() const;
};

/// A parsed config file: every [profile "NAME"] section, in file order
/// (sections of the same name merged).
struct Config {
  std::string source;  ///< the file's path, for messages
  std::vector<Profile> profiles;

  /// The usable profile called `name`. Errors are kUsage: the profile's
  /// own validation error, or "no profile" naming the config file and
  /// suggesting a near name.
  Result<const Profile*> Find(std::string_view name) const;

  /// The usable profile whose `match` covers `url`: the same scheme, host
  /// and port, and (when `with_path`) a path within the match's path, in
  /// whole segments ("/org" covers "/org" and "/org/repo", not "/orgx").
  /// Without a path (git sends one only with credential.useHttpPath),
  /// scheme, host and port decide. The longest matching path wins, then
  /// the first profile in the file; nullptr when none covers `url`.
  const Profile* Match(const Url& url, bool with_path) const;

  /// The first profile with a `match` that a configuration error makes
  /// unusable: Match passes over it, so a URL it was meant to cover
  /// matches nothing, or another profile. nullptr when there is none.
  const Profile* UnusableMatcher() const;

  /// Why Match found nothing for the URL shown as `url`: kUsage, naming
  /// UnusableMatcher and its error when there is one.
  Error NoMatchError(std::string_view url) const;
};

/// Parses and validates config text. A syntax error, or a section that is
/// not [profile "NAME"], fails the whole file; anything wrong inside one
/// profile (unknown preset or key, bad value, a key set twice) fails only
/// that profile, so a config shared with a newer tokex keeps working for
/// the profiles this one understands. Errors are kUsage and read
/// "SOURCE:LINE: key 'k': problem". Does no I/O.
Result<Config> ParseConfig(std::string_view text, std::string_view source, const Environment& env);

/// The text of the config file at `path`, at most 1 MiB. Errors are
/// kUsage: a missing file (saying how to create one); a file that someone
/// other than `uid` could have written, i.e. one owned by another user
/// than `uid` or root, or writable by group or others (as ssh refuses
/// them, with the chmod that fixes it: the config decides where secrets
/// are sent); a pipe or FIFO (--config <(...)) that gives no end of file
/// before `deadline`. Opening never blocks.
Result<std::string> ReadConfigFile(const std::string& path, uid_t uid, const Deadline& deadline);

/// The config of one command: read at most once, and kept. A pipe
/// (--config <(...)) can be read only once, and a front hands the text it
/// read to the engine so that both see the same config.
class ConfigSource {
 public:
  /// Seconds a config that is a pipe or FIFO may take to arrive: the
  /// profile's timeout is not known before it is read.
  static constexpr double kReadWait = 30;

  ConfigSource(std::string path, const Environment& env) : path_(std::move(path)), env_(env) {}

  /// Uses `text` (handed over by a front) instead of reading the file.
  void Provide(std::string text) { text_ = std::move(text); }

  /// The parsed config; reads the file the first time (ReadConfigFile).
  Result<Config> Load();

  /// The text read or provided so far, if any.
  const std::optional<std::string>& text() const { return text_; }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const Environment& env_;
  std::optional<std::string> text_;
};

/// True for names tokex accepts as profile names: used in file names and
/// environment variable names, so [A-Za-z0-9._-] only.
bool IsValidProfileName(std::string_view name);

/// True when `name` may be set in a child's environment: a shell-style
/// identifier that does not change how programs load or run.
bool IsSafeEnvName(std::string_view name);

}  // namespace tokex

#endif  // TOKEX_CONFIG_H_
