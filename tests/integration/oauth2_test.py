"""The oauth2 preset end to end: the real keyring, the strict RFC 6749
emulator (tests/emulators/oauth2.py), real curl against its protected
endpoint."""

import base64
import concurrent.futures
import hashlib
import json
import ssl
import subprocess
import urllib.error
import urllib.request

from harness import Failure, check, main

# A ':' and a '/' in the id, and characters the form encoding changes in
# the secret: HTTP Basic works only if each is form-encoded first (RFC
# 6749 section 2.3.1).
CLIENT_ID = "tokex:app/7"
SECRET = "p&q=r s:+%"
SCOPES = "read write admin:audit"
SUBJECT = "svc-reports@example.com"


def start(fx, *emulator_args):
    """The emulator, knowing CLIENT_ID and SECRET, scopes SCOPES."""
    secret_file = fx.dir / "emulator-secret"
    secret_file.write_text(SECRET)
    return fx.start("oauth2", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file),
                    "--scopes", SCOPES, *emulator_args)


def profile(fx, o2, name, lines=""):
    """A profile NAME of preset oauth2 for the emulator, plus `lines`."""
    return f"""[profile "{name}"]
    preset    = oauth2
    token-url = {o2.base_url}/token
    client-id = {CLIENT_ID}
    ca-file   = {fx.pki['ca']}
{lines}"""


def setup(fx, *emulator_args, lines=""):
    """The emulator and profile "p" for it."""
    o2 = start(fx, *emulator_args)
    fx.write_config(profile(fx, o2, "p", lines))
    return o2


def store(fx, name, value, prof="p"):
    p = fx.run("secret", "set", prof, name, stdin=value + "\n", check_rc=0)
    check(value not in p.stderr + p.stdout, "secret set echoed the secret")


def key_pair(fx):
    """A fresh RSA key and a self-signed certificate for it, made with the
    openssl command: (key path, certificate path)."""
    key, cert = fx.dir / "client-key.pem", fx.dir / "client-cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-subj", "/CN=tokex-oauth2-test", "-days", "1"], check=True, capture_output=True,
                   timeout=60)
    return key, cert


def store_key(fx, key, prof="p"):
    """tokex secret set PROF private-key < key.pem"""
    with open(key) as f:
        p = subprocess.run([fx.tokex, "secret", "set", prof, "private-key"], stdin=f, capture_output=True,
                           text=True, env=fx.env, timeout=60)
    check(p.returncode == 0, f"secret set private-key < key.pem: exit {p.returncode}: {p.stderr}")
    check("PRIVATE KEY" not in p.stdout + p.stderr, "secret set echoed the key")


def stored(prof, name):
    """A secret as the Secret Service holds it, read as another program would."""
    p = subprocess.run(["secret-tool", "lookup", "profile", prof, "name", name], capture_output=True, text=True,
                       timeout=30)
    check(p.returncode == 0, f"secret-tool lookup {prof} {name} failed: {p.stderr}")
    return p.stdout


def stats(fx, o2):
    return fx.get_json(o2.base_url + "/_emulator/stats")


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def holds_newest(s):
    """Whether profile p's stored refresh token is the newest the emulator
    issued (by `s`, its stats)."""
    return sha256(stored("p", "refresh-token")) == s["newest_refresh_sha256"]


def call_api(fx, o2, prof="p"):
    """Real curl against /api/resource with `tokex curl PROF` as its config
    on stdin (curl -K -); the JSON the emulator answered."""
    cfg = fx.run("curl", prof, check_rc=0).stdout
    r = subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-w", "\n%{http_code}",
                        o2.base_url + "/api/resource"], input=cfg, capture_output=True, text=True, timeout=30)
    body, _, code = r.stdout.rpartition("\n")
    check(code == "200", f"curl with tokex's config got {code}: {body} {r.stderr}")
    forged = subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null", "-w",
                             "%{http_code}", o2.base_url + "/api/resource"],
                            input='header = "Authorization: Bearer o2-forged"\n', capture_output=True, text=True,
                            timeout=30)
    check(forged.stdout == "401", f"the emulator accepted a forged token: {forged.stdout}")
    return json.loads(body)


def one_line_error(p, prof, code, *secrets):
    """The failure `p` is one line naming the profile and the server's
    error `code`, without any of `secrets`."""
    check(p.stdout == "", f"a failed exchange printed {p.stdout!r}")
    lines = p.stderr.splitlines()
    check(len(lines) == 1, f"expected one line on stderr, got {p.stderr!r}")
    check(lines[0].startswith(f"tokex: {prof}: "), f"the error does not name the profile: {lines[0]}")
    check(f"({code}" in lines[0], f"the error does not quote the server's {code}: {lines[0]}")
    for s in secrets:
        check(s not in p.stderr, "a secret appeared in the error")
    return lines[0]


