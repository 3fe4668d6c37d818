"""A strict loopback emulator of the Azure AD (Microsoft Entra ID) v2.0 endpoints of one tenant.

One tenant (--tenant) with one app registration (--client-id): a public
client, or a confidential one when it has a secret (--client-secret-file)
or a certificate (--certificate, the PEM of the certificate registered on
the app). One user (--user, --password-file) signs in with the password
grant (ROPC) and approves authorization-code and device-code logins.

POST /{tenant}/oauth2/v2.0/token, a form body, grants:
  refresh_token       refresh tokens are single use: each refresh that asks
                      for offline_access returns a new one and the spent one
                      stops working (AADSTS70008)
  client_credentials  scope "{resource}/.default"; client_secret, or a
                      client assertion (private_key_jwt) signed RS256/PS256
                      by the registered certificate's key: header x5t#S256,
                      aud = this endpoint's URL, iss = sub = client id,
                      nbf <= now < exp, exp - iat <= 600, jti never reused
  password            ROPC
  authorization_code  PKCE S256: code_verifier checked against the code's
                      code_challenge
  urn:ietf:params:oauth:grant-type:device_code
A confidential client must authenticate on every grant (AADSTS7000218); a
public client must not (AADSTS700025). Scopes must be "{client}/.default",
openid, offline_access, profile or one of --extra-scopes (AADSTS70011);
refresh tokens are issued only with offline_access.

Errors are Azure's: HTTP 400 (401 for invalid_client) with error,
error_description "AADSTSnnnnn: text.\\r\\nTrace ID: ...\\r\\nCorrelation
ID: ...\\r\\nTimestamp: ...", error_codes, timestamp, trace_id,
correlation_id, error_uri. Success: token_type Bearer, scope, expires_in,
ext_expires_in, access_token, refresh_token (with offline_access),
id_token (with openid).

Access tokens are JWTs signed HS256 with the key in --token-signing-key-file
(other emulators verify them with the same file): aud, iss, tid, azp,
appid, scp (a user's) or roles (the app's), iat, nbf, exp.
GET /v1.0/me wants a valid Bearer access token of this tenant and says
whose it is.

For interactive logins:
GET /{tenant}/oauth2/v2.0/authorize (response_type=code, client_id,
redirect_uri on http://127.0.0.1:PORT/ or http://localhost:PORT/, scope,
state, code_challenge, code_challenge_method=S256): the user authenticates
with HTTP Basic (401 without), the answer is 302 to
redirect_uri?code=...&state=....
POST /{tenant}/oauth2/v2.0/devicecode (client_id, scope) -> device_code,
user_code, verification_uri, expires_in, interval, message; the user
approves with POST /_emulator/device (form user_code, and action=deny to
decline; HTTP Basic). Polling before approval gets authorization_pending,
and slow_down once when faster than the interval.

GET /_emulator/stats: counters, and newest_refresh_sha256 (hex SHA-256 of
the newest refresh token issued). Secrets come from files, never argv.
"""

import datetime
import hashlib
import os
import secrets
import threading
import time
import urllib.parse
import uuid

import emulib

TOKEN = "/oauth2/v2.0/token"
AUTHORIZE = "/oauth2/v2.0/authorize"
DEVICECODE = "/oauth2/v2.0/devicecode"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
OIDC_SCOPES = ("openid", "offline_access", "profile")
GRANTS = ("refresh_token", "client_credentials", "password", "authorization_code", DEVICE_GRANT)
MAX_ASSERTION_LIFETIME = 600
CODE_LIFETIME = 600
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


class AadError(Exception):
    """An Azure AD error answer: AADSTS code, OAuth error, text."""

    def __init__(self, code, error, text, status=None):
        super().__init__(text)
        self.code, self.error, self.text = code, error, text
        self.status = status or (401 if error == "invalid_client" else 400)


def timestamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def error_body(e):
    trace, correlation, ts = str(uuid.uuid4()), str(uuid.uuid4()), timestamp()
    return {
        "error": e.error,
        "error_description": f"AADSTS{e.code}: {e.text}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}"
                             f"\r\nTimestamp: {ts}",
        "error_codes": [e.code],
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={e.code}",
    }


