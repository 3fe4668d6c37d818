#include "login.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "crypto.h"
#include "engine_harness.h"
#include "oauth_callback.h"

using namespace tokex;
using namespace tokex::testing;

namespace {

// Sends `request` to 127.0.0.1:port and returns the answer.
std::string Visit(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    (void)!write(fd, request.data(), request.size());
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

std::string Get(const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"; }

// Profile "az", made by hand, of the public client "app1"; a sign-in waits
// for a person, so its context has 600 s.
struct LoginHarness : EngineHarness {
  Profile profile;
  ExchangeContext ctx = Context(profile, 600);

  LoginHarness() {
    profile.name = "az";
    profile.token_url = "https://login.example/t/oauth2/v2.0/token";
    profile.settings["client-id"] = Setting{"app1", 1};
  }
};

Result<LoginEndpoints> Endpoints(const Profile&) {
  return LoginEndpoints{"https://login.example/t/oauth2/v2.0/authorize", "https://login.example/t/oauth2/v2.0/devicecode",
                        "app1/.default offline_access"};
}

Result<HttpRequest> PublicClient(ExchangeContext& ctx, std::vector<FormField> fields) {
  fields.insert(fields.begin(), FormField{"client_id", "app1"});
  return FormTokenRequest(ctx.profile, fields);
}

constexpr LoginHooks kHooks{Endpoints, PublicClient};

}  // namespace

TEST_CASE("PKCE: an S256 challenge of a 43-character verifier") {
  CountingRandom random;
  auto pkce = MakePkce(random);
  REQUIRE(pkce.ok());
  CHECK(pkce->verifier.size() == 43);
  CHECK(pkce->verifier.view() == Base64Url(std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                                                       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
                                                       32)));
  CHECK(pkce->challenge == Base64Url(Sha256(pkce->verifier.view())));
}

TEST_CASE("the loopback redirect: other paths and other states are waited past") {
  auto listener = LoopbackListener::Open();
  REQUIRE(listener.ok());
  int port = listener->port();
  std::string wrong_path, wrong_state, stalled, right;
  std::thread browser([&] {
    // A connection that never sends anything must not block the others.
    int idle = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    wrong_path = Visit(port, Get("/favicon.ico"));
    wrong_state = Visit(port, Get("/tokex-login?code=forged&state=guess"));
    right = Visit(port, Get("/tokex-login?code=the-code&state=s3cret-state"));
    close(idle);
  });
  auto params = listener->AwaitRedirect("/tokex-login", Secret("s3cret-state"), Deadline::In(30));
  browser.join();
  REQUIRE(params.ok());
  CHECK(params->at("code") == "the-code");
  CHECK(wrong_path.starts_with("HTTP/1.1 404"));
  CHECK(wrong_state.starts_with("HTTP/1.1 400"));
  CHECK(right.starts_with("HTTP/1.1 200"));
  CHECK(right.find("You can close this tab") != std::string::npos);
}

TEST_CASE("the loopback redirect: a refusal is an error; nobody coming ends at the deadline") {
  auto listener = LoopbackListener::Open();
  REQUIRE(listener.ok());
  std::thread browser([port = listener->port()] {
    Visit(port, Get("/tokex-login?error=access_denied&error_description=AADSTS65004%3A+User+declined.%0D%0ATrace&state=s"));
  });
  auto refused = listener->AwaitRedirect("/tokex-login", Secret("s"), Deadline::In(30));
  browser.join();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().ExitCode() == 4);
  CHECK(refused.error().message.find("access_denied: AADSTS65004: User declined.)") != std::string::npos);

  double start = MonotonicSeconds();
  auto none = listener->AwaitRedirect("/tokex-login", Secret("s"), Deadline::In(0.2));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().ExitCode() == 5);
  CHECK(MonotonicSeconds() - start < 2);
}

namespace {

// The "browser" a test hands LoginWithBrowser: follows the printed URL
// the way the authorization server would redirect, without a server.
std::string last_url;
void FakeBrowser(const std::string& url) { last_url = url; }

}  // namespace