def case_client_credentials_basic(fx):
    o2 = setup(fx)
    store(fx, "client-secret", SECRET)
    answer = call_api(fx, o2)
    check(answer["grant"] == "client_credentials" and answer["scope"] == SCOPES, f"unexpected API answer {answer}")
    s = stats(fx, o2)
    check(s["token_requests"] == 1 and s["grant_client_credentials"] == 1, f"unexpected stats {s}")
    check(s["last_client_auth"] == "basic" and s["last_form_fields"] == ["grant_type"], f"unexpected request {s}")


def case_client_credentials_post(fx):
    o2 = setup(fx, lines="    client-auth = post\n")
    store(fx, "client-secret", SECRET)
    check(call_api(fx, o2)["grant"] == "client_credentials", "not a client_credentials token")
    s = stats(fx, o2)
    check(s["last_client_auth"] == "post" and s["last_form_fields"] == ["grant_type", "client_id", "client_secret"],
          f"unexpected request {s}")


def case_client_credentials_private_key_jwt(fx):
    key, cert = key_pair(fx)
    # The emulator checks the assertion's x5t#S256 against this certificate.
    o2 = setup(fx, "--certificate", str(cert), lines=f"    client-auth = private_key_jwt\n    certificate = {cert}\n")
    store_key(fx, key)
    check(call_api(fx, o2)["grant"] == "client_credentials", "not a client_credentials token")
    # Each exchange signs a new assertion: the emulator refuses a jti twice.
    fx.run("token", "p", "--no-cache", check_rc=0)
    s = stats(fx, o2)
    check(s["grant_client_credentials"] == 2 and s.get("error_invalid_client", 0) == 0, f"unexpected stats {s}")
    check(s["last_client_auth"] == "private_key_jwt" and
          s["last_form_fields"] == ["grant_type", "client_id", "client_assertion_type", "client_assertion"],
          f"unexpected request {s}")
    p = fx.run("status", "p", check_rc=0)
    check("  private-key: stored" in p.stdout and "client-secret" not in p.stdout, p.stdout)


