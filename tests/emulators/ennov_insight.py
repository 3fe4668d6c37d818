"""A strict loopback emulator of an on-premises Ennov InSight server's
session login (seed 004, steps 2 to 5).

GET  PREFIX/api/v2/token   a new session: {"xAuthToken": ID} and the headers
                           X-CSRF-HEADER, X-CSRF-PARAM and X-CSRF-TOKEN.
POST PREFIX/api/v2/login   needs Cookie JSESSIONID=ID, the session's
                           X-CSRF-TOKEN, Content-Type application/json and
                           the body {"access_token", "refresh_token",
                           "token_type": "Bearer"} where access_token is an
                           unexpired Azure AD token of the tenant, signed
                           with the key the Azure AD emulator signs with.
                           Answers a new X-CSRF-TOKEN (and, with
                           --new-session-on-login, a new JSESSIONID).
GET  PREFIX/api/v2/event/N         needs the logged-in session's cookie.
POST PREFIX/api/v2/event/N/delete  needs the cookie and the CSRF token, as
                           the X-CSRF-TOKEN header or the _csrf parameter.
GET  /_emulator/stats      counters, without authentication.
"""

import json
import secrets
import threading
import time
import uuid

import emulib
from emulib import oauth_error


class Session:
    def __init__(self, lifetime):
        self.id = secrets.token_hex(16).upper()
        self.csrf = str(uuid.uuid4())
        self.logged_in = False
        self.expires = time.monotonic() + lifetime


class State:
    def __init__(self, args):
        self.prefix = args.prefix.rstrip("/")
        self.tenant = args.tenant
        self.client_id = args.client_id
        self.key = emulib.read_secret_file(args.token_key_file).encode()
        self.lifetime = args.session_lifetime
        self.new_session_on_login = args.new_session_on_login
        self.counters = emulib.Counters("sessions_started", "logins", "login_refused", "api_requests", "api_refused")
        self._sessions = {}
        self._lock = threading.Lock()

    def start(self):
        s = Session(self.lifetime)
        with self._lock:
            now = time.monotonic()
            self._sessions = {k: v for k, v in self._sessions.items() if v.expires > now}
            self._sessions[s.id] = s
        return s

    def find(self, session_id):
        with self._lock:
            s = self._sessions.get(session_id)
        return s if s is not None and s.expires > time.monotonic() else None

    def replace(self, old):
        """A new id for a session that logged in (session fixation)."""
        new = Session(self.lifetime)
        new.logged_in, new.csrf = True, old.csrf
        with self._lock:
            self._sessions.pop(old.id, None)
            self._sessions[new.id] = new
        return new

    def azure_token_ok(self, token):
        claims = emulib.jwt_verify_hs256(token, self.key)
        return (claims is not None and claims.get("tid") == self.tenant and isinstance(claims.get("exp"), (int, float))
                and claims["exp"] > time.time() and self.client_id in (claims.get("aud"), claims.get("azp"),
                                                                      claims.get("appid")))


def cookie(header, name):
    for part in (header or "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


class InsightHandler(emulib.Handler):
    def route(self, method, path, query):
        s = self.state
        if path == "/_emulator/stats":
            return self.reply(200, s.counters.snapshot())
        if not path.startswith(s.prefix + "/api/v2/"):
            return self.reply(404, {"error": "not_found"})
        rest = path[len(s.prefix) + len("/api/v2/"):]
        if rest == "token":
            return self.token(method) if method == "GET" else self.reply(405, {"error": "method_not_allowed"})
        if rest == "login":
            return self.login(method)
        if rest.startswith("event/"):
            return self.api(method, rest, query)
        return self.reply(404, {"error": "not_found"})

    def csrf_headers(self, session):
        return {"X-CSRF-HEADER": "X-CSRF-TOKEN", "X-CSRF-PARAM": "_csrf", "X-CSRF-TOKEN": session.csrf}

    def token(self, method):
        session = self.state.start()
        self.state.counters.add("sessions_started")
        return self.reply(200, {"xAuthToken": session.id}, self.csrf_headers(session))

    def refuse_login(self, status, why):
        self.state.counters.add("login_refused")
        return self.reply(status, {"error": "unauthorized", "message": why})

    def login(self, method):
        s = self.state
        if method != "POST":
            return self.reply(405, {"error": "method_not_allowed"})
        session = s.find(cookie(self.headers.get("Cookie"), "JSESSIONID"))
        if session is None or session.logged_in:
            return self.refuse_login(401, "no session: GET /api/v2/token first")
        if not emulib.same(self.headers.get("X-CSRF-TOKEN") or "", session.csrf):
            return self.refuse_login(403, "Invalid CSRF Token")
        if emulib.media_type(self.headers.get("Content-Type")) != "application/json":
            return self.refuse_login(415, "Content-Type must be application/json")
        body = self.body()
        if body is None:
            return None
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or set(doc) != {"access_token", "refresh_token", "token_type"} or \
                doc["token_type"] != "Bearer" or not all(isinstance(v, str) for v in doc.values()):
            return self.refuse_login(400, "the body must be {access_token, refresh_token, token_type: Bearer}")
        if not s.azure_token_ok(doc["access_token"]):
            return self.refuse_login(401, "the Azure AD token is not valid for this server")
        session.logged_in = True
        session.csrf = str(uuid.uuid4())  # a new token for the logged-in session
        headers = self.csrf_headers(session)
        if s.new_session_on_login:
            session = s.replace(session)
            headers["Set-Cookie"] = f"JSESSIONID={session.id}; Path={s.prefix or '/'}; HttpOnly"
        s.counters.add("logins")
        return self.reply(200, {"status": "logged in"}, headers)

    def api(self, method, rest, query):
        s = self.state
        s.counters.add("api_requests")
        session = s.find(cookie(self.headers.get("Cookie"), "JSESSIONID"))
        if session is None or not session.logged_in:
            s.counters.add("api_refused")
            return self.reply(401, {"error": "unauthorized", "message": "log in first"})
        if method == "GET":
            return self.reply(200, {"ok": True, "event": rest})
        if method != "POST" or not rest.endswith("/delete"):
            return self.reply(405, {"error": "method_not_allowed"})
        csrf = self.headers.get("X-CSRF-TOKEN") or query.get("_csrf", [""])[0]
        if not emulib.same(csrf, session.csrf):
            s.counters.add("api_refused")
            return self.reply(403, {"error": "forbidden", "message": "Invalid CSRF Token"})
        return self.reply(200, {"ok": True, "deleted": rest})


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--prefix", default="/insight", help="the server's context path (default /insight)")
    p.add_argument("--tenant", required=True, help="the Azure AD tenant whose tokens are accepted")
    p.add_argument("--client-id", required=True, help="the Azure AD application the tokens must be for")
    p.add_argument("--token-key-file", required=True, help="the key the Azure AD emulator signs access tokens with")
    p.add_argument("--session-lifetime", type=float, default=1800, help="seconds a session lives")
    p.add_argument("--new-session-on-login", action="store_true", help="give a new JSESSIONID at login")
    args = p.parse_args()
    emulib.serve(InsightHandler, args, State(args))


if __name__ == "__main__":
    main()
