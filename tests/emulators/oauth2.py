"""A strict loopback emulator of a generic RFC 6749 authorization server.

It knows one client (--client-id). The client may authenticate with a
secret (--client-secret-file) by HTTP Basic or in the form (RFC 6749
section 2.3.1), with an RS256/PS256 assertion signed by the key of
--certificate (private_key_jwt, RFC 7523 section 3), or, if --public, not
at all (client_id in the form, RFC 6749 section 2.1). A request that
authenticates in more than one way is invalid_request (section 2.3).
HTTP Basic credentials are form-decoded, as section 2.3.1 says, and must
have been form-encoded: a raw character the encoding would have changed
is invalid_client.

POST /token (--token-path) wants Content-Type
application/x-www-form-urlencoded, an Accept (if any) that allows JSON, no
query string and no parameter twice. Grants:
  client_credentials (section 4.4; confidential client only);
  refresh_token (section 6): single use; each refresh returns a new one and
    the old one stops working (--no-rotate: no new one, the old one stays);
    --refresh-token-out FILE writes a first one at startup;
  urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523 section 2.1): the
    assertion signed by the --certificate key, iss = the client id, sub =
    --assertion-subject (default the client id), aud = --assertion-audience
    (default the token endpoint's full URL);
  authorization_code with PKCE S256 (RFC 7636), from GET /authorize;
  urn:ietf:params:oauth:grant-type:device_code (RFC 8628), from POST
    /device/code, approved with POST /_emulator/device.
Every assertion: alg RS256 or PS256, exp in the future, exp - iat <= 600,
a jti never seen before, x5t#S256 (when sent) the certificate's, kid
(when --key-id) that one. The requested scope must be within --scopes
(invalid_scope); --require-audience, --require-resource and --require-form
NAME=VALUE name fields that must come with every token request. Errors are
RFC 6749 section 5.2 JSON: 400, or 401 with WWW-Authenticate for a client
that failed HTTP Basic.

GET /authorize?response_type=code&client_id&redirect_uri&state&
code_challenge&code_challenge_method=S256[&scope]: the person signs in with
HTTP Basic --user and the password in --password-file and is sent (302) to
redirect_uri?code=...&state=...; redirect_uri must be
http://127.0.0.1:PORT/... (RFC 8252 section 7.3). The header
"X-Emulator-Consent: deny" makes the person refuse (error=access_denied).

POST /device/code (--device-path): the client (authenticated as at the
token endpoint) gets device_code, user_code, verification_uri,
verification_uri_complete, expires_in and interval. POST /_emulator/device
with user_code (and action=deny to refuse) and the person's HTTP Basic
decides. Polling answers authorization_pending, slow_down (when sooner
than the interval, which then grows by 5 s), access_denied, expired_token,
then the tokens.

GET /api/resource wants a Bearer token this emulator issued that has not
expired. GET /_emulator/stats reports counters (token_requests,
tokens_issued, api_requests, grant_NAME, error_CODE, ...), the SHA-256 of
the newest refresh token issued, and the names of the last token
request's form fields and how its client authenticated.

Secrets are read from files, never argv.
"""

import hashlib
import os
import re
import secrets
import threading
import time
import urllib.parse

import emulib
from emulib import oauth_error

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRANT_COUNTERS = {"client_credentials": "grant_client_credentials", "refresh_token": "grant_refresh_token",
                  JWT_BEARER: "grant_jwt_bearer", "authorization_code": "grant_authorization_code",
                  DEVICE_CODE: "grant_device_code"}
MAX_ASSERTION_LIFETIME = 600
CLOCK_SKEW = 60
CODE_LIFETIME = 60
# What the form encoding (RFC 6749 appendix B, or RFC 3986 percent-encoding
# of all but the unreserved characters) may leave in a value.
FORM_ENCODED = re.compile(r"^(?:[A-Za-z0-9*\-._~+]|%[0-9A-Fa-f]{2})*$")
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")  # RFC 6749 section 3.3
PKCE_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 section 4.1
PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # base64url of a SHA-256


class Answered(Exception):
    """The request has had its answer already (emulib refused its body)."""


class OAuthError(Exception):
    """An RFC 6749 error answer: raised anywhere in a request, sent once."""

    def __init__(self, code, description, status=400, headers=None):
        super().__init__(code)
        self.code, self.description, self.status, self.headers = code, description, status, headers or {}


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