def case_client_secret_with_special_characters(fx):
    o2 = setup(fx)
    store(fx, "client-secret", SECRET)
    fx.run("token", "p", check_rc=0)
    check(stats(fx, o2)["tokens_issued"] == 1, "no token was issued")
    # The emulator is strict: the same credentials in HTTP Basic without
    # the form encoding are refused.
    raw = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    req = urllib.request.Request(o2.base_url + "/token", data=b"grant_type=client_credentials", method="POST",
                                 headers={"Authorization": "Basic " + raw, "Accept": "application/json",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(req, context=ssl.create_default_context(cafile=fx.pki["ca"]), timeout=10)
        raise Failure("the emulator took credentials that were not form-encoded")
    except urllib.error.HTTPError as e:
        check(e.code == 401 and json.load(e)["error"] == "invalid_client" and "Basic" in e.headers["WWW-Authenticate"],
              f"unexpected refusal {e.code}")


def case_refresh_token_public_client(fx):
    first = fx.dir / "first-refresh-token"
    o2 = setup(fx, "--public", "--refresh-token-out", str(first),
               lines="    grant = refresh_token\n    client-auth = none\n")
    store(fx, "refresh-token", first.read_text().strip())
    check(call_api(fx, o2)["grant"] == "refresh_token", "not a refresh_token token")
    s = stats(fx, o2)
    check(s["grant_refresh_token"] == 1 and s["last_client_auth"] == "none" and
          s["last_form_fields"] == ["grant_type", "refresh_token", "client_id"], f"unexpected stats {s}")
    check(holds_newest(s), "the rotated refresh token was not stored")
    p = fx.run("status", "p", check_rc=0)
    check("  refresh-token: stored" in p.stdout and "client-secret" not in p.stdout, p.stdout)


def case_refresh_token_basic(fx):
    first = fx.dir / "first-refresh-token"
    o2 = setup(fx, "--refresh-token-out", str(first), lines="    grant = refresh_token\n")
    store(fx, "refresh-token", first.read_text().strip())
    # A confidential client must authenticate: without the secret, nothing is sent.
    fx.run("secret", "rm", "p", "client-secret", check_rc=0)  # none left by an earlier case in this keyring
    p = fx.run("token", "p", check_rc=3)
    check("tokex secret set p client-secret" in p.stderr, p.stderr)
    check(stats(fx, o2)["token_requests"] == 0, "a request went out without the client secret")
    store(fx, "client-secret", SECRET)
    check(call_api(fx, o2)["grant"] == "refresh_token", "not a refresh_token token")
    s = stats(fx, o2)
    check(s["last_client_auth"] == "basic" and s["last_form_fields"] == ["grant_type", "refresh_token"],
          f"unexpected request {s}")
    check(holds_newest(s), "the rotated refresh token was not stored")
    p = fx.run("status", "p", check_rc=0)
    check("  refresh-token: stored" in p.stdout and "  client-secret: stored" in p.stdout, p.stdout)


def case_jwt_bearer(fx):
    key, cert = key_pair(fx)
    o2 = start(fx, "--certificate", str(cert), "--public", "--assertion-subject", SUBJECT)
    common = f"    grant = jwt-bearer\n    assertion-subject = {SUBJECT}\n    certificate = {cert}\n"
    fx.write_config(profile(fx, o2, "none", common + "    client-auth = none\n") +
                    profile(fx, o2, "basic", common) +
                    profile(fx, o2, "pkjwt", common + "    client-auth = private_key_jwt\n"))
    for prof, auth, fields in (
            ("none", "none", ["grant_type", "assertion", "client_id"]),
            ("basic", "basic", ["grant_type", "assertion"]),
            ("pkjwt", "private_key_jwt", ["grant_type", "assertion", "client_id", "client_assertion_type",
                                          "client_assertion"])):
        store_key(fx, key, prof)
        if auth == "basic":
            store(fx, "client-secret", SECRET, prof)
        check(call_api(fx, o2, prof)["grant"] == "urn:ietf:params:oauth:grant-type:jwt-bearer",
              f"{prof}: not a jwt-bearer token")
        s = stats(fx, o2)
        check(s["last_client_auth"] == auth and s["last_form_fields"] == fields, f"{prof}: unexpected request {s}")
    s = stats(fx, o2)
    check(s["grant_jwt_bearer"] == 3 and s["tokens_issued"] == 3, f"unexpected stats {s}")
    p = fx.run("status", "pkjwt", check_rc=0)
    check("  private-key: stored" in p.stdout and "client-secret" not in p.stdout, p.stdout)
    # Signed for another subject, the assertion is refused: the 200s above
    # are the emulator's doing.
    fx.write_config(fx.config.read_text().replace(SUBJECT, "someone-else@example.com"))
    p = fx.run("token", "none", check_rc=4)
    one_line_error(p, "none", "invalid_grant")


def case_parameters_reach_the_server(fx):
    lines = ("    client-auth = post\n    scopes = read admin:audit\n    audience = https://api.example.com/\n"
             "    resource = urn:example:reports\n    form-team = blue&green\n    form-x_mode = strict\n")
    o2 = setup(fx, "--require-audience", "https://api.example.com/", "--require-resource", "urn:example:reports",
               "--require-form", "team=blue&green", "--require-form", "x_mode=strict", lines=lines)
    store(fx, "client-secret", SECRET)
    answer = call_api(fx, o2)
    check(answer["scope"] == "read admin:audit", f"the scope did not reach the server: {answer}")
    s = stats(fx, o2)
    check(s["last_form_fields"] == ["grant_type", "client_id", "client_secret", "scope", "audience", "resource",
                                    "team", "x_mode"], f"unexpected fields {s['last_form_fields']}")
    # Without one of them the server refuses: the 200 above needed them all.
    fx.write_config(fx.config.read_text().replace("    form-team = blue&green\n", ""))
    p = fx.run("token", "p", check_rc=2)
    one_line_error(p, "p", "invalid_request", SECRET)


def case_rotation_ten_forced_exchanges(fx):
    first = fx.dir / "first-refresh-token"
    o2 = setup(fx, "--public", "--refresh-token-out", str(first),
               lines="    grant = refresh_token\n    client-auth = none\n")
    store(fx, "refresh-token", first.read_text().strip())
    seen = set()
    for i in range(10):
        p = fx.run("token", "p", "--no-cache")
        check(p.returncode == 0, f"forced exchange {i + 1} failed: {p.stderr}")
        seen.add(p.stdout)
        s = stats(fx, o2)
        check(s["grant_refresh_token"] == i + 1, f"exchange {i + 1}: unexpected stats {s}")
        check(holds_newest(s), f"after exchange {i + 1} the store does not hold the newest refresh token")
    check(len(seen) == 10, "forced exchanges printed the same token twice")
    check(stats(fx, o2)["live_refresh_tokens"] == 1, "more than one refresh token is alive")


def case_parallel_cold_callers_exchange_once(fx):
    first = fx.dir / "first-refresh-token"
    o2 = setup(fx, "--public", "--refresh-token-out", str(first), "--delay", "0.5",
               lines="    grant = refresh_token\n    client-auth = none\n")
    store(fx, "refresh-token", first.read_text().strip())
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda _: fx.run("token", "p"), range(40)))
    failed = [r.stderr for r in results if r.returncode != 0]
    check(not failed, f"{len(failed)} of 40 parallel callers failed: {failed[:3]}")
    check(len({r.stdout for r in results}) == 1, "parallel callers printed different tokens")
    s = stats(fx, o2)
    check(s["token_requests"] == 1, f"40 parallel cold callers made {s['token_requests']} exchanges")
    check(holds_newest(s), "the store does not hold the newest refresh token")


