"""tokex exec, tokex env (shell, GitHub Actions, GitLab CI), tokex match,
and curl with each of tokex's outputs (-K config, -H @file, -b cookie jar):
real sh, bash and curl against endpoints that accept only a valid token
(the Cisco XDR and Ennov InSight emulators, and a small RFC 6749 server in
this file that issues tokens with characters that need escaping)."""

import base64
import http.server
import json
import os
import shlex
import signal
import ssl
import subprocess
import threading
import time
import urllib.parse

from harness import Failure, check, main
from xdr_fixture import SECRET, start_xdr, stats

HEAVY = ("libcurl", "libsecret", "libglib", "libgio", "libcrypto", "libssl")
WHOAMI = "/iroh/profile/whoami"


# --- helpers ---------------------------------------------------------------

def setup_xdr(fx, extra=""):
    """The XDR emulator, profile "xdr" for it, its secret in the keyring."""
    xdr = start_xdr(fx, extra=extra)
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    return xdr


def run(fx, argv, env=None, stdin=None, timeout=60):
    """Any program, in the fixture's environment plus `env` (None removes a
    variable); text mode."""
    full = dict(fx.env)
    full.update(env or {})
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=full, timeout=timeout)


def tokex_exec(fx, profile, *command, env=None, stdin=None):
    return run(fx, [fx.tokex, "exec", profile, "--", *command], env=env, stdin=stdin)


def curl_status(fx, url, *args, stdin=None, shell=None):
    """Real curl's HTTP status for `url`: with `args`, or, given `shell`,
    the bash command line `shell` (in which $URL and $CA are set)."""
    if shell is not None:
        r = run(fx, ["bash", "-c", shell], env={"URL": url, "CA": fx.pki["ca"]}, stdin=stdin)
    else:
        r = subprocess.run(["curl", "-sS", "--cacert", fx.pki["ca"], "-o", "/dev/null", "-w", "%{http_code}",
                            *args, url], input=stdin, capture_output=True, text=True, timeout=30)
    return r.stdout.strip(), r.stderr


def exe_name(pid):
    """The file name of the program process `pid` runs, or "" when it
    cannot be read (gone, or not dumpable: tokex makes itself so)."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return ""


def parse_env0(data):
    """`env -0` output as a dict."""
    out = {}
    for entry in data.split("\0"):
        if entry:
            name, _, value = entry.partition("=")
            out[name] = value
    return out


def parse_github_env(text):
    """The variables a file in $GITHUB_ENV's format sets, read as the Actions
    runner reads it (FileCommandManager.cs): empty lines skipped, NAME=VALUE,
    or NAME<<DELIMITER, the value's lines, then a line that is DELIMITER."""
    lines = text.split("\n")
    out, i = {}, 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "":
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            name, value = line.split("=", 1)
            out[name] = value
            continue
        if heredoc < 0:
            raise Failure(f"$GITHUB_ENV: invalid line {line!r}")
        name, delimiter = line.split("<<", 1)
        check(name and delimiter, f"$GITHUB_ENV: empty name or delimiter in {line!r}")
        value = []
        while True:
            # A value line needs its newline: the last element of the split
            # is what follows the last newline.
            check(i < len(lines) - 1 or (i < len(lines) and lines[i] == delimiter),
                  f"$GITHUB_ENV: no line {delimiter!r} ends the value of {name}")
            line = lines[i]
            i += 1
            if line == delimiter:
                break
            value.append(line)
        out[name] = "\n".join(value)
    return out


def unescape_command_data(data):
    """A workflow command's data as the runner decodes it
    (ActionCommand.UnescapeData)."""
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def program_images(stderr):
    """LD_DEBUG=libs output split by program image: [(program, [init
    lines])]. A process that execs shows one image after another under one
    pid; the libraries an image loads at start come before its
    "initialize program" line."""
    images, inits = [], []
    for line in stderr.splitlines():
        if "calling init:" in line:
            inits.append(line)
        elif "initialize program:" in line:
            images.append((line.split("initialize program:", 1)[1].strip(), inits))
            inits = []
    if inits and images:  # loaded after start (dlopen): the last image's
        images[-1][1].extend(inits)
    return images