def missing(name):
    return AadError(900144, "invalid_request", f"The request body must contain the following parameter: '{name}'.")


def malformed(why):
    return AadError(9002313, "invalid_request", f"Invalid request. Request is malformed or invalid. ({why})")


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


class State:
    def __init__(self, args):
        self.tenant = args.tenant
        self.client_id = args.client_id
        self.client_secret = emulib.read_secret_file(args.client_secret_file) if args.client_secret_file else None
        self.certificate = args.certificate
        self.thumbprint = emulib.x5t_s256(args.certificate) if args.certificate else None
        self.user = args.user
        self.password = emulib.read_secret_file(args.password_file) if args.password_file else None
        if (self.user is None) != (self.password is None):
            raise SystemExit("--user and --password-file go together")
        self.signing_key = emulib.read_secret_file(args.token_signing_key_file).encode()
        self.extra_scopes = set(args.extra_scopes.split()) if args.extra_scopes else set()
        self.app_roles = args.app_roles.split() if args.app_roles else []
        self.expires_in = args.expires_in
        self.refresh_lifetime = args.refresh_token_lifetime
        self.delay = args.delay
        self.interval = args.device_interval
        self.device_lifetime = args.device_expires_in
        self.counters = emulib.Counters(
            "token_requests", "tokens_issued", "refresh_tokens_issued", "refresh_grants", "client_credentials_grants",
            "password_grants", "authorization_code_grants", "device_code_grants", "assertions_PS256",
            "assertions_RS256", "authorize_requests", "codes_issued", "devicecode_requests", "device_approvals",
            "slow_downs", "api_requests", "api_rejected")
        self.lock = threading.Lock()
        self.refresh_tokens = {}  # token -> {"scopes", "user", "expires", "spent"}
        self.newest_refresh = None
        self.jtis = set()
        self.codes = {}  # code -> {"redirect_uri", "scopes", "challenge", "expires", "spent"}
        self.devices = {}  # device_code -> {"user_code", "scopes", "expires", "state", "last_poll", "slowed"}
        self.port = None

    @property
    def confidential(self):
        return self.client_secret is not None or self.certificate is not None

    def token_url(self):
        return f"https://127.0.0.1:{self.port}/{self.tenant}{TOKEN}"

    def issuer(self):
        return f"https://127.0.0.1:{self.port}/{self.tenant}/v2.0"

    def check_scopes(self, scope_text, required=True):
        """The list of requested scopes, each one this tenant knows."""
        if scope_text is None:
            if required:
                raise missing("scope")
            return []
        scopes = scope_text.split(" ")
        if not scope_text or any(not s for s in scopes):
            raise AadError(70011, "invalid_scope", f"The provided value for the input parameter 'scope' is not "
                                                   f"valid. The scope '{scope_text}' is not valid.")
        for s in scopes:
            if s not in OIDC_SCOPES and s != f"{self.client_id}/.default" and s not in self.extra_scopes:
                raise AadError(70011, "invalid_scope", f"The provided value for the input parameter 'scope' is not "
                                                       f"valid. The scope '{s}' does not exist.")
        return scopes

    def issue_refresh(self, scopes, user):
        token = "0.A" + secrets.token_urlsafe(96)
        with self.lock:
            self.refresh_tokens[token] = {"scopes": list(scopes), "user": user, "spent": False,
                                          "expires": time.monotonic() + self.refresh_lifetime}
            self.newest_refresh = token
        self.counters.add("refresh_tokens_issued")
        return token

    def spend_refresh(self, token, keep):
        """The refresh token's record, spent unless `keep`; AadError when
        it is unknown, spent, expired or another client's."""
        with self.lock:
            record = self.refresh_tokens.get(token)
            if record is None:
                raise AadError(9002313, "invalid_grant", "Invalid request. Request is malformed or invalid. "
                                                         "(the refresh token was not issued here)")
            if record["spent"] or time.monotonic() >= record["expires"]:
                raise AadError(70008, "invalid_grant", "The provided authorization code or refresh token has "
                                                       "expired due to inactivity. Send a new interactive "
                                                       "authorization request for this user and resource.")
            if not keep:
                record["spent"] = True
            return dict(record)

    def use_jti(self, jti):
        with self.lock:
            if jti in self.jtis:
                return False
            self.jtis.add(jti)
            return True

    def user_oid(self, user):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"azure-emulator:{self.tenant}:user:{user}"))

    def app_oid(self):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"azure-emulator:{self.tenant}:app:{self.client_id}"))

    def access_token(self, scopes, user):
        """An HS256 JWT for the user (delegated: scp) or the app (roles)."""
        now = int(time.time())
        resources = [s.rsplit("/", 1)[0] for s in scopes if "/" in s]
        claims = {
            "aud": resources[0] if resources else "00000003-0000-0000-c000-000000000000",
            "iss": self.issuer(), "iat": now, "nbf": now, "exp": now + self.expires_in,
            "tid": self.tenant, "azp": self.client_id, "appid": self.client_id, "ver": "2.0",
            "uti": secrets.token_urlsafe(16),
        }
        if user is None:
            claims.update({"oid": self.app_oid(), "sub": self.app_oid(), "idtyp": "app", "roles": self.app_roles})
        else:
            permissions = [s.rsplit("/", 1)[1] for s in scopes if "/" in s]
            scp = " ".join("user_impersonation" if p == ".default" else p for p in permissions)
            claims.update({"oid": self.user_oid(user), "sub": self.user_oid(user), "idtyp": "user",
                           "preferred_username": user, "name": user.split("@")[0], "scp": scp or "openid"})
        return emulib.jwt_hs256(claims, self.signing_key)

    def id_token(self, user):
        now = int(time.time())
        claims = {"aud": self.client_id, "iss": self.issuer(), "iat": now, "nbf": now, "exp": now + 3600,
                  "tid": self.tenant, "oid": self.user_oid(user), "sub": self.user_oid(user),
                  "preferred_username": user, "name": user.split("@")[0], "ver": "2.0"}
        return emulib.jwt_hs256(claims, self.signing_key)

    def tokens(self, scopes, user):
        """The success answer of a grant."""
        self.counters.add("tokens_issued")
        body = {"token_type": "Bearer", "scope": " ".join(s for s in scopes if s != "offline_access"),
                "expires_in": self.expires_in, "ext_expires_in": self.expires_in,
                "access_token": self.access_token(scopes, user)}
        if user is not None and "offline_access" in scopes:
            body["refresh_token"] = self.issue_refresh(scopes, user)
        if user is not None and "openid" in scopes:
            body["id_token"] = self.id_token(user)
        return body


