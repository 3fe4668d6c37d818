"""Cisco XDR end to end: the real keyring, the strict emulator, real curl."""

import concurrent.futures
import json
import os
import pathlib
import pty
import select
import stat
import subprocess
import termios
import time

from harness import Failure, check, main
from xdr_fixture import CLIENT_ID, SECRET, start_xdr as setup, stats


def store_secret(fx, value=SECRET):
    p = fx.run("secret", "set", "xdr", "client-secret", stdin=value + "\n", check_rc=0)
    check(value not in p.stderr + p.stdout, "secret set echoed the secret")


def curl(fx, xdr, config_text, path="/iroh/profile/whoami"):
    """Real curl with the config on stdin (curl -K -)."""
    return subprocess.run(["curl", "-sS", "-K", "-", "--cacert", fx.pki["ca"], "-o", "/dev/null",
                           "-w", "%{http_code}", xdr.base_url + path],
                          input=config_text, capture_output=True, text=True, timeout=30)


def case_curl_end_to_end(fx):
    xdr = setup(fx)
    store_secret(fx)
    # The value really is in the Secret Service, under the documented schema.
    lookup = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", "client-secret"],
                            capture_output=True, text=True, timeout=30)
    check(lookup.stdout == SECRET, f"secret-tool lookup did not find the stored secret: {lookup.stderr}")
    cfg = fx.run("curl", "xdr", check_rc=0).stdout
    check(cfg.startswith('header = "Authorization: Bearer xdr-'), f"unexpected curl config: {cfg!r}")
    r = curl(fx, xdr, cfg)
    check(r.stdout == "200", f"curl with tokex's config got {r.stdout} {r.stderr}")
    # A token of our own making is refused: the 200 above is the emulator's doing.
    r = curl(fx, xdr, 'header = "Authorization: Bearer forged"\n')
    check(r.stdout == "401", f"the emulator accepted a forged token: {r.stdout}")
    header = fx.run("header", "xdr", check_rc=0).stdout
    check(header == cfg[len('header = "'):-2] + "\n", f"header and curl disagree: {header!r}")
    s = stats(fx, xdr)
    check(s["tokens_issued"] == 1 and s["api_requests"] >= 1, f"unexpected emulator stats {s}")


def case_cache_hit(fx):
    xdr = setup(fx)
    store_secret(fx)
    first = fx.run("token", "xdr", check_rc=0).stdout
    check(stats(fx, xdr)["token_requests"] == 1, "first call did not exchange")
    second = fx.run("token", "xdr", check_rc=0).stdout
    check(second == first, "second call printed another token")
    check(stats(fx, xdr)["token_requests"] == 1, "second call was not served from the cache")
    # The cache is private and holds no long-lived secret.
    cache_dir = fx.runtime / "tokex"
    check(stat.S_IMODE(cache_dir.stat().st_mode) == 0o700, "cache dir is not 0700")
    cache_file = cache_dir / "xdr.json"
    check(stat.S_IMODE(cache_file.stat().st_mode) == 0o600, "cache file is not 0600")
    check(SECRET not in cache_file.read_text(), "the client secret leaked into the cache")
    # An edit of the profile invalidates the cached token.
    fx.write_config(fx.config.read_text().replace("region    = eu", "region    = apjc"))
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["token_requests"] == 2, "a config edit did not invalidate the cache")
    # forget drops it; --no-cache bypasses it.
    fx.run("forget", "xdr", check_rc=0)
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["token_requests"] == 3, "forget did not drop the cached token")
    fx.run("token", "xdr", "--no-cache", check_rc=0)
    check(stats(fx, xdr)["token_requests"] == 4, "--no-cache used the cache")


def case_parallel_single_flight(fx):
    xdr = setup(fx, "--delay", "0.5")
    store_secret(fx)
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: fx.run("token", "xdr"), range(20)))
    codes = [r.returncode for r in results]
    check(codes == [0] * 20, f"some parallel calls failed: {codes} {[r.stderr for r in results if r.returncode]}")
    tokens = {r.stdout for r in results}
    check(len(tokens) == 1, f"parallel calls printed {len(tokens)} different tokens")
    s = stats(fx, xdr)
    check(s["token_requests"] == 1, f"20 parallel cold calls made {s['token_requests']} exchanges")


