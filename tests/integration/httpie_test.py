"""The HTTPie plugin end to end: helpers/httpie-tokex installed offline into a
private HTTPie config directory, real `http` against the Cisco XDR and Ennov
InSight emulators, and TokexAuth from plain Python requests.

HTTPie and requests are Debian's, so everything here runs with the
interpreter in `http`'s shebang, not with the python3 running this file."""

import glob
import json
import pathlib
import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ennov_test
from harness import check, main
from xdr_fixture import SECRET, start_xdr

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE.parent.parent / "helpers" / "httpie-tokex"
HTTP = shutil.which("http") or "/usr/bin/http"
HTTPIE = shutil.which("httpie") or "/usr/bin/httpie"
TIMEOUT = 60


def http_python():
    """The interpreter HTTPie runs with (its shebang), which sees requests."""
    with open(HTTP) as f:
        return f.readline()[2:].strip().split()[0]


class Httpie:
    """A private HTTPie config dir with the plugin installed offline, as
    notes.md documents it, and the environment to run http in: tokex from
    the build on PATH, HOME elsewhere so no user's ~/.config is touched."""

    def __init__(self, fx, path_dirs=None):
        self.fx = fx
        self.python = http_python()
        self.config_dir = fx.dir / "httpie"
        self.config_dir.mkdir()
        (self.config_dir / "config.json").write_text('{"disable_update_warnings": true}\n')
        (fx.dir / "home").mkdir(exist_ok=True)  # the fixture's HOME
        self.env = dict(fx.env, HTTPIE_CONFIG_DIR=str(self.config_dir), HOME=str(fx.dir / "home"),
                        PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1", PIP_ROOT_USER_ACTION="ignore",
                        PYTHONDONTWRITEBYTECODE="1")
        # A copy: pip builds in the source tree (build/, *.egg-info).
        source = fx.dir / "httpie-tokex"
        shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        p = subprocess.run([self.python, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                            "--prefix", str(self.config_dir / "plugins"), str(source)],
                           capture_output=True, text=True, env=self.env, timeout=120)
        check(p.returncode == 0, f"the offline install failed:\n{p.stdout}\n{p.stderr}")
        sites = glob.glob(str(self.config_dir / "plugins" / "**" / "tokex_auth.py"), recursive=True)
        check(len(sites) == 1, f"tokex_auth.py not installed once: {sites}")
        self.site = str(pathlib.Path(sites[0]).parent)
        self.use_path(path_dirs or [str(fx.build / "helpers")])

    def use_path(self, dirs):
        self.env["PATH"] = ":".join(dirs)

    def http(self, *args, env=None):
        """Real http: (CompletedProcess, HTTP status or None)."""
        p = subprocess.run([HTTP, "--ignore-stdin", "--pretty=none", "--print=hb", "--verify", self.fx.pki["ca"],
                            *args], capture_output=True, text=True, env=dict(self.env, **(env or {})),
                           timeout=TIMEOUT)
        first = p.stdout.split("\n", 1)[0].split()
        return p, int(first[1]) if first and first[0].startswith("HTTP/") else None

    def requests(self, code, *args, env=None):
        """Runs `code` in HTTPie's interpreter with the installed tokex_auth
        importable; its argv are `args`; returns its stdout parsed as JSON."""
        script = self.fx.dir / "script.py"
        script.write_text(f"import sys\nsys.path.insert(0, {self.site!r})\n{code}")
        p = subprocess.run([self.python, str(script), *args], capture_output=True, text=True,
                           env=dict(self.env, **(env or {})), timeout=TIMEOUT)
        check(p.returncode == 0, f"the requests script failed: {p.stderr[-2000:]}")
        return json.loads(p.stdout)


def store_xdr_secret(fx):
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)


def xdr_setup(fx, extra=""):
    xdr = start_xdr(fx, extra=extra)
    store_xdr_secret(fx)
    return xdr, xdr.base_url + "/iroh/profile/whoami", Httpie(fx)


def stats(fx, emulator):
    return fx.get_json(emulator.base_url + "/_emulator/stats")


def case_offline_install_lists_the_plugin(fx):
    h = Httpie(fx)
    p = subprocess.run([HTTPIE, "cli", "plugins", "list"], capture_output=True, text=True, env=h.env,
                       timeout=TIMEOUT)
    check(p.returncode == 0 and "httpie-tokex" in p.stdout and "tokex (httpie.plugins.auth.v1)" in p.stdout,
          f"httpie cli plugins list: {p.stdout} {p.stderr}")
    p = subprocess.run([HTTP, "--help"], capture_output=True, text=True, env=h.env, timeout=TIMEOUT)
    check("tokex" in p.stdout.split("--auth-type", 1)[-1], "http --help does not offer --auth-type=tokex")
    check(not (fx.dir / "home" / ".config").exists(), "HTTPie wrote into HOME, not HTTPIE_CONFIG_DIR")


