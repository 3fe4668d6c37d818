"""Azure AD end to end: every grant against the strict emulator, the real
keyring and real curl; rotating refresh tokens that are never lost."""

import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import secrets
import socket
import ssl
import stat
import struct
import subprocess
import time
import urllib.parse

from harness import Failure, check, main

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
CLIENT_SECRET = "Qx8~7vA.bC_dE-fGhIjKlMnOpQrStUvWxYz01234"
USER = "alice@contoso.example"
PASSWORD = "correct horse; battery staple"
FIRST_SCOPES = f"{CLIENT_ID}/.default openid offline_access"


def start(fx, *args, confidential=False, certificate=None, first_refresh_token=False):
    """The emulator for TENANT and the app CLIENT_ID (with CLIENT_SECRET
    when `confidential`, with the PEM `certificate` registered), knowing
    USER; and, when asked, the first refresh token it issued for USER."""
    files = fx.dir / f"azure-{len(fx.emulators)}"
    files.mkdir()
    (files / "signing-key").write_text(secrets.token_hex(32))
    (files / "client-secret").write_text(CLIENT_SECRET)
    (files / "password").write_text(PASSWORD)
    argv = ["--tenant", TENANT, "--client-id", CLIENT_ID, "--token-signing-key-file", str(files / "signing-key"),
            "--user", USER, "--password-file", str(files / "password")]
    if confidential:
        argv += ["--client-secret-file", str(files / "client-secret")]
    if certificate:
        argv += ["--certificate", str(certificate)]
    if first_refresh_token:
        argv += ["--initial-refresh-token-file", str(files / "refresh-token")]
    az = fx.start("azure_ad", *argv, *args)
    # Cases may share one keyring (all cases in one run): start clean.
    subprocess.run(["secret-tool", "clear", "profile", "az"], capture_output=True, timeout=30)
    az.first_refresh_token = (files / "refresh-token").read_text().strip() if first_refresh_token else None
    return az


def write_config(fx, az, extra="", name="az"):
    fx.write_config(f"""# written by the test
[profile "{name}"]
    preset    = azure-ad
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
    base-url  = {az.base_url}
    ca-file   = {fx.pki['ca']}
{extra}""")


def store(fx, name, value, profile="az"):
    p = fx.run("secret", "set", profile, name, stdin=value + "\n", check_rc=0)
    check(value not in p.stdout + p.stderr, "secret set echoed the secret")


def stored(name, profile="az"):
    """The value in the keyring, read with secret-tool (not tokex)."""
    r = subprocess.run(["secret-tool", "lookup", "profile", profile, "name", name], capture_output=True, text=True,
                       timeout=30)
    return r.stdout


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def stats(fx, az):
    return fx.get_json(az.base_url + "/_emulator/stats")


def me(fx, az, curl_config):
    """Real curl, configured by `tokex curl` on stdin, against the
    protected endpoint: (HTTP status, JSON answer)."""
    r = subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-w", "\n%{http_code}",
                        az.base_url + "/v1.0/me"], input=curl_config, capture_output=True, text=True, timeout=30)
    body, _, status = r.stdout.rpartition("\n")
    return status, (json.loads(body) if body.startswith("{") else body)


def curl_me(fx, az, profile="az"):
    cfg = fx.run("curl", profile, check_rc=0).stdout
    check(cfg.startswith('header = "Authorization: Bearer ey'), f"unexpected curl config {cfg!r}")
    status, who = me(fx, az, cfg)
    check(status == "200", f"curl with tokex's config got {status} {who}")
    return who


def request(fx, az, method, path, form=None, headers=None):
    """One HTTPS request to the emulator, redirects not followed:
    (status, headers, JSON body or None)."""
    ctx = ssl.create_default_context(cafile=fx.pki["ca"])
    conn = http.client.HTTPSConnection("127.0.0.1", az.port, context=ctx, timeout=10)
    try:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        h = dict(headers or {})
        if form is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), (json.loads(data) if data.startswith(b"{") else None)
    finally:
        conn.close()


def token_path():
    return f"/{TENANT}/oauth2/v2.0/token"