def pkce_s256(verifier):
    return emulib.b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


class State:
    def __init__(self, args):
        self.client_id = args.client_id
        self.client_secret = emulib.read_secret_file(args.client_secret_file) if args.client_secret_file else None
        self.certificate = args.certificate
        self.thumbprint = emulib.x5t_s256(args.certificate) if args.certificate else None
        self.key_id = args.key_id
        self.public = args.public
        self.assertion_subject = args.assertion_subject or args.client_id
        self.assertion_audience = args.assertion_audience
        self.scopes = args.scopes.split() if args.scopes is not None else None
        self.require_audience = args.require_audience
        self.require_resource = args.require_resource
        self.require_form = [self.name_value(f) for f in args.require_form]
        self.rotate = not args.no_rotate
        self.expires_in = args.expires_in
        self.delay = args.delay
        self.token_path, self.authorize_path, self.device_path = args.token_path, args.authorize_path, args.device_path
        self.user = args.user
        self.password = emulib.read_secret_file(args.password_file) if args.password_file else None
        self.device_interval = args.device_interval
        self.device_expires_in = args.device_expires_in
        self.plain = getattr(args, "plain", False)
        self.counters = emulib.Counters("token_requests", "tokens_issued", "api_requests", *GRANT_COUNTERS.values())
        self.lock = threading.Lock()
        self.access = {}    # access token -> (monotonic expiry, scope, grant)
        self.refresh = {}   # live refresh token -> scope
        self.jtis = {}      # jti -> exp
        self.codes = {}     # authorization code -> dict
        self.devices = {}   # device_code -> dict
        self.newest_refresh_sha256 = None
        self.last_form_fields = []
        self.last_client_auth = None
        if args.refresh_token_out:
            token = self.issue_refresh(" ".join(self.scopes or []))
            with open(args.refresh_token_out, "w", opener=lambda path, flags: os.open(path, flags, 0o600)) as f:
                f.write(token + "\n")

    @staticmethod
    def name_value(text):
        name, eq, value = text.partition("=")
        if not eq or not name:
            raise SystemExit(f"--require-form wants NAME=VALUE, not {text!r}")
        return name, value

    def issue_refresh(self, scope):
        token = "rt-" + secrets.token_urlsafe(32)
        with self.lock:
            self.refresh[token] = scope
            self.newest_refresh_sha256 = sha256_hex(token)
        return token

    def refresh_scope(self, token):
        """The scope of a live refresh token, else None."""
        with self.lock:
            return self.refresh.get(token)

    def spend_refresh(self, token):
        """False when `token` is not live (any more); else it stops working
        now, unless tokens do not rotate."""
        with self.lock:
            if not self.rotate:
                return token in self.refresh
            return self.refresh.pop(token, None) is not None

    def issue_access(self, scope, grant):
        token = "o2-" + secrets.token_urlsafe(32)
        now = time.monotonic()
        with self.lock:
            self.access = {t: v for t, v in self.access.items() if v[0] > now}
            self.access[token] = (now + self.expires_in, scope, grant)
        self.counters.add("tokens_issued")
        return token

    def access_token(self, token):
        with self.lock:
            entry = self.access.get(token)
        return entry if entry is not None and entry[0] > time.monotonic() else None

    def remember_jti(self, jti, exp):
        """False when `jti` was seen before (a replayed assertion)."""
        now = time.time()
        with self.lock:
            self.jtis = {j: e for j, e in self.jtis.items() if e > now - CLOCK_SKEW}
            if jti in self.jtis:
                return False
            self.jtis[jti] = exp
            return True


def single(form, name):
    """The one value of `name`, or None when absent."""
    values = form.get(name)
    return values[0] if values else None


