"""docker-credential-tokex end to end: real skopeo, configured as its users
configure it (a docker config.json whose "credHelpers" gives the registry to
tokex), against a loopback registry that accepts only a token the Cisco XDR
emulator issued; and the protocol itself, run directly as docker runs it."""

import base64
import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request

from harness import Failure, check, main
from xdr_fixture import SECRET, config_text, start_xdr, stats

HELPER = "docker-credential-tokex"
NOT_FOUND = "credentials not found in native keychain\n"


def store_secret(fx):
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)


def setup(fx, match=None, extra=""):
    """The XDR emulator, the registry that trusts it, and profile "xdr"
    matching the registry (or `match`). Returns (xdr, registry)."""
    xdr = start_xdr(fx)
    registry = fx.start("registry", "--xdr-url", xdr.base_url, "--ca", fx.pki["ca"])
    match = match or f"https://127.0.0.1:{registry.port}/"
    fx.write_config(config_text(fx, xdr, f"    match     = {match}\n{extra}"))
    return xdr, registry


def tool_env(fx, registry, helper="tokex"):
    """What a skopeo user has: a docker config.json giving the registry to
    the helper (REGISTRY_AUTH_FILE and DOCKER_CONFIG both point at it), the
    helpers on PATH, a HOME of the test's own."""
    docker = fx.dir / "docker"
    docker.mkdir(exist_ok=True)
    helpers = {f"127.0.0.1:{registry.port}": helper} if helper else {}
    (docker / "config.json").write_text(json.dumps({"credHelpers": helpers}))
    env = dict(fx.env)
    env.update({
        "PATH": f"{fx.build / 'helpers'}:{os.environ['PATH']}",
        "DOCKER_CONFIG": str(docker),
        "REGISTRY_AUTH_FILE": str(docker / "config.json"),
        "HOME": str(fx.dir),
    })
    return env


def cert_dir(fx):
    """The directory skopeo takes the registry's CA from (--cert-dir)."""
    d = fx.dir / "certs"
    d.mkdir(exist_ok=True)
    shutil.copy(fx.pki["ca"], d / "ca.crt")
    return str(d)


def skopeo(fx, registry, env, *args, ref="team/app"):
    cmd = ["skopeo", *args[:1], "--cert-dir", cert_dir(fx), *args[1:], f"docker://127.0.0.1:{registry.port}/{ref}"]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)


def helper(fx, *args, stdin="", env=None, timeout=30):
    """Runs the built helper as the tools do: the request on stdin, then EOF."""
    full = dict(fx.env)
    full.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run([str(fx.build / "helpers" / HELPER), *args], input=data, capture_output=True,
                       env=full, timeout=timeout)
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode(errors="replace"),
                                       p.stderr.decode(errors="replace"))


def answer(fx, server_url):
    """The JSON get answers for `server_url`, which must succeed."""
    p = helper(fx, "get", stdin=server_url)
    check(p.returncode == 0, f"get {server_url!r}: exit {p.returncode}: {p.stdout} {p.stderr}")
    check(p.stdout.endswith("}\n") and p.stdout.count("\n") == 1, f"get printed more than one line: {p.stdout!r}")
    return json.loads(p.stdout)