def one_line_error(p, *wanted, unwanted=()):
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and lines[0].startswith("tokex: az: "), f"not one error line: {p.stderr!r}")
    for w in wanted:
        check(w in lines[0], f"{w!r} not in {lines[0]!r}")
    for u in (CLIENT_SECRET, PASSWORD, "Trace ID", "Correlation ID") + tuple(unwanted):
        check(u not in p.stderr, f"{u!r} leaked into {p.stderr!r}")


def make_certificate(fx, name):
    """An RSA 2048 key and a self-signed certificate made by openssl."""
    key, cert = fx.dir / f"{name}-key.pem", fx.dir / f"{name}-cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-subj", f"/CN=tokex {name}", "-days", "2"], check=True, capture_output=True,
                   timeout=60)
    return key, cert


def wait_for(condition, what, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.02)


# --- refresh_token (seed 004, step 1) ---------------------------------------

def case_refresh_token_end_to_end(fx):
    az = start(fx, first_refresh_token=True)
    write_config(fx, az)
    store(fx, "refresh-token", az.first_refresh_token)
    who = curl_me(fx, az)
    check(who["userPrincipalName"] == USER and who["idtyp"] == "user" and who["appId"] == CLIENT_ID, who)
    check(who["aud"] == CLIENT_ID and who["scp"] == "user_impersonation", f"not the seed's default scope: {who}")
    s = stats(fx, az)
    check(s["refresh_grants"] == 1 and s["tokens_issued"] == 1, s)
    # The emulator rotated the token: the keyring holds the new one, not
    # the first (which the emulator no longer takes).
    now = stored("refresh-token")
    check(now != az.first_refresh_token and sha256(now) == s["newest_refresh_sha256"],
          "the rotated refresh token is not the stored one")
    # A forged token is refused: the 200 above is the emulator's doing.
    status, _ = me(fx, az, 'header = "Authorization: Bearer eyJhbGciOiJub25lIn0.e30."\n')
    check(status == "401", f"the emulator took a forged token: {status}")


def case_cache_hit(fx):
    az = start(fx, first_refresh_token=True)
    write_config(fx, az)
    store(fx, "refresh-token", az.first_refresh_token)
    first = fx.run("token", "az", check_rc=0).stdout
    after_first = stored("refresh-token")
    second = fx.run("token", "az", check_rc=0).stdout
    check(first == second, "the second call printed another token")
    check(stats(fx, az)["token_requests"] == 1, "the second call was not served from the cache")
    check(stored("refresh-token") == after_first, "a cache hit touched the refresh token")
    cache = fx.runtime / "tokex" / "az.json"
    check(stat.S_IMODE(cache.stat().st_mode) == 0o600, "cache file is not 0600")
    check(after_first not in cache.read_text(), "the refresh token leaked into the cache")


def case_ten_forced_refreshes_each_rotate(fx):
    # A confidential client: each refresh carries the client secret too.
    az = start(fx, confidential=True, first_refresh_token=True)
    write_config(fx, az)
    store(fx, "client-secret", CLIENT_SECRET)
    store(fx, "refresh-token", az.first_refresh_token)
    seen = {az.first_refresh_token}
    tokens = set()
    for i in range(10):
        p = fx.run("token", "az", "--no-cache", check_rc=0)
        tokens.add(p.stdout)
        value = stored("refresh-token")
        check(value not in seen, f"refresh {i + 1}: the stored refresh token did not change")
        seen.add(value)
        check(sha256(value) == stats(fx, az)["newest_refresh_sha256"], f"refresh {i + 1}: not the newest stored")
    s = stats(fx, az)
    check(len(tokens) == 10 and s["refresh_grants"] == 10 and s["tokens_issued"] == 10, s)
    check(not any(k.startswith("error_") for k in s), f"the emulator refused something: {s}")
    curl_me(fx, az)