def case_profile_given_with_a(fx):
    xdr, url, h = xdr_setup(fx)
    p, status = h.http("--check-status", "--auth-type=tokex", "-a", "xdr", url)
    check(status == 200 and p.returncode == 0, f"http -a xdr got {status}, exit {p.returncode}: {p.stderr}")
    check(json.loads(p.stdout.split("\n\n", 1)[1])["ok"] is True, p.stdout)
    # The endpoint checks the token: none, or a forged one, is refused.
    p, status = h.http("--check-status", url)
    check(status == 401 and p.returncode == 4, f"http without auth got {status}, exit {p.returncode}")
    p, status = h.http("--check-status", url, "Authorization:Bearer xdr-forged")
    check(status == 401, f"a forged token got {status}")
    s = stats(fx, xdr)
    check(s["tokens_issued"] == 1, f"not one exchange: {s}")
    # A second call is a cache hit; each request asks tokex, none reuses a
    # token kept in Python: after forget, the next request gets a new one.
    h.http("--check-status", "--auth-type=tokex", "-a", "xdr", url)
    check(stats(fx, xdr)["tokens_issued"] == 1, "the second call did not use tokex's cache")
    fx.run("forget", "xdr", check_rc=0)
    p, status = h.http("--check-status", "--auth-type=tokex", "-a", "xdr", url)
    check(status == 200 and stats(fx, xdr)["tokens_issued"] == 2, f"after forget: {status} {stats(fx, xdr)}")


def case_wrong_profile_fails_with_tokex_message(fx):
    _, url, h = xdr_setup(fx)
    token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    expected = fx.run("json", "nope", check_rc=2).stderr.strip()
    check(expected.startswith("tokex: ") and "'nope'" in expected, f"unexpected tokex message {expected!r}")
    p, status = h.http("--auth-type=tokex", "-a", "nope", url)
    check(p.returncode == 1 and status is None, f"http -a nope: exit {p.returncode}, status {status}")
    check(f"TokexError: {expected}" in p.stderr, f"tokex's message not shown: {p.stderr!r}")
    check(token not in p.stderr + p.stdout, "the error showed a token")
    # A profile whose secret is missing: tokex's store error, exit 3 in tokex.
    fx.run("secret", "rm", "xdr", "client-secret", check_rc=0)
    fx.run("forget", "xdr", check_rc=0)
    expected = fx.run("json", "xdr", check_rc=3).stderr.strip()
    p, _ = h.http("--auth-type=tokex", "-a", "xdr", url)
    check(p.returncode != 0 and f"TokexError: {expected}" in p.stderr, f"missing secret: {p.stderr!r}")
    check(SECRET not in p.stderr, "the error showed the secret")


MATCH_SCRIPT = """
import json, requests
from tokex_auth import TokexAuth
print(json.dumps({"status": requests.get(sys.argv[1], auth=TokexAuth(), verify=sys.argv[2]).status_code}))
"""


def case_empty_a_picks_the_profile_by_match(fx):
    xdr = start_xdr(fx)
    store_xdr_secret(fx)
    fx.write_config(fx.config.read_text() + f"    match     = {xdr.base_url}/iroh/\n")
    # A tokex that writes down its arguments: the URL it is asked to match
    # carries no query parameter.
    log = fx.dir / "tokex-argv"
    wrapper = fx.dir / "wrapper"
    wrapper.mkdir()
    (wrapper / "tokex").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {fx.tokex} "$@"\n')
    (wrapper / "tokex").chmod(0o755)
    h = Httpie(fx, path_dirs=[str(wrapper)])
    url = xdr.base_url + "/iroh/profile/whoami"
    for a in (["-a", ""], ["-a", ":"], []):
        p, status = h.http("--check-status", "--auth-type=tokex", *a, url, "api_key==not-for-argv")
        check(status == 200 and p.returncode == 0, f"http --auth-type=tokex {a}: {status} {p.stderr}")
    out = h.requests(MATCH_SCRIPT, url + "?api_key=not-for-argv", fx.pki["ca"])
    check(out == {"status": 200}, f"requests with TokexAuth(): {out}")
    argv = log.read_text().splitlines()
    check(argv[:2] == [f"match {url}", "json xdr"] and len(argv) == 8, f"tokex was run as {argv}")
    check("not-for-argv" not in log.read_text(), "the query reached tokex's argv")
    # No profile covers the URL: tokex match's message, and no request.
    before = stats(fx, xdr)["api_requests"]
    other = xdr.base_url + "/other/path"
    expected = fx.run("match", other, check_rc=2).stderr.strip()
    p, status = h.http("--auth-type=tokex", other)
    check(p.returncode != 0 and status is None and f"TokexError: {expected}" in p.stderr,
          f"an unmatched URL: exit {p.returncode} {p.stderr!r}")
    check(stats(fx, xdr)["api_requests"] == before, "a request went out without a credential")