class AzureHandler(emulib.Handler):
    def route(self, method, path, query):
        s = self.state
        s.port = self.server.server_port
        if path == "/_emulator/stats":
            return self.reply(200, {**s.counters.snapshot(), "connections": self.server.connections,
                                    "newest_refresh_sha256": s.newest_refresh and sha256_hex(s.newest_refresh)})
        if path == "/_emulator/device":
            return self.answer(lambda: self.approve_device(method))
        if path == "/v1.0/me":
            return self.me(method)
        tenant, _, rest = path.lstrip("/").partition("/")
        endpoint = "/" + rest
        if endpoint not in (TOKEN, AUTHORIZE, DEVICECODE):
            return self.reply(404, {"error": "not_found"})
        if endpoint == TOKEN:
            s.counters.add("token_requests")
            if s.delay and method == "POST":
                time.sleep(s.delay)  # before anything is checked or spent
        handlers = {TOKEN: self.token, AUTHORIZE: self.authorize, DEVICECODE: self.devicecode}
        return self.answer(lambda: self.check_tenant(tenant) or handlers[endpoint](method, query))

    def answer(self, fn):
        try:
            return fn()
        except AadError as e:
            self.state.counters.add(f"error_{e.code}")
            return self.reply(e.status, error_body(e))

    def check_tenant(self, tenant):
        if tenant != self.state.tenant:
            raise AadError(90002, "invalid_request", f"Tenant '{tenant}' not found. Check to make sure you have the "
                                                     "correct tenant ID and are signing into the correct cloud.")

    def form(self, method, query):
        """The request's form body as {name: value}: POST only, the
        form media type, each parameter once, nothing in the URL."""
        if method != "POST":
            raise AadError(900561, "invalid_request", f"The endpoint only accepts POST requests. Received a "
                                                      f"{method} request.", 405)
        if query:
            raise malformed("parameters belong in the body, not the URL")
        body = self.body()
        if body is None:
            raise malformed("unreadable body")
        if emulib.media_type(self.headers.get("Content-Type")) != "application/x-www-form-urlencoded":
            return {}  # Azure reads no other body: every parameter is missing
        form = emulib.parse_form(body)
        if form is None:
            raise malformed("not a form body")
        for name, values in form.items():
            if len(values) != 1:
                raise malformed(f"'{name}' given more than once")
        return {name: values[0] for name, values in form.items()}

    def check_client(self, form):
        client = form.get("client_id")
        if client is None:
            raise missing("client_id")
        if client != self.state.client_id:
            raise AadError(700016, "unauthorized_client",
                           f"Application with identifier '{client}' was not found in the directory "
                           f"'{self.state.tenant}'. This can happen if the application has not been installed by "
                           "the administrator of the tenant or consented to by any user in the tenant.")

    def authenticate_client(self, form):
        """Client authentication of a token request: a confidential client
        with its secret or a client assertion, a public client with
        neither."""
        s = self.state
        self.check_client(form)
        secret, assertion = form.get("client_secret"), form.get("client_assertion")
        if not s.confidential:
            if secret is not None or assertion is not None:
                raise AadError(700025, "invalid_client", "Client is public so neither 'client_assertion' nor "
                                                         "'client_secret' should be presented.")
            return
        if secret is not None and assertion is not None:
            raise malformed("both client_secret and client_assertion")
        if secret is None and assertion is None:
            raise AadError(7000218, "invalid_client", "The request body must contain the following parameter: "
                                                      "'client_assertion' or 'client_secret'.")
        if secret is not None:
            if s.client_secret is None or not emulib.same(secret, s.client_secret):
                raise AadError(7000215, "invalid_client",
                               "Invalid client secret provided. Ensure the secret being sent in the request is the "
                               "client secret value, not the client secret ID, for a secret added to app "
                               f"'{s.client_id}'.")
            return
        self.check_assertion(form.get("client_assertion_type"), assertion)

    def check_assertion(self, assertion_type, assertion):
        s = self.state
        if assertion_type != ASSERTION_TYPE:
            raise AadError(700027, "invalid_client", f"client_assertion_type must be '{ASSERTION_TYPE}'.")
        parts = emulib.jwt_parts(assertion)
        if parts is None:
            raise AadError(700027, "invalid_client", "Client assertion failed signature validation. [Reason - "
                                                     "The assertion is not a JWS compact token.]")
        header, claims = parts[0], parts[1]
        thumbprint = header.get("x5t#S256")
        if s.thumbprint is None or thumbprint != s.thumbprint:
            raise AadError(700027, "invalid_client",
                           "The certificate with identifier used to sign the client assertion is not registered on "
                           f"application. [Reason - The key was not found., Thumbprint of key used by client: "
                           f"'{thumbprint}']")
        if emulib.jwt_verify_rsa(assertion, s.certificate) is None:
            raise AadError(700027, "invalid_client", "Client assertion contains an invalid signature. [Reason - "
                                                     f"The signature ({header.get('alg')}) does not verify.]")
        if claims.get("aud") != s.token_url():
            raise AadError(700027, "invalid_client", f"Client assertion audience claim does not match the token "
                                                     f"endpoint. [Reason - aud must be '{s.token_url()}']")
        if claims.get("iss") != s.client_id or claims.get("sub") != s.client_id:
            raise AadError(700021, "invalid_client", "Client assertion application identifier doesn't match "
                                                     "'client_id' parameter.")
        now = time.time()
        times = [claims.get(k) for k in ("iat", "nbf", "exp")]
        if not all(isinstance(t, int) and not isinstance(t, bool) for t in times):
            raise AadError(700027, "invalid_client", "Client assertion must carry numeric iat, nbf and exp.")
        iat, nbf, exp = times
        if not nbf <= now < exp:
            raise AadError(700024, "invalid_client", "Client assertion is not within its valid time range.")
        if exp - iat > MAX_ASSERTION_LIFETIME:
            raise AadError(700027, "invalid_client", "Client assertion lifetime exceeds 10 minutes.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or not s.use_jti(jti):
            raise AadError(700027, "invalid_client", "Client assertion contains a jti that is missing or was "
                                                     "already used.")
        s.counters.add(f"assertions_{header['alg']}")

    def token(self, method, query):
        form = self.form(method, query)
        grant = form.get("grant_type")
        if grant is None:
            raise missing("grant_type")
        if grant not in GRANTS:
            raise AadError(70003, "unsupported_grant_type", f"The app requested an unsupported grant type "
                                                            f"'{grant}'.")
        self.authenticate_client(form)
        grants = {"refresh_token": self.refresh_grant, "client_credentials": self.client_credentials_grant,
                  "password": self.password_grant, "authorization_code": self.code_grant,
                  DEVICE_GRANT: self.device_grant}
        return self.reply(200, grants[grant](form))

    def refresh_grant(self, form):
        s = self.state
        s.counters.add("refresh_grants")
        token = form.get("refresh_token")
        if token is None:
            raise missing("refresh_token")
        scopes = s.check_scopes(form.get("scope"))
        # Without offline_access no new refresh token comes back, so the
        # one sent stays valid.
        record = s.spend_refresh(token, keep="offline_access" not in scopes)
        return s.tokens(scopes, record["user"])

    def client_credentials_grant(self, form):
        s = self.state
        s.counters.add("client_credentials_grants")
        scopes = s.check_scopes(form.get("scope"))
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise AadError(1002012, "invalid_scope", f"The provided value for scope {form['scope']} is not valid. "
                                                     "Client credential flows must have a scope value with "
                                                     "/.default suffixed to the resource identifier (application "
                                                     "ID URI).")
        return s.tokens(scopes, None)

    def check_user(self, username, password):
        s = self.state
        if s.user is None or not (emulib.same(username, s.user) & emulib.same(password, s.password)):
            raise AadError(50126, "invalid_grant", "Error validating credentials due to invalid username or "
                                                   "password.")

    def password_grant(self, form):
        s = self.state
        s.counters.add("password_grants")
        for name in ("username", "password"):
            if name not in form:
                raise missing(name)
        scopes = s.check_scopes(form.get("scope"))
        self.check_user(form["username"], form["password"])
        return s.tokens(scopes, s.user)

    def code_grant(self, form):
        s = self.state
        s.counters.add("authorization_code_grants")
        for name in ("code", "redirect_uri", "code_verifier"):
            if name not in form:
                raise missing(name)
        with s.lock:
            record = s.codes.get(form["code"])
            if record is None:
                raise AadError(70000, "invalid_grant", "The provided value for the 'code' parameter is not valid.")
            if record["spent"]:
                raise AadError(54005, "invalid_grant", "OAuth2 Authorization code was already redeemed, please "
                                                       "retry with a new valid code or use an existing refresh "
                                                       "token.")
            record["spent"] = True
        if time.monotonic() >= record["expires"]:
            raise AadError(70008, "invalid_grant", "The provided authorization code or refresh token has expired "
                                                   "due to inactivity.")
        if form["redirect_uri"] != record["redirect_uri"]:
            raise AadError(50011, "invalid_grant", "The redirect URI specified in the request does not match the "
                                                   "redirect URI of the authorization request.")
        challenge = emulib.b64url_encode(hashlib.sha256(form["code_verifier"].encode()).digest())
        if not emulib.same(challenge, record["challenge"]):
            raise AadError(501481, "invalid_grant", "The Code_Verifier does not match the code_challenge supplied "
                                                    "in the authorization request.")
        if "scope" in form:
            s.check_scopes(form["scope"])
        return s.tokens(record["scopes"], s.user)

    def device_grant(self, form):
        s = self.state
        s.counters.add("device_code_grants")
        code = form.get("device_code")
        if code is None:
            raise missing("device_code")
        now = time.monotonic()
        with s.lock:
            record = s.devices.get(code)
            if record is None:
                raise AadError(70000, "invalid_grant", "The provided value for the 'device_code' parameter is not "
                                                       "valid.")
            too_fast = now - record["last_poll"] < s.interval
            record["last_poll"] = now
            if now >= record["expires"]:
                raise AadError(70019, "expired_token", "Verification code expired.")
            if record["state"] == "pending" and too_fast and not record["slowed"]:
                record["slowed"] = True
                s.counters.add("slow_downs")
                raise AadError(70016, "slow_down", "OAuth 2.0 device flow error. Authorization is pending. Poll "
                                                   f"no faster than every {s.interval} seconds.")
            if record["state"] == "pending":
                raise AadError(70016, "authorization_pending", "OAuth 2.0 device flow error. Authorization is "
                                                               "pending. Continue polling.")
            if record["state"] == "declined":
                raise AadError(70000, "authorization_declined", "The user declined the sign-in.")
            if record["state"] == "redeemed":
                raise AadError(70000, "invalid_grant", "The device code was already redeemed.")
            record["state"] = "redeemed"
        return s.tokens(record["scopes"], s.user)

    def authorize(self, method, query):
        s = self.state
        s.counters.add("authorize_requests")
        if method != "GET":
            return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
        if any(len(v) != 1 for v in query.values()):
            raise malformed("a parameter given more than once")
        q = {k: v[0] for k, v in query.items()}
        self.check_client(q)
        redirect = q.get("redirect_uri")
        if redirect is None:
            raise missing("redirect_uri")
        if not loopback_redirect(redirect):
            raise AadError(50011, "invalid_request", f"The redirect URI '{redirect}' specified in the request does "
                                                     "not match the redirect URIs configured for the application.")

        def fail(error, text):  # errors after the redirect URI is trusted go back to the app
            return self.redirect(redirect, {"error": error, "error_description": text, "state": q.get("state")})

        if q.get("response_type") != "code":
            return fail("unsupported_response_type", "AADSTS700054: response_type must be 'code'.")
        if not q.get("code_challenge") or q.get("code_challenge_method") != "S256":
            return fail("invalid_request", "AADSTS9002325: Proof Key for Code Exchange is required: "
                                           "code_challenge with code_challenge_method S256.")
        try:
            scopes = s.check_scopes(q.get("scope"))
        except AadError as e:
            return fail(e.error, f"AADSTS{e.code}: {e.text}")
        if not self.person_signed_in():
            return None
        code = "1.A" + secrets.token_urlsafe(48)
        with s.lock:
            s.codes[code] = {"redirect_uri": redirect, "scopes": scopes, "challenge": q["code_challenge"],
                             "expires": time.monotonic() + CODE_LIFETIME, "spent": False}
        s.counters.add("codes_issued")
        return self.redirect(redirect, {"code": code, "state": q.get("state")})

    def person_signed_in(self):
        """Whether the request carries the user's HTTP Basic credentials
        (the stand-in for a browser sign-in); answers 401 when not."""
        creds = emulib.basic_credentials(self.headers.get("Authorization"))
        try:
            if creds is not None:
                self.check_user(*creds)
                return True
            body = {"error": "login_required", "error_description": "sign in with HTTP Basic"}
        except AadError as e:
            body = error_body(e)
        self.reply(401, body, {"WWW-Authenticate": 'Basic realm="login.emulator"'})
        return False

    def redirect(self, uri, params):
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return self.reply(302, {}, {"Location": uri + ("&" if "?" in uri else "?") + query})

    def devicecode(self, method, query):
        s = self.state
        s.counters.add("devicecode_requests")
        form = self.form(method, query)
        self.check_client(form)
        scopes = s.check_scopes(form.get("scope"))
        device_code = "DAQABAAEAAA" + secrets.token_urlsafe(64)
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
        now = time.monotonic()
        with s.lock:
            s.devices[device_code] = {"user_code": user_code, "scopes": scopes, "expires": now + s.device_lifetime,
                                      "state": "pending", "last_poll": now, "slowed": False}
        uri = f"https://127.0.0.1:{s.port}/_emulator/device"
        return self.reply(200, {
            "device_code": device_code, "user_code": user_code, "verification_uri": uri,
            "expires_in": s.device_lifetime, "interval": s.interval,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} to "
                       "authenticate."})

    def approve_device(self, method):
        s = self.state
        if method != "POST":
            return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "POST"})
        if not self.person_signed_in():
            return None
        form = emulib.parse_form(self.body() or b"") or {}
        user_code = (form.get("user_code") or [""])[0]
        action = (form.get("action") or ["approve"])[0]
        with s.lock:
            record = next((r for r in s.devices.values() if r["user_code"] == user_code), None)
            if record is None or record["state"] != "pending" or time.monotonic() >= record["expires"]:
                return self.reply(404, {"error": "unknown_or_expired_user_code"})
            record["state"] = "declined" if action == "deny" else "approved"
        s.counters.add("device_approvals")
        return self.reply(200, {"state": record["state"]})

    def me(self, method):
        s = self.state
        s.counters.add("api_requests")
        if method != "GET":
            return self.reply(405, {"error": "method_not_allowed"}, {"Allow": "GET"})
        token = emulib.bearer_token(self.headers.get("Authorization"))
        claims = token and emulib.jwt_verify_hs256(token, s.signing_key)
        now = time.time()
        if not claims or claims.get("tid") != s.tenant or claims.get("iss") != s.issuer() or \
                not claims.get("nbf", now + 1) <= now < claims.get("exp", 0) or "idtyp" not in claims:
            s.counters.add("api_rejected")
            return self.reply(401, {"error": {"code": "InvalidAuthenticationToken",
                                              "message": "Access token validation failure."}},
                              {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        who = {"id": claims["oid"], "tid": claims["tid"], "appId": claims["azp"], "aud": claims["aud"],
               "idtyp": claims["idtyp"]}
        if claims["idtyp"] == "user":
            who.update({"userPrincipalName": claims["preferred_username"], "scp": claims["scp"]})
        else:
            who["roles"] = claims["roles"]
        return self.reply(200, who)


def loopback_redirect(uri):
    """http://127.0.0.1:PORT/... or http://localhost:PORT/..., as Azure
    allows for native apps."""
    try:
        u = urllib.parse.urlsplit(uri)
        port = u.port
    except ValueError:
        return False
    return u.scheme == "http" and u.hostname in ("127.0.0.1", "localhost") and port is not None and \
        not u.fragment and u.username is None


def write_first_refresh_token(state, path):
    """A refresh token for --user, as a first sign-in would give, written
    to `path` (0600) for the test to store."""
    if state.user is None:
        raise SystemExit("--initial-refresh-token-file needs --user")
    token = state.issue_refresh([f"{state.client_id}/.default", "openid", "offline_access"], state.user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")


def main():
    p = emulib.base_arguments(__doc__.splitlines()[0])
    p.add_argument("--tenant", required=True, help="the one tenant id this server knows")
    p.add_argument("--client-id", required=True, help="the app registration's client id")
    p.add_argument("--client-secret-file", help="the app's client secret (makes it a confidential client)")
    p.add_argument("--certificate", help="PEM certificate registered on the app (client assertions)")
    p.add_argument("--user", help="the user principal name for ROPC and logins")
    p.add_argument("--password-file", help="that user's password")
    p.add_argument("--extra-scopes", default="", help="space-separated scopes accepted beside the defaults")
    p.add_argument("--app-roles", default="", help="space-separated roles in app (client_credentials) tokens")
    p.add_argument("--token-signing-key-file", required=True, help="HS256 key of the access tokens")
    p.add_argument("--expires-in", type=int, default=3599, help="access token lifetime (default 3599)")
    p.add_argument("--refresh-token-lifetime", type=int, default=90 * 86400, help="seconds (default 90 days)")
    p.add_argument("--initial-refresh-token-file", help="write a refresh token for --user here at start")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering a token request")
    p.add_argument("--device-interval", type=int, default=5, help="device code polling interval (default 5)")
    p.add_argument("--device-expires-in", type=int, default=900, help="device code lifetime (default 900)")
    args = p.parse_args()
    state = State(args)
    if args.initial_refresh_token_file:
        write_first_refresh_token(state, args.initial_refresh_token_file)
    emulib.serve(AzureHandler, args, state)


if __name__ == "__main__":
    main()