def case_parallel_cold_callers_make_one_exchange(fx):
    az = start(fx, "--delay", "0.5", first_refresh_token=True)
    write_config(fx, az)
    store(fx, "refresh-token", az.first_refresh_token)
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda _: fx.run("token", "az"), range(40)))
    bad = [r for r in results if r.returncode != 0]
    check(not bad, f"{len(bad)} callers failed, e.g. {bad[0].stderr if bad else ''}")
    check(len({r.stdout for r in results}) == 1, "callers printed different tokens")
    s = stats(fx, az)
    check(s["token_requests"] == 1 and s["refresh_grants"] == 1, f"not exactly one exchange: {s}")
    check(sha256(stored("refresh-token")) == s["newest_refresh_sha256"], "the newest refresh token is not stored")


def case_spent_refresh_token_says_sign_in_again(fx):
    az = start(fx, first_refresh_token=True)
    write_config(fx, az)
    store(fx, "refresh-token", az.first_refresh_token)
    # Someone else spends it first (another machine with a copy).
    status, _, answer = request(fx, az, "POST", token_path(), {
        "grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": az.first_refresh_token,
        "scope": FIRST_SCOPES})
    check(status == 200 and "refresh_token" in answer, f"the emulator refused the first refresh: {answer}")
    p = fx.run("token", "az", check_rc=4)
    one_line_error(p, "HTTP 400 (invalid_grant: AADSTS70008: The provided authorization code or refresh token has "
                      "expired", "tokex login az", "tokex secret set az refresh-token",
                   unwanted=(az.first_refresh_token,))
    check(stored("refresh-token") == az.first_refresh_token, "a refused refresh changed the store")


def case_rotation_file_store_unwritable_then_recovered(fx):
    az = start(fx, "--delay", "2", first_refresh_token=True)
    write_config(fx, az, "    store     = file\n")
    store(fx, "refresh-token", az.first_refresh_token)
    data_dir = fx.dir / "data" / "tokex"
    stored_file = data_dir / "az.refresh-token"
    check(stored_file.read_text().strip() == az.first_refresh_token, "the file store did not keep the token")
    proc = subprocess.Popen([fx.tokex, "token", "az"], env=fx.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        # While the emulator holds the request, the store stops taking
        # writes (tokex refuses a data dir that others can read).
        wait_for(lambda: stats(fx, az)["token_requests"] == 1, "the token request")
        os.chmod(data_dir, 0o755)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    os.chmod(data_dir, 0o700)
    recovery = fx.dir / "state" / "tokex" / "recovery" / "az"
    check(proc.returncode == 3 and out == "", f"exit {proc.returncode}, stdout {out!r}, stderr {err!r}")
    check(f"it is saved in {recovery}" in err and f"'tokex secret set az refresh-token < {recovery}'" in err, err)
    newest = stats(fx, az)["newest_refresh_sha256"]
    check(sha256(recovery.read_text().strip()) == newest, "the recovery file does not hold the newest token")
    check(stat.S_IMODE(recovery.stat().st_mode) == 0o600, "the recovery file is not 0600")
    check(recovery.read_text().strip() not in err, "the rotated token appeared in the message")
    check(stored_file.read_text().strip() == az.first_refresh_token, "the store changed although it was unwritable")
    # The next run finds the spent token refused and uses the saved one.
    p = fx.run("token", "az", check_rc=0)
    check("trying the one saved in" in p.stderr, f"no notice of the recovery: {p.stderr!r}")
    s = stats(fx, az)
    check(s["refresh_grants"] == 3 and s.get("error_70008") == 1, f"unexpected exchanges {s}")
    check(sha256(stored_file.read_text().strip()) == s["newest_refresh_sha256"], "the newest token is not stored")
    check(not recovery.exists(), "the recovery file outlived its use")
    curl_me(fx, az)


def keyring(method, *args):
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets", "--object-path",
                    "/org/freedesktop/secrets", "--method", f"org.freedesktop.Secret.Service.{method}", *args],
                   check=True, capture_output=True, timeout=30)


def unlock_test_keyring():
    """Unlocks the login keyring of tests/lib/with_keyring.sh the way
    pam_gnome_keyring does: over the daemon's control socket (in the
    test's own XDG_RUNTIME_DIR), with the password the script fed the
    daemon on stdin, newline included."""
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "keyring", "control")
    password = b"test-password\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"\0")  # the credentials byte
        # Big-endian: packet length, op 1 (unlock), then the password.
        s.sendall(struct.pack(">III", 12 + len(password), 1, len(password)) + password)
        answer = b""
        while len(answer) < 8:
            chunk = s.recv(8 - len(answer))
            if not chunk:
                break
            answer += chunk
    check(len(answer) == 8 and struct.unpack(">II", answer) == (8, 0), f"the keyring did not unlock: {answer!r}")


