"""Kaspersky MDR end to end: the real keyring, the strict emulator of
/session/confirm (single-use JWT refresh tokens), real curl."""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import socket
import stat
import struct
import subprocess
import time

from harness import Failure, check, main

CLIENT_ID = "9ed43ed54sAmpleIdf349323951f"  # seed 000's sample
CONSOLE = "make a new one in the MDR Web Console (Settings, API tab: the token's Refresh button)"
COLLECTION = "/org/freedesktop/secrets/collection/login"
# What tests/lib/with_keyring.sh unlocks the throwaway keyring with (its
# here-document ends the line with a newline, which the daemon keeps).
KEYRING_PASSWORD = b"test-password\n"


def setup(fx, *emulator_args, extra=""):
    """Starts the emulator, writes profile "mdr" for it; returns the
    emulator and the first refresh token it minted."""
    out = fx.dir / "first-refresh-token"
    mdr = fx.start("kaspersky_mdr", "--client-id", CLIENT_ID, "--refresh-token-out", str(out), *emulator_args)
    check(stat.S_IMODE(out.stat().st_mode) == 0o600, "the emulator's refresh token file is not 0600")
    fx.write_config(f"""# written by the test
[profile "mdr"]
    preset    = kaspersky-mdr
    client-id = {CLIENT_ID}
    base-url  = {mdr.base_url}/api/v1
    ca-file   = {fx.pki['ca']}
{extra}""")
    return mdr, out.read_text().strip()


def store(fx, value):
    p = fx.run("secret", "set", "mdr", "refresh-token", stdin=value + "\n", check_rc=0)
    check(value not in p.stderr + p.stdout, "secret set echoed the token")


def stored(fx):
    """The refresh token in the Secret Service, read as another program
    would."""
    p = subprocess.run(["secret-tool", "lookup", "profile", "mdr", "name", "refresh-token"], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 0, f"secret-tool lookup failed: {p.stderr}")
    return p.stdout


def stats(fx, mdr):
    return fx.get_json(mdr.base_url + "/_emulator/stats")


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def check_newest(fx, mdr, value, where):
    s = stats(fx, mdr)
    check(sha256(value) == s["newest_refresh_sha256"], f"{where} does not hold the newest refresh token ({s})")


def check_quiet(text, *tokens):
    for t in tokens:
        check(t not in text, "a token appeared in tokex's output")


def recovery(fx):
    return fx.dir / "state" / "tokex" / "recovery" / "mdr"


def curl(fx, mdr, config_text):
    """Real curl with the config on stdin (curl -K -) against /incidents."""
    return subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null", "-w",
                           "%{http_code}", f"{mdr.base_url}/api/v1/{CLIENT_ID}/incidents"],
                          input=config_text, capture_output=True, text=True, timeout=30)