def case_secret_from_terminal_without_echo(fx):
    """A secret typed at the prompt is not echoed, even when it is sent the
    moment the prompt shows.

    The prompt goes to stderr, here a pipe that the test has filled: tokex
    blocks writing the prompt, and at that moment the terminal's echo must
    already be off. Otherwise an answer sent right after the prompt could be
    echoed, or thrown away when echo is switched off.
    """
    xdr = setup(fx)
    err_r, err_w = os.pipe()
    os.set_blocking(err_w, False)
    filler = 0
    try:
        while True:
            filler += os.write(err_w, b"." * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(err_w, True)
    pid, fd = pty.fork()
    if pid == 0:
        os.dup2(err_w, 2)
        os.execve(fx.tokex, [fx.tokex, "secret", "set", "xdr", "client-secret"], fx.env)
    os.close(err_w)
    deadline = time.monotonic() + 30
    while "pipe_write" not in open(f"/proc/{pid}/wchan").read():  # anon_pipe_write on newer kernels
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            raise Failure("tokex never reached the prompt")
        time.sleep(0.01)
    echo_on = termios.tcgetattr(fd)[3] & termios.ECHO
    if echo_on:
        os.kill(pid, 9)
        raise Failure("the prompt was shown while the terminal still echoed input")

    err = b""
    while b"client-secret for xdr: " not in err:
        err += os.read(err_r, 65536)
    os.write(fd, SECRET.encode() + b"\n")

    def read_some(source):
        if not select.select([source], [], [], max(0, deadline - time.monotonic()))[0]:
            os.kill(pid, 9)
            raise Failure(f"secret set on a terminal hung: {err[filler:]!r}")
        try:
            return os.read(source, 65536)
        except OSError:  # EIO: the child closed the terminal
            return b""

    seen = b""
    while chunk := read_some(fd):
        seen += chunk
    while chunk := read_some(err_r):
        err += chunk
    _, status = os.waitpid(pid, 0)
    out = seen + err[filler:]
    check(os.waitstatus_to_exitcode(status) == 0, f"secret set on a terminal failed: {out!r}")
    check(SECRET.encode() not in out, "the secret was echoed to the terminal")
    check(b"stored client-secret" in out, f"no confirmation: {out!r}")
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["tokens_issued"] == 1, "the secret typed on the terminal did not work")


def case_wrong_secret(fx):
    xdr = setup(fx)
    wrong = "wrong-" + SECRET[::-1]
    store_secret(fx, wrong)
    p = fx.run("token", "xdr", check_rc=4)
    check(p.stdout == "", "a rejected exchange printed something on stdout")
    lines = p.stderr.splitlines()
    check(len(lines) == 1, f"expected one line on stderr, got {p.stderr!r}")
    check(lines[0].startswith("tokex: xdr: "), f"error does not name the profile: {lines[0]}")
    check("invalid_client" in lines[0], f"error does not quote the server's error: {lines[0]}")
    check(wrong not in p.stderr and SECRET not in p.stderr, "the secret appeared in the error")
    check(stats(fx, xdr)["token_requests"] == 1, "a 401 was retried")


def case_no_keyring(fx):
    setup(fx)
    p = fx.run("token", "xdr", env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(fx.dir / "no-bus"),
                                    "DISPLAY": None}, check_rc=3)
    lines = p.stderr.splitlines()
    check(len(lines) == 1, f"expected one line on stderr, got {p.stderr!r}")
    check("Secret Service" in lines[0] and "gnome-keyring-daemon" in lines[0] and "store = file" in lines[0],
          f"the message does not say how to fix it: {lines[0]}")