def case_rotation_keyring_locked_mid_exchange(fx):
    az = start(fx, "--delay", "2", first_refresh_token=True)
    write_config(fx, az)
    store(fx, "refresh-token", az.first_refresh_token)
    proc = subprocess.Popen([fx.tokex, "token", "az"], env=fx.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for(lambda: stats(fx, az)["token_requests"] == 1, "the token request")
        # Locked the way a screen lock or a timeout would.
        keyring("Lock", "['/org/freedesktop/secrets/collection/login']")
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        # Unlocked again (what the person does); the next run recovers alone.
        unlock_test_keyring()
    recovery = fx.dir / "state" / "tokex" / "recovery" / "az"
    check(proc.returncode == 3 and out == "", f"exit {proc.returncode}, stdout {out!r}, stderr {err!r}")
    check(len(err.splitlines()) == 1 and f"'tokex secret set az refresh-token < {recovery}'" in err, err)
    check(sha256(recovery.read_text().strip()) == stats(fx, az)["newest_refresh_sha256"],
          "the recovery file does not hold the newest token")
    p = fx.run("token", "az", check_rc=0)
    check("trying the one saved in" in p.stderr, f"no notice of the recovery: {p.stderr!r}")
    check(sha256(stored("refresh-token")) == stats(fx, az)["newest_refresh_sha256"], "the newest is not stored")
    check(not recovery.exists(), "the recovery file outlived its use")


def case_refresh_token_from_login_with_pkce(fx):
    """The authorization code + PKCE flow `tokex login` will drive, by hand:
    its refresh token then works with the refresh_token grant."""
    az = start(fx)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = "http://127.0.0.1:53117/callback"
    q = urllib.parse.urlencode({"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect,
                                "scope": FIRST_SCOPES, "state": "st-1", "code_challenge": challenge,
                                "code_challenge_method": "S256"})
    path = f"/{TENANT}/oauth2/v2.0/authorize?{q}"
    status, headers, _ = request(fx, az, "GET", path)
    check(status == 401 and "Basic" in headers.get("WWW-Authenticate", ""), f"no sign-in asked: {status}")
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    status, headers, _ = request(fx, az, "GET", path, headers={"Authorization": basic})
    location = urllib.parse.urlsplit(headers.get("Location", ""))
    got = urllib.parse.parse_qs(location.query)
    check(status == 302 and location.geturl().startswith(redirect + "?") and got["state"] == ["st-1"], headers)
    code = got["code"][0]
    exchange = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code, "redirect_uri": redirect,
                "code_verifier": "wrong" + verifier}
    status, _, answer = request(fx, az, "POST", token_path(), exchange)
    check(status == 400 and answer["error_codes"] == [501481], f"a wrong code_verifier passed: {answer}")
    status, headers, _ = request(fx, az, "GET", path.replace("S256", "plain"), headers={"Authorization": basic})
    refused = urllib.parse.parse_qs(urllib.parse.urlsplit(headers.get("Location", "")).query)
    check(status == 302 and refused.get("error") == ["invalid_request"] and "code" not in refused,
          f"plain PKCE was not sent back as an error: {headers}")
    # A new code, redeemed with the right verifier.
    status, headers, _ = request(fx, az, "GET", path, headers={"Authorization": basic})
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["code"][0]
    status, _, answer = request(fx, az, "POST", token_path(), {**exchange, "code": code, "code_verifier": verifier})
    check(status == 200 and answer["token_type"] == "Bearer" and "refresh_token" in answer, answer)
    status, _, again = request(fx, az, "POST", token_path(), {**exchange, "code": code, "code_verifier": verifier})
    check(status == 400 and again["error_codes"] == [54005], f"a code was redeemed twice: {again}")
    write_config(fx, az)
    store(fx, "refresh-token", answer["refresh_token"])
    who = curl_me(fx, az)
    check(who["userPrincipalName"] == USER, who)


