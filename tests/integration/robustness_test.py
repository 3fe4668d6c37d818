"""Robustness end to end: every wait bounded by the profile's timeout,
failures shared with the callers that waited on them, and what other
users or broken inputs can do. Real keyring, the strict Cisco XDR
emulator, the built executables."""

import concurrent.futures
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

from harness import check, main
import pki  # noqa: E402 (harness puts tests/lib on the path)
from xdr_fixture import SECRET, config_text, start_xdr, stats

SKIP = 77  # meson's exit code for a skipped test


def setup(fx, *emulator_args, extra="", secret=SECRET):
    """The emulator and config, and `secret` stored for the profile."""
    xdr = start_xdr(fx, *emulator_args, extra=extra)
    if secret is not None:
        fx.run("secret", "set", "xdr", "client-secret", stdin=secret + "\n", check_rc=0)
    return xdr


def timed(fx, *args, **kwargs):
    start = time.monotonic()
    p = fx.run(*args, **kwargs)
    return p, time.monotonic() - start


def parallel(fx, n, *args):
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fx.run(*args), range(n)))


def case_stalled_server_bounded_by_timeout(fx):
    setup(fx, "--delay", "30", extra="    timeout = 4\n")
    p, took = timed(fx, "token", "xdr", check_rc=5)
    check(took < 6, f"timeout = 4 against a stalled server took {took:.1f} s")
    check("did not answer in time" in p.stderr, p.stderr)


def case_retry_after_past_the_deadline_fails_at_once(fx):
    xdr = setup(fx, "--fail-first", "5", "--fail-status", "429", "--retry-after", "30",
                extra="    timeout = 5\n")
    p, took = timed(fx, "token", "xdr", check_rc=5)
    check(took < 3, f"a Retry-After of 30 s past timeout = 5 took {took:.1f} s")
    check("asks to wait 30s, past the timeout: try again after 20" in p.stderr, p.stderr)
    check(stats(fx, xdr)["token_requests"] == 1, "the request was repeated")


def case_rejection_shared_by_waiting_callers(fx):
    # The delay lets every caller start before the first exchange ends: one
    # that starts after a failure rightly tries again.
    xdr = setup(fx, "--delay", "3", secret="wrong-" + SECRET)
    results = parallel(fx, 30, "token", "xdr")
    check({r.returncode for r in results} == {4}, f"exit codes {sorted({r.returncode for r in results})}")
    messages = {r.stderr for r in results}
    check(len(messages) == 1, f"callers reported different errors: {messages}")
    check("invalid_client" in messages.pop(), "the shared error lost the server's reason")
    n = stats(fx, xdr)["token_requests"]
    check(n == 1, f"30 callers on a server that answers 401 sent {n} requests")
    # Once the failure is over, a new caller asks again (a person may have
    # fixed the secret meanwhile).
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    fx.run("token", "xdr", check_rc=0)


def case_server_failure_shared_by_waiting_callers(fx):
    xdr = setup(fx, "--fail-first", "1000", "--fail-status", "503", "--delay", "1")
    start = time.monotonic()
    results = parallel(fx, 10, "token", "xdr")
    took = time.monotonic() - start
    check({r.returncode for r in results} == {5}, f"exit codes {[r.returncode for r in results]}")
    n = stats(fx, xdr)["token_requests"]
    check(n == 3, f"10 callers on a 503 server made {n} requests (one caller's 3 attempts expected)")
    check(took < 9, f"the callers took {took:.1f} s")  # one caller's 3 attempts and 1.5 s of backoff


