"""store = etcd end to end, on one real etcd member (tests/lib/etcd.py) over
TLS from the test's CA: secrets sealed in etcd, the access token shared by
hosts, rotation by compare-and-swap, the failures (wrong or missing
etcd-key, etcd down, a CA that does not match), client certificates and
user/password auth, status and check, and what etcd holds (never a secret
in plaintext or base64). The strict Cisco XDR and Kaspersky MDR emulators,
the real keyring, real curl."""

import base64
import os
import pathlib
import subprocess
import sys
import time

from harness import check, main
import kaspersky_test as mdr_test
from kaspersky_test import CLIENT_ID as MDR_CLIENT_ID, stats as mdr_stats
from xdr_fixture import CLIENT_ID, SECRET, config_text, stats as xdr_stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "lib"))

import etcd as etcd_lib  # noqa: E402

PREFIX = "tokex/"
TIMEOUT = 5  # the profiles' timeout where etcd is down or refuses
SLACK = 10   # what a slow machine may add to that bound


def new_etcd_key():
    """An etcd-key as README makes one: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


def start_etcd(fx, **kw):
    """One etcd member, stopped and removed with the fixture."""
    e = etcd_lib.single(fx.dir, fx.pki, **kw)
    fx.emulators.append(e)  # Fixture.close() closes what is there
    return e


def etcd_lines(e, endpoints=None):
    """The profile lines of store = etcd on `e` (or `endpoints`), trusting
    the test CA."""
    return (f"    store = etcd\n"
            f"    etcd-endpoints = {' '.join(endpoints or e.endpoints)}\n"
            f"    etcd-ca-file = {e.pki['ca']}\n")


def start_xdr_emulator(fx, *emulator_args):
    secret_file = fx.dir / "emulator-secret"
    secret_file.write_text(SECRET)
    return fx.start("cisco_xdr", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file),
                    *emulator_args)


def setup_xdr(fx, e, extra="", emulator_args=(), **kw):
    """The XDR emulator and profile "xdr" with store = etcd on `e`; sets
    etcd-key. Returns the emulator and the key."""
    xdr = start_xdr_emulator(fx, *emulator_args)
    fx.write_config(config_text(fx, xdr, f"    timeout = {TIMEOUT}\n" + etcd_lines(e, **kw) + extra))
    key = new_etcd_key()
    fx.run("secret", "set", "xdr", "etcd-key", stdin=key + "\n", check_rc=0)
    return xdr, key


def store_xdr_secret(fx):
    p = fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    check(SECRET not in p.stdout + p.stderr, "secret set echoed the secret")


def setup_mdr(fx, e, *emulator_args, extra=""):
    """The Kaspersky emulator and profile "mdr" with store = etcd on `e`,
    etcd-key and the first refresh token stored; returns the emulator and
    that token."""
    mdr, first = mdr_test.setup(fx, *emulator_args, extra="    timeout   = 20\n" + etcd_lines(e) + extra)
    fx.run("secret", "set", "mdr", "etcd-key", stdin=new_etcd_key() + "\n", check_rc=0)
    fx.run("secret", "set", "mdr", "refresh-token", stdin=first + "\n", check_rc=0)
    return mdr, first


def host_env(fx, name):
    """Another host: its own runtime, state, data and cache directories
    (under HOME, so the hygiene scan reads them), the same config."""
    top = fx.dir / "home" / "hosts" / name
    env = {}
    for var, sub in (("XDG_RUNTIME_DIR", "run"), ("XDG_STATE_HOME", "state"), ("XDG_DATA_HOME", "data"),
                     ("XDG_CACHE_HOME", "cache")):
        (top / sub).mkdir(parents=True, mode=0o700, exist_ok=True)
        env[var] = str(top / sub)
    return env


def one_line(p, *words):
    lines = p.stderr.splitlines()
    check(len(lines) == 1, f"expected one line on stderr, got {p.stderr!r}")
    for w in words:
        check(w in lines[0], f"{w!r} not in the error {lines[0]!r}")
    check(lines[0].startswith("tokex: "), f"not an error line: {lines[0]!r}")
    return lines[0]


def curl_xdr(fx, xdr, config):
    return subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null",
                           "-w", "%{http_code}", xdr.base_url + "/iroh/profile/whoami"],
                          input=config, capture_output=True, text=True, timeout=30)


def curl_mdr(fx, mdr, token):
    return subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null", "-w",
                           "%{http_code}", f"{mdr.base_url}/api/v1/{MDR_CLIENT_ID}/incidents"],
                          input=f'header = "Authorization: Bearer {token}"\n', capture_output=True, text=True,
                          timeout=30)


def spend(fx, mdr, refresh):
    """POSTs `refresh` to the emulator as tokex would: its HTTP status."""
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", fx.pki["ca"],
                        "-H", "Content-Type: application/json", "--data-binary", "@-",
                        f"{mdr.base_url}/api/v1/{MDR_CLIENT_ID}/session/confirm"],
                       input='{"refresh_token": "%s"}' % refresh, capture_output=True, text=True, timeout=30)
    return r.stdout


def sealed(e, key):
    """The value etcd holds at `key`, which must be sealed."""
    v = e.get(key)
    check(v is not None, f"etcd has no {key}: it holds {e.keys(PREFIX)}")
    check(v.startswith("tokex1."), f"etcd's {key} is not a sealed value: starts {v[:10]!r}")
    return v


def b64_forms(value):
    """The runs of characters `value` leaves in any base64 text that holds
    it, at each of the three alignments (standard and URL alphabets)."""
    raw = value.encode()
    forms = set()
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + raw).decode().rstrip("=")
        core = enc[4 if shift else 0:-4]  # the edges mix in bytes that are not the value's
        if len(core) >= 8:
            forms.add(core)
            forms.add(core.replace("+", "-").replace("/", "_"))
    return forms


def check_no_secret_in(where, data, secrets):
    """`secrets` is {name: value}; none may be in `data` (bytes), as is or
    base64-encoded."""
    for name, value in secrets.items():
        check(value.encode() not in data, f"{where} holds {name} in plaintext")
        for form in b64_forms(value):
            check(form.encode() not in data, f"{where} holds {name} in base64")


# Cisco XDR: a client secret sealed in etcd.

def case_xdr_secret_in_etcd_curl(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    sealed(e, f"{PREFIX}xdr/secret/client-secret")
    lookup = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", "client-secret"],
                            capture_output=True, text=True, timeout=30)
    check(lookup.stdout == "", "the client secret went to the keyring too")
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    r = curl_xdr(fx, xdr, cfg)
    check(r.stdout == "200", f"curl with tokex's config got {r.stdout} {r.stderr}")
    sealed(e, f"{PREFIX}xdr/token")
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 1 and s["tokens_issued"] == 1, f"unexpected stats {s}")


def case_local_secrets_stay_local(fx):
    """etcd-key and etcd-password are the host's: its keyring holds them,
    etcd never does, and what secret set says of them is true."""
    e = start_etcd(fx)
    xdr = start_xdr_emulator(fx)
    fx.write_config(config_text(fx, xdr, f"    timeout = {TIMEOUT}\n" + etcd_lines(e)))
    for name, value in (("etcd-key", new_etcd_key()), ("etcd-password", "a-local-etcd-password")):
        p = fx.run("secret", "set", "xdr", name, stdin=value + "\n", check_rc=0)
        lookup = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", name], capture_output=True,
                                text=True, timeout=30)
        check(lookup.stdout == value, f"{name} is not in the host's keyring")
        check(e.keys("") == [], f"{name} went to etcd: {e.keys('')}")
        check("etcd cluster" not in p.stderr, f"secret set says {name} went where it did not: {p.stderr.strip()!r}")


def case_xdr_secret_rm(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    fx.run("secret", "rm", "xdr", "client-secret", check_rc=0)
    check(e.get(f"{PREFIX}xdr/secret/client-secret") is None, f"secret rm left the key: {e.keys(PREFIX)}")
    p = fx.run("token", "xdr", "--no-cache", check_rc=3)
    one_line(p, "xdr", "client-secret")
    check(xdr_stats(fx, xdr)["token_requests"] == 1, "an exchange ran without the client secret")


def case_second_host_shares_access_token(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    first = fx.run("token", "xdr", check_rc=0).stdout
    rev = e.revision(f"{PREFIX}xdr/token")
    other = host_env(fx, "b")
    second = fx.run("token", "xdr", env=other, check_rc=0).stdout
    check(second == first, "the second host printed another token than the shared one")
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 1, f"the second host exchanged again: {s}")
    check(e.revision(f"{PREFIX}xdr/token") == rev, "the second host rewrote the shared token")
    check((pathlib.Path(other["XDG_RUNTIME_DIR"]) / "tokex" / "xdr.json").exists(),
          "the second host did not cache the shared token locally")
    # A third, with its etcd-key in the environment instead of the keyring.
    key = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", "etcd-key"], capture_output=True,
                         text=True, timeout=30).stdout.strip()
    check(key != "", "etcd-key is not in the host's keyring")
    fx.write_config(fx.config.read_text() + "    etcd-local-store = env\n")
    third = fx.run("token", "xdr", env={**host_env(fx, "c"), "TOKEX_XDR_ETCD_KEY": key}, check_rc=0).stdout
    check(third == first, "a host with etcd-local-store = env printed another token")
    check(xdr_stats(fx, xdr)["token_requests"] == 1, "the third host exchanged again")


# Kaspersky MDR: the rotating refresh token in etcd.

def case_mdr_rotation_by_cas(fx):
    e = start_etcd(fx)
    mdr, first = setup_mdr(fx, e)
    key = f"{PREFIX}mdr/secret/refresh-token"
    before = sealed(e, key)
    rev = e.revision(key)
    token = fx.run("token", "mdr", check_rc=0).stdout.strip()
    check(curl_mdr(fx, mdr, token).stdout == "200", "the emulator refused the access token")
    after = sealed(e, key)
    check(after != before and e.revision(key) > rev, "the refresh token in etcd did not change")
    s = mdr_stats(fx, mdr)
    check(s["token_requests"] == 1 and s["rotations"] == 1 and s["refused"] == 0, f"unexpected stats {s}")
    check(spend(fx, mdr, first) == "401", "the first refresh token still works after the rotation")
    # What etcd holds now is the newest: another host, with nothing cached
    # and no shared token, exchanges it.
    e.delete(f"{PREFIX}mdr/token")
    token2 = fx.run("token", "mdr", env=host_env(fx, "b"), check_rc=0).stdout.strip()
    s = mdr_stats(fx, mdr)
    check(s["rotations"] == 2 and s["refused"] == 1, f"the refresh token in etcd was not the newest: {s}")
    check(token2 != token and curl_mdr(fx, mdr, token2).stdout == "200", "the second exchange's token fails")
    check(not list((fx.dir / "state").rglob("recovery/*")), "a recovery file was left behind")


def case_mdr_changed_behind_its_back_is_not_overwritten(fx):
    """The compare-and-swap: a refresh token written to etcd while an
    exchange is in flight (another host's) is not overwritten by it."""
    e = start_etcd(fx)
    mdr, _ = setup_mdr(fx, e, "--delay", "2")
    key = f"{PREFIX}mdr/secret/refresh-token"
    proc = subprocess.Popen([fx.tokex, "token", "mdr"], env=fx.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 15
        while mdr_stats(fx, mdr)["token_requests"] < 1:
            check(time.monotonic() < deadline and proc.poll() is None, "the exchange did not reach the server")
            time.sleep(0.05)
        e.put(key, "tokex1.written-by-someone-else")
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    fx.hygiene.allow_kept_refresh_token("mdr")
    check(e.get(key) == "tokex1.written-by-someone-else",
          "the exchange overwrote a refresh token written while it ran (no compare-and-swap)")
    # The rotated token is not lost: kept where ExchangeRotating keeps
    # what its store refused, with a way to restore it.
    recovery = fx.dir / "state" / "tokex" / "recovery" / "mdr"
    check(proc.returncode == 3 and out == "", f"tokex exited {proc.returncode} ({err!r}) though etcd refused "
                                              "the rotated refresh token")
    check(recovery.exists() and str(recovery) in err, f"the rotated refresh token was not kept: {err!r}")


# Failures.

def case_no_cache_exchanges_despite_shared_token(fx):
    """tokex(1): --no-cache "Neither read nor write the token cache: always
    run the exchange". The token etcd shares is that profile's cache too:
    a caller that wants a new token (the shared one was revoked) gets one."""
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    first = fx.run("token", "xdr", check_rc=0).stdout
    again = fx.run("token", "xdr", "--no-cache", check_rc=0).stdout
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 2 and again != first,
          f"--no-cache answered the token etcd shares instead of exchanging ({s['token_requests']} exchanges)")


def case_wrong_etcd_key(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    fx.run("secret", "set", "xdr", "etcd-key", stdin=new_etcd_key() + "\n", check_rc=0)
    p = fx.run("token", "xdr", check_rc=3)
    one_line(p, "xdr", "etcd-key")
    check(xdr_stats(fx, xdr)["token_requests"] == 0, "an exchange ran with a secret the key could not open")


def case_no_etcd_key(fx):
    e = start_etcd(fx)
    xdr = start_xdr_emulator(fx)
    fx.write_config(config_text(fx, xdr, f"    timeout = {TIMEOUT}\n" + etcd_lines(e)))
    p = fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=3)
    one_line(p, "xdr", "etcd-key", "tokex secret set xdr etcd-key")
    check(e.keys(PREFIX) == [], f"something was written without a key: {e.keys(PREFIX)}")
    # A host without the key, where another host stored the secret.
    fx.run("secret", "set", "xdr", "etcd-key", stdin=new_etcd_key() + "\n", check_rc=0)
    store_xdr_secret(fx)
    fx.run("secret", "rm", "xdr", "etcd-key", check_rc=0)
    sealed(e, f"{PREFIX}xdr/secret/client-secret")
    p = fx.run("token", "xdr", check_rc=3)
    one_line(p, "xdr", "etcd-key", "tokex secret set xdr etcd-key")
    check(xdr_stats(fx, xdr)["token_requests"] == 0, "an exchange ran without the etcd-key")


def case_no_etcd_key_in_env(fx):
    e = start_etcd(fx)
    xdr, key = setup_xdr(fx, e)
    store_xdr_secret(fx)
    fx.write_config(fx.config.read_text() + "    etcd-local-store = env\n")
    p = fx.run("token", "xdr", check_rc=3)
    one_line(p, "xdr", "TOKEX_XDR_ETCD_KEY")
    check(xdr_stats(fx, xdr)["token_requests"] == 0, "an exchange ran without the etcd-key")
    fx.run("token", "xdr", env={"TOKEX_XDR_ETCD_KEY": key}, check_rc=0)


def case_etcd_down(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    e.stop()
    start = time.monotonic()
    p = fx.run("token", "xdr", check_rc=3)
    took = time.monotonic() - start
    check(took < TIMEOUT + SLACK, f"tokex took {took:.1f} s with etcd down (timeout {TIMEOUT})")
    one_line(p, "xdr", e.endpoints[0])
    check(xdr_stats(fx, xdr)["token_requests"] == 0, "an exchange ran without its secret")


def case_failover_to_next_endpoint(fx):
    e = start_etcd(fx)
    dead = f"https://127.0.0.1:{etcd_lib.free_port()}"  # nobody listens there
    xdr, _ = setup_xdr(fx, e, endpoints=[dead] + e.endpoints)
    store_xdr_secret(fx)
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    check(curl_xdr(fx, xdr, cfg).stdout == "200", "the token got through the second endpoint fails")
    sealed(e, f"{PREFIX}xdr/token")
    p = fx.run("status", "xdr", check_rc=0)
    check(any(e.endpoints[0] in l and "member" in l for l in p.stdout.splitlines()),
          f"status does not name the endpoint that answered: {p.stdout!r}")


def case_etcd_wrong_ca_refused(fx):
    e = start_etcd(fx)
    other = etcd_lib.pki_lib.make_pki(fx.dir / "other-pki")
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    fx.write_config(fx.config.read_text().replace(f"etcd-ca-file = {fx.pki['ca']}",
                                                  f"etcd-ca-file = {other['ca']}"))
    p = fx.run("token", "xdr", "--no-cache", check_rc=3)
    one_line(p, "xdr", e.endpoints[0], "etcd-ca-file")
    check(xdr_stats(fx, xdr)["token_requests"] == 0, "tokex trusted an etcd its CA did not sign")


def case_etcd_client_cert(fx):
    e = start_etcd(fx, client_cert_auth=True)
    cert = e.client_cert("tokex-host")
    xdr, _ = setup_xdr(fx, e, extra=f"    etcd-client-cert = {cert['cert']}\n    etcd-client-key = {cert['key']}\n")
    store_xdr_secret(fx)
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    check(curl_xdr(fx, xdr, cfg).stdout == "200", "the token from an etcd with client certificates fails")
    sealed(e, f"{PREFIX}xdr/secret/client-secret")
    # Without the certificate, etcd refuses the connection, and the error
    # says what to do about it (under TLS 1.3 the refusal comes after the
    # handshake, at the first read: etcd is running all the same).
    text = fx.config.read_text()
    fx.write_config("".join(line + "\n" for line in text.splitlines() if "etcd-client-" not in line))
    p = fx.run("token", "xdr", "--no-cache", check_rc=3)
    line = one_line(p, "xdr", e.endpoints[0])
    check("certificate" in line or "etcd-client-cert" in line,
          f"the error does not point at the missing client certificate: {line!r}")


def case_etcd_password(fx):
    e = start_etcd(fx, auth=True)
    xdr, _ = setup_xdr(fx, e, extra="    etcd-user = tokex\n")
    fx.run("secret", "set", "xdr", "etcd-password", stdin=e.tokex_password + "\n", check_rc=0)
    lookup = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", "etcd-password"],
                            capture_output=True, text=True, timeout=30)
    check(lookup.stdout == e.tokex_password, "etcd-password is not in the host's keyring")
    store_xdr_secret(fx)
    sealed(e, f"{PREFIX}xdr/secret/client-secret")
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    check(curl_xdr(fx, xdr, cfg).stdout == "200", "the token from an etcd with auth fails")
    fx.run("secret", "set", "xdr", "etcd-password", stdin="not-the-etcd-password\n", check_rc=0)
    p = fx.run("token", "xdr", "--no-cache", check_rc=3)
    line = one_line(p, "xdr", "etcd-password")
    check("not-the-etcd-password" not in line, "the error shows the password")


def case_etcd_client_cert_and_password(fx):
    """Both at once, as README sets a production cluster up: etcd's JSON
    gateway refuses a client certificate with a CN once auth is on, so
    the host's has none."""
    e = start_etcd(fx, client_cert_auth=True, auth=True)
    cert = e.client_cert(None)
    xdr, _ = setup_xdr(fx, e, extra=f"    etcd-client-cert = {cert['cert']}\n    etcd-client-key = {cert['key']}\n"
                                    "    etcd-user = tokex\n")
    fx.run("secret", "set", "xdr", "etcd-password", stdin=e.tokex_password + "\n", check_rc=0)
    store_xdr_secret(fx)
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    check(curl_xdr(fx, xdr, cfg).stdout == "200", "the token from an etcd with certificates and auth fails")
    sealed(e, f"{PREFIX}xdr/token")


def case_status_and_check(fx):
    e = start_etcd(fx)
    xdr, _ = setup_xdr(fx, e)
    store_xdr_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    p = fx.run("status", "xdr", check_rc=0)
    lines = [l for l in p.stdout.splitlines() if "etcd" in l]
    check(lines, f"status says nothing of etcd: {p.stdout!r}")
    check(any(e.endpoints[0] in l for l in lines), f"status does not name the endpoint: {p.stdout!r}")
    check("member" in p.stdout, f"status does not name the member that answered: {p.stdout!r}")
    check("lock" in p.stdout, f"status says nothing of the fleet lock: {p.stdout!r}")
    p = fx.run("check", "xdr", check_rc=0)
    check(any(l.startswith("xdr: ok ") and "etcd" in l for l in p.stdout.splitlines()),
          f"no passing etcd step in check: {p.stdout!r}")
    e.stop()
    p = fx.run("check", "xdr")
    check(p.returncode == 3, f"check exited {p.returncode} with etcd down: {p.stdout!r}")
    check(any(l.startswith("xdr: fail ") and "etcd" in l for l in p.stdout.splitlines()),
          f"no failed etcd step with etcd down: {p.stdout!r} {p.stderr!r}")


def case_no_secret_in_plaintext_in_etcd(fx):
    e = start_etcd(fx)
    xdr, xdr_key = setup_xdr(fx, e)
    store_xdr_secret(fx)
    xdr_token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    xdr_text = fx.config.read_text()
    # An MDR profile beside it, rotated twice, in the same etcd.
    out = fx.dir / "first-refresh-token"
    mdr = fx.start("kaspersky_mdr", "--client-id", MDR_CLIENT_ID, "--refresh-token-out", str(out))
    fx.write_config(xdr_text + f"""[profile "mdr"]
    preset    = kaspersky-mdr
    client-id = {MDR_CLIENT_ID}
    base-url  = {mdr.base_url}/api/v1
    ca-file   = {fx.pki['ca']}
{etcd_lines(e)}""")
    mdr_key = new_etcd_key()
    fx.run("secret", "set", "mdr", "etcd-key", stdin=mdr_key + "\n", check_rc=0)
    first = out.read_text().strip()
    fx.run("secret", "set", "mdr", "refresh-token", stdin=first + "\n", check_rc=0)
    mdr_tokens = [fx.run("token", "mdr", check_rc=0).stdout.strip()]
    fx.run("forget", "mdr", check_rc=0)
    e.delete(f"{PREFIX}mdr/token")
    mdr_tokens.append(fx.run("token", "mdr", check_rc=0).stdout.strip())
    check(mdr_stats(fx, mdr)["rotations"] == 2, "the MDR profile did not rotate twice")
    secrets = {"the client secret": SECRET, "xdr's etcd-key": xdr_key, "mdr's etcd-key": mdr_key,
               "xdr's access token": xdr_token, "the first refresh token": first}
    secrets.update({f"mdr's access token {i + 1}": t for i, t in enumerate(mdr_tokens)})
    secrets.update({f"a secret tokex stored ({name})": v for v, name in fx.hygiene.secrets.items()})
    # Every key, as etcdctl reads it (values as they are, then base64 in
    # JSON), and the members' files on disk.
    items = e.items(PREFIX)
    for k in (f"{PREFIX}xdr/secret/client-secret", f"{PREFIX}xdr/token", f"{PREFIX}mdr/secret/refresh-token",
              f"{PREFIX}mdr/token"):
        check(k in items and items[k].startswith("tokex1."), f"{k} is missing or not sealed: {sorted(items)}")
    for fmt in ("simple", "json"):
        r = e.etcdctl("get", "--prefix", PREFIX, "-w", fmt)
        check(r.returncode == 0 and r.stdout.strip(), f"etcdctl get -w {fmt} failed: {r.stderr}")
        check_no_secret_in(f"etcdctl get -w {fmt}", r.stdout.encode(), secrets)
    r = e.etcdctl("get", "", "--prefix", "--keys-only")
    check(all(k.startswith(PREFIX) for k in r.stdout.split()), f"tokex wrote outside its prefix: {r.stdout!r}")
    for path in e.raw_files():
        check_no_secret_in(f"etcd's {path.name}", path.read_bytes(), secrets)


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