def case_refresh_token_from_device_code_login(fx):
    az = start(fx, "--device-interval", "1")
    status, _, dc = request(fx, az, "POST", f"/{TENANT}/oauth2/v2.0/devicecode",
                            {"client_id": CLIENT_ID, "scope": FIRST_SCOPES})
    check(status == 200 and dc["interval"] == 1 and dc["user_code"] in dc["message"], dc)
    poll = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": CLIENT_ID,
            "device_code": dc["device_code"]}
    status, _, answer = request(fx, az, "POST", token_path(), poll)
    check(status == 400 and answer["error"] == "slow_down", f"an early poll was not told to slow down: {answer}")
    time.sleep(1.1)
    status, _, answer = request(fx, az, "POST", token_path(), poll)
    check(status == 400 and answer["error"] == "authorization_pending", answer)
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    status, _, _ = request(fx, az, "POST", "/_emulator/device", {"user_code": dc["user_code"]})
    check(status == 401, "the device was approved without signing in")
    status, _, _ = request(fx, az, "POST", "/_emulator/device", {"user_code": dc["user_code"]},
                           headers={"Authorization": basic})
    check(status == 200, "the user could not approve the device")
    time.sleep(1.1)
    status, _, answer = request(fx, az, "POST", token_path(), poll)
    check(status == 200 and "refresh_token" in answer, answer)
    check(stats(fx, az)["slow_downs"] == 1, "slow_down was not sent exactly once")
    write_config(fx, az)
    store(fx, "refresh-token", answer["refresh_token"])
    check(curl_me(fx, az)["userPrincipalName"] == USER, "not the user's token")


# --- client_credentials ---------------------------------------------------

def case_client_credentials_secret(fx):
    az = start(fx, "--app-roles", "Insight.Read", confidential=True)
    write_config(fx, az, "    grant     = client_credentials\n")
    store(fx, "client-secret", CLIENT_SECRET)
    who = curl_me(fx, az)
    check(who["idtyp"] == "app" and who["appId"] == CLIENT_ID and who["roles"] == ["Insight.Read"], who)
    s = stats(fx, az)
    check(s["client_credentials_grants"] == 1 and s["tokens_issued"] == 1 and s["refresh_tokens_issued"] == 0, s)
    check(stored("refresh-token") == "", "client_credentials stored a refresh token")


def case_wrong_client_secret(fx):
    az = start(fx, confidential=True)
    write_config(fx, az, "    grant     = client_credentials\n")
    wrong = "Zz9~not-the-secret-of-this-app-000000000"
    store(fx, "client-secret", wrong)
    p = fx.run("token", "az", check_rc=4)
    one_line_error(p, "HTTP 401 (invalid_client: AADSTS7000215: Invalid client secret provided.",
                   "tokex secret set az client-secret", unwanted=(wrong,))
    check(stats(fx, az)["token_requests"] == 1, "a rejection was retried")


def certificate_case(fx, alg):
    key, cert = make_certificate(fx, "app")
    az = start(fx, certificate=cert)
    extra = f"    grant     = client_credentials\n    certificate = {cert}\n"
    if alg == "RS256":
        extra += "    assertion-alg = RS256\n"
    write_config(fx, az, extra)
    p = fx.run("secret", "set", "az", "private-key", stdin=key.read_text(), check_rc=0)
    check("PRIVATE KEY" not in p.stdout + p.stderr, "the key was echoed")
    who = curl_me(fx, az)
    check(who["idtyp"] == "app", who)
    # Each exchange signs a new assertion (a jti is taken once).
    fx.run("token", "az", "--no-cache", check_rc=0)
    s = stats(fx, az)
    check(s[f"assertions_{alg}"] == 2 and s["tokens_issued"] == 2, f"not two {alg} assertions accepted: {s}")


def case_certificate_ps256(fx):
    certificate_case(fx, "PS256")


def case_certificate_rs256(fx):
    certificate_case(fx, "RS256")


