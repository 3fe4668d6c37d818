"""Ennov InSight end to end (seed 004): an Azure AD token from the Azure AD
emulator, then the session login at the InSight emulator; real curl with
the cookie jar and with the curl config reaches endpoints that need the
session cookie and the CSRF token."""

import json
import secrets
import subprocess

from harness import check, main

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
CLIENT_SECRET = "Qx8~7vA.bC_dE-fGhIjKlMnOpQrStUvWxYz01234"
USER = "alice@contoso.example"
PASSWORD = "correct horse; battery staple"


def start(fx, *insight_args, tenant=TENANT, plain=False):
    """The Azure AD emulator and, trusting its tokens, the InSight one."""
    files = fx.dir / "files"
    files.mkdir(exist_ok=True)
    (files / "signing-key").write_text(secrets.token_hex(32))
    (files / "client-secret").write_text(CLIENT_SECRET)
    (files / "password").write_text(PASSWORD)
    az = fx.start("azure_ad", "--tenant", TENANT, "--client-id", CLIENT_ID, "--client-secret-file",
                  str(files / "client-secret"), "--token-signing-key-file", str(files / "signing-key"),
                  "--user", USER, "--password-file", str(files / "password"),
                  "--initial-refresh-token-file", str(files / "refresh-token"))
    az.first_refresh_token = (files / "refresh-token").read_text().strip()
    insight = fx.start("ennov_insight", "--tenant", tenant, "--client-id", CLIENT_ID, "--token-key-file",
                       str(files / "signing-key"), *(["--plain"] if plain else []), *insight_args)
    return az, insight


def write_config(fx, az, insight, grant="client_credentials", extra=""):
    fx.write_config(f"""[profile "rim"]
    preset    = ennov-insight
    tenant    = {TENANT}
    client-id = {CLIENT_ID}
    grant     = {grant}
    token-url = {az.base_url}/{TENANT}/oauth2/v2.0/token
    base-url  = {insight.base_url}/insight
    ca-file   = {fx.pki['ca']}
{extra}""")


def setup(fx, *insight_args, grant="client_credentials", extra="", **kwargs):
    az, insight = start(fx, *insight_args, **kwargs)
    write_config(fx, az, insight, grant, extra)
    # The app is a confidential client: every grant sends its secret.
    fx.run("secret", "set", "rim", "client-secret", stdin=CLIENT_SECRET + "\n", check_rc=0)
    if grant == "refresh_token":
        fx.run("secret", "set", "rim", "refresh-token", stdin=az.first_refresh_token + "\n", check_rc=0)
    return az, insight


def stats(fx, emulator):
    return fx.get_json(emulator.base_url + "/_emulator/stats")


def curl(fx, insight, *args, stdin=None):
    """Real curl against the InSight emulator: (HTTP status, body)."""
    r = subprocess.run(["curl", "-sS", "--cacert", fx.pki["ca"], "-w", "\n%{http_code}", *args], input=stdin,
                       capture_output=True, text=True, timeout=30)
    body, _, status = r.stdout.rpartition("\n")
    return status, body


def event(insight, n, delete=False):
    return f"{insight.base_url}/insight/api/v2/event/{n}" + ("/delete" if delete else "")


def case_curl_config_carries_cookie_and_csrf(fx):
    az, insight = setup(fx)
    cfg = fx.run("curl", "rim", check_rc=0).stdout
    check(cfg.count("\n") == 2 and 'header = "X-CSRF-TOKEN: ' in cfg and 'cookie = "JSESSIONID=' in cfg, repr(cfg))
    status, body = curl(fx, insight, "-K", "-", "-X", "POST", event(insight, 46098, delete=True), stdin=cfg)
    check(status == "200", f"curl -K with tokex's config got {status} {body}")
    # Without the CSRF header the server refuses the same request: the 200
    # above needed both.
    cookie_only = "\n".join(line for line in cfg.splitlines() if line.startswith("cookie")) + "\n"
    status, _ = curl(fx, insight, "-K", "-", "-X", "POST", event(insight, 46098, delete=True), stdin=cookie_only)
    check(status == "403", f"a delete without the CSRF token got {status}")
    s = stats(fx, insight)
    check(s["sessions_started"] == 1 and s["logins"] == 1, f"unexpected InSight stats {s}")
    check(stats(fx, az)["token_requests"] == 1, "not one Azure AD token")


