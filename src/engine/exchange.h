// What a preset's exchange works with: the context it gets, the registry
// row that names it, and the request helpers the OAuth2-shaped presets
// share. Presets live in src/presets/, one file each.
#ifndef TOKEX_EXCHANGE_H_
#define TOKEX_EXCHANGE_H_

#include <sys/types.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clock.h"
#include "config.h"
#include "credential.h"
#include "deadline.h"
#include "diagnostics.h"
#include "http.h"
#include "random.h"
#include "result.h"
#include "secret_store.h"
#include "token_response.h"

namespace tokex {

/// Everything an exchange may use. It runs under the profile's lock, so it
/// may read, spend and replace the profile's secrets (see rotation.h).
struct ExchangeContext {
  const Profile& profile;
  SecretStore& store;
  HttpClient& http;
  Clock& clock;
  Random& random;
  const Paths& paths;  ///< where rotation keeps recovery copies
  uid_t uid;
  Deadline deadline;  ///< on clock.Monotonic(): every request and wait fits before it
  Diagnostics& log;
};

/// A preset's exchange: the profile's secrets in, a credential out.
using ExchangeFn = Result<Credential> (*)(ExchangeContext& ctx);

struct LoginHooks;

/// One row of the preset registry (src/presets/preset_registry.cc),
/// matched by name with a row of the core's preset catalog.
struct PresetExchange {
  std::string_view preset;
  ExchangeFn exchange;
  /// The secrets this profile's exchange needs (its grant decides), for
  /// `tokex status`; null: every secret name of the preset.
  std::vector<std::string_view> (*needed_secrets)(const Profile& profile) = nullptr;
  /// How the preset signs in for a first refresh token (login.h); null
  /// when it has nothing to sign in for.
  const LoginHooks* login = nullptr;
};

/// The registry row of `preset`, or nullptr.
const PresetExchange* FindPresetExchange(std::span<const PresetExchange> exchanges, std::string_view preset);

/// The exchange registered for `preset`, or nullptr.
ExchangeFn FindExchange(std::span<const PresetExchange> exchanges, std::string_view preset);

/// The secrets the profile's exchange needs (PresetExchange::needed_secrets,
/// else every secret name of its preset).
std::vector<std::string_view> NeededSecrets(std::span<const PresetExchange> exchanges, const Profile& profile);

/// True when `secret` is one of NeededSecrets(exchanges, profile).
bool NeedsSecret(std::span<const PresetExchange> exchanges, const Profile& profile, std::string_view secret);

/// Runs `exchange` and checks the credential it returns (no control
/// characters anywhere) before anyone can print or cache it.
Result<Credential> RunExchange(ExchangeContext& ctx, ExchangeFn exchange);

/// A request to the profile's token URL with its CA file, timeout and
/// allow-http setting applied.
HttpRequest TokenRequest(const Profile& profile);

/// One name=value pair of a form body; the value may be a secret.
struct FormField {
  std::string_view name;
  std::string_view value;
};

/// An RFC 6749 token request: POST to the profile's token URL with
/// `fields` as an application/x-www-form-urlencoded body (percent-encoded
/// here, in the order given) and Accept: application/json.
HttpRequest FormTokenRequest(const Profile& profile, std::span<const FormField> fields);

/// The host[:port] of the profile's token URL, for messages.
std::string TokenHost(const Profile& profile);

/// Adds "Authorization: Basic base64(user:password)" to `request`.
void AddBasicAuth(HttpRequest* request, std::string_view user, const Secret& password);

/// Sends a request of the exchange, retrying transient failures before
/// ctx.deadline. Every such request carries a secret or a token, so one to
/// a plain http:// URL (allowed only with allow-http) gets a warning on
/// ctx.log each time.
Result<HttpResponse> SendRequest(ExchangeContext& ctx, const HttpRequest& request);

/// Sends a token request and parses the RFC 6749 answer, the refresh token
/// included; a rejection's message ends with `rejected_fix`.
Result<TokenAnswer> RequestTokenAnswer(ExchangeContext& ctx, const HttpRequest& request, std::string_view rejected_fix);

/// RequestTokenAnswer for the credential alone.
Result<Credential> RequestToken(ExchangeContext& ctx, const HttpRequest& request, std::string_view rejected_fix);

/// The profile's setting `key` as a whole number; `fallback` when unset.
/// The config parser has checked the range (PresetInfo::ranges).
int64_t IntSetting(const Profile& profile, std::string_view key, int64_t fallback);

}  // namespace tokex

#endif  // TOKEX_EXCHANGE_H_
