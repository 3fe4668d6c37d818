// Signing in for a first refresh token (`tokex login`): the authorization
// code flow with PKCE and a loopback redirect (RFC 7636, RFC 8252), or the
// device authorization grant for hosts without a browser (RFC 8628).
#ifndef TOKEX_LOGIN_H_
#define TOKEX_LOGIN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "exchange.h"
#include "oauth_callback.h"
#include "result.h"
#include "token_response.h"

namespace tokex {

/// Where a profile signs in.
struct LoginEndpoints {
  std::string authorize_url;  ///< the authorization endpoint (browser flow)
  std::string device_url;     ///< the device authorization endpoint (--device)
  std::string scope;          ///< what to ask for; must yield a refresh token
};

/// What a preset that can sign in provides (PresetExchange::login).
struct LoginHooks {
  /// The profile's sign-in endpoints; kUsage when this profile cannot
  /// sign in (say, a grant that has no refresh token).
  Result<LoginEndpoints> (*endpoints)(const Profile& profile);
  /// A token request to the profile's token URL with `fields` (the
  /// grant's) and the client's own authentication, as the profile's other
  /// token requests carry it (client_id; a secret or an assertion when the
  /// client has one).
  Result<HttpRequest> (*token_request)(ExchangeContext& ctx, std::vector<FormField> fields);
};

/// How long a person may take to sign in, in the browser or with a code.
inline constexpr double kLoginWait = 300;

/// A PKCE pair (RFC 7636): the verifier kept, the S256 challenge sent.
struct Pkce {
  Secret verifier;        ///< 43 base64url characters from 32 random bytes
  std::string challenge;  ///< base64url(SHA-256(verifier))
};

/// A fresh PKCE pair from `random`.
Result<Pkce> MakePkce(Random& random);

/// A listening TCP socket on 127.0.0.1, on a port the system picks: the
/// redirect target of a browser sign-in (RFC 8252 section 7.3).
class LoopbackListener {
 public:
  /// kInternal error when no socket can be had.
  static Result<LoopbackListener> Open();

  LoopbackListener(LoopbackListener&& other) noexcept : fd_(other.fd_), port_(other.port_) { other.fd_ = -1; }
  LoopbackListener& operator=(LoopbackListener&&) = delete;
  ~LoopbackListener();

  int port() const { return port_; }

  /// Waits until `deadline` for the browser's GET of `path` whose `state`
  /// is the one expected, and answers it with a page. A request for
  /// another path, or with another state (someone else's), gets an error
  /// page and is waited past; each connection may take a few seconds and
  /// 8 KiB for its request head. Returns the redirect's parameters; an
  /// `error` from the server is a kRejected error quoting it; the deadline
  /// passing is kNetwork.
  Result<std::map<std::string, std::string>> AwaitRedirect(std::string_view path, const Secret& state,
                                                           const Deadline& deadline);

 private:
  LoopbackListener(int fd, int port) : fd_(fd), port_(port) {}
  int fd_;
  int port_;
};

/// The device authorization endpoint's answer (RFC 8628 section 3.2).
struct DeviceAuthorization {
  Secret device_code;
  std::string user_code;
  std::string verification_uri;  ///< verification_uri, or Azure's verification_url
  std::string message;           ///< a server's own instructions, if any
  int64_t expires_in = 900;
  int64_t interval = 5;
};

/// Parses a device authorization response; a non-2xx answer is an error
/// as ErrorFromResponse says, a 2xx one without device_code, user_code or
/// verification URI a kNetwork error. Does no I/O.
Result<DeviceAuthorization> ParseDeviceAuthorization(const HttpResponse& response, std::string_view host);

/// Signs in with a browser: opens (or prints, on ctx.log) the
/// authorization URL with a PKCE challenge, a random state and a loopback
/// redirect, waits up to kLoginWait for the redirect, and redeems the code.
/// `open_browser` runs for the URL when it is not null (a display is
/// there). Returns the server's answer, its refresh token included.
Result<TokenAnswer> LoginWithBrowser(ExchangeContext& ctx, const LoginHooks& hooks,
                                     void (*open_browser)(const std::string& url));

/// Signs in with a code a person enters elsewhere: prints the
/// verification URI and user code on ctx.log and polls the token endpoint
/// at the server's interval (slower after slow_down) until the person has
/// approved, declined, or the code expired.
Result<TokenAnswer> LoginWithDeviceCode(ExchangeContext& ctx, const LoginHooks& hooks);

}  // namespace tokex

#endif  // TOKEX_LOGIN_H_