class TokenServer:
    """A loopback RFC 6749 token endpoint (client_credentials, HTTP Basic)
    that issues `token`, and an API at /api that answers 200 to exactly
    "Authorization: Bearer TOKEN" and 401 to anything else. For tokens the
    emulators cannot issue: quotes, backslashes, '%', or too short for
    GitLab to mask."""

    CLIENT_ID = "ci-client"
    CLIENT_SECRET = "ci-secret-2b7e151628aed2a6"

    def __init__(self, fx, token):
        self.token = token
        self.token_requests = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(min(length, 65536)).decode())
                basic = base64.b64encode(f"{TokenServer.CLIENT_ID}:{TokenServer.CLIENT_SECRET}".encode()).decode()
                if self.path != "/token" or form.get("grant_type") != ["client_credentials"]:
                    return self.reply(400, {"error": "unsupported_grant_type"})
                if self.headers.get("Authorization") != "Basic " + basic:
                    return self.reply(401, {"error": "invalid_client"})
                server.token_requests += 1
                self.reply(200, {"access_token": server.token, "token_type": "Bearer", "expires_in": 600})

            def do_GET(self):
                if self.path != "/api":
                    return self.reply(404, {"error": "not found"})
                if self.headers.get("Authorization") != "Bearer " + server.token:
                    return self.reply(401, {"error": "invalid_token"})
                self.reply(200, {"ok": True})

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(fx.pki["cert"], fx.pki["key"])
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.base_url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        fx.emulators.append(self)  # stopped by fx.close()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def setup_token_server(fx, token, name="p", extra=""):
    """A TokenServer issuing `token`, profile NAME (preset oauth2) for it,
    its client secret in the keyring."""
    server = TokenServer(fx, token)
    fx.write_config(f"""[profile "{name}"]
    preset    = oauth2
    token-url = {server.base_url}/token
    client-id = {TokenServer.CLIENT_ID}
    ca-file   = {fx.pki['ca']}
{extra}""")
    fx.run("secret", "set", name, "client-secret", stdin=TokenServer.CLIENT_SECRET + "\n", check_rc=0)
    return server


# A token with every character a POSIX shell or curl's config syntax treats
# specially, '%' as GitHub's workflow commands do, and no control character.
AWKWARD = "it's a \"tok\\en\" $HOME `id` $(id) \\t \\\\ !x *?[a] ;|&<> # ~ %0A %25 {a,b}"


# --- tokex exec ------------------------------------------------------------

def case_exec_adds_only_the_token(fx):
    """The command's environment is tokex's plus env-name: compared entry by
    entry, on a miss (through the engine) and on a hit (the front alone)."""
    xdr = setup_xdr(fx)
    parent = {"XDR_TOKEN": "stale value the token replaces", "CI_ODD": "two\nlines = and 'quotes'",
              "EMPTY": ""}
    for attempt in ("miss", "hit"):
        p = tokex_exec(fx, "xdr", "env", "-0", env=parent)
        check(p.returncode == 0, f"{attempt}: exec env failed: {p.stderr}")
        child = parse_env0(p.stdout)
        token = child.get("XDR_TOKEN", "")
        check(token.startswith("xdr-"), f"{attempt}: no token in XDR_TOKEN")
        expected = {k: v for k, v in fx.env.items()}
        expected.update(parent)
        expected["XDR_TOKEN"] = token
        added = sorted(set(child) - set(expected))
        missing = sorted(set(expected) - set(child))
        changed = sorted(k for k in set(child) & set(expected) if child[k] != expected[k])
        check(not added and not missing and not changed,
              f"{attempt}: environment differs: added {added}, missing {missing}, changed {changed}")
        check(p.stderr == "", f"{attempt}: exec said something: {p.stderr!r}")
    check(stats(fx, xdr)["tokens_issued"] == 1, "the hit made another exchange")
    # The variable carries a token the API takes.
    status, err = curl_status(fx, xdr.base_url + WHOAMI, shell=(
        f"{shlex.quote(fx.tokex)} exec xdr -- sh -c "
        "'curl -sS --cacert \"$CA\" -o /dev/null -w %{http_code} -H \"Authorization: Bearer $XDR_TOKEN\" \"$URL\"'"))
    check(status == "200", f"curl under tokex exec got {status} {err}")


