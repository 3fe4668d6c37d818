"""git end to end: real git, configured as its users configure it, talks
HTTPS to a loopback `git http-backend` that lets in only a valid token
(it asks the Cisco XDR emulator's protected API about each password), and
gets that token from git-credential-tokex."""

import base64
import http.server
import os
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from harness import Failure, check, main
from xdr_fixture import SECRET, config_text, start_xdr, stats

HELPER = "git-credential-tokex"
HEAVY = ("libcurl", "libsecret", "libglib", "libcrypto", "libgio", "libssl")
VERDICT_TTL = 1.0  # seconds the server trusts the emulator's word on a token


# --- the git server ---------------------------------------------------------


class GitServer:
    """HTTPS on 127.0.0.1 in front of `git http-backend` (CGI) over the bare
    repositories under `root`. A request gets through only with HTTP Basic
    whose password is a token the XDR emulator accepts (GET
    /iroh/profile/whoami with it as Bearer) and that the test has not
    revoked; anything else is a 401 with WWW-Authenticate: Basic. Every
    attempt with credentials is recorded in `attempts`."""

    def __init__(self, fx, root):
        self.fx = fx
        self.root = root
        self.xdr = None  # the emulator that vouches for tokens, set before use
        self.attempts = []  # {"path", "user", "token", "valid"}
        self.revoked = set()
        self._verdicts = {}
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                server.handle(self)

            do_POST = do_GET

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(fx.pki["cert"], fx.pki["key"])
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.base = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def valid(self, token):
        """Whether the emulator accepts `token` (its verdict kept briefly)."""
        now = time.monotonic()
        with self._lock:
            if token in self.revoked:
                return False
            verdict = self._verdicts.get(token)
        if verdict and now - verdict[1] < VERDICT_TTL:
            return verdict[0]
        req = urllib.request.Request(self.xdr.base_url + "/iroh/profile/whoami",
                                     headers={"Authorization": "Bearer " + token})
        ctx = ssl.create_default_context(cafile=self.fx.pki["ca"])
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                ok = r.status == 200
        except urllib.error.HTTPError as e:
            if e.code != 401:
                raise
            ok = False
        with self._lock:
            self._verdicts[token] = (ok, now)
        return ok

    def revoke(self, token):
        with self._lock:
            self.revoked.add(token)

    def handle(self, h):
        body = read_body(h)
        path, _, query = h.path.partition("?")
        user, token = basic_credentials(h.headers.get("Authorization"))
        if token is not None:
            ok = all(0x21 <= ord(c) < 0x7f for c in token) and self.valid(token)
            with self._lock:
                self.attempts.append({"path": path, "user": user, "token": token, "valid": ok})
        if token is None or not ok:
            return send(h, 401, {"WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain"},
                        b"authentication required\n")
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "REQUEST_METHOD": h.command,
            "CONTENT_TYPE": h.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
        }
        for name in ("Git-Protocol", "Content-Encoding"):
            if h.headers.get(name):
                env["HTTP_" + name.upper().replace("-", "_")] = h.headers[name]
        cgi = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=30)
        head, _, payload = cgi.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = cgi.stdout.partition(b"\n\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers[name] = value.strip()
        send(h, status, headers, payload)


def read_body(h):
    if h.headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(h.rfile.readline().split(b";")[0], 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += h.rfile.read(size)
            h.rfile.readline()
    return h.rfile.read(int(h.headers.get("Content-Length") or 0))


def basic_credentials(header):
    """(user, password) of an HTTP Basic header, or (None, None)."""
    if not header or not header.startswith("Basic "):
        return None, None
    try:
        user, sep, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None, None
    return (user, password) if sep else (None, None)


def send(h, status, headers, body):
    h.send_response(status)
    for name, value in headers.items():
        if name.lower() not in ("content-length", "connection"):
            h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


# --- fixture ------------------------------------------------------------------


def make_repo(fx, root, name):
    """A bare repository root/name with one commit; returns its HEAD."""
    work = fx.dir / ("work-" + name.replace("/", "-"))
    git(fx, "init", "-q", "-b", "main", str(work), check_rc=0)
    (work / "README").write_text(f"hello from {name}\n")
    git(fx, "-C", str(work), "add", "README", check_rc=0)
    git(fx, "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "one",
        check_rc=0)
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    git(fx, "clone", "-q", "--bare", str(work), str(root / name), check_rc=0)
    return git(fx, "-C", str(work), "rev-parse", "HEAD", check_rc=0).stdout.strip()


def git_env(fx):
    """git's environment: a HOME of the test's own, no system config, no
    prompts, and the build's helpers on PATH (so the helper string `tokex`
    finds git-credential-tokex)."""
    home = fx.dir / "home"
    home.mkdir(exist_ok=True)
    # Nothing of the caller's git set-up: GIT_SSL_CAINFO, say, would win
    # over the test's http.sslCAInfo.
    env = {k: v for k, v in fx.env.items()
           if not k.startswith("GIT_") and k not in ("SSH_ASKPASS", "XDG_CONFIG_HOME", "CURL_CA_BUNDLE")}
    env.update({
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "PATH": str(fx.build / "helpers") + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C",
    })
    return env


def git(fx, *args, check_rc=None, env=None, stdin=None):
    p = subprocess.run(["git"] + list(args), capture_output=True, text=True, input=stdin,
                       env=env or git_env(fx), timeout=60)
    if check_rc is not None and p.returncode != check_rc:
        raise Failure(f"git {' '.join(args)}: exit {p.returncode}, expected {check_rc}\n"
                      f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def helper(fx, *args, stdin, env=None, timeout=30):
    """Runs git-credential-tokex directly with `stdin` (bytes or str)."""
    full = git_env(fx)
    full.update(env or {})
    return subprocess.run([str(fx.build / "helpers" / HELPER)] + list(args), input=stdin, capture_output=True,
                          env=full, timeout=timeout, text=isinstance(stdin, str))


def setup(fx, *emulator_args, match=True, extra="", repos=("repo.git",)):
    """The git server with `repos`, the XDR emulator and profile "xdr"
    (matching the server when `match`), and the client secret stored.
    Returns (server, xdr, {repo: HEAD})."""
    root = fx.dir / "srv"
    root.mkdir()
    heads = {name: make_repo(fx, root, name) for name in repos}
    server = GitServer(fx, root)
    fx.emulators.append(server)  # closed with the emulators
    lines = (f"    match     = {server.base}/\n" if match else "") + extra
    xdr = start_xdr(fx, *emulator_args, extra=lines)
    server.xdr = xdr
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    return server, xdr, heads


def use_tokex(fx, server, helper_string="tokex"):
    """The documented global configuration: for this URL, first an empty
    helper (dropping helpers configured for all URLs), then tokex."""
    key = f"credential.{server.base}.helper"
    git(fx, "config", "--global", "http.sslCAInfo", fx.pki["ca"], check_rc=0)
    git(fx, "config", "--global", key, "", check_rc=0)
    git(fx, "config", "--global", "--add", key, helper_string, check_rc=0)


def authenticated(server):
    return [a for a in server.attempts if a["token"] is not None]


def check_only_valid(server, user="client"):
    seen = authenticated(server)
    check(seen, "git never sent the server a credential")
    check(all(a["valid"] for a in seen), f"the server saw an invalid token: {[a['path'] for a in seen if not a['valid']]}")
    check(all(a["user"] == user for a in seen), f"unexpected user names {sorted({a['user'] for a in seen})}")


def cache_file(fx, profile="xdr"):
    return fx.runtime / "tokex" / f"{profile}.json"


def request(server, path=None, extra=""):
    """A get request as git 2.39 writes it (then closes stdin)."""
    text = f"protocol=https\nhost=127.0.0.1:{server.port}\n"
    if path is not None:
        text += f"path={path}\n"
    return text + extra


def answer(text):
    """key=value lines as a dict (the last value of a key wins)."""
    return dict(line.split("=", 1) for line in text.splitlines() if line)


# --- cases ------------------------------------------------------------------


def case_ls_remote_and_clone(fx):
    server, xdr, heads = setup(fx)
    use_tokex(fx, server)
    url = server.base + "/repo.git"
    p = git(fx, "ls-remote", url, check_rc=0)
    check(f"{heads['repo.git']}\tHEAD" in p.stdout, f"ls-remote did not list HEAD: {p.stdout!r} {p.stderr!r}")
    check_only_valid(server)
    check(stats(fx, xdr)["token_requests"] == 1, "the first git call did not make exactly one exchange")
    check(cache_file(fx).exists(), "the token was not cached")
    # clone: the token now comes from the cache (no exchange), and git's
    # `store` afterwards leaves the cache alone.
    dest = fx.dir / "clone"
    git(fx, "clone", "-q", url, str(dest), check_rc=0)
    check((dest / "README").read_text() == "hello from repo.git\n", "the clone has the wrong content")
    check(stats(fx, xdr)["token_requests"] == 1, "the clone made another exchange instead of using the cache")
    check_only_valid(server)
    tokens = {a["token"] for a in authenticated(server)}
    check(len(tokens) == 1, f"git used {len(tokens)} different tokens")
    token = tokens.pop()
    check(token.startswith("xdr-"), "the password git sent is not the emulator's token")
    # Nothing of it in git's own files.
    for f in (fx.dir / "home").rglob("*"):
        if f.is_file():
            check(token not in f.read_text(errors="replace"), f"the token is in {f}")
    # The server really refuses anything else: a helper with a made-up password fails.
    fake = fx.dir / "fake-helper"
    fake.write_text("#!/bin/sh\ntest \"$1\" = get && printf 'username=client\\npassword=xdr-forged\\n'\nexit 0\n")
    fake.chmod(0o755)
    p = git(fx, "-c", f"credential.{server.base}.helper=", "-c", f"credential.{server.base}.helper={fake}",
            "ls-remote", url)
    check(p.returncode != 0 and "Authentication failed" in p.stderr, f"the server let a forged token in: {p.stderr}")


def case_no_match_falls_through_to_next_helper(fx):
    server, xdr, heads = setup(fx, match=False, extra="    match     = https://127.0.0.1:1/\n")
    # A valid token, handed out by the next helper instead.
    token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    fallback = fx.dir / "fallback-helper"
    fallback.write_text(f"#!/bin/sh\ntest \"$1\" = get && printf 'username=fallback\\npassword={token}\\n'\nexit 0\n")
    fallback.chmod(0o755)
    key = f"credential.{server.base}.helper"
    git(fx, "config", "--global", "http.sslCAInfo", fx.pki["ca"], check_rc=0)
    git(fx, "config", "--global", key, "", check_rc=0)
    git(fx, "config", "--global", "--add", key, "tokex", check_rc=0)
    git(fx, "config", "--global", "--add", key, str(fallback), check_rc=0)
    p = git(fx, "ls-remote", server.base + "/repo.git", check_rc=0)
    check(heads["repo.git"] in p.stdout, "ls-remote through the next helper failed")
    check_only_valid(server, user="fallback")
    # tokex itself said nothing, on stdout or stderr.
    h = helper(fx, "get", stdin=request(server))
    check((h.returncode, h.stdout, h.stderr) == (0, "", ""), f"tokex answered a URL no profile matches: {h}")
    # A profile whose credential git cannot send (a session) is skipped the
    # same way, with one line that says why.
    fx.write_config(fx.config.read_text() + f"""
[profile "rim"]
    preset    = ennov-insight
    tenant    = t
    client-id = c
    base-url  = https://127.0.0.1:1/insight
    match     = {server.base}/
""")
    p = git(fx, "credential", "fill", stdin=request(server) + "\n", check_rc=0)
    check(answer(p.stdout).get("username") == "fallback", f"git did not go on to the next helper: {p.stdout!r}")
    lines = [line for line in p.stderr.splitlines() if HELPER in line]
    check(lines == [f"{HELPER}: rim: preset ennov-insight gives a session (a cookie and a CSRF header), which git "
                    "cannot send: use tokex header or tokex cookies for it instead"], f"unexpected stderr {p.stderr!r}")
    # A profile meant for the URL that a config error spoiled: git goes on,
    # and the line says which profile and why.
    fx.write_config(fx.config.read_text().replace('[profile "rim"]', '[profile "rim"]\n    region    = nowhere'))
    p = git(fx, "credential", "fill", stdin=request(server) + "\n", check_rc=0)
    check(answer(p.stdout).get("username") == "fallback", f"git did not go on to the next helper: {p.stdout!r}")
    lines = [line for line in p.stderr.splitlines() if HELPER in line]
    check(len(lines) == 1 and lines[0].startswith(f"{HELPER}: no usable profile in ")
          and "profile 'rim' has a match but cannot be used: " in lines[0] and "region" in lines[0],
          f"unexpected stderr {p.stderr!r}")


def case_profile_in_helper_string(fx):
    server, xdr, heads = setup(fx, match=False)
    use_tokex(fx, server, "tokex --profile xdr")
    p = git(fx, "ls-remote", server.base + "/repo.git", check_rc=0)
    check(heads["repo.git"] in p.stdout, "ls-remote with --profile failed")
    check_only_valid(server)
    # A profile that does not exist: one line, and git goes on (here: fails).
    git(fx, "config", "--global", "--replace-all", f"credential.{server.base}.helper", "tokex --profile nope", "^tokex")
    p = git(fx, "ls-remote", server.base + "/repo.git")
    check(p.returncode != 0, "git got in without a credential")
    check(f"{HELPER}: nope: no profile 'nope' in {fx.config}: profiles there are xdr" in p.stderr, p.stderr)


def case_use_http_path_selects_profile_by_path(fx):
    server, xdr, heads = setup(fx, match=False, repos=("team-a/repo.git", "team-b/repo.git"))
    # Two profiles for two paths of one host, told apart by their user names.
    fx.write_config("".join(
        config_text(fx, xdr, f"    match     = {server.base}/{team}/\n    username  = {team}-bot\n").replace(
            '[profile "xdr"]', f'[profile "{name}"]') for name, team in (("a", "team-a"), ("b", "team-b"))))
    for name in ("a", "b"):
        fx.run("secret", "set", name, "client-secret", stdin=SECRET + "\n", check_rc=0)
    use_tokex(fx, server)
    git(fx, "config", "--global", f"credential.{server.base}.useHttpPath", "true", check_rc=0)
    for team in ("team-a", "team-b"):
        p = git(fx, "ls-remote", f"{server.base}/{team}/repo.git", check_rc=0)
        check(heads[f"{team}/repo.git"] in p.stdout, f"ls-remote of {team} failed")
    seen = authenticated(server)
    check(seen and all(a["valid"] for a in seen), "the server saw an invalid token")
    for team in ("team-a", "team-b"):
        users = {a["user"] for a in seen if a["path"].startswith(f"/{team}/")}
        check(users == {f"{team}-bot"}, f"{team} was answered by {users}")
    check(stats(fx, xdr)["token_requests"] == 2, "two profiles, but not two exchanges")
    check(len({a["token"] for a in seen}) == 2, "both profiles gave the same token")


def case_erase_after_401_refreshes(fx):
    server, xdr, heads = setup(fx)
    use_tokex(fx, server)
    url = server.base + "/repo.git"
    git(fx, "ls-remote", url, check_rc=0)
    first = authenticated(server)[-1]["token"]
    check(cache_file(fx).exists(), "the token was not cached")
    # The server stops taking the token while tokex still holds it as
    # fresh (revoked, say): git gets a 401, tells its helpers to erase it
    # and fails; tokex drops it.
    server.revoke(first)
    p = git(fx, "ls-remote", url)
    check(p.returncode != 0 and "Authentication failed" in p.stderr, f"git got in with a revoked token: {p.stderr}")
    check(authenticated(server)[-1]["token"] == first, "git did not try the cached token")
    check(not cache_file(fx).exists(), "git's erase did not drop the cached token")
    # The next git call gets a fresh one.
    p = git(fx, "ls-remote", url, check_rc=0)
    check(heads["repo.git"] in p.stdout, "ls-remote after the erase failed")
    last = authenticated(server)[-1]
    check(last["valid"] and last["token"] != first, "the token was not refreshed after the erase")
    check(stats(fx, xdr)["token_requests"] == 2, "not exactly one more exchange after the erase")


def case_authtype_answer_for_git_2_46(fx):
    server, xdr, heads = setup(fx)
    # Exactly what git 2.46 writes to a helper after a 401 (credential.c,
    # credential_write with CREDENTIAL_OP_HELPER), then it closes stdin.
    text = ("capability[]=authtype\ncapability[]=state\n"
            f"protocol=https\nhost=127.0.0.1:{server.port}\n"
            'wwwauth[]=Basic realm="git"\n')
    start = int(time.time())
    for what in ("miss", "hit"):
        h = helper(fx, "get", stdin=text)
        check(h.returncode == 0 and h.stderr == "", f"{what}: exit {h.returncode}: {h.stderr}")
        lines = h.stdout.splitlines()
        keys = [line.split("=", 1)[0] for line in lines]
        check(keys == ["capability[]", "authtype", "credential", "ephemeral", "password_expiry_utc"],
              f"{what}: unexpected answer keys {keys}")
        a = answer(h.stdout)
        check(a["capability[]"] == "authtype" and a["authtype"] == "Bearer" and a["ephemeral"] == "1", h.stdout)
        check(start + 500 <= int(a["password_expiry_utc"]) <= int(time.time()) + 600, "bad expiry")
        # The credential is what a Bearer header needs: the API takes it.
        check(server.valid(a["credential"]), f"{what}: the emulator refused the bearer credential")
    check(stats(fx, xdr)["token_requests"] == 1, "the hit made an exchange")
    # Without the capability (git <= 2.45): username and password.
    h = helper(fx, "get", stdin=request(server))
    a = answer(h.stdout)
    check(list(a) == ["username", "password", "password_expiry_utc"], f"unexpected answer {list(a)}")
    check(a["username"] == "client" and server.valid(a["password"]), "the password is not a valid token")


def case_global_cache_helper_never_serves_stale_token(fx):
    # Tokens live 4 s; tokex refreshes one with less than 1 s left.
    server, xdr, heads = setup(fx, "--expires-in", "4", extra="    refresh-margin = 1\n")
    socket = fx.dir / "cred-cache.sock"
    cache_helper = f"cache --timeout=3600 --socket={socket}"

    class CacheDaemon:
        def close(self):
            subprocess.run(["git", "credential-cache", f"--socket={socket}", "exit"], env=git_env(fx),
                           capture_output=True, timeout=10)

    fx.emulators.append(CacheDaemon())
    # As many people have it: git's cache helper for every URL.
    git(fx, "config", "--global", "credential.helper", cache_helper, check_rc=0)
    use_tokex(fx, server)
    url = server.base + "/repo.git"
    git(fx, "ls-remote", url, check_rc=0)
    first = authenticated(server)[-1]["token"]
    time.sleep(4 + VERDICT_TTL + 0.5)
    check(not server.valid(first), "the first token has not expired at the emulator")
    p = git(fx, "ls-remote", url, check_rc=0)
    check(heads["repo.git"] in p.stdout, "ls-remote after the token expired failed")
    check_only_valid(server)
    check(authenticated(server)[-1]["token"] != first, "git used the expired token again")
    check(stats(fx, xdr)["token_requests"] == 2, "no fresh exchange after the expiry")
    # The cache helper never got the token: tokex's URL list replaced it.
    p = subprocess.run(["git", "credential-cache", f"--socket={socket}", "get"], input=request(server) + "\n",
                       capture_output=True, text=True, env=git_env(fx), timeout=10)
    check("password" not in p.stdout, "git's cache helper holds a token")
    # What the empty `helper =` prevents: without it the cache helper comes
    # first, keeps the token, and a git that ignores password_expiry_utc
    # (before 2.40) serves it stale.
    version = tuple(int(x) for x in git(fx, "version").stdout.split()[2].split(".")[:2])
    if version < (2, 40):
        git(fx, "config", "--global", "--unset-all", f"credential.{server.base}.helper", check_rc=0)
        git(fx, "config", "--global", f"credential.{server.base}.helper", "tokex", check_rc=0)
        git(fx, "ls-remote", url, check_rc=0)
        stale = authenticated(server)[-1]["token"]
        time.sleep(4 + VERDICT_TTL + 0.5)
        p = git(fx, "ls-remote", url)
        check(authenticated(server)[-1]["token"] == stale and not authenticated(server)[-1]["valid"],
              "without the reset, git's cache did not serve the stale token (the test proves nothing)")


def ld_debug_inits(fx, *args, stdin):
    h = helper(fx, *args, stdin=stdin, env={"LD_DEBUG": "libs"})
    return h, [line for line in h.stderr.splitlines() if "calling init:" in line]


def case_hit_path_loads_no_heavy_library(fx):
    server, xdr, heads = setup(fx)
    # The miss runs the engine, which does load them: proof the probe works.
    miss, inits = ld_debug_inits(fx, "get", stdin=request(server))
    check(miss.returncode == 0 and "password=xdr-" in miss.stdout, f"miss failed: {miss.stderr[-500:]}")
    check(any("libcurl" in l for l in inits) and any("libsecret" in l for l in inits),
          "LD_DEBUG did not show the engine loading libcurl and libsecret")
    for args, stdin, wanted in ((("get",), request(server), "password=xdr-"),
                                (("get",), "capability[]=authtype\n" + request(server), "credential=xdr-"),
                                (("--profile", "xdr", "get"), request(server), "password=xdr-"),
                                (("store",), request(server, extra="username=client\npassword=x\n"), ""),
                                (("get",), "protocol=https\nhost=elsewhere.example\n", "")):
        hit, inits = ld_debug_inits(fx, *args, stdin=stdin)
        check(hit.returncode == 0 and wanted in hit.stdout, f"{args} failed: {hit.stdout!r}")
        loaded = [l for l in inits if any(lib in l for lib in HEAVY)]
        check(not loaded, f"{args} on a cache hit loaded {loaded}")
    erase, inits = ld_debug_inits(fx, "erase", stdin=request(server))
    check(erase.returncode == 0 and not cache_file(fx).exists(), "erase failed")
    check(not [l for l in inits if any(lib in l for lib in HEAVY)], "erase loaded a heavy library")


def case_bad_stdin(fx):
    server, xdr, heads = setup(fx)
    token = helper(fx, "get", stdin=request(server)).stdout  # cached now: a bad request must not reach it
    check("password=xdr-" in token, "no token to protect")
    host = f"host=127.0.0.1:{server.port}\n"
    cases = {
        "no '='": (f"protocol=https\n{host}hunter2\n\n", "line 3 of git's request has no '='"),
        "NUL": (f"protocol=https\n{host}path=a\0b\n\n", "line 3 of git's request holds a NUL byte"),
        "70 KiB line": ("protocol=https\n" + host + "path=" + "a" * 70 * 1024 + "\n\n", "larger than 64 KiB"),
        "1 MiB of junk": ("x" * (1 << 20), "larger than 64 KiB"),
        "binary": (bytes(range(1, 256)) * 4, "line 1 of git's request"),
        "host with CR": (f"protocol=https\nhost=127.0.0.1:{server.port}\rX-Injected: 1\n\n",
                         "line 2 of git's request has a control character or invalid UTF-8 in its host"),
        "user info in host": (f"protocol=https\nhost=alice:pw@127.0.0.1:{server.port}\n\n",
                              "the host in git's request is not HOST or HOST:PORT"),
    }
    for name, (stdin, wanted) in cases.items():
        start = time.monotonic()
        h = helper(fx, "get", stdin=stdin.encode() if isinstance(stdin, str) else stdin)
        err = h.stderr.decode(errors="replace")
        check(time.monotonic() - start < 10, f"{name}: took too long")
        check(h.returncode == 2 and h.stdout == b"", f"{name}: exit {h.returncode}, stdout {h.stdout[:80]!r}")
        check(err.count("\n") == 1 and err.startswith(f"{HELPER}: ") and wanted in err, f"{name}: stderr {err!r}")
        check("hunter2" not in err and "pw@" not in err and "xdr-" not in err, f"{name}: the error leaks {err!r}")
    # A request that never ends, on a pipe its writer keeps open: given up
    # after a bound, not waited on forever.
    read_end, write_end = os.pipe()
    os.write(write_end, b"protocol=https\n")
    start = time.monotonic()
    proc = subprocess.Popen([str(fx.build / "helpers" / HELPER), "get"], stdin=read_end, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=git_env(fx))
    os.close(read_end)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        os.close(write_end)
    check(time.monotonic() - start < 20, "the helper waited too long for the rest of the request")
    check(proc.returncode == 2 and out == b"", f"unfinished request: exit {proc.returncode}")
    check(err.decode().startswith(f"{HELPER}: git's request on stdin did not end within 5s"), f"stderr {err!r}")
    # git's own convention for what a helper does not know: exit 0, silently.
    h = helper(fx, "frobnicate", stdin=request(server))
    check((h.returncode, h.stdout, h.stderr) == (0, "", ""), f"unknown operation: {h}")
    h = helper(fx, "--frobnicate", "get", stdin=request(server))
    check(h.returncode == 2 and h.stderr.startswith(f"{HELPER}: unknown option '--frobnicate': usage:"), h.stderr)


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