def forged_access_token():
    """An access token shaped like the emulator's, signed with a key of
    our own."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": CLIENT_ID, "typ": "access", "exp": int(time.time()) + 3600}).encode())
    sig = b64(hmac.new(os.urandom(32), f"{head}.{body}".encode(), "sha256").digest())
    return f"{head}.{body}.{sig}"


def wait_for(condition, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.05)


def case_curl_end_to_end(fx):
    mdr, first = setup(fx)
    store(fx, first)
    check(stored(fx) == first, "secret-tool lookup did not find the stored refresh token")
    cfg = fx.run("curl", "mdr", check_rc=0).stdout
    check(cfg.startswith('header = "Authorization: Bearer ey'), f"unexpected curl config: {cfg!r}")
    r = curl(fx, mdr, cfg)
    check(r.stdout == "200", f"curl with tokex's config got {r.stdout} {r.stderr}")
    r = curl(fx, mdr, f'header = "Authorization: Bearer {forged_access_token()}"\n')
    check(r.stdout == "401", f"the emulator accepted a forged token: {r.stdout}")
    s = stats(fx, mdr)
    check(s["token_requests"] == 1 and s["rotations"] == 1 and s["api_requests"] == 2, f"unexpected stats {s}")
    check_newest(fx, mdr, stored(fx), "the keyring")


def case_cache_hit(fx):
    mdr, first = setup(fx)
    store(fx, first)
    token = fx.run("token", "mdr", check_rc=0).stdout
    again = fx.run("token", "mdr", check_rc=0).stdout
    check(again == token, "the second call printed another token")
    check(stats(fx, mdr)["token_requests"] == 1, "the second call was not served from the cache")
    cache = fx.runtime / "tokex" / "mdr.json"
    check(stat.S_IMODE(cache.stat().st_mode) == 0o600, "the cache file is not 0600")
    check_quiet(cache.read_text(), first, stored(fx))


def case_ten_forced_exchanges(fx):
    mdr, first = setup(fx)
    store(fx, first)
    tokens = []
    for i in range(10):
        p = fx.run("token", "mdr", "--no-cache", check_rc=0)
        tokens.append(p.stdout)
        check(p.stderr == "", f"exchange {i + 1} said {p.stderr!r}")
    check(len(set(tokens)) == 10, "forced exchanges printed the same access token twice")
    s = stats(fx, mdr)
    check(s["token_requests"] == 10 and s["rotations"] == 10 and s["refused"] == 0, f"unexpected stats {s}")
    check_newest(fx, mdr, stored(fx), "after ten rotations, the keyring")
    check(not recovery(fx).exists(), "a recovery file was left behind")


def case_parallel_single_flight(fx):
    mdr, first = setup(fx, "--delay", "0.5")
    store(fx, first)
    with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(lambda _: fx.run("token", "mdr"), range(40)))
    codes = [r.returncode for r in results]
    check(codes == [0] * 40, f"some parallel calls failed: {codes} {[r.stderr for r in results if r.returncode]}")
    check(len({r.stdout for r in results}) == 1, "parallel calls printed different tokens")
    s = stats(fx, mdr)
    check(s["token_requests"] == 1 and s["refused"] == 0, f"40 parallel cold calls made {s['token_requests']} exchanges")
    check_newest(fx, mdr, stored(fx), "the keyring")


def case_expired_refresh_token_refused_before_any_request(fx):
    mdr, first = setup(fx, "--first-refresh-expired")
    store(fx, first)
    p = fx.run("token", "mdr", check_rc=4)
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and "the stored refresh-token expired at" in lines[0], f"unexpected message {p.stderr!r}")
    check(CONSOLE in lines[0] and "'tokex secret set mdr refresh-token'" in lines[0], f"no way out: {p.stderr!r}")
    check_quiet(p.stdout + p.stderr, first)
    check(stats(fx, mdr)["token_requests"] == 0, "an expired refresh token was sent")
    check(stored(fx) == first, "the store changed")


def case_used_refresh_token_refused(fx):
    mdr, first = setup(fx)
    store(fx, first)
    fx.run("token", "mdr", check_rc=0)
    second = stored(fx)
    check(second != first, "the refresh token did not rotate")
    store(fx, first)  # spent, though far from its exp
    p = fx.run("token", "mdr", "--no-cache", check_rc=4)
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and "HTTP 401 (invalid_token:" in lines[0] and CONSOLE in lines[0],
          f"unexpected message {p.stderr!r}")
    check_quiet(p.stdout + p.stderr, first, second)
    s = stats(fx, mdr)
    check(s["token_requests"] == 2 and s["refused"] == 1, f"unexpected stats {s}")


def case_env_store_refused_before_anything_is_spent(fx):
    mdr, first = setup(fx, extra="    store = env\n")
    p = fx.run("token", "mdr", env={"TOKEX_MDR_REFRESH_TOKEN": first}, check_rc=2)
    check("refresh-token rotates on every exchange" in p.stderr and "store = secret-service or store = file"
          in p.stderr, f"unexpected message {p.stderr!r}")
    check_quiet(p.stdout + p.stderr, first)
    check(stats(fx, mdr)["token_requests"] == 0, "the refresh token was spent though the new one had nowhere to go")


def start_token(fx):
    """`tokex token mdr` in the background."""
    return subprocess.Popen([fx.tokex, "token", "mdr"], env=fx.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def fail_mid_rotation(fx, mdr, make_store_fail):
    """Runs `tokex token` against the --delay emulator, breaks the store
    while the server holds the request, and checks that tokex kept the
    rotated token in the recovery file and said how to restore it."""
    proc = start_token(fx)
    try:
        wait_for(lambda: stats(fx, mdr)["token_requests"] == 1, "the token request")
        make_store_fail()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    path = recovery(fx)
    lines = err.splitlines()
    check(proc.returncode == 3, f"tokex exited {proc.returncode}: {err!r}")
    check(out == "", f"tokex printed a credential it could not keep the refresh token of: {out!r}")
    check(len(lines) == 1 and f"it is saved in {path}" in lines[0]
          and f"'tokex secret set mdr refresh-token < {path}'" in lines[0], f"unexpected message {err!r}")
    check(stat.S_IMODE(path.stat().st_mode) == 0o600, "the recovery file is not 0600")
    check(stat.S_IMODE(path.parent.stat().st_mode) == 0o700, "the recovery directory is not 0700")
    saved = path.read_text()
    check(saved.endswith("\n"), "the recovery file is not one line")
    check_newest(fx, mdr, saved[:-1], "the recovery file")
    check_quiet(err, saved[:-1])


def recover(fx, mdr, read_store):
    """The next run picks the recovery file up by itself."""
    p = fx.run("token", "mdr", check_rc=0)
    check("trying the one saved in" in p.stderr, f"no word of the recovery file: {p.stderr!r}")
    check_newest(fx, mdr, read_store(), "after recovery, the store")
    check(not recovery(fx).exists(), "the recovery file is still there")
    s = stats(fx, mdr)
    # The spent token first (refused), then the recovered one.
    check(s["token_requests"] == 3 and s["rotations"] == 2 and s["refused"] == 1, f"unexpected stats {s}")
    r = curl(fx, mdr, fx.run("curl", "mdr", check_rc=0).stdout)
    check(r.stdout == "200", f"the recovered exchange's token got {r.stdout}")


def secret_service(method, *args):
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets", "--object-path",
                    "/org/freedesktop/secrets", "--method", "org.freedesktop.Secret.Service." + method, *args],
                   check=True, capture_output=True, timeout=30)


def unlock_keyring():
    """Unlocks the login keyring without a prompt (there is no display to
    show one): the password through gnome-keyring's control socket, as
    pam_gnome_keyring does (operation 1, UNLOCK; answer 0, OK)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(os.path.join(os.environ["XDG_RUNTIME_DIR"], "keyring", "control"))
        s.sendall(b"\0")  # the daemon checks the peer's credentials
        body = struct.pack(">II", 1, len(KEYRING_PASSWORD)) + KEYRING_PASSWORD
        s.sendall(struct.pack(">I", 4 + len(body)) + body)
        answer = b""
        while len(answer) < 8:
            chunk = s.recv(8 - len(answer))
            if not chunk:
                break
            answer += chunk
    check(answer == struct.pack(">II", 8, 0), f"gnome-keyring did not unlock the keyring: {answer!r}")


