#include "login.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "crypto.h"
#include "http_curl.h"
#include "json.h"
#include "random.h"
#include "secret_store.h"
#include "text.h"
#include "url.h"

namespace tokex {

namespace {

constexpr size_t kMaxRequestHead = 8 * 1024;
// A connection that does not send its request head by then is dropped: a
// browser sends it at once, and a stalled one must not block the real one.
constexpr double kRequestWait = 5;
constexpr std::string_view kRedirectPath = "/tokex-login";
constexpr std::string_view kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

Error OsError(std::string_view what) { return MakeError(ErrorKind::kInternal, std::string(what) + ": " + strerror(errno)); }

// Polls `fd` for `events` until `deadline`; false when it passed.
bool WaitFor(int fd, short events, const Deadline& deadline) {
  while (true) {
    int ms = static_cast<int>(deadline.Remaining() * 1000);
    if (ms <= 0) return false;
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, ms);
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

// The request head of a fresh connection (up to the blank line), or empty
// when it does not come in time or is too large.
std::string ReadHead(int conn, const Deadline& deadline) {
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() <= kMaxRequestHead) {
    if (!WaitFor(conn, POLLIN, deadline)) return {};
    ssize_t n = recv(conn, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {};
    head.append(buf, static_cast<size_t>(n));
  }
  return head.size() > kMaxRequestHead ? std::string() : head;
}

void Answer(int conn, int status, std::string_view message) {
  std::string page = CallbackPage(status, message);
  size_t done = 0;
  while (done < page.size()) {
    ssize_t n = send(conn, page.data() + done, page.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string Param(const std::map<std::string, std::string>& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

// What to make of one redirect: nullopt to wait for another.
std::optional<Result<std::map<std::string, std::string>>> Judge(int conn, const CallbackRequest& r,
                                                                 std::string_view path, const Secret& state) {
  if (r.path != path) {
    Answer(conn, 404, "Not a page of tokex.");
    return std::nullopt;
  }
  if (!SameSecret(Secret(Param(r.params, "state")), state)) {
    // Not the sign-in this tokex started: someone else's, or forged.
    Answer(conn, 400, "This is not the sign-in tokex is waiting for.");
    return std::nullopt;
  }
  if (std::string error = Param(r.params, "error"); !error.empty()) {
    Answer(conn, 400, "Sign-in failed: " + error + ". You can close this tab.");
    std::string desc = Param(r.params, "error_description");
    desc = desc.substr(0, desc.find_first_of("\r\n"));
    return Result<std::map<std::string, std::string>>(MakeError(
        ErrorKind::kRejected, "the sign-in was refused (" + Printable(error, 60) + (desc.empty() ? "" : ": " + Printable(desc, 200)) +
                                  "): try again, or ask who manages the application"));
  }
  if (Param(r.params, "code").empty()) {
    Answer(conn, 400, "The redirect has no code.");
    return std::nullopt;
  }
  Answer(conn, 200, "Signed in to tokex. You can close this tab.");
  return Result<std::map<std::string, std::string>>(r.params);
}

std::string RandomText(Random& random, size_t bytes, Status* status) {
  std::string raw(bytes, '\0');
  *status = random.Fill({reinterpret_cast<unsigned char*>(raw.data()), raw.size()});
  std::string text = Base64Url(raw);
  WipeString(&raw);
  return text;
}

std::string HostOf(std::string_view url) {
  Result<Url> u = ParseUrl(url);
  return u ? u->HostPort() : std::string(url);
}

}  // namespace

Result<Pkce> MakePkce(Random& random) {
  Status s = Success();
  std::string verifier = RandomText(random, 32, &s);
  if (!s) return s.error();
  Pkce pkce{Secret(verifier), Base64Url(Sha256(verifier))};
  WipeString(&verifier);
  return pkce;
}

Result<LoopbackListener> LoopbackListener::Open() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return OsError("cannot open a socket for the sign-in redirect");
  struct sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 8) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Error e = OsError("cannot listen on 127.0.0.1 for the sign-in redirect");
    close(fd);
    return e;
  }
  return LoopbackListener(fd, ntohs(addr.sin_port));
}

LoopbackListener::~LoopbackListener() {
  if (fd_ >= 0) close(fd_);
}

Result<std::map<std::string, std::string>> LoopbackListener::AwaitRedirect(std::string_view path, const Secret& state,
                                                                           const Deadline& deadline) {
  while (WaitFor(fd_, POLLIN, deadline)) {
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn < 0) continue;
    std::string head = ReadHead(conn, Deadline{std::min(deadline.at, MonotonicSeconds() + kRequestWait)});
    Result<CallbackRequest> request = ParseCallbackRequest(head);
    std::optional<Result<std::map<std::string, std::string>>> verdict;
    if (request) verdict = Judge(conn, *request, path, state);
    else if (!head.empty()) Answer(conn, 400, "Not a sign-in redirect.");
    close(conn);
    if (verdict) return std::move(*verdict);
  }
  return MakeError(ErrorKind::kNetwork, "nobody signed in within " + HumanDuration(static_cast<int64_t>(kLoginWait)) +
                                            ": run tokex login again, or use tokex login --device on a host without a browser");
}

Result<DeviceAuthorization> ParseDeviceAuthorization(const HttpResponse& response, std::string_view host) {
  if (response.status < 200 || response.status > 299)
    return ErrorFromResponse(response, {host, "check client-id and that the application allows the device code flow"});
  auto bad = [&](std::string_view why) {
    return MakeError(ErrorKind::kNetwork, std::string(host) + " sent an unusable device authorization (" + std::string(why) +
                                              "): check device-url");
  };
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return bad("not a JSON object");
  DeviceAuthorization d;
  d.device_code = Secret(JsonString(doc, "device_code"));
  d.user_code = JsonString(doc, "user_code");
  d.verification_uri = JsonString(doc, "verification_uri");
  if (d.verification_uri.empty()) d.verification_uri = JsonString(doc, "verification_url");  // Azure AD v1
  d.message = JsonString(doc, "message");
  d.expires_in = std::clamp<int64_t>(JsonInt(doc, "expires_in").value_or(900), 1, 3600);
  d.interval = std::clamp<int64_t>(JsonInt(doc, "interval").value_or(5), 1, 60);
  if (d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty()) return bad("a field is missing");
  if (HasControlChars(d.device_code.view()) || HasControlChars(d.user_code) || HasControlChars(d.verification_uri) ||
      HasControlChars(d.message) || !ParseUrl(d.verification_uri))
    return bad("a field holds control characters or is not a URL");
  return d;
}

Result<TokenAnswer> LoginWithBrowser(ExchangeContext& ctx, const LoginHooks& hooks,
                                     void (*open_browser)(const std::string& url)) {
  Result<LoginEndpoints> ep = hooks.endpoints(ctx.profile);
  if (!ep) return ep.error();
  if (ep->authorize_url.empty())
    return MakeError(ErrorKind::kUsage, "no authorization endpoint to sign in at: set authorize-url");
  Result<Pkce> pkce = MakePkce(ctx.random);
  if (!pkce) return pkce.error();
  Status ok = Success();
  Secret state(RandomText(ctx.random, 16, &ok));
  if (!ok) return ok.error();
  Result<LoopbackListener> listener = LoopbackListener::Open();
  if (!listener) return listener.error();
  std::string redirect_uri = "http://127.0.0.1:" + std::to_string(listener->port()) + std::string(kRedirectPath);
  std::string url = ep->authorize_url + (ep->authorize_url.find('?') == std::string::npos ? "?" : "&") +
                    "client_id=" + FormEscape(*ctx.profile.Get("client-id")) + "&response_type=code&redirect_uri=" +
                    FormEscape(redirect_uri) + "&scope=" + FormEscape(ep->scope) + "&state=" +
                    std::string(state.view()) + "&code_challenge=" + pkce->challenge + "&code_challenge_method=S256";
  ctx.log.Notice(ctx.profile.name, "sign in with your browser at " + url);
  if (open_browser != nullptr) open_browser(url);
  Result<std::map<std::string, std::string>> params =
      listener->AwaitRedirect(kRedirectPath, state, Deadline::In(kLoginWait));
  if (!params) return params.error();
  // The person took their time; the code's redemption gets the profile's.
  ctx.deadline = Deadline{ctx.clock.Monotonic() + static_cast<double>(ctx.profile.timeout)};
  Secret code(Param(*params, "code"));
  std::vector<FormField> fields = {{"grant_type", "authorization_code"},
                                   {"code", code.view()},
                                   {"redirect_uri", redirect_uri},
                                   {"code_verifier", pkce->verifier.view()}};
  Result<HttpRequest> request = hooks.token_request(ctx, std::move(fields));
  if (!request) return request.error();
  return RequestTokenAnswer(ctx, *request, "sign in again with tokex login");
}

Result<TokenAnswer> LoginWithDeviceCode(ExchangeContext& ctx, const LoginHooks& hooks) {
  Result<LoginEndpoints> ep = hooks.endpoints(ctx.profile);
  if (!ep) return ep.error();
  if (ep->device_url.empty())
    return MakeError(ErrorKind::kUsage, "no device authorization endpoint to sign in at: set device-url");
  Result<HttpRequest> start = hooks.token_request(ctx, {{"scope", ep->scope}});
  if (!start) return start.error();
  start->url = ep->device_url;
  Result<HttpResponse> response = SendRequest(ctx, *start);
  if (!response) return response.error();
  Result<DeviceAuthorization> d = ParseDeviceAuthorization(*response, HostOf(ep->device_url));
  if (!d) return d.error();
  ctx.log.Notice(ctx.profile.name, d->message.empty() ? "to sign in, open " + d->verification_uri +
                                                            " and enter the code " + d->user_code
                                                      : d->message);
  double until = ctx.clock.Monotonic() + static_cast<double>(d->expires_in);
  for (int64_t interval = d->interval; ctx.clock.Monotonic() + static_cast<double>(interval) < until;) {
    ctx.clock.SleepSeconds(static_cast<double>(interval));
    // Each poll is a request of its own, bounded by the profile's timeout;
    // the code's lifetime bounds the polling.
    ctx.deadline = Deadline{ctx.clock.Monotonic() + static_cast<double>(ctx.profile.timeout)};
    Result<HttpRequest> poll = hooks.token_request(ctx, {{"grant_type", kDeviceGrant}, {"device_code", d->device_code.view()}});
    if (!poll) return poll.error();
    Result<HttpResponse> r = SendRequest(ctx, *poll);
    if (!r) return r.error();
    std::string code = r->status >= 400 ? OAuthErrorCode(*r) : std::string();
    if (code == "authorization_pending") continue;
    if (code == "slow_down") {
      interval += 5;  // RFC 8628 section 3.5
      continue;
    }
    return ParseTokenAnswer(*r, ctx.clock.Now(), {HostOf(poll->url), "run tokex login --device again"});
  }
  return MakeError(ErrorKind::kRejected, "the code " + d->user_code + " expired before anyone signed in: run tokex login --device again");
}

}  // namespace tokex