def case_lock_wait_bounded_and_holder_named(fx):
    xdr = setup(fx, "--delay", "20", extra="    timeout = 60\n")
    holder = subprocess.Popen([fx.tokex, "token", "xdr"], env=fx.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while stats(fx, xdr)["token_requests"] < 1:
            check(time.monotonic() < deadline, "the first caller never reached the server")
            time.sleep(0.05)
        os.kill(holder.pid, signal.SIGSTOP)  # Ctrl-Z, in effect
        # The same profile (same lock), with a short timeout.
        short = fx.dir / "short-config"
        short.write_text(fx.config.read_text().replace("timeout = 60", "timeout = 2"))
        p, took = timed(fx, "token", "xdr", env={"TOKEX_CONFIG": str(short)}, check_rc=5)
        check(took < 4, f"waiting for a stopped lock holder took {took:.1f} s")
        check(f"process {holder.pid}" in p.stderr and "is stopped" in p.stderr and
              f"kill -CONT {holder.pid}" in p.stderr, f"the holder is not named: {p.stderr!r}")
    finally:
        holder.kill()
        holder.wait(10)


def case_tls_failure_not_retried(fx):
    xdr = setup(fx)
    other = pki.make_pki(fx.dir / "other-pki")  # a CA that did not sign the server's certificate
    fx.write_config(config_text(fx, xdr, ca=other["ca"]))
    before = stats(fx, xdr)["connections"]
    p = fx.run("token", "xdr", check_rc=5)
    check("TLS verification" in p.stderr, p.stderr)
    made = stats(fx, xdr)["connections"] - before - 1  # minus the stats request itself
    check(made == 1, f"a TLS verification failure was tried {made} times")


def case_oversized_answer_not_retried(fx):
    xdr = setup(fx, "--misbehave", "huge")
    fx.run("token", "xdr", check_rc=5)
    n = stats(fx, xdr)["token_requests"]
    check(n == 1, f"an answer over the size cap was asked for {n} times")


def case_missing_ca_file_is_a_config_error(fx):
    xdr = setup(fx)
    missing = fx.dir / "no-such-ca.pem"
    fx.write_config(config_text(fx, xdr, ca=missing))
    p = fx.run("token", "xdr", check_rc=2)
    check(p.stderr == f"tokex: xdr: {fx.config}:7: key 'ca-file': cannot read {missing} "
                      "(No such file or directory): fix the path\n", repr(p.stderr))
    check(stats(fx, xdr)["connections"] == 1, "something was sent")  # the stats request only


def case_config_writable_by_others_refused(fx):
    setup(fx)
    os.chmod(fx.config, 0o664)
    p = fx.run("token", "xdr", check_rc=2)
    check(p.stderr == f"tokex: config {fx.config} is writable by others, who could send your secrets "
                      f"elsewhere: chmod go-w {fx.config}\n", repr(p.stderr))
    os.chmod(fx.config, 0o644)
    fx.run("token", "xdr", check_rc=0)
    if os.getuid() != 0:
        return
    os.chown(fx.config, 65534, 65534)
    p = fx.run("token", "xdr", "--no-cache", check_rc=2)
    check("belongs to another user (uid 65534)" in p.stderr, p.stderr)


def case_foreign_tmp_cache_dir_does_not_stop_tokex(fx):
    """Another user made /tmp/tokex-UID first (XDG_RUNTIME_DIR unset): tokex
    warns and works uncached. tokex runs as an otherwise unused uid, so no
    real user's /tmp/tokex-UID is touched; making it needs root."""
    if os.getuid() != 0:
        print("skip: needs root, to run tokex as another user")
        sys.exit(SKIP)
    xdr = setup(fx, secret=None)
    uid = 40000 + random.randrange(20000)
    shared = fx.dir / "shared"  # what the other uid may read
    shared.mkdir(mode=0o755)
    os.chmod(fx.dir, 0o755)
    (shared / "ca.crt").write_bytes(pathlib.Path(fx.pki["ca"]).read_bytes())
    config = shared / "config"
    config.write_text(config_text(fx, xdr, "    store = env\n", ca=shared / "ca.crt"))
    foreign = pathlib.Path(f"/tmp/tokex-{uid}")
    foreign.mkdir(mode=0o755)  # root's, not the uid's
    try:
        env = {**fx.env, "TOKEX_CONFIG": str(config), "HOME": str(shared), "TOKEX_XDR_CLIENT_SECRET": SECRET}
        env.pop("XDG_RUNTIME_DIR", None)
        as_uid = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", fx.tokex, "token", "xdr"]
        for extra in ([], ["--no-cache"]):
            p = subprocess.run(as_uid + extra, capture_output=True, text=True, env=env, timeout=60)
            check(p.returncode == 0, f"tokex token {' '.join(extra)}: exit {p.returncode}: {p.stderr}")
            check(p.stdout.startswith("xdr-"), p.stdout)
            if extra:
                check(p.stderr == "", f"--no-cache warned: {p.stderr!r}")
            else:
                check(f"warning: working without the token cache: {foreign} belongs to another user" in p.stderr and
                      "set XDG_RUNTIME_DIR" in p.stderr, p.stderr)
        check(stats(fx, xdr)["tokens_issued"] == 2, "the exchanges did not happen")
    finally:
        foreign.rmdir()


def case_config_from_a_pipe_on_a_miss(fx):
    xdr = setup(fx)
    p = subprocess.run(["bash", "-c", 'exec "$0" --config <(cat "$1") token xdr', fx.tokex, str(fx.config)],
                       capture_output=True, text=True, env={**fx.env, "TOKEX_CONFIG": "/nonexistent"}, timeout=60)
    check(p.returncode == 0, f"--config <(...) on a cache miss: exit {p.returncode}: {p.stderr}")
    check(stats(fx, xdr)["tokens_issued"] == 1, "no exchange happened")


def case_large_token_cached(fx):
    xdr = setup(fx, "--token-bytes", "200000", "--delay", "0.3")
    results = parallel(fx, 20, "token", "xdr")
    check([r.returncode for r in results] == [0] * 20, f"exit codes {[r.returncode for r in results]}")
    check(len(results[0].stdout) == 200001, f"token of {len(results[0].stdout)} bytes")
    n = stats(fx, xdr)["token_requests"]
    check(n == 1, f"20 callers of a profile with a 200 KB token made {n} exchanges")
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["token_requests"] == 1, "the large token was not served from the cache")


def case_expired_token_refused(fx):
    xdr = setup(fx, "--expires-in", "0")
    p = fx.run("token", "xdr", check_rc=5)
    check(p.stdout == "", "an expired token was printed")
    check("issued a token that has already expired (expires_in 0)" in p.stderr, p.stderr)
    check(not (fx.runtime / "tokex" / "xdr.json").exists(), "an expired token was cached")
    check(stats(fx, xdr)["tokens_issued"] == 1, "no token was issued")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
