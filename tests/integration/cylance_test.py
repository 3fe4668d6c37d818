"""BlackBerry Cylance end to end: the real keyring, the strict emulator, real curl."""

import json
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from harness import EMULATORS, Failure, check, main

sys.path.insert(0, str(EMULATORS))
import emulib  # noqa: E402

APP_ID = "3f2b7c1e-app-4d6a-9e1f-0123456789ab"
TENANT = "8a1c5d2e-tenant-4b7f-a0c3-fedcba987654"
APP_SECRET = "cY1-app_s3cret-7Hq2-value"
GRANTED = "device:list device:read threat:read policy:read"


def setup(fx, *emulator_args, extra=""):
    """Starts the emulator (which knows APP_SECRET) and writes profile "cy"."""
    secret_file = fx.dir / "emulator-app-secret"
    secret_file.write_text(APP_SECRET)
    cy = fx.start("cylance", "--app-id", APP_ID, "--tenant", TENANT, "--app-secret-file", str(secret_file),
                  "--scopes", GRANTED, *emulator_args)
    write_config(fx, cy, extra)
    return cy


def write_config(fx, cy, extra=""):
    fx.write_config(f"""# written by the test
[profile "cy"]
    preset    = cylance
    tenant    = {TENANT}
    client-id = {APP_ID}
    base-url  = {cy.base_url}
    ca-file   = {fx.pki['ca']}
{extra}""")


def store_secret(fx, value=APP_SECRET):
    p = fx.run("secret", "set", "cy", "app-secret", stdin=value + "\n", check_rc=0)
    check(value not in p.stderr + p.stdout, "secret set echoed the secret")


def stats(fx, cy):
    return fx.get_json(cy.base_url + "/_emulator/stats")


def curl(fx, cy, config_text):
    """Real curl against the protected endpoint, with the config on stdin."""
    return subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null",
                           "-w", "%{http_code}", cy.base_url + "/devices/v2"],
                          input=config_text, capture_output=True, text=True, timeout=30)


def one_error_line(p):
    """The single stderr line of a failed run, after checking stdout is empty."""
    check(p.stdout == "", f"a failed run printed on stdout: {p.stdout!r}")
    lines = p.stderr.splitlines()
    check(len(lines) == 1, f"expected one line on stderr, got {p.stderr!r}")
    check(APP_SECRET not in p.stderr, "the app secret appeared in the error")
    return lines[0]


def rejected_line(cy, status, server_message):
    return (f"tokex: cy: the server rejected the credentials: 127.0.0.1:{cy.port} answered HTTP {status} "
            f"({server_message}): check client-id (the app id {APP_ID}), tenant ({TENANT}) and the stored app "
            "secret (tokex secret set cy app-secret); Cylance also rejects an auth token whose iat is off, so "
            "check this machine's clock")


def auth_token(secret=APP_SECRET, alg="HS256", **changes):
    """An auth token as the vendor's Python example makes one."""
    now = int(time.time())
    claims = {"exp": now + 1800, "iat": now, "iss": "http://cylance.com", "sub": APP_ID, "tid": TENANT,
              "jti": str(uuid.uuid4())}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return emulib.jwt_hs256(claims, secret.encode(), {"alg": alg, "typ": "JWT"})


