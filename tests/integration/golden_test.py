"""The CLI's text against golden files in tests/golden/.

Each case runs the built tokex with a fixed config and compares exit code,
stdout and stderr (temporary paths replaced by $TMP) with
tests/golden/NAME.txt. `golden_test.py --update` rewrites the files; review
the diff before committing it. Needs no network and no keyring.
"""

import os
import pathlib
import subprocess
import sys
import tempfile

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "golden"

CONFIG = """[profile "xdr"]
    preset    = cisco-xdr
    region    = eu
    client-id = client-6fd1
[profile "ci"]
    preset    = oauth2
    token-url = https://idp.example/token
    client-id = ci-app
    store     = env
"""

MDR_BROKEN = """[profile "mdr"]
    preset    = kaspersky-mdr
    client-id = c
    keep-alive = 2d
"""

CI_PROFILE = CONFIG[CONFIG.index('[profile "ci"]'):]

FUTURE_PROFILE = """[profile "future"]
    preset    = acme-2030
    client-id = f
"""

CASES = {
    "help": ([], CONFIG),
    "version": (["--version"], CONFIG),
    "unknown-command": (["tokne", "xdr"], CONFIG),
    "unknown-option": (["token", "xdr", "--frob"], CONFIG),
    "missing-profile-arg": (["token"], CONFIG),
    "unknown-profile": (["token", "xrd"], CONFIG),
    "bad-region": (["token", "xdr"], CONFIG.replace("region    = eu", "region    = mars")),
    "unknown-key": (["header", "xdr"], CONFIG.replace("region ", "regoin ")),
    "http-refused": (["curl", "xdr"], CONFIG.replace("region ", "base-url = http://127.0.0.1:1/\n    region ")),
    # A profile this build cannot use (as a newer tokex's config would
    # have) fails alone: its siblings work, and status shows it.
    "sibling-profile-broken": (["token", "ci"], CONFIG + FUTURE_PROFILE),
    "status-lists-broken-profile": (["status"], CI_PROFILE + FUTURE_PROFILE),
    "no-config": (["token", "xdr"], None),
    "env-store-missing": (["token", "ci"], CONFIG),
    "env-store-read-only": (["secret", "set", "ci", "client-secret"], CONFIG),
    "secret-name-unknown": (["secret", "set", "xdr", "password"], CONFIG),
    "secret-empty": (["secret", "set", "xdr", "client-secret"], CONFIG),
    "cookies-of-a-token": (["cookies", "xdr"], CONFIG),
    "secret-in-config": (["token", "xdr"], CONFIG.replace("region ", "client-secret = hunter2\n    region ")),
    # Every echoed value is made safe for one terminal line: escape
    # sequences, line breaks and C1 controls from the command line, the
    # config or its path come out as '?'.
    "profile-arg-with-escapes": (["token", "x\x1b[31mred\nline\u009b2J"], CONFIG),
    "preset-with-newline": (["token", "xdr"], CONFIG.replace("cisco-xdr", '"cisco\\nxdr"')),
    "status-preset-with-newline": (["status"], CONFIG.replace("cisco-xdr", '"cisco\\nxdr"')),
    "refresh-not-rotating": (["refresh", "xdr"], CONFIG),
    "refresh-rotating-and-names": (["refresh", "--rotating", "xdr"], CONFIG),
    # Nothing to renew, and a profile of a preset this tokex does not know:
    # the daily timer stays quiet.
    "refresh-nothing-rotating": (["refresh", "--rotating"], CONFIG + FUTURE_PROFILE),
    "refresh-broken-rotating-profile": (["refresh"], CONFIG + MDR_BROKEN),
    "refresh-env-store": (["refresh", "mdr"], MDR_BROKEN.replace("keep-alive = 2d", "store = env")),
    "config-path-with-escapes": (["--config", "~/no\x1b]0;title\x07\nconfig", "token", "xdr"], CONFIG),
    "check-unknown-profile": (["check", "xrd"], CONFIG),
    "check-unknown-flag": (["check", "--device", "xdr"], CONFIG),
    # The doctor's lines for a profile it cannot use; no network needed.
    "check-broken-profile": (["check", "future"], CONFIG + FUTURE_PROFILE),
}


def run_case(tokex, name, args, config):
    with tempfile.TemporaryDirectory(prefix="tokex-golden-") as tmp:
        cfg = pathlib.Path(tmp) / "config"
        if config is not None:
            cfg.write_text(config)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "TOKEX_CONFIG": str(cfg),
               "XDG_RUNTIME_DIR": tmp + "/run", "XDG_DATA_HOME": tmp + "/data",
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + tmp + "/no-bus"}
        # A sanitized build needs its options (suppressions) to print nothing extra.
        env.update({k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS")})
        os.mkdir(tmp + "/run", 0o700)
        p = subprocess.run([tokex] + args, input="", capture_output=True, text=True, env=env, timeout=30)
        text = f"exit: {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
        return text.replace(tmp, "$TMP")


def main():
    update = "--update" in sys.argv
    tokex = str(pathlib.Path(os.environ["TOKEX_BUILD_DIR"]) / "helpers" / "tokex")
    failed = []
    for name, (args, config) in CASES.items():
        got = run_case(tokex, name, args, config)
        path = GOLDEN / (name + ".txt")
        if update:
            path.write_text(got)
            continue
        want = path.read_text() if path.exists() else "(no golden file)\n"
        if got != want:
            failed.append(name)
            print(f"FAIL: {name}\n--- want\n{want}--- got\n{got}")
    if update:
        print(f"rewrote {len(CASES)} golden files in {GOLDEN}")
    print(f"{len(CASES) - len(failed)} of {len(CASES)} golden cases match")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
