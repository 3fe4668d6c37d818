"""A strict loopback emulator of the Cisco XDR (Threat Response) OAuth2 API.

POST /iroh/oauth2/token wants HTTP Basic client_id:client_secret,
Content-Type application/x-www-form-urlencoded, an Accept that lists
application/json and a form body of exactly grant_type=client_credentials,
as the vendor documents. It answers {"access_token", "token_type":
"bearer", "expires_in", "scope"}. GET /iroh/... (outside /iroh/oauth2/)
wants a Bearer token this emulator issued and that has not expired.
GET /_emulator/stats reports counters (`stalled`: token requests held by
--stall-first), without authentication.

The client secret is read from a file, never from argv.
"""

import socket
import struct
import threading
import time

import emulib
from emulib import oauth_error

TOKEN_PATH = "/iroh/oauth2/token"
SCOPE = "private-intel enrich:read casebook inspect:read response global-intel:read"
# Where --misbehave redirect points; a client that arrives here followed it.
ELSEWHERE = "/_emulator/elsewhere"


class State:
    def __init__(self, args):
        self.client_id = args.client_id
        self.client_secret = emulib.read_secret_file(args.client_secret_file)
        self.expires_in = args.expires_in
        self.token_bytes = args.token_bytes
        self.delay = args.delay
        self.fail_status = args.fail_status
        self.retry_after = args.retry_after
        self.fail_mode = args.fail_mode
        self.misbehave = args.misbehave
        self.stall = emulib.Stall(args)
        self.counters = emulib.Counters("token_requests", "tokens_issued", "api_requests", "redirects_followed")
        self.tokens = emulib.TokenStore()
        self._fail_left = args.fail_first
        self._lock = threading.Lock()

    def take_failure(self):
        """True for the first --fail-first token requests."""
        with self._lock:
            if self._fail_left <= 0:
                return False
            self._fail_left -= 1
            return True


class XdrHandler(emulib.Handler):
    def route(self, method, path, query):
        s = self.state
        if path == "/_emulator/stats":
            if method != "GET":
                return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
            return self.reply(200, {**s.counters.snapshot(), **s.stall.counters.snapshot(),
                                    "connections": self.server.connections})
        if path == ELSEWHERE:
            s.counters.add("redirects_followed")
            return self.reply(200, {"access_token": "followed", "token_type": "bearer", "expires_in": 600})
        if path == TOKEN_PATH:
            s.counters.add("token_requests")
            return self.token(method, query)
        if path.startswith("/iroh/") and not path.startswith("/iroh/oauth2/"):
            s.counters.add("api_requests")
            if method != "GET":
                return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
            return self.api(path)
        return self.reply(404, {"error": "not_found"})

    def token(self, method, query):
        s = self.state
        if method != "POST":
            return self.reply(405, oauth_error("invalid_request", "use POST"), {"Allow": "POST"})
        if s.stall.hold(self):
            return None
        if s.delay:  # a slow server is slow to say no, too
            time.sleep(s.delay)
        if s.take_failure():
            if s.fail_mode == "reset":
                return self.reset_mid_response()
            if s.fail_mode == "trickle":
                return self.trickle_headers()
            headers = {} if s.retry_after is None else {"Retry-After": str(s.retry_after)}
            return self.reply(s.fail_status, oauth_error("temporarily_unavailable", "try again later"), headers)
        if query:
            return self.reply(400, oauth_error("invalid_request", "parameters belong in the body, not the URL"))
        if emulib.media_type(self.headers.get("Content-Type")) != "application/x-www-form-urlencoded":
            return self.reply(400, oauth_error("invalid_request",
                                               "Content-Type must be application/x-www-form-urlencoded"))
        if not emulib.accepts(self.headers.get("Accept"), "application/json"):
            return self.reply(406, oauth_error("invalid_request", "Accept must include application/json"))
        creds = emulib.basic_credentials(self.headers.get("Authorization"))
        if creds is None or not (emulib.same(creds[0], s.client_id) & emulib.same(creds[1], s.client_secret)):
            return self.reply(401, oauth_error("invalid_client", "Client authentication failed"),
                              {"WWW-Authenticate": 'Basic realm="iroh"'})
        body = self.body()
        if body is None:
            return None
        form = emulib.parse_form(body)
        if form != {"grant_type": ["client_credentials"]}:
            if form is not None and list(form) == ["grant_type"] and len(form["grant_type"]) == 1:
                return self.reply(400, oauth_error("unsupported_grant_type", "only client_credentials"))
            return self.reply(400, oauth_error("invalid_request", "the body must be grant_type=client_credentials"))
        if s.misbehave:
            return self.misbehaviour(s.misbehave)
        token = s.tokens.issue("xdr-", s.expires_in, s.token_bytes)
        s.counters.add("tokens_issued")
        return self.reply(200, {"access_token": token, "token_type": "bearer", "expires_in": s.expires_in,
                                "scope": SCOPE})

    def reset_mid_response(self):
        """A 200 cut off by a TCP reset after its headers and a few bytes
        of its body."""
        if self.body() is None:
            return None
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n"
                         b"Cache-Control: no-store\r\n\r\n{\"access_tok")
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()  # no close_notify: a reset, as a crashed server sends
        self.close_connection = True
        self.log_line("reset")

    def trickle_headers(self):
        """A status line and headers sent one byte a second: a server that
        keeps a connection busy without ever answering."""
        if self.body() is None:
            return None
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"." * 200 + b"\r\n\r\n"
        try:
            for i in range(len(head)):
                self.wfile.write(head[i:i + 1])
                time.sleep(1)
        except OSError:
            pass  # the client gave up, as it should
        self.close_connection = True
        self.log_line("trickled")

    def misbehaviour(self, kind):
        """Answers a valid request the way a broken or hostile server might."""
        if kind == "redirect":
            return self.reply(302, {}, {"Location": ELSEWHERE})
        if kind == "huge":
            return self.reply(200, {"access_token": "x" * (2 << 20), "expires_in": 600})
        if kind == "crlf":
            return self.reply(200, {"access_token": "xdr-ok\r\nX-Injected: 1", "expires_in": 600})
        return self.reply(200, {"token_type": "bearer", "expires_in": 600})  # no-token

    def api(self, path):
        s = self.state
        token = emulib.bearer_token(self.headers.get("Authorization"))
        if token is None or not s.tokens.valid(token):
            return self.reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return self.reply(200, {"ok": True, "client_id": s.client_id, "path": path})


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret-file", required=True, help="file holding the client secret")
    p.add_argument("--expires-in", type=int, default=600, help="token lifetime in seconds (default 600)")
    p.add_argument("--token-bytes", type=int, default=0, metavar="N", help="pad issued tokens to N characters")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a token request")
    p.add_argument("--fail-first", type=int, default=0, metavar="N", help="fail the first N token requests")
    p.add_argument("--fail-status", type=int, default=503, help="status for those failures (default 503)")
    p.add_argument("--retry-after", type=int, metavar="SECONDS", help="send Retry-After with those failures")
    p.add_argument("--fail-mode", choices=["status", "reset", "trickle"], default="status",
                   help="how those failures fail: answer --fail-status (default), reset the connection "
                        "mid-response, or trickle the headers one byte a second")
    p.add_argument("--misbehave", choices=["redirect", "huge", "crlf", "no-token"],
                   help="answer valid token requests like a broken server (test only)")
    emulib.Stall.add_arguments(p)
    args = p.parse_args()
    emulib.serve(XdrHandler, args, State(args))


if __name__ == "__main__":
    main()
