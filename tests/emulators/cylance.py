"""A strict loopback emulator of the BlackBerry Cylance User API token exchange.

POST /auth/v2/token wants Content-Type application/json (a charset may
follow) and a JSON object body of exactly {"auth_token": JWT}, as the
vendor's example sends it. The auth token must be signed HS256 with the app
secret ("none" and other algorithms are refused) and carry iss
"http://cylance.com", sub = the app id, tid = the tenant, iat within 300 s
of this server's clock, exp in the future and at most 1800 s after iat, a
jti never seen before (a replay is refused), and, if present, scp: a list of
scopes this application was granted. It answers {"access_token": JWT}, a
token signed HS256 with a key private to this process, whose own exp says
when it expires. GET /devices/v2 wants "Authorization: Bearer" with such a
token, unexpired. Failures answer 400 or 401 with {"message": "..."}, as
Cylance does. GET /_emulator/stats reports counters, without
authentication, and what the last accepted auth token asked for
(last_scp, last_auth_lifetime = exp - iat). Every answer's Date header
follows this server's clock, --clock-offset included.

The app secret is read from a file, never from argv.
"""

import json
import secrets
import threading
import time
import uuid

import emulib

TOKEN_PATH = "/auth/v2/token"
API_PATH = "/devices/v2"
ISSUER = "http://cylance.com"
MAX_SKEW = 300  # seconds an auth token's iat may be off this server's clock
MAX_AUTH_LIFETIME = 1800  # "timeout = 1800  # 30 minutes from now"
NO_SCP = object()


class Refused(Exception):
    """A token request Cylance would refuse: HTTP `status`, {"message": text}."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status, self.text = status, text


def message(text):
    return {"message": text}


def whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


class State:
    def __init__(self, args):
        self.app_id = args.app_id
        self.tenant = args.tenant
        self.app_secret = emulib.read_secret_file(args.app_secret_file).encode()
        self.allowed_scopes = set(args.scopes.split())
        self.clock_offset = args.clock_offset
        self.access_lifetime = args.access_lifetime
        self.delay = args.delay
        self.access_key = secrets.token_bytes(32)  # signs the access tokens; known to nobody else
        self.counters = emulib.Counters("token_requests", "tokens_issued", "api_requests", "jti_replays",
                                        "rejected")
        self._lock = threading.Lock()
        self._jtis = set()
        self.last_scp = None
        self.last_auth_lifetime = None

    def now(self):
        """This server's clock, skewed by --clock-offset."""
        return int(time.time()) + self.clock_offset

    def spend_jti(self, jti):
        """True the first time `jti` is seen."""
        with self._lock:
            if jti in self._jtis:
                return False
            self._jtis.add(jti)
            return True

    def record(self, scp, lifetime):
        with self._lock:
            self.last_scp = None if scp is NO_SCP else scp
            self.last_auth_lifetime = lifetime

    def stats(self):
        with self._lock:
            return {"last_scp": self.last_scp, "last_auth_lifetime": self.last_auth_lifetime}