def case_locked_keyring(fx):
    setup(fx)
    store_secret(fx)
    # Lock the login collection the way a screen lock or a timeout would.
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.secrets",
                    "--object-path", "/org/freedesktop/secrets", "--method", "org.freedesktop.Secret.Service.Lock",
                    "['/org/freedesktop/secrets/collection/login']"], check=True, capture_output=True, timeout=30)
    p = fx.run("token", "xdr", check_rc=3)
    lines = p.stderr.splitlines()
    check(len(lines) == 1 and "is locked: unlock it" in lines[0], f"unexpected message {p.stderr!r}")
    check(SECRET not in p.stderr, "the secret appeared in the error")


def case_missing_secret(fx):
    setup(fx)
    p = fx.run("token", "xdr", check_rc=3)
    check("tokex secret set xdr client-secret" in p.stderr, f"no hint to store the secret: {p.stderr}")
    store_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    fx.run("secret", "rm", "xdr", "client-secret", check_rc=0)
    fx.run("token", "xdr", check_rc=3)  # secret rm also dropped the cached token


def ld_debug_libs(fx, *args):
    p = fx.run(*args, env={"LD_DEBUG": "libs"})
    return p, [l for l in p.stderr.splitlines() if "calling init:" in l]


def case_hit_path_loads_no_heavy_library(fx):
    setup(fx)
    store_secret(fx)
    heavy = ("libcurl", "libsecret", "libglib", "libcrypto", "libgio", "libssl")
    # The miss runs the engine, which does load them: proof the probe works.
    miss, inits = ld_debug_libs(fx, "token", "xdr")
    check(miss.returncode == 0, f"miss failed: {miss.stderr[-500:]}")
    check(any("libcurl" in l for l in inits) and any("libsecret" in l for l in inits),
          "LD_DEBUG did not show the engine loading libcurl and libsecret")
    for command in ("token", "header", "curl", "json"):
        hit, inits = ld_debug_libs(fx, command, "xdr")
        check(hit.returncode == 0, f"{command} hit failed")
        loaded = [l for l in inits if any(h in l for h in heavy)]
        check(not loaded, f"the cache-hit path of {command} loaded {loaded}")


def case_bad_config(fx):
    fx.write_config('[profile "xdr"]\n  preset = cisco-xdr\n  client-id = x\n  region = mars\n')
    p = fx.run("token", "xdr", check_rc=2)
    check(p.stderr == f"tokex: xdr: {fx.config}:4: key 'region': unknown region 'mars' for preset cisco-xdr: "
                      "use us, eu or apjc\n", f"unexpected message {p.stderr!r}")
    p = fx.run("token", "nope", env={"TOKEX_CONFIG": str(fx.dir / "absent")}, check_rc=2)
    check("no config file at" in p.stderr, p.stderr)
    p = fx.run("tokne", "xdr", check_rc=2)
    check("did you mean 'tokex token'" in p.stderr, p.stderr)


def case_status(fx):
    setup(fx)
    p = fx.run("status", check_rc=0)
    check("client-secret: missing" in p.stdout and "token: none cached" in p.stdout, p.stdout)
    store_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    p = fx.run("status", "xdr", check_rc=0)
    check("client-secret: stored" in p.stdout and "token: cached, expires in" in p.stdout, p.stdout)
    check(SECRET not in p.stdout + p.stderr, "status showed the secret")
    token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    check(token not in p.stdout, "status showed the token")


def case_env_and_file_stores(fx):
    xdr = setup(fx, extra="    store = env\n")
    p = fx.run("token", "xdr", env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",
                                    "TOKEX_XDR_CLIENT_SECRET": SECRET}, check_rc=0)
    check(p.stdout.startswith("xdr-"), p.stdout)
    p = fx.run("secret", "set", "xdr", "client-secret", stdin="x\n", check_rc=2)
    check("read-only" in p.stderr, p.stderr)
    fx.write_config(fx.config.read_text().replace("store = env", "store = file"))
    store_secret(fx)
    secret_file = fx.dir / "data" / "tokex" / "xdr.client-secret"
    check(stat.S_IMODE(secret_file.stat().st_mode) == 0o600, "file store secret is not 0600")
    check(stat.S_IMODE(secret_file.parent.stat().st_mode) == 0o700, "file store dir is not 0700")
    fx.run("token", "xdr", "--no-cache", env={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}, check_rc=0)
    check(stats(fx, xdr)["tokens_issued"] == 2, "file store exchange did not happen")


