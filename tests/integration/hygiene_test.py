"""The secret hygiene scan of harness.Hygiene, which every integration case
runs when it ends, shown to find what it looks for: a secret planted in each
place it scans is reported by name and path, never by value; the places the
contract allows are not reported."""

import hashlib
import subprocess

from harness import Failure, check, main
from xdr_fixture import SECRET, start_xdr as setup

PLANTED = "planted-refresh-token-3f9c2a71"


def expect_report(fx, *where):
    """The scan fails, naming each of `where`, without the value; then the
    finding is dropped so that the case itself ends clean."""
    try:
        fx.hygiene.report()
    except Failure as e:
        text = str(e)
        for w in where:
            check(w in text, f"the scan did not name {w!r}: {text}")
        check(PLANTED not in text and SECRET not in text, "the scan printed a secret")
        digest = hashlib.sha256(PLANTED.encode()).hexdigest()[:12]
        check(digest in text or "client-secret" in text, f"the scan names no secret: {text}")
        check(not any(f"{w}:" in text for w in fx.hygiene.allowed), f"the scan reported an allowed file: {text}")
        fx.hygiene.found.clear()
        return
    raise Failure(f"the scan found nothing, expected {where}")


def case_scan_finds_a_file_in_each_dir(fx):
    fx.hygiene.register("planted", PLANTED)
    for top in fx.hygiene.scanned_dirs():
        planted = top / "deep" / "plant.txt"
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_text(f"before {PLANTED} after")
        expect_report(fx, str(planted), "planted")
        planted.unlink()
    fx.hygiene.report()


def case_scan_finds_a_secret_set_and_an_emulator_secret(fx):
    setup(fx)
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    planted = fx.dir / "state" / "tokex" / "stray"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(SECRET)
    expect_report(fx, str(planted), "client-secret")
    planted.unlink()
    fx.run("token", "xdr", check_rc=0)
    fx.hygiene.report()


def case_scan_allows_kept_refresh_tokens_only_when_told(fx):
    fx.hygiene.register("planted", PLANTED)
    recovery = fx.dir / "state" / "tokex" / "recovery" / "p"
    pending = fx.runtime / "tokex" / "p.pending"
    for f in (recovery, pending):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(PLANTED + "\n")
    expect_report(fx, str(recovery), str(pending))
    fx.hygiene.allow_kept_refresh_token("p")
    fx.hygiene.report()
    other = fx.dir / "state" / "tokex" / "recovery" / "q"
    other.write_text(PLANTED + "\n")
    expect_report(fx, str(other))
    other.unlink()


def case_scan_takes_kept_refresh_tokens_as_secrets(fx):
    """A rotated refresh token, which no test knows, is found in a recovery
    file, and then wherever else it is too."""
    recovery = fx.dir / "state" / "tokex" / "recovery" / "p"
    recovery.parent.mkdir(parents=True)
    recovery.write_text(PLANTED + "\n")
    copy = fx.dir / "cache" / "copy"
    copy.parent.mkdir(parents=True)
    copy.write_text(PLANTED)
    expect_report(fx, str(recovery), str(copy), "refresh token kept in p")
    fx.hygiene.allow_kept_refresh_token("p")
    expect_report(fx, str(copy))
    copy.unlink()
    fx.hygiene.report()


def case_scan_skips_the_file_store_only_when_configured(fx):
    fx.hygiene.register("planted", PLANTED)
    stored = fx.dir / "data" / "tokex" / "p.refresh-token"
    stored.parent.mkdir(parents=True)
    stored.write_text(PLANTED)
    expect_report(fx, str(stored))
    fx.write_config('[profile "p"]\n    preset = oauth2\n    store = file\n')
    fx.hygiene.report()


def case_watch_finds_argv_environ_and_output(fx):
    fx.hygiene.register("planted", PLANTED)
    secret_file = fx.dir / "plant"
    secret_file.write_text(PLANTED)
    # In argv of a grandchild, while it runs.
    fx.hygiene.run_watched(["sh", "-c", f"sh -c 'sleep 0.3' \"$(cat {secret_file})\"; true"], None, fx.env, 30)
    expect_report(fx, "/proc/PID/cmdline", "planted")
    # In the environment of a grandchild, read from a file.
    fx.hygiene.run_watched(["sh", "-c", f'X=$(cat {secret_file}) sleep 0.3; true'], None, fx.env, 30)
    expect_report(fx, "/proc/PID/environ", "planted")
    # On stdout and stderr.
    fx.hygiene.run_watched(["sh", "-c", f"cat {secret_file}; cat {secret_file} >&2"], None, fx.env, 30)
    expect_report(fx, "stdout of sh", "stderr of sh")
    # A value the caller itself put in the environment is its own choice.
    p = fx.hygiene.run_watched(["sh", "-c", 'echo "$X"; sleep 0.1'], None, {**fx.env, "X": PLANTED}, 30)
    check(PLANTED in p.stdout, "the child did not see X")
    fx.hygiene.report()


def case_watch_finds_argv_of_any_child_of_the_case(fx):
    """Children the case starts without fx.run are sampled too."""
    fx.hygiene.register("planted", PLANTED)
    secret_file = fx.dir / "plant"
    secret_file.write_text(PLANTED)
    subprocess.run(["sh", "-c", f"sh -c 'sleep 0.3' \"$(cat {secret_file})\"; true"], timeout=30)
    expect_report(fx, "/proc/PID/cmdline", "planted")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