class CylanceHandler(emulib.Handler):
    def date_time_string(self, timestamp=None):
        """The Date header, from this server's (skewed) clock."""
        return super().date_time_string(self.state.now() if timestamp is None else timestamp)

    def route(self, method, path, query):
        s = self.state
        if path == "/_emulator/stats":
            if method != "GET":
                return self.reply(405, message("use GET"), {"Allow": "GET"})
            return self.reply(200, {**s.counters.snapshot(), **s.stats(), "connections": self.server.connections})
        if path == TOKEN_PATH:
            s.counters.add("token_requests")
            return self.token(method, query)
        if path == API_PATH:
            s.counters.add("api_requests")
            if method != "GET":
                return self.reply(405, message("use GET"), {"Allow": "GET"})
            return self.api()
        return self.reply(404, message("not found"))

    def refuse(self, status, text):
        self.state.counters.add("rejected")
        return self.reply(status, message(text))

    def token(self, method, query):
        s = self.state
        if method != "POST":
            return self.reply(405, message("use POST"), {"Allow": "POST"})
        if s.delay:  # a slow server is slow to say no, too
            time.sleep(s.delay)
        if query:
            return self.refuse(400, "no query parameters on the token endpoint")
        if emulib.media_type(self.headers.get("Content-Type")) != "application/json":
            return self.refuse(400, "Content-Type must be application/json")
        accept = self.headers.get("Accept")
        if accept is not None and not (emulib.accepts(accept, "application/json") or emulib.accepts(accept, "*/*")):
            return self.refuse(400, "Accept must allow application/json")
        body = self.body()
        if body is None:
            return None
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self.refuse(400, "the body is not JSON")
        if not isinstance(payload, dict) or list(payload) != ["auth_token"] or not isinstance(
                payload["auth_token"], str):
            return self.refuse(400, "the body must be {\"auth_token\": JWT}")
        try:
            scp = self.check_auth_token(payload["auth_token"])
        except Refused as e:
            return self.refuse(e.status, e.text)
        now = s.now()
        claims = {"exp": now + s.access_lifetime, "iat": now, "iss": ISSUER, "sub": s.app_id, "tid": s.tenant,
                  "jti": str(uuid.uuid4())}
        if scp is not NO_SCP:
            claims["scp"] = scp
        s.counters.add("tokens_issued")
        return self.reply(200, {"access_token": emulib.jwt_hs256(claims, s.access_key)})

    def check_auth_token(self, token):
        """The scp of `token` (NO_SCP when absent) when it is a valid,
        unspent auth token, after recording what it asked for; raises
        Refused otherwise."""
        s = self.state
        parts = emulib.jwt_parts(token)
        if parts is None:
            raise Refused(400, "the auth token is not a JWT")
        if parts[0].get("alg") != "HS256":
            raise Refused(401, "the auth token must be signed HS256")
        claims = emulib.jwt_verify_hs256(token, s.app_secret)
        if claims is None:
            raise Refused(401, "invalid auth token signature")
        if claims.get("iss") != ISSUER:
            raise Refused(401, f"iss must be {ISSUER}")
        if claims.get("sub") != s.app_id:
            raise Refused(401, "unknown application (sub)")
        if claims.get("tid") != s.tenant:
            raise Refused(401, "unknown tenant (tid)")
        iat, exp, now = claims.get("iat"), claims.get("exp"), s.now()
        if not whole_number(iat) or not whole_number(exp):
            raise Refused(401, "iat and exp must be whole numbers")
        if abs(iat - now) > MAX_SKEW:
            raise Refused(401, f"iat is not within {MAX_SKEW} s of the server clock")
        if exp <= now:
            raise Refused(401, "the auth token has expired")
        if exp - iat > MAX_AUTH_LIFETIME:
            raise Refused(401, f"exp may be at most {MAX_AUTH_LIFETIME} s after iat")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise Refused(401, "jti is missing")
        scp = claims.get("scp", NO_SCP)
        if scp is not NO_SCP:
            if not isinstance(scp, list) or not scp or not all(isinstance(x, str) for x in scp):
                raise Refused(400, "scp must be a list of scopes")
            extra = sorted(set(scp) - s.allowed_scopes)
            if extra:
                raise Refused(400, f"scope not granted to this application: {extra[0]}")
        if not s.spend_jti(jti):
            s.counters.add("jti_replays")
            raise Refused(401, "the auth token was already used (jti)")
        s.record(scp, exp - iat)
        return scp

    def api(self):
        s = self.state
        token = emulib.bearer_token(self.headers.get("Authorization"))
        claims = emulib.jwt_verify_hs256(token, s.access_key) if token else None
        if claims is None or claims.get("tid") != s.tenant or not whole_number(claims.get("exp")) or \
                claims["exp"] <= s.now():
            return self.reply(401, message("invalid or expired access token"),
                              {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if "scp" in claims and "device:list" not in claims["scp"]:
            return self.reply(403, message("the token lacks the device:list scope"))
        return self.reply(200, {"page_number": 1, "page_size": 10, "total_pages": 0, "total_number_of_items": 0,
                                "page_items": []})


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--app-id", required=True)
    p.add_argument("--tenant", required=True)
    p.add_argument("--app-secret-file", required=True, help="file holding the application's secret")
    p.add_argument("--scopes", default="device:list device:read threat:read policy:list policy:read",
                   help="the scopes the application was granted, space-separated")
    p.add_argument("--clock-offset", type=int, default=0, metavar="SECONDS",
                   help="skew this server's clock by SECONDS (test only)")
    p.add_argument("--access-lifetime", type=int, default=1800, help="access token lifetime (default 1800)")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a token request")
    args = p.parse_args()
    emulib.serve(CylanceHandler, args, State(args))


if __name__ == "__main__":
    main()
