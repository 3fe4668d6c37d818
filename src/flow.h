// The exchanges: one function per preset turns stored secrets into a
// credential through the vendor's endpoint.
#ifndef TOKEX_FLOW_H_
#define TOKEX_FLOW_H_

#include "clock.h"
#include "config.h"
#include "credential.h"
#include "http.h"
#include "result.h"
#include "secret_store.h"

namespace tokex {

/// The ways out to the world a flow may use.
struct FlowContext {
  const Profile& profile;
  SecretStore& store;
  HttpClient& http;
  Clock& clock;
};

/// Runs the exchange of the profile's preset. The credential is validated
/// (no control characters) before it is returned.
Result<Credential> RunExchange(FlowContext& ctx);

/// The presets' exchanges (preset_*.cc).
Result<Credential> ExchangeCiscoXdr(FlowContext& ctx);
Result<Credential> ExchangeOauth2(FlowContext& ctx);

/// A request to the profile's token URL with its CA file, timeout and
/// allow-http setting applied.
HttpRequest TokenRequest(const Profile& profile);

/// The host[:port] of the profile's token URL, for messages.
std::string TokenHost(const Profile& profile);

/// Adds "Authorization: Basic base64(user:password)" to `request`.
void AddBasicAuth(HttpRequest* request, std::string_view user, const Secret& password);

/// Sends an RFC 6749 token request (retrying transient failures) and parses
/// the answer; a rejection's message ends with `rejected_fix`.
Result<Credential> RequestToken(FlowContext& ctx, const HttpRequest& request, std::string_view rejected_fix);

}  // namespace tokex

#endif  // TOKEX_FLOW_H_