def case_ennov_sends_cookie_and_csrf(fx):
    az, insight = ennov_test.setup(fx)
    h = Httpie(fx)
    delete = ennov_test.event(insight, 1, delete=True)
    p, status = h.http("--check-status", "--auth-type=tokex", "-a", "rim", "POST", delete)
    check(status == 200 and p.returncode == 0, f"the InSight delete got {status}: {p.stdout} {p.stderr}")
    p, status = h.http("POST", delete)
    check(status == 401, f"a delete without the session got {status}")
    # A Cookie of the user's own goes along beside the session cookie.
    p, status = h.http("--check-status", "--auth-type=tokex", "-a", "rim", "POST", delete, "Cookie:theme=dark")
    check(status == 200, f"with a Cookie of the user's the delete got {status}: {p.stderr}")
    s = stats(fx, insight)
    check(s["sessions_started"] == 1 and s["logins"] == 1, f"unexpected InSight stats {s}")
    check(stats(fx, az)["token_requests"] == 1, "not one Azure AD token")


def case_httpie_session_keeps_no_token(fx):
    _, url, h = xdr_setup(fx)
    p, status = h.http("--check-status", "--session=xdr-session", "--auth-type=tokex", "-a", "xdr", url)
    check(status == 200, f"with --session: {status} {p.stderr}")
    token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    files = list((h.config_dir / "sessions").rglob("xdr-session.json"))
    check(len(files) == 1, f"no session file: {files}")
    saved = json.loads(files[0].read_text())
    check(saved["auth"] == {"type": "tokex", "raw_auth": "xdr"}, f"session auth {saved['auth']}")
    check(token not in files[0].read_text(), "the token was written into the HTTPie session")
    # The session alone brings the plugin back.
    p, status = h.http("--check-status", "--session=xdr-session", url)
    check(status == 200, f"the saved session got {status} {p.stderr}")


REQUESTS_SCRIPT = """
import json, requests
from tokex_auth import TokexAuth, TokexError
url, ca, profile = sys.argv[1:4]
out = {"status": requests.get(url, auth=TokexAuth(profile), verify=ca).status_code,
       "without": requests.get(url, verify=ca).status_code}
try:
    requests.get(url, auth=TokexAuth("nope"), verify=ca)
except requests.RequestException as e:
    out["error"] = [type(e).__name__, str(e)]
print(json.dumps(out))
"""


def case_plain_requests(fx):
    xdr, url, h = xdr_setup(fx)
    out = h.requests(REQUESTS_SCRIPT, url, fx.pki["ca"], "xdr")
    check(out["status"] == 200 and out["without"] == 401, f"requests: {out}")
    expected = fx.run("json", "nope", check_rc=2).stderr.strip()
    check(out["error"] == ["TokexError", expected], f"the wrong profile's error: {out['error']}")
    check(stats(fx, xdr)["tokens_issued"] == 1, "not one exchange")
    # From the source directory too, without installing anything.
    h.site = str(SOURCE)
    out = h.requests(REQUESTS_SCRIPT, url, fx.pki["ca"], "xdr")
    check(out["status"] == 200, f"requests with the source dir: {out}")


NOT_ON_PATH_SCRIPT = """
import json, requests
from tokex_auth import TokexAuth, TokexError
url, ca, tokex = sys.argv[1:4]
out = {}
try:
    requests.get(url, auth=TokexAuth("xdr"), verify=ca)
except TokexError as e:
    out["error"] = str(e)
out["with_path"] = requests.get(url, auth=TokexAuth("xdr", tokex=tokex), verify=ca).status_code
print(json.dumps(out))
"""


def case_tokex_not_on_path(fx):
    xdr, url, h = xdr_setup(fx)
    empty = fx.dir / "empty-bin"
    empty.mkdir()
    h.use_path([str(empty)])
    p, status = h.http("--auth-type=tokex", "-a", "xdr", url)
    check(p.returncode != 0 and status is None, f"without tokex: exit {p.returncode}, status {status}")
    check("TokexError: tokex: 'tokex' not found on PATH; install tokex or give its path" in p.stderr,
          f"unclear error: {p.stderr!r}")
    out = h.requests(NOT_ON_PATH_SCRIPT, url, fx.pki["ca"], fx.tokex)
    check(out["error"].startswith("tokex: 'tokex' not found on PATH"), f"requests: {out}")
    check(out["with_path"] == 200, f"TokexAuth with tokex's path: {out}")
    check(stats(fx, xdr)["api_requests"] == 1, "a request went out without a credential")