def case_invalid_scope_is_a_config_error(fx):
    o2 = setup(fx, lines="    scopes = read delete:all\n")
    store(fx, "client-secret", SECRET)
    p = fx.run("token", "p", check_rc=2)
    line = one_line_error(p, "p", "invalid_scope", SECRET)
    check("check the profile's grant, scopes and client-id" in line, line)
    check(stats(fx, o2)["token_requests"] == 1, "an invalid_scope was retried")


def case_invalid_client_is_rejected(fx):
    o2 = setup(fx)
    wrong = SECRET + "x"
    store(fx, "client-secret", wrong)
    p = fx.run("token", "p", check_rc=4)
    line = one_line_error(p, "p", "invalid_client", SECRET, wrong)
    check(line.endswith("check client-id and the stored client-secret (tokex secret set p client-secret)"), line)
    s = stats(fx, o2)
    check(s["token_requests"] == 1 and s["error_invalid_client"] == 1, f"unexpected stats {s}")


def case_spent_refresh_token_is_invalid_grant(fx):
    first = fx.dir / "first-refresh-token"
    o2 = setup(fx, "--public", "--refresh-token-out", str(first),
               lines="    grant = refresh_token\n    client-auth = none\n")
    spent = first.read_text().strip()
    store(fx, "refresh-token", spent)
    fx.run("token", "p", check_rc=0)
    newest = stored("p", "refresh-token")
    check(newest != spent, "the refresh token did not rotate")
    store(fx, "refresh-token", spent)  # as if someone restored an old copy
    p = fx.run("token", "p", check_rc=4)
    line = one_line_error(p, "p", "invalid_grant", spent, newest)
    check(line.endswith("store a new refresh token with tokex secret set p refresh-token"), line)
    s = stats(fx, o2)
    check(s["token_requests"] == 2 and s["error_invalid_grant"] == 1, f"unexpected stats {s}")
    check(stored("p", "refresh-token") == spent, "a refused exchange changed the stored token")


def case_expired_jwt_refresh_token_is_not_sent(fx):
    o2 = setup(fx, "--public", lines="    grant = refresh_token\n    client-auth = none\n")
    b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    expired = b64({"alg": "none"}) + "." + b64({"exp": 1000000000}) + ".c2ln"
    store(fx, "refresh-token", expired)
    p = fx.run("token", "p", check_rc=4)
    check("expired at 2001-09-09" in p.stderr and "tokex secret set p refresh-token" in p.stderr, p.stderr)
    check(stats(fx, o2)["token_requests"] == 0, "an expired refresh token was sent")


def case_status_lists_the_secrets_the_grant_needs(fx):
    o2 = start(fx)
    fx.write_config(profile(fx, o2, "cc") + profile(fx, o2, "rt", "    grant = refresh_token\n    client-auth = none\n")
                    + profile(fx, o2, "jb", "    grant = jwt-bearer\n    client-auth = private_key_jwt\n")
                    + profile(fx, o2, "rtb", "    grant = refresh_token\n    client-auth = post\n"))
    expected = {"cc": ["client-secret"], "rt": ["refresh-token"], "jb": ["private-key"],
                "rtb": ["refresh-token", "client-secret"]}
    for prof, names in expected.items():
        p = fx.run("status", prof, check_rc=0)
        listed = [line.strip().split(":")[0] for line in p.stdout.splitlines()
                  if line.startswith("  ") and not line.startswith("  token:")]
        check(listed == names, f"status {prof} lists {listed}, expected {names}: {p.stdout}")
        check(all(f"  {n}: missing" in p.stdout for n in names), p.stdout)
    store(fx, "refresh-token", "rt-not-a-jwt", "rt")
    p = fx.run("status", "rt", check_rc=0)
    check("  refresh-token: stored" in p.stdout and "rt-not-a-jwt" not in p.stdout, p.stdout)


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
