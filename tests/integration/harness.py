"""Shared fixture for the integration tests.

Each test gets a private directory with its own config, runtime (cache)
directory and data directory, a throwaway CA and a vendor emulator bound to
127.0.0.1. The tests run inside the keyring test setup (tests/lib/
with_keyring.sh), so libsecret talks to a real, private gnome-keyring.
"""

import hashlib
import json
import os
import pathlib
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lib"))

import pki  # noqa: E402

EMULATORS = HERE.parent / "emulators"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Emulator:
    """A vendor emulator process; stopped by close()."""

    def __init__(self, script, workdir, args, index):
        self.port_file = workdir / f"{script}-{index}.port"
        self.log = open(workdir / f"{script}-{index}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(EMULATORS / (script + ".py")), "--port-file", str(self.port_file)] + args,
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 10
        while not self.port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Failure(f"emulator {script} did not start: see {self.log.name}")
            time.sleep(0.02)
        self.port = int(self.port_file.read_text())
        self.base_url = f"{'http' if '--plain' in args else 'https'}://127.0.0.1:{self.port}"

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Fixture:
    """Directories, PKI, environment and helpers for one test."""

    def __init__(self):
        self.build = pathlib.Path(os.environ["TOKEX_BUILD_DIR"])
        self.tokex = str(self.build / "helpers" / "tokex")
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="tokex-it-"))
        self.pki = pki.make_pki(self.dir / "pki")
        self.config = self.dir / "config"
        self.runtime = self.dir / "run"
        self.runtime.mkdir(mode=0o700)
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("TOKEX_") and name != "TOKEX_BUILD_DIR":
                del self.env[name]
        self.env.update({
            "TOKEX_CONFIG": str(self.config),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_DATA_HOME": str(self.dir / "data"),
            "XDG_STATE_HOME": str(self.dir / "state"),
            "XDG_CACHE_HOME": str(self.dir / "cache"),
            "XDG_CONFIG_HOME": str(self.dir / "config-home"),
            "HOME": str(self.dir / "home"),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        (self.dir / "home").mkdir(mode=0o700)
        self.emulators = []
        self.hygiene = Hygiene(self)

    def close(self):
        for e in self.emulators:
            e.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, script, *args):
        e = Emulator(script, self.dir, ["--cert", self.pki["cert"], "--key", self.pki["key"]] + list(args),
                     len(self.emulators))
        self.emulators.append(e)
        self.hygiene.register_emulator_files(script, args)
        return e

    def write_config(self, text):
        self.config.write_text(text)
        if re.search(r"^\s*store\s*=\s*file\s*$", text, re.M):
            self.hygiene.allow_file_store()

    def run(self, *args, stdin=None, env=None, check_rc=None):
        """Runs tokex; returns the CompletedProcess (text mode)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        if args[:2] == ("secret", "set") and len(args) >= 4 and stdin:
            self.hygiene.register(f"{args[2]}/{args[3]}", stdin)
        p = self.hygiene.run_watched([self.tokex] + list(args), stdin,
                                     {k: v for k, v in full_env.items() if v is not None}, 60)
        if check_rc is not None and p.returncode != check_rc:
            raise Failure(f"tokex {' '.join(args)}: exit {p.returncode}, expected {check_rc}\n"
                          f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def get_json(self, url, headers=None):
        ctx = ssl.create_default_context(cafile=self.pki["ca"])
        req = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return json.load(r)


# Secret hygiene. Meson runs each case as a process of its own, in parallel,
# each with its own directories, and nothing runs after the whole suite; so
# "after the suite" is each fixture checking, while its case runs and when it
# ends, what it alone can see: every secret value the case stored or gave an
# emulator (and what the keyring and the emulators' refresh token files hold
# at the end), against every file under its HOME and XDG directories, the
# output of every tokex it ran, and the argv and environment of those
# processes and their descendants, sampled while they run.
class Hygiene:
    SAMPLE_INTERVAL = 0.003
    # Shorter values (test placeholders) would match by chance.
    MIN_LENGTH = 8
    # Emulator options naming files that hold secrets, read when the
    # emulator starts and again at the end (refresh tokens it issued).
    SECRET_FILE_OPTION = re.compile(r"^--[a-z-]*(secret|password|refresh-token|key)[a-z-]*-(file|out)$")

    def __init__(self, fx):
        self.fx = fx
        self.secrets = {}       # value -> name
        self.found = []         # "where: name" lines
        self.allowed = set()    # files that may hold secrets by design
        self.allowed_dirs = set()
        self.watched_files = []  # (name, path) re-read at the end
        self.registered_by_keyring = False

    def register(self, name, value):
        value = value.strip()
        if len(value) >= self.MIN_LENGTH and value not in self.secrets:
            self.secrets[value] = name

    def register_emulator_files(self, script, args):
        for flag, value in zip(args, args[1:]):
            if self.SECRET_FILE_OPTION.match(flag):
                self.watched_files.append((f"{script} {flag}", pathlib.Path(value)))
        self._read_watched_files()

    def _read_watched_files(self):
        for name, path in self.watched_files:
            try:
                self.register(name, path.read_text())
            except (OSError, UnicodeDecodeError):
                pass

    def allow_file_store(self):
        """The case uses `store = file`: its secret files are the store."""
        self.allowed_dirs.add(self.fx.dir / "data" / "tokex")

    def allow_kept_refresh_token(self, profile):
        """The case makes a store write fail: the contract keeps the rotated
        refresh token in the recovery file and the in-flight copy."""
        self.allowed.add(self.fx.dir / "state" / "tokex" / "recovery" / profile)
        self.allowed.add(self.fx.runtime / "tokex" / (profile + ".pending"))

    def label(self, value):
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"{self.secrets[value]} (sha256 {digest})"

    def check_text(self, where, text, exempt=()):
        """Records each registered secret in `text` (str or bytes), but
        those in `exempt`."""
        if isinstance(text, str):
            text = text.encode(errors="replace")
        for value in self.secrets:
            if value not in exempt and value.encode() in text:
                self.found.append(f"{where}: {self.label(value)}")

    def run_watched(self, argv, stdin, env, timeout):
        """subprocess.run(argv, text mode), sampling the argv and the
        environment of the process and its descendants while it runs, and
        checking its output. Values the caller put in `env` are its own
        choice (the env store), so they may be in the environments and the
        output."""
        exempt = {v for v in self.secrets if any(v in e for e in env.values())}
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        stop = threading.Event()
        sampler = threading.Thread(target=self._sample, args=(proc.pid, argv[0], exempt, stop), daemon=True)
        sampler.start()
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        finally:
            stop.set()
            sampler.join()
        what = " ".join([pathlib.Path(argv[0]).name] + [str(a) for a in argv[1:3]])
        self.check_text(f"stdout of {what}", out, exempt)
        self.check_text(f"stderr of {what}", err, exempt)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    def watch_all(self):
        """Samples every process the case starts (through fx.run or not),
        more coarsely, until report(). Values of TOKEX_* variables are the
        env store's, which the case chose."""
        self._stop_all = threading.Event()
        self._all = threading.Thread(target=self._sample, daemon=True,
                                     args=(os.getpid(), "the case", (), self._stop_all, 0.01, False))
        self._all.start()

    def _sample(self, pid, what, exempt, stop, interval=SAMPLE_INTERVAL, include_pid=True):
        reported = set()
        while True:
            done = stop.is_set()
            for child in ([pid] if include_pid else []) + self._descendants(pid):
                for part in ("cmdline", "environ"):
                    try:
                        data = pathlib.Path(f"/proc/{child}/{part}").read_bytes()
                    except OSError:
                        continue
                    if part == "environ":
                        data = b"\0".join(e for e in data.split(b"\0") if not e.startswith(b"TOKEX_"))
                    for value in list(self.secrets):
                        if value not in exempt and value.encode() in data and (part, value) not in reported:
                            reported.add((part, value))
                            exe = data.split(b"\0")[0].decode(errors="replace") if part == "cmdline" else ""
                            self.found.append(f"/proc/PID/{part} of a process under {pathlib.Path(what).name}"
                                              f"{' (' + exe + ')' if exe else ''}: {self.label(value)}")
            if done:
                return
            stop.wait(interval)

    @staticmethod
    def _descendants(pid):
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            try:
                tasks = os.listdir(f"/proc/{p}/task")
            except OSError:
                continue
            for t in tasks:
                try:
                    kids = [int(k) for k in pathlib.Path(f"/proc/{p}/task/{t}/children").read_text().split()]
                except OSError:
                    continue
                out += kids
                todo += kids
        return out

    def _register_stored(self):
        """What the keyring holds for tokex at the end (rotated refresh
        tokens included)."""
        try:
            r = subprocess.run(["secret-tool", "search", "--all", "xdg:schema", "io.tokex.Secret"],
                               capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return
        for block in re.split(r"^\[/", r.stdout, flags=re.M):
            m = re.search(r"^secret = (.*?)\n(created|modified|schema|attribute)", block, re.S | re.M)
            a = re.search(r"^attribute\.profile = (.*)$", block, re.M)
            n = re.search(r"^attribute\.name = (.*)$", block, re.M)
            if m:
                self.register(f"{a.group(1) if a else '?'}/{n.group(1) if n else '?'} (keyring)", m.group(1))

    def scanned_dirs(self):
        d = self.fx.dir
        return [d / "home", self.fx.runtime, d / "data", d / "state", d / "cache", d / "config-home"]

    def scan(self):
        """Checks every file under the case's HOME and XDG directories; the
        keyring's own files and the allowed ones excepted."""
        self._read_watched_files()
        self._register_stored()
        # A recovery file or in-flight copy holds a rotated refresh token,
        # which the emulators do not tell: it is a secret wherever else it
        # is, and there too unless the case allows it.
        kept = list((self.fx.dir / "state" / "tokex" / "recovery").glob("*"))
        kept += list((self.fx.runtime / "tokex").glob("*.pending"))
        for path in kept:
            try:
                if path.is_file() and not path.is_symlink():
                    self.register(f"refresh token kept in {path.name}", path.read_text())
            except (OSError, UnicodeDecodeError):
                pass
        for top in self.scanned_dirs():
            for root, dirs, files in os.walk(top):
                rootp = pathlib.Path(root)
                dirs[:] = [x for x in dirs if rootp / x not in self.allowed_dirs
                           and not (rootp == self.fx.dir / "data" and x == "keyrings")]
                for f in files:
                    path = rootp / f
                    if path in self.allowed:
                        continue
                    try:
                        data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
                    except OSError:
                        continue
                    self.check_text(str(path), data)

    def report(self):
        """Scans; raises Failure naming each leak (never the value)."""
        if getattr(self, "_all", None):
            self._stop_all.set()
            self._all.join()
            self._all = None
        self.scan()
        if self.found:
            raise Failure("secret found where it must not be:\n  " + "\n  ".join(dict.fromkeys(self.found)))


def main(cases):
    """Runs the cases named in argv (or all) with a fresh fixture each;
    `--list` prints the case names, one a line (meson reads them)."""
    if sys.argv[1:] == ["--list"]:
        print("\n".join(sorted(cases)))
        return
    names = sys.argv[1:] or list(cases)
    failed = 0
    for name in names:
        fx = Fixture()
        try:
            fx.hygiene.watch_all()
            cases[name](fx)
            fx.hygiene.report()
            print(f"ok: {name}")
        except Failure as e:
            failed += 1
            print(f"FAIL: {name}: {e}")
        finally:
            fx.close()
    sys.exit(1 if failed else 0)
