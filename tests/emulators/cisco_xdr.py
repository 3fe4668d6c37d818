"""A strict emulator of the Cisco XDR (Threat Response) OAuth2 endpoint.

POST /iroh/oauth2/token takes HTTP Basic client_id:client_secret, a form
body of exactly grant_type=client_credentials, Content-Type
application/x-www-form-urlencoded and Accept application/json, and answers
{"access_token", "token_type": "bearer", "expires_in", "scope"} as the
vendor documents. GET /iroh/... (other than oauth2) needs a Bearer token it
issued and that has not expired. GET /_emulator/stats reports counters.

The client secret is read from a file, never from argv.
"""

import base64
import hmac
import secrets
import threading
import time
import urllib.parse

import emulib

SCOPE = "private-intel enrich:read casebook inspect:read response global-intel:read"


class State:
    def __init__(self, args):
        self.client_id = args.client_id
        with open(args.client_secret_file) as f:
            self.client_secret = f.read()
        self.expires_in = args.expires_in
        self.delay = args.delay
        self.fail_left = args.fail_first
        self.fail_status = args.fail_status
        self.retry_after = args.retry_after
        self.misbehave = args.misbehave
        self.counters = emulib.Counters()
        self.tokens = {}
        self.lock = threading.Lock()


class XdrHandler(emulib.Handler):
    def route(self, method):
        s = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_emulator/elsewhere":
            s.counters.add("redirects_followed")
            return self.reply(200, {"access_token": "followed", "expires_in": 600})
        if path == "/_emulator/stats" and method == "GET":
            c = s.counters.snapshot()
            return self.reply(200, {"token_requests": c.get("token_requests", 0),
                                    "tokens_issued": c.get("tokens_issued", 0),
                                    "api_requests": c.get("api_requests", 0),
                                    "redirects_followed": c.get("redirects_followed", 0)})
        if path == "/iroh/oauth2/token":
            s.counters.add("token_requests")
            if method != "POST":
                return self.reply(405, {"error": "invalid_request", "error_description": "use POST"},
                                  {"Allow": "POST"})
            return self.token(s)
        if path.startswith("/iroh/") and method == "GET":
            s.counters.add("api_requests")
            return self.api(s, path)
        return self.reply(404, {"error": "not_found"})

    def token(self, s):
        with s.lock:
            fail = s.fail_left > 0
            if fail:
                s.fail_left -= 1
        body = self.body()
        if fail:
            headers = {"Retry-After": str(s.retry_after)} if s.retry_after is not None else {}
            return self.reply(s.fail_status, {"error": "temporarily_unavailable"}, headers)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return self.reply(400, {"error": "invalid_request",
                                    "error_description": "Content-Type must be application/x-www-form-urlencoded"})
        if "application/json" not in (self.headers.get("Accept") or ""):
            return self.reply(406, {"error": "invalid_request", "error_description": "Accept application/json"})
        if not self.client_ok(s):
            return self.reply(401, {"error": "invalid_client", "error_description": "Client authentication failed"},
                              {"WWW-Authenticate": 'Basic realm="iroh"'})
        try:
            form = urllib.parse.parse_qs((body or b"").decode(), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            form = None
        if form != {"grant_type": ["client_credentials"]}:
            error = "unsupported_grant_type" if form and "grant_type" in form else "invalid_request"
            return self.reply(400, {"error": error, "error_description": "expected grant_type=client_credentials"})
        if s.delay:
            time.sleep(s.delay)
        if s.misbehave:
            return self.misbehaviour(s.misbehave)
        token = "xdr-" + secrets.token_urlsafe(32)
        with s.lock:
            s.tokens[token] = time.time() + s.expires_in
        s.counters.add("tokens_issued")
        return self.reply(200, {"access_token": token, "token_type": "bearer", "expires_in": s.expires_in,
                                "scope": SCOPE})

    def misbehaviour(self, kind):
        """Answers a valid request the way a broken or hostile server might."""
        if kind == "redirect":
            return self.reply(302, {}, {"Location": "/_emulator/elsewhere"})
        if kind == "huge":
            return self.reply(200, {"access_token": "x" * (2 << 20), "expires_in": 600})
        if kind == "crlf":
            return self.reply(200, {"access_token": "xdr-ok\r\nX-Injected: 1", "expires_in": 600})
        return self.reply(200, {"token_type": "bearer", "expires_in": 600})  # no access_token

    def client_ok(self, s):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(auth[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, s.client_id) and hmac.compare_digest(password, s.client_secret)

    def api(self, s, path):
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else None
        with s.lock:
            expiry = s.tokens.get(token)
        if expiry is None or expiry < time.time():
            return self.reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": "Bearer"})
        return self.reply(200, {"ok": True, "client_id": s.client_id, "path": path})


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret-file", required=True)
    p.add_argument("--expires-in", type=int, default=600)
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before issuing a token")
    p.add_argument("--fail-first", type=int, default=0, help="answer the first N token requests with an error")
    p.add_argument("--fail-status", type=int, default=503)
    p.add_argument("--retry-after", type=int, default=None)
    p.add_argument("--misbehave", choices=["redirect", "huge", "crlf", "no-token"],
                   help="answer valid token requests like a broken server")
    args = p.parse_args()
    emulib.serve(XdrHandler, args, State(args))


if __name__ == "__main__":
    main()