def post_token(fx, cy, body, content_type="application/json; charset=utf-8"):
    """(status, JSON answer) of a token request made with urllib."""
    ctx = ssl.create_default_context(cafile=fx.pki["ca"])
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(cy.base_url + "/auth/v2/token", data=data, method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def case_curl_end_to_end(fx):
    cy = setup(fx)
    store_secret(fx)
    cfg = fx.run("curl", "cy", check_rc=0).stdout
    check(cfg.startswith('header = "Authorization: Bearer ey'), f"unexpected curl config: {cfg!r}")
    r = curl(fx, cy, cfg)
    check(r.stdout == "200", f"curl with tokex's config got {r.stdout} {r.stderr}")
    # A token of our own making, even one signed with the app secret, is
    # refused: the 200 above is the emulator's doing.
    r = curl(fx, cy, f'header = "Authorization: Bearer {auth_token()}"\n')
    check(r.stdout == "401", f"the emulator accepted a forged token: {r.stdout}")
    s = stats(fx, cy)
    check(s["token_requests"] == 1 and s["tokens_issued"] == 1 and s["api_requests"] == 2,
          f"unexpected emulator stats {s}")
    check(s["last_scp"] is None, f"scp was sent without scopes: {s['last_scp']}")
    check(s["last_auth_lifetime"] == 1800, f"default auth token lifetime {s['last_auth_lifetime']}, not 1800")


def case_cache_hit(fx):
    cy = setup(fx)
    store_secret(fx)
    first = fx.run("token", "cy", check_rc=0).stdout
    check(stats(fx, cy)["token_requests"] == 1, "first call did not exchange")
    second = fx.run("token", "cy", check_rc=0).stdout
    check(second == first, "second call printed another token")
    check(stats(fx, cy)["token_requests"] == 1, "second call was not served from the cache")
    check(APP_SECRET not in (fx.runtime / "tokex" / "cy.json").read_text(), "the app secret leaked into the cache")


def case_no_cache_twice_fresh_jti(fx):
    cy = setup(fx)
    store_secret(fx)
    a = fx.run("token", "cy", "--no-cache", check_rc=0).stdout
    b = fx.run("token", "cy", "--no-cache", check_rc=0).stdout
    check(a != b, "two exchanges printed the same access token")
    s = stats(fx, cy)
    check(s["token_requests"] == 2 and s["tokens_issued"] == 2 and s["jti_replays"] == 0,
          f"two --no-cache calls did not make two accepted exchanges: {s}")


def case_access_token_expiry_from_its_exp(fx):
    cy = setup(fx, "--access-lifetime", "900")
    store_secret(fx)
    before = int(time.time())
    out = json.loads(fx.run("json", "cy", check_rc=0).stdout)
    exp = emulib.jwt_parts(out["access_token"])[1]["exp"]
    check(before + 900 <= exp <= int(time.time()) + 900, f"the emulator's exp {exp} is not now + 900")
    # Cylance's answer has no expires_in: the expiry is the token's own exp.
    want = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))
    check(out["expires_at"] == want, f"tokex's expiry {out['expires_at']!r} is not the token's exp {want}")
    check(out["token_type"] == "Bearer" and out["headers"] == {"Authorization": "Bearer " + out["access_token"]},
          f"unexpected token type or headers: {out['token_type']!r} {list(out['headers'])}")


def case_scopes_reach_the_emulator_as_a_list(fx):
    cy = setup(fx, extra="    scopes    = device:list  threat:read\n")
    store_secret(fx)
    cfg = fx.run("curl", "cy", check_rc=0).stdout
    check(stats(fx, cy)["last_scp"] == ["device:list", "threat:read"],
          f"scp arrived as {stats(fx, cy)['last_scp']!r}")
    check(curl(fx, cy, cfg).stdout == "200", "a token with the device:list scope could not list devices")
    write_config(fx, cy, "    scopes    = device:list policy:delete\n")
    line = one_error_line(fx.run("token", "cy", check_rc=4))
    check(line == rejected_line(cy, 400, "scope not granted to this application: policy:delete"),
          f"unexpected message: {line}")
    s = stats(fx, cy)
    check(s["token_requests"] == 2 and s["tokens_issued"] == 1, f"a refused scope was retried or accepted: {s}")


def case_token_lifetime_shortens_exp(fx):
    cy = setup(fx, extra="    token-lifetime = 300\n")
    store_secret(fx)
    fx.run("token", "cy", check_rc=0)
    check(stats(fx, cy)["last_auth_lifetime"] == 300, f"exp - iat was {stats(fx, cy)['last_auth_lifetime']}")


def case_wrong_app_secret(fx):
    cy = setup(fx)
    wrong = "wrong-" + APP_SECRET[::-1]
    store_secret(fx, wrong)
    p = fx.run("token", "cy", check_rc=4)
    line = one_error_line(p)
    check(wrong not in p.stderr, "the stored secret appeared in the error")
    check(line == rejected_line(cy, 401, "invalid auth token signature"), f"unexpected message: {line}")
    s = stats(fx, cy)
    check(s["token_requests"] == 1 and s["tokens_issued"] == 0, f"a 401 was retried or accepted: {s}")


