"""A strict loopback emulator of the Kaspersky MDR REST API's token exchange.

POST /api/v1/{client_id}/session/confirm, for the configured client id
only, wants Content-Type application/json and a body of exactly
{"refresh_token": STRING}, as seed 000's examples send it. Refresh and
access tokens are JWTs signed HS256 with a key only this process knows,
each with an exp. A refresh token is single-use: only the newest one
works (an older one is refused even before its exp), and an expired one is
refused, with HTTP 401 {"error": "invalid_token", "error_description"}.
A good one is answered {"access_token", "refresh_token"} (no expires_in:
the tokens' own exp says when they end), and its successor becomes the
only one that works.

GET /api/v1/{client_id}/incidents wants "Authorization: Bearer" with an
unexpired access token this emulator issued. GET /_emulator/stats reports
the counters (`stalled`: token requests held by --stall-first) and
newest_refresh_sha256 (hex SHA-256 of the newest refresh token), without
authentication.

The first refresh token is minted at start and written to
--refresh-token-out (mode 0600) before the port file, never to argv or
the log.
"""

import hashlib
import json
import os
import secrets
import signal
import threading
import time

import emulib
from emulib import oauth_error

API = "/api/v1/"
DAY = 86400


class State:
    def __init__(self, args):
        self.client_id = args.client_id
        self.access_lifetime = args.access_lifetime
        self.refresh_lifetime = args.refresh_lifetime
        self.delay = args.delay
        self.stall = emulib.Stall(args)
        self.stop_before_answer = args.stop_before_answer
        self.key = secrets.token_bytes(32)
        self.counters = emulib.Counters("token_requests", "rotations", "refused", "api_requests")
        self._lock = threading.Lock()
        if args.first_refresh_expired:
            first = -60
        elif args.first_refresh_lifetime is not None:
            first = args.first_refresh_lifetime
        else:
            first = self.refresh_lifetime
        self.newest = self.mint("refresh", first)
        write_private(args.refresh_token_out, self.newest + "\n")

    def mint(self, typ, lifetime):
        now = int(time.time())
        claims = {"sub": self.client_id, "typ": typ, "jti": secrets.token_urlsafe(12), "iat": now,
                  "exp": now + lifetime}
        return emulib.jwt_hs256(claims, self.key)

    def claims(self, token, typ):
        """The claims of a `typ` token this emulator signed for this client
        and that has not expired, else None."""
        claims = emulib.jwt_verify_hs256(token, self.key)
        if claims is None or claims.get("typ") != typ or claims.get("sub") != self.client_id:
            return None
        exp = claims.get("exp")
        return claims if isinstance(exp, int) and exp > time.time() else None

    def rotate(self, refresh):
        """(access token, next refresh token) when `refresh` is the newest
        refresh token and unexpired, which spends it; else None."""
        with self._lock:
            if self.claims(refresh, "refresh") is None or not emulib.same(refresh, self.newest):
                return None
            self.newest = self.mint("refresh", self.refresh_lifetime)
            return self.mint("access", self.access_lifetime), self.newest

    def newest_sha256(self):
        with self._lock:
            return hashlib.sha256(self.newest.encode()).hexdigest()


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)


def refused(description):
    return oauth_error("invalid_token", description)


class MdrHandler(emulib.Handler):
    def route(self, method, path, query):
        s = self.state
        if path == "/_emulator/stats":
            if method != "GET":
                return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
            return self.reply(200, {**s.counters.snapshot(), **s.stall.counters.snapshot(),
                                    "newest_refresh_sha256": s.newest_sha256()})
        if path == f"{API}{s.client_id}/session/confirm":
            s.counters.add("token_requests")
            return self.confirm(method, query)
        if path == f"{API}{s.client_id}/incidents":
            s.counters.add("api_requests")
            if method != "GET":
                return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
            return self.incidents()
        if path.startswith(API) and path.endswith("/session/confirm"):
            s.counters.add("token_requests")
            return self.reply(404, oauth_error("invalid_client", "unknown client id"))
        return self.reply(404, {"error": "not_found"})

    def confirm(self, method, query):
        s = self.state
        if method != "POST":
            return self.reply(405, oauth_error("invalid_request", "use POST"), {"Allow": "POST"})
        if s.stall.hold(self):  # before the refresh token is looked at: it stays unspent
            return None
        if s.delay:  # a slow server is slow to say no, too
            time.sleep(s.delay)
        if query:
            return self.reply(400, oauth_error("invalid_request", "parameters belong in the body, not the URL"))
        if emulib.media_type(self.headers.get("Content-Type")) != "application/json":
            return self.reply(415, oauth_error("invalid_request", "Content-Type must be application/json"))
        accept = self.headers.get("Accept")
        if accept is not None and not any(emulib.accepts(accept, t) for t in ("application/json", "*/*")):
            return self.reply(406, oauth_error("invalid_request", "the answer is application/json"))
        body = self.body()
        if body is None:
            return None
        refresh = json_refresh_token(body)
        if refresh is None:
            return self.reply(400, oauth_error("invalid_request", 'the body must be {"refresh_token": "..."}'))
        tokens = s.rotate(refresh)
        if tokens is None:
            s.counters.add("refused")
            return self.reply(401, refused("the refresh token is expired, already used or not ours"))
        s.counters.add("rotations")
        if s.stop_before_answer:  # once: the client gets its new refresh token while that process is stopped
            os.kill(s.stop_before_answer, signal.SIGSTOP)
            s.stop_before_answer = None
        return self.reply(200, {"access_token": tokens[0], "refresh_token": tokens[1]})

    def incidents(self):
        s = self.state
        token = emulib.bearer_token(self.headers.get("Authorization"))
        if token is None or s.claims(token, "access") is None:
            return self.reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return self.reply(200, {"incidents": [], "client_id": s.client_id})


def json_refresh_token(body):
    """The string of a body that is exactly {"refresh_token": STRING}, else
    None."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict) or list(doc) != ["refresh_token"] or not isinstance(doc["refresh_token"], str):
        return None
    return doc["refresh_token"]


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--client-id", required=True)
    p.add_argument("--refresh-token-out", required=True, metavar="FILE",
                   help="the first refresh token is written here (mode 0600)")
    p.add_argument("--access-lifetime", type=int, default=3600, help="access token lifetime (default 3600 s)")
    p.add_argument("--refresh-lifetime", type=int, default=30 * DAY, help="refresh token lifetime (default 30 days)")
    first = p.add_mutually_exclusive_group()
    first.add_argument("--first-refresh-expired", action="store_true", help="mint the first refresh token expired")
    first.add_argument("--first-refresh-lifetime", type=int, metavar="SECONDS",
                       help="lifetime of the first refresh token (default --refresh-lifetime)")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a token request")
    emulib.Stall.add_arguments(p)
    p.add_argument("--stop-before-answer", type=int, metavar="PID",
                   help="stop process PID (SIGSTOP) just before the first rotated answer is sent: "
                        "a secret store that hangs as the client gets its new refresh token")
    args = p.parse_args()
    emulib.serve(MdrHandler, args, State(args))


if __name__ == "__main__":
    main()