TEST_CASE("a browser sign-in sends PKCE and state, and redeems the code with the verifier") {
  LoginHarness h;
  h.http.Reply(200, R"({"access_token":"A1","expires_in":3600,"refresh_token":"R1","token_type":"Bearer"})");
  std::thread person([&] {
    while (last_url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto query = ParseQuery(last_url.substr(last_url.find('?') + 1));
    REQUIRE(query.ok());
    std::string redirect = query->at("redirect_uri");
    int port = std::stoi(redirect.substr(redirect.rfind(':') + 1));
    Visit(port, Get("/tokex-login?code=C0DE&state=" + query->at("state")));
  });
  auto answer = LoginWithBrowser(h.ctx, kHooks, FakeBrowser);
  person.join();
  REQUIRE(answer.ok());
  CHECK(answer->refresh_token->view() == "R1");
  auto query = ParseQuery(last_url.substr(last_url.find('?') + 1));
  REQUIRE(query.ok());
  CHECK(last_url.starts_with("https://login.example/t/oauth2/v2.0/authorize?client_id=app1&response_type=code&"));
  CHECK(query->at("code_challenge_method") == "S256");
  CHECK(query->at("scope") == "app1/.default offline_access");
  CHECK(query->at("redirect_uri").starts_with("http://127.0.0.1:"));
  REQUIRE(h.http.seen.size() == 1);
  auto body = ParseQuery(h.http.seen[0].body);
  REQUIRE(body.ok());
  CHECK(body->at("grant_type") == "authorization_code");
  CHECK(body->at("code") == "C0DE");
  CHECK(body->at("redirect_uri") == query->at("redirect_uri"));
  CHECK(Base64Url(Sha256(body->at("code_verifier"))) == query->at("code_challenge"));
  // The URL was shown to the person, not just handed to a browser.
  REQUIRE(h.log.notices.size() == 1);
  CHECK(h.log.notices[0].find("sign in with your browser at https://login.example/") != std::string::npos);
  last_url.clear();
}

TEST_CASE("a device sign-in polls at the server's interval, slower after slow_down") {
  LoginHarness h;
  h.http.Reply(200, R"({"device_code":"D","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device",)"
                    R"("expires_in":900,"interval":5})");
  h.http.Reply(400, R"({"error":"authorization_pending"})");
  h.http.Reply(400, R"({"error":"slow_down"})");
  h.http.Reply(400, R"({"error":"authorization_pending"})");
  h.http.Reply(200, R"({"access_token":"A1","expires_in":3600,"refresh_token":"R1"})");
  auto answer = LoginWithDeviceCode(h.ctx, kHooks);
  REQUIRE(answer.ok());
  CHECK(answer->refresh_token->view() == "R1");
  CHECK(h.clock.sleeps == std::vector<double>{5, 5, 10, 10});
  CHECK(h.http.seen[0].url == "https://login.example/t/oauth2/v2.0/devicecode");
  CHECK(h.http.seen[0].body == "client_id=app1&scope=app1%2F.default%20offline_access");
  CHECK(h.http.seen[1].body == "client_id=app1&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=D");
  REQUIRE(h.log.notices.size() == 1);
  CHECK(h.log.notices[0] == "az: to sign in, open https://login.example/device and enter the code ABCD-EFGH");
}

TEST_CASE("a device sign-in that is declined or runs out") {
  LoginHarness h;
  h.http.Reply(200, R"({"device_code":"D","user_code":"U","verification_uri":"https://login.example/device",)"
                    R"("expires_in":12,"interval":5,"message":"Go to https://login.example/device, enter U"})");
  h.http.Reply(400, R"({"error":"authorization_declined","error_description":"AADSTS70000: declined"})");
  auto declined = LoginWithDeviceCode(h.ctx, kHooks);
  REQUIRE_FALSE(declined.ok());
  CHECK(declined.error().ExitCode() == 4);
  CHECK(h.log.notices.back() == "az: Go to https://login.example/device, enter U");

  LoginHarness t;
  t.http.Reply(200, R"({"device_code":"D","user_code":"U","verification_uri":"https://login.example/device",)"
                    R"("expires_in":12,"interval":5})");
  for (int i = 0; i < 5; ++i) t.http.Reply(400, R"({"error":"authorization_pending"})");
  auto expired = LoginWithDeviceCode(t.ctx, kHooks);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().message == "the code U expired before anyone signed in: run tokex login --device again");
  CHECK(t.clock.sleeps.size() == 2);  // 5 + 5 < 12; a third wait would pass it
}

TEST_CASE("device authorization answers that cannot be used") {
  HttpResponse r;
  r.status = 200;
  for (const char* bad : {"[]", "{}", R"({"device_code":"D","user_code":"U"})",
                          R"({"device_code":"D","user_code":"U\n","verification_uri":"https://x/"})",
                          R"({"device_code":"D","user_code":"U","verification_uri":"javascript:x"})"}) {
    CAPTURE(bad);
    r.body = bad;
    auto d = ParseDeviceAuthorization(r, "login.example");
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().ExitCode() == 5);
  }
}

TEST_CASE("a device sign-in may take longer than one request's timeout: each poll gets its own") {
  LoginHarness h;
  h.profile.timeout = 30;
  h.ctx.deadline = h.clock.In(30);
  h.http.Reply(200, R"({"device_code":"D","user_code":"U","verification_uri":"https://login.example/device",)"
                    R"("expires_in":900,"interval":5})");
  for (int i = 0; i < 100; ++i) h.http.Reply(400, R"({"error":"authorization_pending"})");  // 500 s of waiting
  h.http.Reply(200, R"({"access_token":"A1","expires_in":3600,"refresh_token":"R1"})");
  auto answer = LoginWithDeviceCode(h.ctx, kHooks);
  REQUIRE(answer.ok());
  CHECK(h.http.seen.size() == 102);
}