def case_missing_app_secret(fx):
    cy = setup(fx)
    fx.run("secret", "rm", "cy", "app-secret", check_rc=0)  # left by another case in the same keyring
    line = one_error_line(fx.run("token", "cy", check_rc=3))
    check(line.startswith("tokex: cy: ") and "tokex secret set cy app-secret" in line,
          f"no hint to store the secret: {line}")
    check(stats(fx, cy)["token_requests"] == 0, "an exchange was tried without the secret")


def case_server_clock_skew(fx):
    cy = setup(fx, "--clock-offset", "400")
    store_secret(fx)
    line = one_error_line(fx.run("token", "cy", check_rc=4))
    check(line == rejected_line(cy, 401, "iat is not within 300 s of the server clock"), f"unexpected message: {line}")
    # Within the server's tolerance the same machine clock is fine.
    near = setup(fx, "--clock-offset", "-200")
    fx.run("token", "cy", check_rc=0)
    check(stats(fx, near)["tokens_issued"] == 1, "a 200 s skew was refused")


def case_emulator_refuses_replay(fx):
    cy = setup(fx)
    token = auth_token()
    status, answer = post_token(fx, cy, {"auth_token": token})
    check(status == 200 and set(answer) == {"access_token"}, f"a valid auth token got {status} {answer}")
    status, answer = post_token(fx, cy, {"auth_token": token})
    check((status, answer) == (401, {"message": "the auth token was already used (jti)"}),
          f"a replayed auth token got {status} {answer}")
    s = stats(fx, cy)
    check(s["jti_replays"] == 1 and s["tokens_issued"] == 1, f"unexpected stats {s}")


def case_emulator_is_strict(fx):
    """Each departure from the vendor's example is refused, so that the
    passing cases above mean something."""
    cy = setup(fx)
    now = int(time.time())
    refused = [
        ({"auth_token": auth_token(alg="none")}, None, 401, "the auth token must be signed HS256"),
        ({"auth_token": auth_token(alg="HS512")}, None, 401, "the auth token must be signed HS256"),
        ({"auth_token": auth_token(secret="other")}, None, 401, "invalid auth token signature"),
        ({"auth_token": auth_token(iss="https://cylance.com")}, None, 401, "iss must be http://cylance.com"),
        ({"auth_token": auth_token(sub="other-app")}, None, 401, "unknown application (sub)"),
        ({"auth_token": auth_token(tid="other-tenant")}, None, 401, "unknown tenant (tid)"),
        ({"auth_token": auth_token(iat=now - 400)}, None, 401, "iat is not within 300 s of the server clock"),
        ({"auth_token": auth_token(exp=now - 1)}, None, 401, "the auth token has expired"),
        ({"auth_token": auth_token(exp=now + 1801)}, None, 401, "exp may be at most 1800 s after iat"),
        ({"auth_token": auth_token(jti=None)}, None, 401, "jti is missing"),
        ({"auth_token": auth_token(scp="device:list")}, None, 400, "scp must be a list of scopes"),
        ({"auth_token": auth_token(scp=["device:list", "user:delete"])}, None, 400,
         "scope not granted to this application: user:delete"),
        ({"auth_token": auth_token(), "tid": TENANT}, None, 400, 'the body must be {"auth_token": JWT}'),
        ({"auth_token": auth_token()}, "application/x-www-form-urlencoded", 400,
         "Content-Type must be application/json"),
    ]
    for body, content_type, status, text in refused:
        got = post_token(fx, cy, body, content_type or "application/json")
        check(got == (status, {"message": text}), f"expected {status} {text!r}, got {got}")
    s = stats(fx, cy)
    check(s["tokens_issued"] == 0 and s["rejected"] == len(refused), f"unexpected stats {s}")
    # The same shapes, done right, pass: scp a list of granted scopes.
    status, _ = post_token(fx, cy, {"auth_token": auth_token(scp=["device:list"])}, "application/json")
    check(status == 200, f"a valid auth token with scp got {status}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