def case_exec_opens_no_descriptor_for_the_command(fx):
    """Nothing tokex opened (config, cache, lock, keyring, sockets) reaches
    the command: its descriptors are those of the same command run alone."""
    setup_xdr(fx)
    alone = run(fx, ["ls", "/proc/self/fd"]).stdout.split()
    for attempt in ("miss", "hit"):
        p = tokex_exec(fx, "xdr", "ls", "/proc/self/fd")
        check(p.returncode == 0, f"{attempt}: {p.stderr}")
        check(p.stdout.split() == alone, f"{attempt}: the command got descriptors {p.stdout.split()}, "
                                         f"alone it has {alone}")


def case_exec_passes_the_exit_status_and_stdin(fx):
    setup_xdr(fx)
    for attempt in ("miss", "hit"):
        p = tokex_exec(fx, "xdr", "sh", "-c", "exit 3")
        check(p.returncode == 3, f"{attempt}: exit 3 came back as {p.returncode}: {p.stderr}")
        p = tokex_exec(fx, "xdr", "sh", "-c", 'read line; printf "%s|" "$line"; exit 0', stdin="from stdin\n")
        check(p.returncode == 0 and p.stdout == "from stdin|", f"{attempt}: stdin did not reach the command: "
                                                               f"{p.stdout!r} {p.stderr!r}")