def case_keyring_locked_mid_rotation(fx):
    mdr, first = setup(fx, "--delay", "2")
    store(fx, first)
    fail_mid_rotation(fx, mdr, lambda: secret_service("Lock", f"['{COLLECTION}']"))
    unlock_keyring()
    check(stored(fx) == first, "the store holds something other than the spent token")
    recover(fx, mdr, lambda: stored(fx))


def case_file_store_unwritable_mid_rotation(fx):
    mdr, first = setup(fx, "--delay", "2", extra="    store = file\n")
    store(fx, first)
    data = fx.dir / "data" / "tokex"
    value = data / "mdr.refresh-token"
    check(value.read_text().strip() == first, "the file store does not hold the token")
    # A directory others may read is one tokex will not write a secret to.
    fail_mid_rotation(fx, mdr, lambda: data.chmod(0o755))
    data.chmod(0o700)
    check(value.read_text().strip() == first, "the file store holds something other than the spent token")
    recover(fx, mdr, lambda: value.read_text().strip())


def case_status_warns_of_refresh_token_expiry(fx):
    mdr, first = setup(fx, "--first-refresh-lifetime", "7200")
    store(fx, first)
    p = fx.run("status", "mdr", check_rc=0)
    line = next((l for l in p.stdout.splitlines() if l.strip().startswith("refresh-token:")), "")
    check("stored, expires in 1h" in line or "stored, expires in 2h" in line, f"no expiry shown: {p.stdout!r}")
    check("warning: within 48 h" in line, f"no warning two days ahead: {p.stdout!r}")
    check_quiet(p.stdout + p.stderr, first)
    check(stats(fx, mdr)["token_requests"] == 0, "status spent the refresh token")
    # The rotated one lasts 30 days: no more warning.
    fx.run("token", "mdr", check_rc=0)
    p = fx.run("status", "mdr", check_rc=0)
    line = next((l for l in p.stdout.splitlines() if l.strip().startswith("refresh-token:")), "")
    check("stored, expires in" in line and "warning" not in line, f"unexpected status line {line!r}")
    check_quiet(p.stdout + p.stderr, stored(fx))


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