class Recorder(BaseHTTPRequestHandler):
    """Answers redirects and records the headers each path got."""

    def do_GET(self):
        self.server.seen[self.path] = dict(self.headers)
        target = self.server.redirects.get(self.path)
        self.send_response(302 if target else 200)
        if target:
            self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(fx, redirects):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(fx.pki["cert"], fx.pki["key"])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.seen, server.redirects = {}, redirects
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


REDIRECT_SCRIPT = """
import json, requests
from tokex_auth import TokexAuth
for url in sys.argv[2:]:
    requests.get(url, auth=TokexAuth("rim"), verify=sys.argv[1], timeout=30)
print("{}")
"""


def case_redirect_elsewhere_drops_the_credential(fx):
    ennov_test.setup(fx)
    h = Httpie(fx)
    there = serve(fx, {})
    here = serve(fx, {})
    try:
        elsewhere = f"https://localhost:{there.server_port}/landing"
        here.redirects.update({"/away": elsewhere, "/away-httpie": elsewhere + "-httpie", "/stay": "/stayed"})
        base = f"https://127.0.0.1:{here.server_port}"
        h.requests(REDIRECT_SCRIPT, fx.pki["ca"], base + "/away", base + "/stay")
        p, status = h.http("--follow", "--auth-type=tokex", "-a", "rim", base + "/away-httpie")
        check(status == 200, f"http --follow: {status} {p.stderr}")
        for first in ("/away", "/away-httpie", "/stay"):
            got = here.seen.get(first, {})
            check("X-CSRF-TOKEN" in got and "JSESSIONID=" in got.get("Cookie", ""), f"{first} got {got}")
        for landing in ("/landing", "/landing-httpie"):
            got = there.seen.get(landing)
            check(got is not None and not {"X-CSRF-TOKEN", "Cookie", "Authorization"} & set(got),
                  f"the credential followed a redirect to another origin: {landing} got {got}")
        check("X-CSRF-TOKEN" in here.seen.get("/stayed", {}), "a same-origin redirect lost the CSRF token")
    finally:
        for server in (here, there):
            server.shutdown()
            server.server_close()


def case_own_cookies_merge_with_the_session(fx):
    ennov_test.setup(fx)
    h = Httpie(fx)
    ours = json.loads(fx.run("json", "rim", check_rc=0).stdout)["headers"]["Cookie"]
    server = serve(fx, {})
    try:
        url = f"https://127.0.0.1:{server.server_port}/cookies"
        p, status = h.http("--auth-type=tokex", "-a", "rim", url, "Cookie:theme=dark; JSESSIONID=stale")
        check(status == 200, f"http: {status} {p.stderr}")
        got = server.seen[url[url.index("/cookies"):]].get("Cookie")
        check(got == f"theme=dark; {ours}", f"sent Cookie {got!r}, expected the user's theme and tokex's session")
    finally:
        server.shutdown()
        server.server_close()


HEAVY = ("libcurl", "libsecret", "libglib", "libgio", "libcrypto", "libssl")


def case_hit_path_loads_no_heavy_library(fx):
    _, url, h = xdr_setup(fx)
    fx.run("token", "xdr", check_rc=0)  # the miss, so the plugin's call is a hit
    probe = fx.dir / "ld"
    probe.mkdir()
    p, status = h.http("--auth-type=tokex", "-a", "xdr", url,
                       env={"LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": str(probe / "out")})
    check(status == 200, f"http with LD_DEBUG got {status}: {p.stderr[-500:]}")
    tokex_runs, others = [], []
    for f in probe.iterdir():
        text = f.read_text(errors="replace")
        inits = [line for line in text.splitlines() if "calling init:" in line]
        (tokex_runs if f"initialize program: {fx.tokex}\n" in text else others).append(inits)
    check(len(tokex_runs) == 1, f"{len(tokex_runs)} tokex processes seen")
    loaded = [line for line in tokex_runs[0] if any(h in line for h in HEAVY)]
    check(not loaded, f"tokex json, run by the plugin on a hit, loaded {loaded}")
    # The probe works: Python's ssl module, in http's process, loads libssl.
    check(any("libssl" in line for inits in others for line in inits), "LD_DEBUG saw no libssl anywhere")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