class OAuth2Handler(emulib.Handler):
    def base_url(self):
        return f"{'http' if self.state.plain else 'https'}://127.0.0.1:{self.server.server_address[1]}"

    def token_url(self):
        return self.base_url() + self.state.token_path

    def route(self, method, path, query):
        s = self.state
        try:
            if path == "/_emulator/stats":
                self.allow(method, "GET")
                return self.stats()
            if path == s.token_path:
                s.counters.add("token_requests")
                return self.token(method, query)
            if path == s.authorize_path:
                self.allow(method, "GET")
                return self.authorize(query)
            if path == s.device_path:
                return self.device_authorization(method, query)
            if path == "/_emulator/device":
                self.allow(method, "POST")
                return self.device_decision()
            if path == "/device":
                return self.reply(200, {"enter": "user_code", "at": self.base_url() + "/_emulator/device"})
            if path == "/api/resource":
                s.counters.add("api_requests")
                self.allow(method, "GET")
                return self.api()
            return self.reply(404, {"error": "not_found"})
        except Answered:
            return None
        except OAuthError as e:
            s.counters.add("error_" + e.code)
            return self.reply(e.status, oauth_error(e.code, e.description), e.headers)

    def allow(self, method, wanted):
        if method != wanted:
            raise OAuthError("invalid_request", f"use {wanted}", 405, {"Allow": wanted})

    def stats(self):
        s = self.state
        with s.lock:
            extra = {"newest_refresh_sha256": s.newest_refresh_sha256, "live_refresh_tokens": len(s.refresh),
                     "last_form_fields": list(s.last_form_fields), "last_client_auth": s.last_client_auth}
        return self.reply(200, {**s.counters.snapshot(), **extra, "connections": self.server.connections})

    # --- the token endpoint -------------------------------------------

    def form_request(self, method, query):
        """The form of a POST with a form body, checked as RFC 6749 wants."""
        self.allow(method, "POST")
        if query:
            raise OAuthError("invalid_request", "parameters belong in the body, not the URL")
        if emulib.media_type(self.headers.get("Content-Type")) != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        accept = self.headers.get("Accept")
        if accept is not None and not any(emulib.accepts(accept, t) for t in ("application/json", "application/*",
                                                                              "*/*")):
            raise OAuthError("invalid_request", "Accept must allow application/json", 406)
        body = self.body()
        if body is None:
            raise Answered()
        form = emulib.parse_form(body)
        if form is None:
            raise OAuthError("invalid_request", "the body is not application/x-www-form-urlencoded")
        twice = [name for name, values in form.items() if len(values) > 1]
        if twice:
            raise OAuthError("invalid_request", f"parameter {twice[0]} sent more than once (RFC 6749 section 3.2)")
        return form

    def token(self, method, query):
        s = self.state
        if s.delay:  # a slow server is slow to say no, too
            time.sleep(s.delay)
        form = self.form_request(method, query)
        with s.lock:
            s.last_form_fields = list(form)
        grant = single(form, "grant_type")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is missing")
        auth = self.authenticate_client(form)
        with s.lock:
            s.last_client_auth = auth
        handler = {"client_credentials": self.client_credentials, "refresh_token": self.refresh_grant,
                   JWT_BEARER: self.jwt_bearer, "authorization_code": self.authorization_code,
                   DEVICE_CODE: self.device_code}.get(grant)
        if handler is None:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant[:60]} is not supported")
        s.counters.add(GRANT_COUNTERS[grant])
        self.check_requirements(form)
        return handler(form, auth)

    def check_requirements(self, form):
        s = self.state
        if s.require_audience is not None and single(form, "audience") != s.require_audience:
            raise OAuthError("invalid_request", "audience is missing or not this server's API")
        if s.require_resource is not None and single(form, "resource") != s.require_resource:
            raise OAuthError("invalid_target", "resource is missing or unknown (RFC 8707)")
        for name, value in s.require_form:
            if single(form, name) != value:
                raise OAuthError("invalid_request", f"{name} is missing or wrong")

    def granted_scope(self, form, within):
        """The scope to grant: the requested one (which must lie within
        `within`, a list, or anything when None), else all of `within`."""
        requested = single(form, "scope")
        if requested is None:
            return " ".join(within or [])
        tokens = requested.split(" ")
        if not all(SCOPE_TOKEN.match(t) for t in tokens):
            raise OAuthError("invalid_scope", "malformed scope")
        if within is not None and not set(tokens) <= set(within):
            raise OAuthError("invalid_scope", "scope " + " ".join(t for t in tokens if t not in within)[:80] +
                             " is not granted to this client")
        return requested

    def answer_tokens(self, scope, grant, refresh=True):
        s = self.state
        answer = {"access_token": s.issue_access(scope, grant), "token_type": "Bearer", "expires_in": s.expires_in}
        if scope:
            answer["scope"] = scope
        if refresh:
            answer["refresh_token"] = s.issue_refresh(scope)
        return self.reply(200, answer)

    def client_credentials(self, form, auth):
        if auth == "none":
            raise OAuthError("unauthorized_client", "client_credentials is for confidential clients only")
        return self.answer_tokens(self.granted_scope(form, self.state.scopes), "client_credentials", refresh=False)

    def refresh_grant(self, form, auth):
        token = single(form, "refresh_token")
        if not token:
            raise OAuthError("invalid_request", "refresh_token is missing")
        spent = OAuthError("invalid_grant", "the refresh token is invalid, expired or already used")
        scope = self.state.refresh_scope(token)
        if scope is None:
            raise spent
        # A refused request leaves the token alive (RFC 6749 section 6).
        granted = self.granted_scope(form, scope.split())
        if not self.state.spend_refresh(token):
            raise spent
        return self.answer_tokens(granted, "refresh_token", refresh=self.state.rotate)

    def jwt_bearer(self, form, auth):
        s = self.state
        assertion = single(form, "assertion")
        if not assertion:
            raise OAuthError("invalid_request", "assertion is missing")
        problem = self.check_assertion(assertion, s.client_id, s.assertion_subject,
                                       s.assertion_audience or self.token_url())
        if problem:
            raise OAuthError("invalid_grant", "assertion refused: " + problem)
        return self.answer_tokens(self.granted_scope(form, s.scopes), JWT_BEARER, refresh=False)

    def authorization_code(self, form, auth):
        s = self.state
        code, redirect_uri, verifier = (single(form, n) for n in ("code", "redirect_uri", "code_verifier"))
        if not code or not redirect_uri or verifier is None:
            raise OAuthError("invalid_request", "code, redirect_uri and code_verifier are required")
        with s.lock:
            grant = s.codes.pop(code, None)  # single use, even when refused below
        if grant is None or grant["expires"] < time.monotonic():
            raise OAuthError("invalid_grant", "the authorization code is invalid, expired or already used")
        if grant["redirect_uri"] != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
        if not PKCE_VERIFIER.match(verifier) or pkce_s256(verifier) != grant["challenge"]:
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge (RFC 7636)")
        return self.answer_tokens(grant["scope"], "authorization_code")

    def device_code(self, form, auth):
        s = self.state
        code = single(form, "device_code")
        if not code:
            raise OAuthError("invalid_request", "device_code is missing")
        now = time.monotonic()
        with s.lock:
            d = s.devices.get(code)
            if d is None:
                raise OAuthError("invalid_grant", "unknown device_code")
            if d["expires"] < now:
                s.devices.pop(code)
                raise OAuthError("expired_token", "the device code expired: start again")
            too_soon = d["last_poll"] is not None and now - d["last_poll"] < d["interval"]
            d["last_poll"] = now
            if d["denied"]:
                s.devices.pop(code)
                raise OAuthError("access_denied", "the person refused")
            if too_soon:
                d["interval"] += 5  # RFC 8628 section 3.5
                raise OAuthError("slow_down", f"poll at most every {d['interval']} s")
            if not d["approved"]:
                raise OAuthError("authorization_pending", "the person has not decided yet")
            s.devices.pop(code)
        return self.answer_tokens(d["scope"], DEVICE_CODE)

    # --- client authentication ----------------------------------------

    def authenticate_client(self, form):
        """How the client authenticated: basic, post, private_key_jwt or
        none (a public client naming itself); raises OAuthError."""
        s = self.state
        header = self.headers.get("Authorization")
        methods = [m for m, used in (("basic", header is not None), ("post", "client_secret" in form),
                                     ("private_key_jwt", "client_assertion" in form or
                                      "client_assertion_type" in form)) if used]
        if len(methods) > 1:
            raise OAuthError("invalid_request", "the client authenticated in more than one way: "
                             + " and ".join(methods) + " (RFC 6749 section 2.3)")
        method = methods[0] if methods else "none"
        form_id = single(form, "client_id")
        if method == "basic":
            self.check_basic(header)
            if form_id is not None and form_id != s.client_id:
                raise OAuthError("invalid_request", "client_id differs from the HTTP Basic user")
        elif method == "post":
            if s.client_secret is None or form_id is None or not (
                    emulib.same(form_id, s.client_id) & emulib.same(single(form, "client_secret"), s.client_secret)):
                raise OAuthError("invalid_client", "client authentication failed")
        elif method == "private_key_jwt":
            if single(form, "client_assertion_type") != CLIENT_ASSERTION_TYPE:
                raise OAuthError("invalid_request", "client_assertion_type must be " + CLIENT_ASSERTION_TYPE)
            assertion = single(form, "client_assertion") or ""
            problem = self.check_assertion(assertion, s.client_id, s.client_id, self.token_url())
            if problem is None and form_id is not None and form_id != s.client_id:
                problem = "client_id differs from the assertion's iss"
            if problem:
                raise OAuthError("invalid_client", "client assertion refused: " + problem)
        else:
            if form_id != s.client_id:
                raise OAuthError("invalid_client", "unknown client" if form_id else "no client authentication")
            if not s.public:
                raise OAuthError("invalid_client", "this client is confidential: it must authenticate")
        return method

    def check_basic(self, header):
        s = self.state
        challenge = {"WWW-Authenticate": 'Basic realm="oauth2-emulator"'}

        def fail(why):
            return OAuthError("invalid_client", why, 401, challenge)

        creds = emulib.basic_credentials(header)
        if creds is None:
            raise fail("the Authorization header is not HTTP Basic")
        if s.client_secret is None:
            raise fail("this client has no secret")
        user, password = creds
        if not (FORM_ENCODED.match(user) and FORM_ENCODED.match(password)):
            raise fail("client_id and client_secret must each be form-encoded inside HTTP Basic "
                       "(RFC 6749 section 2.3.1)")
        user, password = urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)
        if not (emulib.same(user, s.client_id) & emulib.same(password, s.client_secret)):
            raise fail("client authentication failed")

    def check_assertion(self, token, iss, sub, aud):
        """None when `token` is a fresh assertion signed by the client's
        key that says iss, sub and aud; else what is wrong with it."""
        s = self.state
        if s.certificate is None:
            return "this client has no certificate"
        verified = emulib.jwt_verify_rsa(token, s.certificate)
        if verified is None:
            return "not an RS256 or PS256 JWT signed by the client's key"
        header, claims = verified
        if "x5t#S256" in header and header["x5t#S256"] != s.thumbprint:
            return "x5t#S256 is not the certificate's"
        if s.key_id is not None and header.get("kid") != s.key_id:
            return "kid is not the key's"
        for name, want in (("iss", iss), ("sub", sub)):
            if claims.get(name) != want:
                return f"{name} must be {want}"
        auds = claims.get("aud")
        if not (auds == aud or (isinstance(auds, list) and aud in auds)):
            return f"aud must be {aud}"
        now = time.time()
        exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf", 0)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (exp, iat, nbf)):
            return "exp and iat must be numbers"
        if exp <= now:
            return "expired"
        if iat > now + CLOCK_SKEW or nbf > now + CLOCK_SKEW:
            return "issued in the future"
        if exp - iat > MAX_ASSERTION_LIFETIME:
            return f"lives longer than {MAX_ASSERTION_LIFETIME} s"
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            return "jti is missing"
        if not s.remember_jti(jti, exp):
            return "jti was used before (a replayed assertion)"
        return None

    def check_person(self):
        """Raises unless the request carries the person's HTTP Basic."""
        s = self.state
        creds = emulib.basic_credentials(self.headers.get("Authorization"))
        if s.user is None or s.password is None or creds is None or not (
                emulib.same(creds[0], s.user) & emulib.same(creds[1], s.password)):
            raise OAuthError("access_denied", "sign in", 401, {"WWW-Authenticate": 'Basic realm="oauth2-emulator"'})

    # --- authorization code (RFC 6749 section 4.1, RFC 7636) -------------

    def authorize(self, query):
        s = self.state
        if any(len(v) > 1 for v in query.values()):
            raise OAuthError("invalid_request", "a parameter was sent more than once")
        q = {k: v[0] for k, v in query.items()}
        if q.get("client_id") != s.client_id:
            raise OAuthError("invalid_request", "unknown client_id")
        redirect = q.get("redirect_uri") or ""
        r = urllib.parse.urlsplit(redirect)
        try:
            port = r.port
        except ValueError:
            port = None
        if r.scheme != "http" or r.hostname != "127.0.0.1" or port is None or r.fragment:
            raise OAuthError("invalid_request", "redirect_uri must be http://127.0.0.1:PORT/... (RFC 8252)")
        self.check_person()

        def back(**params):
            sep = "&" if r.query else "?"
            return self.reply(302, {}, {"Location": redirect + sep + urllib.parse.urlencode(params)})

        state = q.get("state")
        if not state:
            return back(error="invalid_request", error_description="state is required")
        if q.get("response_type") != "code":
            return back(error="unsupported_response_type", state=state)
        if q.get("code_challenge_method") != "S256" or not PKCE_CHALLENGE.match(q.get("code_challenge", "")):
            return back(error="invalid_request", error_description="PKCE with S256 is required", state=state)
        try:
            scope = self.granted_scope({k: [v] for k, v in q.items()}, s.scopes)
        except OAuthError as e:
            return back(error=e.code, state=state)
        if self.headers.get("X-Emulator-Consent") == "deny":
            return back(error="access_denied", state=state)
        code = "ac-" + secrets.token_urlsafe(24)
        with s.lock:
            s.codes[code] = {"redirect_uri": redirect, "challenge": q["code_challenge"], "scope": scope,
                             "expires": time.monotonic() + CODE_LIFETIME}
        s.counters.add("codes_issued")
        return back(code=code, state=state)

    # --- device authorization (RFC 8628) ------------------------------

    def device_authorization(self, method, query):
        s = self.state
        form = self.form_request(method, query)
        self.authenticate_client(form)
        scope = self.granted_scope(form, s.scopes)
        device_code = "dc-" + secrets.token_urlsafe(32)
        user_code = "-".join("".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(4)) for _ in range(2))
        with s.lock:
            s.devices[device_code] = {"user_code": user_code, "scope": scope, "approved": False, "denied": False,
                                      "expires": time.monotonic() + s.device_expires_in, "last_poll": None,
                                      "interval": s.device_interval}
        s.counters.add("device_codes_issued")
        verification = self.base_url() + "/device"
        return self.reply(200, {"device_code": device_code, "user_code": user_code, "verification_uri": verification,
                                "verification_uri_complete": verification + "?user_code=" + user_code,
                                "expires_in": s.device_expires_in, "interval": s.device_interval})

    def device_decision(self):
        s = self.state
        self.check_person()
        body = self.body()
        if body is None:
            raise Answered()
        form = emulib.parse_form(body) or {}
        user_code = single(form, "user_code")
        with s.lock:
            d = next((d for d in s.devices.values() if d["user_code"] == user_code), None)
            if d is None:
                raise OAuthError("invalid_request", "unknown user_code", 404)
            if single(form, "action") == "deny":
                d["denied"] = True
            else:
                d["approved"] = True
        return self.reply(200, {"approved": not d["denied"]})

    # --- the protected API --------------------------------------------

    def api(self):
        token = emulib.bearer_token(self.headers.get("Authorization"))
        entry = self.state.access_token(token) if token else None
        if entry is None:
            return self.reply(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return self.reply(200, {"ok": True, "client_id": self.state.client_id, "scope": entry[1], "grant": entry[2]})


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret-file", help="file holding the client secret (basic and post)")
    p.add_argument("--certificate", help="the client's certificate (PEM): private_key_jwt and jwt-bearer")
    p.add_argument("--key-id", help="the kid client assertions must name")
    p.add_argument("--public", action="store_true", help="a public client: may send client_id alone")
    p.add_argument("--assertion-subject", help="sub of jwt-bearer assertions (default: the client id)")
    p.add_argument("--assertion-audience", help="aud of jwt-bearer assertions (default: the token URL)")
    p.add_argument("--scopes", help="the scopes the client may have, space-separated (default: any)")
    p.add_argument("--require-audience", metavar="VALUE")
    p.add_argument("--require-resource", metavar="VALUE")
    p.add_argument("--require-form", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--no-rotate", action="store_true", help="refresh tokens stay valid and are not replaced")
    p.add_argument("--refresh-token-out", metavar="FILE", help="write a first refresh token here (0600)")
    p.add_argument("--expires-in", type=int, default=600, help="access token lifetime in seconds (default 600)")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a token request")
    p.add_argument("--token-path", default="/token")
    p.add_argument("--authorize-path", default="/authorize")
    p.add_argument("--device-path", default="/device/code")
    p.add_argument("--user", help="the person who signs in at /authorize and approves devices")
    p.add_argument("--password-file", help="file holding that person's password")
    p.add_argument("--device-interval", type=int, default=5, help="seconds between device polls (default 5)")
    p.add_argument("--device-expires-in", type=int, default=600)
    args = p.parse_args()
    emulib.serve(OAuth2Handler, args, State(args))


if __name__ == "__main__":
    main()
