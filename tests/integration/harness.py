"""Shared fixture for the integration tests.

Each test gets a private directory with its own config, runtime (cache)
directory and data directory, a throwaway CA and a vendor emulator bound to
127.0.0.1. The tests run inside the keyring test setup (tests/lib/
with_keyring.sh), so libsecret talks to a real, private gnome-keyring.
"""

import json
import os
import pathlib
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
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
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        })
        self.emulators = []

    def close(self):
        for e in self.emulators:
            e.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, script, *args):
        e = Emulator(script, self.dir, ["--cert", self.pki["cert"], "--key", self.pki["key"]] + list(args),
                     len(self.emulators))
        self.emulators.append(e)
        return e

    def write_config(self, text):
        self.config.write_text(text)

    def run(self, *args, stdin=None, env=None, check_rc=None):
        """Runs tokex; returns the CompletedProcess (text mode)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        p = subprocess.run([self.tokex] + list(args), input=stdin, capture_output=True, text=True,
                           env={k: v for k, v in full_env.items() if v is not None}, timeout=60)
        if check_rc is not None and p.returncode != check_rc:
            raise Failure(f"tokex {' '.join(args)}: exit {p.returncode}, expected {check_rc}\n"
                          f"stdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def get_json(self, url, headers=None):
        ctx = ssl.create_default_context(cafile=self.pki["ca"])
        req = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return json.load(r)


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
            cases[name](fx)
            print(f"ok: {name}")
        except Failure as e:
            failed += 1
            print(f"FAIL: {name}: {e}")
        finally:
            fx.close()
    sys.exit(1 if failed else 0)