def case_proxy_honoured(fx):
    xdr = setup(fx)
    store_secret(fx)
    proxy = fx.start("connect_proxy")
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    fx.run("token", "xdr", env={"https_proxy": proxy_url, "HTTPS_PROXY": proxy_url, "NO_PROXY": None,
                                "no_proxy": None}, check_rc=0)
    tunnels = json.loads(subprocess.run(["curl", "-sS", "--noproxy", "*", proxy_url + "/_proxy/stats"],
                                        capture_output=True, text=True, timeout=30).stdout)["tunnels"]
    check(tunnels == 1, f"the exchange did not go through https_proxy ({tunnels} tunnels)")
    check(stats(fx, xdr)["tokens_issued"] == 1, "no token was issued through the proxy")


def case_retry_then_success(fx):
    xdr = setup(fx, "--fail-first", "1", "--fail-status", "503", "--retry-after", "1")
    store_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["token_requests"] == 2, "a 503 was not retried exactly once")


def case_tls_always_verified(fx):
    xdr = setup(fx)
    store_secret(fx)
    fx.write_config(fx.config.read_text().replace(f"ca-file   = {fx.pki['ca']}", ""))
    p = fx.run("token", "xdr", check_rc=5)
    check("TLS verification" in p.stderr and "ca-file" in p.stderr, p.stderr)
    check(stats(fx, xdr)["token_requests"] == 0, "a request went out over unverified TLS")


def case_broken_server_answers(fx):
    for kind, needle in (("redirect", "never followed through redirects"), ("huge", "larger than 1 MiB"),
                         ("crlf", "control characters"), ("no-token", "no access_token")):
        xdr = setup(fx, "--misbehave", kind)
        store_secret(fx)
        p = fx.run("header", "xdr", check_rc=5)
        lines = p.stderr.splitlines()
        check(len(lines) == 1 and needle in lines[0], f"{kind}: unexpected message {p.stderr!r}")
        check(p.stdout == "", f"{kind}: something was printed: {p.stdout!r}")
        check("X-Injected" not in p.stderr, f"{kind}: the injected header was echoed")
        check(stats(fx, xdr)["redirects_followed"] == 0, "a redirect on the token endpoint was followed")
        check(not (fx.runtime / "tokex" / "xdr.json").exists(), f"{kind}: a broken answer was cached")


def case_oauth2_preset(fx):
    secret_file = fx.dir / "emulator-secret"
    secret_file.write_text(SECRET)
    xdr = fx.start("cisco_xdr", "--client-id", CLIENT_ID, "--client-secret-file", str(secret_file))
    fx.write_config(f"""[profile "generic"]
    preset    = oauth2
    token-url = {xdr.base_url}/iroh/oauth2/token
    client-id = {CLIENT_ID}
    ca-file   = {fx.pki['ca']}
""")
    fx.run("secret", "set", "generic", "client-secret", stdin=SECRET, check_rc=0)
    out = fx.run("json", "generic", check_rc=0).stdout
    check('"token_type":"Bearer"' in out and '"expires_at":"' in out, out)


def case_no_secret_in_files(fx):
    setup(fx)
    store_secret(fx)
    fx.run("token", "xdr", check_rc=0)
    fx.run("status", check_rc=0)
    offenders = []
    for path in fx.dir.rglob("*"):
        if path.is_file() and "keyrings" not in path.parts and path.name != "emulator-secret":
            if SECRET.encode() in path.read_bytes():
                offenders.append(str(path))
    check(not offenders, f"the secret was written to {offenders}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