def case_cookie_jar_with_curl_and_the_csrf_parameter(fx):
    _, insight = setup(fx)
    jar = fx.dir / "jar.txt"
    jar.write_text(fx.run("cookies", "rim", check_rc=0).stdout)
    check(jar.read_text().startswith("# Netscape HTTP Cookie File\n"), jar.read_text())
    status, body = curl(fx, insight, "-b", str(jar), event(insight, 7))
    check(status == "200", f"curl -b with tokex's jar got {status} {body}")
    creds = json.loads(fx.run("json", "rim", check_rc=0).stdout)
    check(creds["csrf_param"] == "_csrf", f"no CSRF parameter name in {sorted(creds)}")
    csrf = creds["headers"]["X-CSRF-TOKEN"]
    status, body = curl(fx, insight, "-b", str(jar), "-X", "POST", f"{event(insight, 7, delete=True)}?_csrf={csrf}")
    check(status == "200", f"a delete with the jar and the _csrf parameter got {status} {body}")
    status, _ = curl(fx, insight, "-X", "POST", f"{event(insight, 7, delete=True)}?_csrf={csrf}")
    check(status == "401", f"the CSRF token alone, without the session cookie, got {status}")


def case_header_lines_and_cache_hit(fx):
    _, insight = setup(fx)
    first = fx.run("header", "rim", check_rc=0).stdout.splitlines()
    check(len(first) == 2 and first[0].startswith("X-CSRF-TOKEN: ") and first[1].startswith("Cookie: JSESSIONID="),
          f"unexpected header lines {first}")
    again = fx.run("header", "rim", check_rc=0).stdout.splitlines()
    check(again == first, "the second call printed another session")
    check(stats(fx, insight)["sessions_started"] == 1, "the second call was not served from the cache")


def case_new_session_id_at_login(fx):
    _, insight = setup(fx, "--new-session-on-login")
    cfg = fx.run("curl", "rim", check_rc=0).stdout
    status, body = curl(fx, insight, "-K", "-", event(insight, 1), stdin=cfg)
    check(status == "200", f"the session id given at login did not work: {status} {body}")


def case_refresh_token_grant_rotates_before_the_session(fx):
    az, insight = setup(fx, grant="refresh_token")
    before = az.first_refresh_token
    fx.run("token", "rim", check_rc=0)
    stored = subprocess.run(["secret-tool", "lookup", "profile", "rim", "name", "refresh-token"], capture_output=True,
                            text=True, timeout=30).stdout
    check(stored and stored != before, "the rotated Azure AD refresh token was not stored")
    check(stats(fx, insight)["logins"] == 1, "no InSight login")


def case_server_refuses_the_azure_token(fx):
    setup(fx, tenant="00000000-0000-0000-0000-000000000000")  # InSight trusts another tenant
    p = fx.run("header", "rim", check_rc=4)
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and lines[0].startswith("tokex: rim: ") and "not valid for this server" in lines[0],
          f"unexpected error {p.stderr!r}")
    check(CLIENT_SECRET not in p.stderr and p.stdout == "", "a secret or a session leaked")


def case_plain_http_only_with_allow_http_and_warned(fx):
    az, insight = start(fx, plain=True)
    write_config(fx, az, insight, extra="    allow-http = yes\n")
    fx.run("secret", "set", "rim", "client-secret", stdin=CLIENT_SECRET + "\n", check_rc=0)
    write_config(fx, az, insight)
    p = fx.run("header", "rim", check_rc=2)
    check("plain http:// is refused" in p.stderr, p.stderr)
    write_config(fx, az, insight, extra="    allow-http = yes\n")
    p = fx.run("header", "rim", "--no-cache", check_rc=0)
    warnings = [line for line in p.stderr.splitlines() if "over plain http" in line]
    check(len(warnings) == 2, f"expected a warning for the session start and the login: {p.stderr!r}")
    cfg = fx.run("curl", "rim", check_rc=0).stdout
    status, _ = curl(fx, insight, "-K", "-", event(insight, 3), stdin=cfg)
    check(status == "200", f"the plain http session did not work: {status}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