def case_exec_signals_reach_the_command(fx):
    """tokex becomes the command (execvp): a signal sent to the pid the
    caller started is the command's, and its death by a signal is the
    caller's to see, as a shell reports it (128+N)."""
    setup_xdr(fx)
    fx.run("token", "xdr", check_rc=0)
    p = tokex_exec(fx, "xdr", "sh", "-c", "kill -TERM $$")
    check(p.returncode == -signal.SIGTERM, f"the command killed by SIGTERM: tokex ended with {p.returncode}")
    r = run(fx, ["bash", "-c", f"{shlex.quote(fx.tokex)} exec xdr -- sh -c 'kill -TERM $$'; echo $?"])
    check(r.stdout.strip() == "143", f"bash saw {r.stdout!r}, a shell reports 143")
    for attempt in ("hit", "miss"):
        if attempt == "miss":
            fx.run("forget", "xdr", check_rc=0)
        full = {k: v for k, v in fx.env.items()}
        proc = subprocess.Popen([fx.tokex, "exec", "xdr", "--", "sleep", "30"], env=full,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while exe_name(proc.pid) != "sleep":
                check(proc.poll() is None and time.monotonic() < deadline,
                      f"{attempt}: the command never replaced tokex")
                time.sleep(0.01)
            proc.send_signal(signal.SIGTERM)
            rc = proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        check(rc == -signal.SIGTERM, f"{attempt}: SIGTERM to tokex's pid: exit {rc}")


def case_exec_command_not_found_or_not_executable(fx):
    setup_xdr(fx)
    plain = fx.dir / "not-executable"
    plain.write_text("#!/bin/sh\nexit 0\n")
    plain.chmod(0o644)
    for attempt in ("miss", "hit"):
        p = tokex_exec(fx, "xdr", "no-such-command-tokex")
        check(p.returncode == 127, f"{attempt}: a missing command: exit {p.returncode}")
        check(p.stderr == "tokex: xdr: no-such-command-tokex: command not found\n", f"{attempt}: {p.stderr!r}")
        p = tokex_exec(fx, "xdr", str(fx.dir / "absent" / "cmd"))
        check(p.returncode == 127, f"{attempt}: a missing path: exit {p.returncode} {p.stderr!r}")
        p = tokex_exec(fx, "xdr", str(plain))
        check(p.returncode == 126, f"{attempt}: a file that is not executable: exit {p.returncode}")
        check(p.stderr.count("\n") == 1 and "Permission denied" in p.stderr, f"{attempt}: {p.stderr!r}")
        p = tokex_exec(fx, "xdr", str(fx.dir))
        check(p.returncode == 126, f"{attempt}: a directory: exit {p.returncode} {p.stderr!r}")
    token = fx.run("token", "xdr", check_rc=0).stdout.strip()
    check(token not in p.stderr + p.stdout, "the token leaked")


def case_exec_refuses_unsafe_env_names(fx):
    xdr = start_xdr(fx)
    base = fx.config.read_text()
    for name in ("LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "PATH", "IFS", "PYTHONPATH",
                 "NODE_OPTIONS", "BASH_FUNC_x%%", "1ABC", "A-B"):
        fx.write_config(base + f"    env-name  = {name}\n")
        p = fx.run("exec", "xdr", "--", "true")
        check(p.returncode == 2, f"env-name {name}: exit {p.returncode} {p.stderr!r}")
        check("key 'env-name'" in p.stderr and p.stderr.count("\n") == 1, f"env-name {name}: {p.stderr!r}")
    check(stats(fx, xdr)["token_requests"] == 0, "a refused profile made an exchange")
    fx.write_config(base + "    env-name  = VISIBILITY_API_TOKEN\n")
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    p = tokex_exec(fx, "xdr", "sh", "-c", 'test -n "$VISIBILITY_API_TOKEN" && test -z "$XDR_TOKEN"')
    check(p.returncode == 0, f"env-name was not used: {p.returncode} {p.stderr}")


def case_exec_refuses_every_python_variable(fx):
    """PYTHON* (the issue's list): PYTHONHOME, PYTHONINSPECT, PYTHONBREAKPOINT
    and PYTHONWARNINGS change what a Python program loads or runs too."""
    start_xdr(fx)
    base = fx.config.read_text()
    for name in ("PYTHONHOME", "PYTHONINSPECT", "PYTHONBREAKPOINT", "PYTHONWARNINGS", "PYTHONSAFEPATH"):
        fx.write_config(base + f"    env-name  = {name}\n")
        p = fx.run("exec", "xdr", "--", "true")
        check(p.returncode == 2 and "key 'env-name'" in p.stderr, f"env-name {name}: exit {p.returncode}")


def case_exec_and_env_refuse_a_session(fx):
    """An Ennov InSight credential is a cookie and a CSRF header: refused
    before any exchange (the endpoints here do not even exist)."""
    fx.write_config("""[profile "rim"]
    preset    = ennov-insight
    tenant    = 72f988bf-86f1-41af-91ab-2d7cd011db47
    client-id = 6731de76-14a6-49ae-97bc-6eba6914391e
    token-url = https://127.0.0.1:9/t/oauth2/v2.0/token
    base-url  = https://127.0.0.1:9/insight
""")
    for args in (["exec", "rim", "--", "true"], ["env", "rim"], ["env", "--github", "rim"]):
        p = fx.run(*args, env={"GITHUB_ENV": str(fx.dir / "github-env")})
        check(p.returncode == 2, f"{args}: exit {p.returncode} {p.stderr!r}")
        check(p.stderr.startswith("tokex: rim: preset ennov-insight gives a session") and
              "tokex cookies" in p.stderr and p.stderr.count("\n") == 1, f"{args}: {p.stderr!r}")


def case_exec_hit_loads_no_heavy_library(fx):
    """On a hit tokex execs the command itself: two program images under one
    pid (tokex, then env), neither loading a heavy library. On a miss the
    engine comes between (the probe sees it load libcurl)."""
    setup_xdr(fx)
    miss = tokex_exec(fx, "xdr", "/usr/bin/env", env={"LD_DEBUG": "libs"})
    check(miss.returncode == 0, f"miss failed: {miss.stderr[-500:]}")
    images = program_images(miss.stderr)
    names = [os.path.basename(n) for n, _ in images]
    # The engine runs under the front's name (argv[0] "tokex" picks its personality).
    check(names == ["tokex", "tokex", "env"], f"a miss ran {names}")
    check(any("libcurl" in l for l in images[1][1]), "LD_DEBUG did not show the engine loading libcurl")
    for _ in range(2):
        hit = tokex_exec(fx, "xdr", "/usr/bin/env", env={"LD_DEBUG": "libs"})
        check(hit.returncode == 0 and "XDR_TOKEN=xdr-" in hit.stdout, f"hit failed: {hit.stderr[-500:]}")
        images = program_images(hit.stderr)
        names = [os.path.basename(n) for n, _ in images]
        check(names == ["tokex", "env"], f"a hit ran {names}: something came between tokex and the command")
        loaded = [l for _, inits in images for l in inits if any(h in l for h in HEAVY)]
        check(not loaded, f"the hit path of exec loaded {loaded}")
    for args in (["env", "xdr"], ["env", "--gitlab", "xdr"], ["match", "https://nothing.example/"]):
        p = fx.run(*args, env={"LD_DEBUG": "libs"})
        images = program_images(p.stderr)
        check(len(images) == 1, f"tokex {' '.join(args)} ran {[n for n, _ in images]}")
        loaded = [l for l in images[0][1] if any(h in l for h in HEAVY)]
        check(not loaded, f"tokex {' '.join(args)} loaded {loaded}")


# --- tokex env -------------------------------------------------------------

def case_env_eval_by_sh_gives_the_exact_token(fx):
    server = setup_token_server(fx, AWKWARD)
    out = fx.run("env", "p", check_rc=0).stdout
    check(out.startswith("export P_TOKEN='") and out.endswith("'\n") and out.count("\n") == 1, repr(out))
    for shell in ("sh", "bash", "dash"):
        r = run(fx, [shell, "-c", f'eval "$({shlex.quote(fx.tokex)} env p)"; printf %s "$P_TOKEN"'])
        check(r.returncode == 0 and r.stdout == AWKWARD, f"{shell} read {r.stdout!r} {r.stderr!r}")
        # Exported: a program the script runs sees it.
        r = run(fx, [shell, "-c", f'eval "$({shlex.quote(fx.tokex)} env p)"; env -0'])
        check(parse_env0(r.stdout).get("P_TOKEN") == AWKWARD, f"{shell}: the variable is not exported")
    status, err = curl_status(fx, server.base_url + "/api", shell=(
        f'eval "$({shlex.quote(fx.tokex)} env p)" && '
        'curl -sS --cacert "$CA" -o /dev/null -w %{http_code} -H "Authorization: Bearer $P_TOKEN" "$URL"'))
    check(status == "200", f"curl with the eval'd token got {status} {err}")
    check(server.token_requests == 1, f"{server.token_requests} exchanges")


def case_env_github(fx):
    """--github: the mask line on stdout, the variable appended to
    $GITHUB_ENV in the runner's format, on a miss and on a hit."""
    xdr = setup_xdr(fx)
    github_env = fx.dir / "github-env"
    github_env.write_text("EARLIER=1\nLAST_LINE_WITHOUT_NEWLINE=2")  # what an earlier step left
    for attempt in ("miss", "hit"):
        p = fx.run("env", "--github", "xdr", env={"GITHUB_ENV": str(github_env)})
        check(p.returncode == 0 and p.stderr == "", f"{attempt}: {p.returncode} {p.stderr!r}")
        parsed = parse_github_env(github_env.read_text())
        token = parsed.get("XDR_TOKEN", "")
        check(token.startswith("xdr-"), f"{attempt}: no XDR_TOKEN in $GITHUB_ENV: {sorted(parsed)}")
        check(parsed["EARLIER"] == "1" and parsed["LAST_LINE_WITHOUT_NEWLINE"] == "2",
              f"{attempt}: the earlier lines were changed: {parsed}")
        check(p.stdout == f"::add-mask::{token}\n", f"{attempt}: stdout {p.stdout!r}")
    check(stats(fx, xdr)["tokens_issued"] == 1, "the hit made another exchange")
    # Two blocks, two delimiters, both random.
    delimiters = [l.split("<<", 1)[1] for l in github_env.read_text().splitlines() if "<<" in l]
    check(len(delimiters) == 2 and delimiters[0] != delimiters[1] and
          all(d.startswith("ghadelimiter_") and len(d) == len("ghadelimiter_") + 32 for d in delimiters),
          f"delimiters {delimiters}")
    # The next step's environment works with the API.
    status, err = curl_status(fx, xdr.base_url + WHOAMI, "-H", "Authorization: Bearer " + parsed["XDR_TOKEN"])
    check(status == "200", f"the token from $GITHUB_ENV got {status} {err}")


def case_env_github_escapes_and_refuses(fx):
    server = setup_token_server(fx, AWKWARD)
    github_env = fx.dir / "github-env"
    github_env.write_text("")
    p = fx.run("env", "--github", "p", env={"GITHUB_ENV": str(github_env)}, check_rc=0)
    check(p.stdout.startswith("::add-mask::") and p.stdout.count("\n") == 1, repr(p.stdout))
    masked = unescape_command_data(p.stdout[len("::add-mask::"):-1])
    check(masked == AWKWARD, f"the runner would mask {masked!r}, not the token")
    check(parse_github_env(github_env.read_text()) == {"P_TOKEN": AWKWARD}, "the token did not read back")
    check(server.token_requests == 1, "not one exchange")
    fx.run("forget", "p", check_rc=0)
    # Refused before any exchange: no GITHUB_ENV, a missing file, a FIFO
    # (no hang), a directory.
    fifo = fx.dir / "fifo"
    os.mkfifo(fifo)
    for value, words in ((None, "GITHUB_ENV is not set"), (str(fx.dir / "absent"), "No such file"),
                         (str(fifo), "cannot open $GITHUB_ENV"), (str(fx.dir), "cannot open $GITHUB_ENV")):
        p = fx.run("env", "--github", "p", env={"GITHUB_ENV": value})
        check(p.returncode == 2 and words in p.stderr and p.stderr.count("\n") == 1,
              f"GITHUB_ENV={value}: {p.returncode} {p.stderr!r}")
        check(p.stdout == "", f"GITHUB_ENV={value}: printed {p.stdout!r}")
    check(server.token_requests == 1, "a refused request made an exchange")
    p = fx.run("env", "--github", "--gitlab", "p", env={"GITHUB_ENV": str(github_env)})
    check(p.returncode == 2 and "one of --github and --gitlab" in p.stderr, p.stderr)


def case_env_gitlab_warns_when_gitlab_could_not_mask(fx):
    for token, reason in (("sh0rt", "shorter than 8 characters"), ("long enough but spaced", "characters other")):
        setup_token_server(fx, token)  # a new server and a new profile "p" for it
        p = fx.run("env", "--gitlab", "p", check_rc=0)
        check(p.stdout == f"export P_TOKEN='{token}'\n", repr(p.stdout))
        check(p.stderr.startswith("tokex: p: warning: GitLab could not mask") and reason in p.stderr and
              p.stderr.count("\n") == 1, repr(p.stderr))
        check(token not in p.stderr, "the warning quoted the token")
        p = fx.run("env", "p", check_rc=0)
        check(p.stderr == "", "a warning without --gitlab")
    setup_xdr(fx)
    p = fx.run("env", "--gitlab", "xdr", check_rc=0)
    check(p.stderr == "" and p.stdout.startswith("export XDR_TOKEN='xdr-"), f"{p.stdout!r} {p.stderr!r}")


# --- tokex match -----------------------------------------------------------

def case_match(fx):
    fx.write_config("""[profile "xdr"]
    preset    = cisco-xdr
    client-id = c
    match     = https://visibility.eu.amp.cisco.com/ https://private.intel.eu.amp.cisco.com/
[profile "xdr-iroh"]
    preset    = cisco-xdr
    client-id = c
    match     = https://visibility.eu.amp.cisco.com/iroh/
[profile "broken"]
    preset    = cisco-xdr
    match     = https://broken.example/
[profile "local"]
    preset    = oauth2
    token-url = https://127.0.0.1:8443/token
    client-id = c
    match     = https://127.0.0.1:8443/api
""")
    for url, name in (("https://visibility.eu.amp.cisco.com/", "xdr"),
                      ("https://VISIBILITY.eu.amp.cisco.com:443/x?token=1", "xdr"),
                      ("https://visibility.eu.amp.cisco.com/iroh/profile/whoami", "xdr-iroh"),
                      ("https://visibility.eu.amp.cisco.com/iroh", "xdr"),
                      ("https://private.intel.eu.amp.cisco.com/ctia/judgement", "xdr"),
                      ("https://127.0.0.1:8443/api/v1", "local")):
        p = fx.run("match", url)
        check(p.returncode == 0 and p.stdout == name + "\n" and p.stderr == "", f"{url}: {p.stdout!r} {p.stderr!r}")
    for url in ("https://127.0.0.1:8443/apix", "http://visibility.eu.amp.cisco.com/",
                "https://visibility.amp.cisco.com/", "https://broken.example/", "https://127.0.0.1/api"):
        p = fx.run("match", url + "?api_key=hush")
        check(p.returncode == 2 and p.stdout == "" and "no usable profile in" in p.stderr and "matches" in p.stderr,
              f"{url}: {p.returncode} {p.stderr!r}")
        # The profile meant for a URL may be the one a config error spoiled.
        check("profile 'broken' has a match but cannot be used: " in p.stderr and "client-id" in p.stderr,
              f"{url}: the unusable profile went unmentioned: {p.stderr!r}")
        check("hush" not in p.stderr and p.stderr.count("\n") == 1, f"{url}: {p.stderr!r}")
    for bad in ("https://user:hunter2@visibility.eu.amp.cisco.com/", "https://a.example/\r\nX: 1",
                "visibility.eu.amp.cisco.com", "ftp://a.example/", ""):
        p = fx.run("match", bad)
        check(p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1, f"{bad!r}: {p.stderr!r}")
        check("hunter2" not in p.stderr, "the password in the URL reached the message")
    p = fx.run("match", env={"TOKEX_CONFIG": str(fx.dir / "absent")})
    check(p.returncode == 2, p.stderr)


# --- curl ------------------------------------------------------------------

def case_curl_config_with_a_token_that_needs_escaping(fx):
    """curl -K reads tokex curl's output: a token with a backslash and a
    double quote comes through curl's config syntax unchanged."""
    token = 'tok\\en"with\\"quotes\\\\and\\t"'
    server = setup_token_server(fx, token)
    url = server.base_url + "/api"
    cfg = fx.run("curl", "p", check_rc=0).stdout
    check(cfg.startswith('header = "Authorization: Bearer ') and cfg.count("\n") == 1, repr(cfg))
    status, err = curl_status(fx, url, "-K", "-", stdin=cfg)
    check(status == "200", f"curl -K - got {status} {err}")
    status, err = curl_status(fx, url, shell=f'curl -sS --cacert "$CA" -o /dev/null -w %{{http_code}} '
                                             f'-K <({shlex.quote(fx.tokex)} curl p) "$URL"')
    check(status == "200", f"curl -K <(tokex curl p) got {status} {err}")
    # Unescaped, curl would send another token and be refused.
    status, _ = curl_status(fx, url, "-K", "-", stdin=f'header = "Authorization: Bearer {token}"\n')
    check(status == "401", f"an unescaped config got {status}")
    status, _ = curl_status(fx, url, "-K", "-", stdin='header = "Authorization: Bearer forged"\n')
    check(status == "401", f"the server accepted a forged token: {status}")
    # The same token as a header file.
    header = fx.dir / "header"
    header.write_text(fx.run("header", "p", check_rc=0).stdout)
    status, err = curl_status(fx, url, "-H", f"@{header}")
    check(status == "200", f"curl -H @file got {status} {err}")
    check(server.token_requests == 1, f"{server.token_requests} exchanges")


def case_curl_config_and_header_file_against_xdr(fx):
    xdr = setup_xdr(fx)
    url = xdr.base_url + WHOAMI
    status, err = curl_status(fx, url, shell=f'curl -sS --cacert "$CA" -o /dev/null -w %{{http_code}} '
                                             f'-K <({shlex.quote(fx.tokex)} curl xdr) "$URL"')
    check(status == "200", f"curl -K <(tokex curl xdr) got {status} {err}")
    status, err = curl_status(fx, url, shell=f'{shlex.quote(fx.tokex)} curl xdr | curl -sS --cacert "$CA" '
                                             f'-o /dev/null -w %{{http_code}} -K - "$URL"')
    check(status == "200", f"tokex curl xdr | curl -K - got {status} {err}")
    header = fx.dir / "header"
    header.write_text(fx.run("header", "xdr", check_rc=0).stdout)
    header.chmod(0o600)
    status, err = curl_status(fx, url, "-H", f"@{header}")
    check(status == "200", f"curl -H @file got {status} {err}")
    status, err = curl_status(fx, url, shell=f'curl -sS --cacert "$CA" -o /dev/null -w %{{http_code}} '
                                             f'-H @<({shlex.quote(fx.tokex)} header xdr) "$URL"')
    check(status == "200", f"curl -H @<(tokex header xdr) got {status} {err}")
    forged = fx.dir / "forged"
    forged.write_text("Authorization: Bearer xdr-forged0000000000000000000000000000000000000\n")
    status, _ = curl_status(fx, url, "-H", f"@{forged}")
    check(status == "401", f"a forged header file got {status}")
    s = stats(fx, xdr)
    check(s["tokens_issued"] == 1 and s["api_requests"] >= 5, f"unexpected emulator stats {s}")


def case_cookie_jar_with_curl(fx):
    """curl -b FILE with tokex cookies' jar reaches an Ennov InSight endpoint
    that needs the session; a jar with a forged session id does not."""
    import ennov_test  # the Azure AD and InSight emulators, as ennov_test starts them
    _, insight = ennov_test.setup(fx)
    url = f"{insight.base_url}/insight/api/v2/event/7"
    jar = fx.dir / "jar.txt"
    jar.write_text(fx.run("cookies", "rim", check_rc=0).stdout)
    status, err = curl_status(fx, url, "-b", str(jar))
    check(status == "200", f"curl -b jar got {status} {err}")
    status, err = curl_status(fx, url, shell=f'curl -sS --cacert "$CA" -o /dev/null -w %{{http_code}} '
                                             f'-b <({shlex.quote(fx.tokex)} cookies rim) "$URL"')
    check(status == "200", f"curl -b <(tokex cookies rim) got {status} {err}")
    lines = jar.read_text().splitlines()
    forged_lines = [l.rsplit("\t", 1)[0] + "\tforged-session-id" if "\tJSESSIONID\t" in l else l for l in lines]
    check(forged_lines != lines, "no JSESSIONID line in the jar")
    forged = fx.dir / "forged.txt"
    forged.write_text("\n".join(forged_lines) + "\n")
    status, _ = curl_status(fx, url, "-b", str(forged))
    check(status == "401", f"a forged jar got {status}")
    p = fx.run("cookies", "xdr", env={"TOKEX_CONFIG": str(fx.config)})
    check(p.returncode == 2, "cookies of a profile that is not there")


# --- the whole CI flow -----------------------------------------------------

def case_ci_flow_with_the_env_store(fx):
    """A CI job: the secret in a masked CI variable (store = env), no
    keyring (DBUS_SESSION_BUS_ADDRESS points nowhere), then each way of
    handing the token on, each used against the API."""
    xdr = start_xdr(fx, extra="    store     = env\n")
    url = xdr.base_url + WHOAMI
    ci = {"TOKEX_XDR_CLIENT_SECRET": SECRET, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
          "CI": "true", "GITHUB_ENV": str(fx.dir / "github-env")}
    (fx.dir / "github-env").write_text("")
    curl_token = 'curl -sS --cacert "$CA" -o /dev/null -w %{http_code} -H "Authorization: Bearer $XDR_TOKEN" "$URL"'
    # GitHub Actions: one step adds the variable, a later one uses it.
    p = run(fx, [fx.tokex, "env", "--github", "xdr"], env=ci)
    check(p.returncode == 0 and p.stdout.startswith("::add-mask::xdr-"), f"{p.returncode} {p.stderr!r}")
    later = parse_github_env((fx.dir / "github-env").read_text())
    r = run(fx, ["bash", "-c", curl_token], env={**ci, **later, "URL": url, "CA": fx.pki["ca"]})
    check(r.stdout == "200", f"the next step's curl got {r.stdout} {r.stderr}")
    # GitLab CI, and any shell: eval in the job's script.
    r = run(fx, ["sh", "-c", f'eval "$({shlex.quote(fx.tokex)} env --gitlab xdr)" && {curl_token}'],
            env={**ci, "URL": url, "CA": fx.pki["ca"]})
    check(r.stdout == "200" and r.stderr == "", f"eval then curl got {r.stdout} {r.stderr!r}")
    # tokex exec, cold (--no-cache: through the engine and the env store).
    r = run(fx, [fx.tokex, "--no-cache", "exec", "xdr", "--", "sh", "-c", curl_token],
            env={**ci, "URL": url, "CA": fx.pki["ca"]})
    check(r.stdout == "200" and r.stderr == "", f"exec then curl got {r.stdout} {r.stderr!r}")
    s = stats(fx, xdr)
    check(s["tokens_issued"] == 2, f"expected the first exchange and the --no-cache one: {s}")
    # Without the CI variable the env store says what is missing.
    p = run(fx, [fx.tokex, "--no-cache", "env", "xdr"], env={**ci, "TOKEX_XDR_CLIENT_SECRET": None})
    check(p.returncode == 3 and "TOKEX_XDR_CLIENT_SECRET" in p.stderr, f"{p.returncode} {p.stderr!r}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