def case_certificate_not_registered(fx):
    _, registered = make_certificate(fx, "registered")
    key, other = make_certificate(fx, "other")
    az = start(fx, certificate=registered)
    write_config(fx, az, f"    grant     = client_credentials\n    certificate = {other}\n")
    fx.run("secret", "set", "az", "private-key", stdin=key.read_text(), check_rc=0)
    p = fx.run("token", "az", check_rc=4)
    one_line_error(p, "HTTP 401 (invalid_client: AADSTS700027: The certificate with identifier used to sign the "
                      "client assertion is not registered on application.", f"that {other} is a certificate "
                      "registered on the app")


# --- password (ROPC) --------------------------------------------------------

def case_password_grant(fx):
    az = start(fx)
    write_config(fx, az, f"    grant     = password\n    username  = {USER}\n")
    store(fx, "password", PASSWORD)
    who = curl_me(fx, az)
    check(who["userPrincipalName"] == USER and who["scp"] == "user_impersonation", who)
    s = stats(fx, az)
    check(s["password_grants"] == 1 and s["refresh_tokens_issued"] == 1, s)
    check(stored("refresh-token") == "", "the password grant stored the refresh token it got")
    check(stored("password") == PASSWORD, "the password changed")
    # A wrong password is the person's to fix.
    store(fx, "password", "wrong horse")
    p = fx.run("token", "az", "--no-cache", check_rc=4)
    one_line_error(p, "(invalid_grant: AADSTS50126: Error validating credentials due to invalid username or "
                      "password.)", "allows the password grant (ROPC)", unwanted=("wrong horse",))


def case_password_without_username(fx):
    az = start(fx)
    write_config(fx, az, "    grant     = password\n")
    store(fx, "password", PASSWORD)
    p = fx.run("token", "az", check_rc=2)
    one_line_error(p, f"{fx.config}:", "key 'username': missing: grant = password needs the user to sign in as")
    check(stats(fx, az)["token_requests"] == 0, "a request went out without a user name")


# --- request errors and clouds --------------------------------------------

def case_unknown_scope(fx):
    az = start(fx, confidential=True)
    write_config(fx, az, "    grant     = client_credentials\n    scopes    = https://graph.example/.default\n")
    store(fx, "client-secret", CLIENT_SECRET)
    p = fx.run("token", "az", check_rc=2)
    one_line_error(p, "(invalid_scope: AADSTS70011: The provided value for the input parameter 'scope' is not valid. "
                      "The scope 'https://graph.example/.default' does not exist.)", "check the profile's")


def case_unknown_tenant(fx):
    az = start(fx, first_refresh_token=True)
    write_config(fx, az)
    fx.write_config(fx.config.read_text().replace(TENANT, "00000000-0000-0000-0000-000000000000"))
    store(fx, "refresh-token", az.first_refresh_token)
    p = fx.run("token", "az", check_rc=2)
    one_line_error(p, "(invalid_request: AADSTS90002: Tenant '00000000-0000-0000-0000-000000000000' not found.")
    check(stored("refresh-token") == az.first_refresh_token, "a refused refresh changed the store")


def case_status_shows_cloud_url_and_grant_secrets(fx):
    fx.write_config(f"""[profile "gov"]
    preset    = azure-ad
    cloud     = usgov
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
[profile "cn"]
    preset    = azure-ad
    cloud     = china
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
    grant     = client_credentials
    certificate = /nonexistent/cert.pem
[profile "pub"]
    preset    = azure-ad
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
    grant     = password
    username  = {USER}
""")
    p = fx.run("status", check_rc=0)
    lines = p.stdout.splitlines()
    want = [f"gov: preset azure-ad, token URL https://login.microsoftonline.us/{TENANT}/oauth2/v2.0/token, ",
            "  refresh-token: missing",
            f"cn: preset azure-ad, token URL https://login.chinacloudapi.cn/{TENANT}/oauth2/v2.0/token, ",
            "  private-key: missing",
            f"pub: preset azure-ad, token URL https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token, ",
            "  password: missing"]
    at = 0
    for line in lines:
        if at < len(want) and line.startswith(want[at]):
            at += 1
    check(at == len(want), f"status lacks {want[at] if at < len(want) else ''!r}:\n{p.stdout}")
    check("client-secret" not in p.stdout, f"status lists a secret no grant needs:\n{p.stdout}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