def xdr_accepts(fx, xdr, token):
    ctx = ssl.create_default_context(cafile=fx.pki["ca"])
    req = urllib.request.Request(xdr.base_url + "/iroh/profile/whoami", headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False


def registry_status(fx, registry, user, password):
    """The status of GET /v2/ with Basic credentials."""
    ctx = ssl.create_default_context(cafile=fx.pki["ca"])
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    req = urllib.request.Request(registry.base_url + "/v2/", headers={"Authorization": "Basic " + basic})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def one_error_line(p, what):
    """The helper failed as docker-credential-helpers' Serve does: exit 1,
    one line on stdout."""
    check(p.returncode == 1, f"{what}: exit {p.returncode}, expected 1: {p.stdout!r} {p.stderr!r}")
    check(p.stdout.count("\n") == 1 and p.stdout.endswith("\n"), f"{what}: not one line on stdout: {p.stdout!r}")
    check(p.stdout.startswith(f"{HELPER}: "), f"{what}: unexpected message {p.stdout!r}")
    check(p.stderr == "", f"{what}: the failure went to stderr too: {p.stderr!r}")


# --- real skopeo -----------------------------------------------------------

def case_skopeo_list_tags_and_inspect(fx):
    xdr, registry = setup(fx)
    store_secret(fx)
    env = tool_env(fx, registry)
    p = skopeo(fx, registry, env, "list-tags")
    check(p.returncode == 0, f"skopeo list-tags failed: {p.stderr}")
    check(json.loads(p.stdout)["Tags"] == ["1.0", "latest"], f"unexpected tags: {p.stdout}")
    p = skopeo(fx, registry, env, "inspect", "--raw", ref="team/app:1.0")
    check(p.returncode == 0, f"skopeo inspect --raw failed: {p.stderr}")
    manifest = json.loads(p.stdout)
    check(manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json", p.stdout)
    p = skopeo(fx, registry, env, "inspect", ref="team/app:latest")
    check(p.returncode == 0, f"skopeo inspect failed: {p.stderr}")
    check(json.loads(p.stdout)["Digest"].startswith("sha256:"), p.stdout)
    s = fx.get_json(registry.base_url + "/_emulator/stats")
    check(s["authorized"] >= 3 and s["refused"] == 0 and s["empty_password"] == 0,
          f"the registry saw other credentials than tokex's: {s}")
    check(s["users"] == ["client"], f"unexpected user names {s['users']}")
    # One exchange: every later get was a cache hit.
    check(stats(fx, xdr)["tokens_issued"] == 1, f"unexpected XDR stats {stats(fx, xdr)}")
    # The registry lets in only what the XDR emulator accepts.
    token = answer(fx, f"127.0.0.1:{registry.port}")["Secret"]
    check(registry_status(fx, registry, "client", token) == 200, "the registry refused tokex's token")
    check(registry_status(fx, registry, "client", "xdr-forged") == 401, "the registry took a forged token")


def case_skopeo_without_match(fx):
    xdr, registry = setup(fx, match="https://127.0.0.1:1/")
    store_secret(fx)
    plain = skopeo(fx, registry, tool_env(fx, registry, helper=None), "list-tags")
    check(plain.returncode != 0, "the registry let skopeo in without credentials")
    p = skopeo(fx, registry, tool_env(fx, registry), "list-tags")
    check(p.returncode != 0, "skopeo got in without a matching profile")
    # The same failure as with no credentials at all: the helper said "not
    # found", which skopeo takes as "go on without".
    def why(stderr):
        return stderr[stderr.find("msg="):].strip()
    check(why(p.stderr) == why(plain.stderr) and "unauthorized" in why(p.stderr),
          f"unexpected failures:\n{p.stderr}\n{plain.stderr}")
    s = fx.get_json(registry.base_url + "/_emulator/stats")
    check(s["authorized"] == 0 and s["refused"] == 0 and s["token_checks"] == 0 and s["anonymous"] >= 2,
          f"unexpected registry stats {s}")
    check(stats(fx, xdr)["token_requests"] == 0, "a profile that does not match made an exchange")
    p = helper(fx, "get", stdin=f"127.0.0.1:{registry.port}")
    check(p.returncode == 1 and p.stdout == NOT_FOUND, f"get without a match: {p.returncode} {p.stdout!r}")


def case_skopeo_shows_the_helpers_error(fx):
    _, registry = setup(fx)
    fx.run("secret", "rm", "xdr", "client-secret")  # none stored, whatever ran before: the engine fails
    p = skopeo(fx, registry, tool_env(fx, registry), "list-tags")
    check(p.returncode != 0, "skopeo got in without a secret")
    check(f"{HELPER}: xdr: " in p.stderr and "client-secret" in p.stderr,
          f"skopeo did not show the helper's error: {p.stderr}")


# --- the protocol, run as docker runs it -------------------------------------

def case_get_host_port_with_and_without_scheme(fx):
    xdr, registry = setup(fx)
    store_secret(fx)
    host = f"127.0.0.1:{registry.port}"
    first = answer(fx, host)
    check(first == {"ServerURL": host, "Username": "client", "Secret": first["Secret"]}, f"unexpected {first}")
    check(xdr_accepts(fx, xdr, first["Secret"]), "the Secret is not a valid token")
    for server in (f"https://{host}", f"https://{host}/", f"{host}\n", f"//{host}"):
        a = answer(fx, server)
        check(a["ServerURL"] == server.strip() and a["Secret"] == first["Secret"], f"{server!r}: {a}")
    check(stats(fx, xdr)["tokens_issued"] == 1, "a cached token was not reused")
    p = helper(fx, "get", stdin=f"http://{host}")
    check(p.returncode == 1 and p.stdout == NOT_FOUND, f"http:// matched an https profile: {p.stdout!r}")


def case_get_docker_hub(fx):
    xdr, _ = setup(fx, match="https://index.docker.io/", extra="    username  = robot\n")
    store_secret(fx)
    for server in ("https://index.docker.io/v1/", "docker.io", "registry-1.docker.io", "index.docker.io"):
        a = answer(fx, server)
        check(a["ServerURL"] == server and a["Username"] == "robot", f"{server}: {a}")
        check(xdr_accepts(fx, xdr, a["Secret"]), f"{server}: the Secret is not a valid token")
    p = helper(fx, "get", stdin="docker.io:5000")
    check(p.returncode == 1 and p.stdout == NOT_FOUND, f"another port of docker.io matched: {p.stdout!r}")


def case_list(fx):
    _, registry = setup(fx, match="https://index.docker.io/v1/",
                        extra='[profile "rim"]\n    preset = ennov-insight\n    tenant = t\n    client-id = c\n'
                              '    base-url = https://rim.example/insight\n    match = https://rim.example/\n')
    with open(fx.config, "a") as f:
        f.write(f'[profile "reg"]\n    preset = cisco-xdr\n    client-id = r\n    username = robot\n'
                f'    match = https://127.0.0.1:{registry.port}/ http://plain.example:5000/\n'
                '[profile "nomatch"]\n    preset = cisco-xdr\n    client-id = n\n')
    p = helper(fx, "list", stdin="unused")
    check(p.returncode == 0, f"list failed: {p.stdout} {p.stderr}")
    check(json.loads(p.stdout) == {"https://index.docker.io/v1/": "client",
                                   f"https://127.0.0.1:{registry.port}/": "robot",
                                   "http://plain.example:5000/": "robot"}, f"unexpected list {p.stdout}")
    check(p.stdout.count("\n") == 1, p.stdout)


def case_erase_drops_the_cache(fx):
    xdr, registry = setup(fx)
    store_secret(fx)
    host = f"127.0.0.1:{registry.port}"
    first = answer(fx, host)["Secret"]
    check(answer(fx, host)["Secret"] == first, "the token was not cached")
    p = helper(fx, "erase", stdin=host)
    check(p.returncode == 0 and p.stdout == "", f"erase: {p.returncode} {p.stdout!r} {p.stderr!r}")
    check(not (fx.runtime / "tokex" / "xdr.json").exists(), "erase left the cached token")
    second = answer(fx, host)["Secret"]
    check(second != first and stats(fx, xdr)["tokens_issued"] == 2, "get after erase did not make a new token")
    p = helper(fx, "erase", stdin="elsewhere.example")
    check(p.returncode == 1 and p.stdout == NOT_FOUND, f"erase without a match: {p.stdout!r}")
    check(answer(fx, host)["Secret"] == second, "erase of another server dropped the token")


def case_store_keeps_nothing(fx):
    _, registry = setup(fx)
    password = "hunter2-docker-login-password"
    request = json.dumps({"ServerURL": f"127.0.0.1:{registry.port}", "Username": "me", "Secret": password}) + "\n"
    p = helper(fx, "store", stdin=request)
    check(p.returncode == 0 and p.stdout == "", f"store for a matched registry: {p.returncode} {p.stdout!r}")
    for path in fx.dir.rglob("*"):
        if path.is_file() and path.suffix not in (".log", ".port"):
            check(password.encode() not in path.read_bytes(), f"the password reached {path}")
    lookup = subprocess.run(["secret-tool", "search", "--all", "profile", "xdr"], capture_output=True, text=True,
                            env=fx.env, timeout=30)
    check(password not in lookup.stdout + lookup.stderr, "the password reached the keyring")
    p = helper(fx, "store", stdin=request.replace(f"127.0.0.1:{registry.port}", "elsewhere.example"))
    one_error_line(p, "store for another registry")
    check("tokex keeps no registry passwords" in p.stdout and password not in p.stdout + p.stderr, p.stdout)
    # The protocol's own texts come alone, as the tools recognise them.
    p = helper(fx, "store", stdin='{"ServerURL":"127.0.0.1","Secret":"x"}')
    check(p.returncode == 1 and p.stdout == "no credentials username\n", p.stdout)
    p = helper(fx, "store", stdin='{"Username":"u","Secret":"x"}')
    check(p.returncode == 1 and p.stdout == "no credentials server URL\n", p.stdout)


def case_version(fx):
    for action in ("version", "--version", "-v"):
        p = helper(fx, action)
        check(p.returncode == 0 and p.stdout.startswith(f"{HELPER} (tokex) ") and p.stdout.count("\n") == 1,
              f"{action}: {p.returncode} {p.stdout!r}")
    p = helper(fx, "--help")
    check(p.returncode == 0 and p.stdout == f"Usage: {HELPER} <store|get|erase|list|version>\n", p.stdout)


def case_unknown_action(fx):
    usage = f"(Usage: {HELPER} <store|get|erase|list|version>)"
    p = helper(fx, "fetch")
    one_error_line(p, "unknown action")
    check(p.stdout == f"{HELPER}: unknown action: fetch {usage}\n", p.stdout)
    p = helper(fx, "gte")
    check(p.returncode == 1 and p.stdout == f"{HELPER}: unknown action: gte: did you mean 'get'? {usage}\n", p.stdout)
    for args in ([], ["get", "store"]):
        p = helper(fx, *args)
        check(p.returncode == 1 and p.stdout == f"{HELPER}: expected one action {usage}\n", f"{args}: {p.stdout!r}")


def ld_debug_libs(fx, stdin):
    p = helper(fx, "get", stdin=stdin, env={"LD_DEBUG": "libs"})
    return p, [line for line in p.stderr.splitlines() if "calling init:" in line]


def case_hit_path_loads_no_heavy_library(fx):
    _, registry = setup(fx)
    store_secret(fx)
    heavy = ("libcurl", "libsecret", "libglib", "libcrypto", "libgio", "libssl")
    host = f"127.0.0.1:{registry.port}"
    # The miss runs the engine, which does load them: proof the probe works.
    miss, inits = ld_debug_libs(fx, host)
    check(miss.returncode == 0, f"miss failed: {miss.stdout} {miss.stderr[-500:]}")
    check(any("libcurl" in line for line in inits) and any("libsecret" in line for line in inits),
          "LD_DEBUG did not show the engine loading libcurl and libsecret")
    for server in (host, "https://" + host):
        hit, inits = ld_debug_libs(fx, server)
        check(hit.returncode == 0 and '"Secret"' in hit.stdout, f"hit failed: {hit.stdout}")
        loaded = [line for line in inits if any(h in line for h in heavy)]
        check(not loaded, f"the cache-hit path of get {server} loaded {loaded}")


def case_bad_stdin(fx):
    _, registry = setup(fx)
    store_secret(fx)
    host = f"127.0.0.1:{registry.port}"
    answer(fx, host)  # a cached token, so that nothing bad is answered from it
    bad = {
        "binary": (bytes(range(256)), "line break"),
        "binary without line breaks": (bytes(range(11, 256)), "control character"),
        "NUL": (host.encode() + b"\0", "control character"),
        "1 MiB": (b"x" * (1 << 20), "larger than 64 KiB"),
        "a line over 64 KiB": (b"https://" + b"a" * (65 * 1024) + b"\n", "larger than 64 KiB"),
        "CR LF": (f"https://{host}\r\nX-Injected: 1\r\n".encode(), "line break"),
        "LF": (f"{host}\nelsewhere.example\n".encode(), "line break"),
        "user info": (f"https://robot:hunter2@{host}".encode(), "user names and passwords"),
    }
    for what, (data, reason) in bad.items():
        for action in ("get", "erase"):
            p = helper(fx, action, stdin=data, timeout=15)
            one_error_line(p, f"{action} with {what}")
            check(reason in p.stdout, f"{action} with {what}: unexpected message {p.stdout!r}")
            check("hunter2" not in p.stdout + p.stderr and "Secret" not in p.stdout, f"{what}: leaked {p.stdout!r}")
    check((fx.runtime / "tokex" / "xdr.json").exists(), "a bad erase request dropped the cached token")
    for data in (b"", b" \r\n"):
        p = helper(fx, "get", stdin=data)
        check(p.returncode == 1 and p.stdout == "no credentials server URL\n", f"get {data!r}: {p.stdout!r}")
    p = helper(fx, "store", stdin=b'{"ServerURL":"x","Username":"u","Secret":"hunter2"' + b" " * (1 << 20))
    one_error_line(p, "store with 1 MiB")
    p = helper(fx, "store", stdin=b'{"Secret":"hunter2",')
    one_error_line(p, "store with broken JSON")
    check("hunter2" not in p.stdout + p.stderr, p.stdout)


def with_stdin_left_open(fx, data):
    """Runs get with `data` on a pipe whose writer stays open; returns
    (CompletedProcess, seconds taken). Killed after 15 s."""
    proc = subprocess.Popen([str(fx.build / "helpers" / HELPER), "get"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=fx.env)
    try:
        proc.stdin.write(data)
        proc.stdin.flush()
        start = time.monotonic()
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Failure("the helper hung on a pipe left open")
        took = time.monotonic() - start
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    finally:
        proc.kill()
        proc.stdin.close()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    return subprocess.CompletedProcess(proc.args, rc, out, err), took


def case_stdin_left_open(fx):
    _, registry = setup(fx)
    store_secret(fx)
    host = f"127.0.0.1:{registry.port}"
    answer(fx, host)
    # No line break, and the writer never closes: a bounded wait, one line.
    p, took = with_stdin_left_open(fx, host.encode())
    one_error_line(p, "get on a pipe left open")
    check("the request on stdin did not end within 5s" in p.stdout, p.stdout)
    check(4 < took < 10, f"gave up after {took:.1f} s")
    # A line break is enough, even on a pipe left open.
    p, took = with_stdin_left_open(fx, host.encode() + b"\n")
    check(p.returncode == 0 and json.loads(p.stdout)["ServerURL"] == host, f"get + LF: {p.returncode} {p.stdout!r}")
    check(took < 2, f"answered only after {took:.1f} s")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
