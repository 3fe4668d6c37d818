"""Concurrency, kills and signals end to end: a hundred cold callers of one
profile share one exchange; a lock holder killed mid-exchange (SIGKILL,
or SIGINT/SIGTERM as a shell's Ctrl-C or kill sends them) holds nobody up
past the timeout, leaves no partial file and loses no refresh token.
Real keyring, the strict Cisco XDR and Kaspersky MDR emulators (their
--stall-first holds a token request unanswered), the built executables.

`tokex` execs tokex-engine on a miss, so one process, the one a caller
started, holds the profile lock: it is the one signalled here."""

import json
import os
import signal
import subprocess
import time

from harness import Failure, check, main
from kaspersky_test import check_newest, setup as setup_mdr, stats as mdr_stats, store as store_mdr, stored
from xdr_fixture import SECRET, start_xdr, stats as xdr_stats

MANY = 100
TIMEOUT = 5  # the profiles' timeout in the cases with a stalled server
SLACK = 10   # what a slow machine may add to a bound, far below the 60 s stall
COLD_DELAY = "2"  # the server's answer time: long enough for all MANY to start before it answers


def spawn(fx, *args, session=False):
    """tokex ARGS in the background; with `session`, as the leader of a
    process group of its own (a shell's job, which Ctrl-C reaches)."""
    return subprocess.Popen([fx.tokex, *args], env=fx.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=session)


def finish(procs, within=60):
    """(returncode, stdout, stderr, seconds) of each process, all waited for
    up to `within` seconds in all; a process still running then is killed
    and fails the test."""
    start = time.monotonic()
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=max(0.1, within - (time.monotonic() - start)))
            results.append((p.returncode, out, err, time.monotonic() - start))
    except subprocess.TimeoutExpired:
        raise Failure(f"{sum(p.poll() is None for p in procs)} callers still running after {within} s")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


def wait_for(condition, what, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        check(time.monotonic() < deadline, f"timed out waiting for {what}")
        time.sleep(0.02)


def many_cold_callers(fx, profile):
    """MANY `tokex token PROFILE` at once on an empty cache: all succeed
    and print one token."""
    results = finish([spawn(fx, "token", profile) for _ in range(MANY)], within=90)
    failed = [(rc, err) for rc, _, err, _ in results if rc != 0]
    check(not failed, f"{len(failed)} of {MANY} cold callers failed: {failed[:3]}")
    tokens = {out for _, out, _, _ in results}
    check(len(tokens) == 1, f"{MANY} cold callers printed {len(tokens)} different tokens")
    return tokens.pop()


def check_cache_dir(fx, profile, token):
    """Every file in the cache directory is whole: the record parses and
    holds `token` (or is absent when `token` is None); no temporary file
    is left, nor a failure record beside a good token."""
    cache = fx.runtime / "tokex"
    names = sorted(os.listdir(cache)) if cache.exists() else []
    check(not [n for n in names if n.startswith(".")], f"temporary files left in the cache: {names}")
    expected = {f"{profile}.lock"} | ({f"{profile}.json"} if token is not None else set())
    check(set(names) <= expected | {f"{profile}.failed"} and (token is None or f"{profile}.failed" not in names),
          f"unexpected files in the cache: {names}")
    record = cache / f"{profile}.json"
    if token is None:
        check(not record.exists(), "a token was cached")
        return
    try:
        parsed = json.loads(record.read_text())
    except ValueError as e:
        raise Failure(f"the cache record does not parse: {e}")
    check(parsed.get("access_token") + "\n" == token, "the cache record holds another token than the one printed")


def check_no_temporary_state(fx):
    """No temporary file (a write cut short) anywhere under the state
    directory (recovery and stored-at records)."""
    state = fx.dir / "state"
    left = [os.path.join(d, n) for d, _, names in os.walk(state) for n in names if n.startswith(".")]
    check(not left, f"temporary files left in the state directory: {left}")


def case_hundred_cold_callers_one_exchange_xdr(fx):
    xdr = start_xdr(fx, "--delay", COLD_DELAY)
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    token = many_cold_callers(fx, "xdr")
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 1 and s["tokens_issued"] == 1, f"{MANY} cold callers made {s['token_requests']} "
                                                                 "exchanges")
    check_cache_dir(fx, "xdr", token)


def case_hundred_cold_callers_one_exchange_rotating(fx):
    mdr, first = setup_mdr(fx, "--delay", COLD_DELAY)
    store_mdr(fx, first)
    token = many_cold_callers(fx, "mdr")
    s = mdr_stats(fx, mdr)
    check(s["token_requests"] == 1 and s["rotations"] == 1 and s["refused"] == 0,
          f"{MANY} cold callers of a rotating profile: {s}")
    now = stored(fx)
    check(now != first, "the keyring still holds the spent refresh token")
    check_newest(fx, mdr, now, "the keyring")
    check_cache_dir(fx, "mdr", token)


def kill_stalled_holder(fx, stats, profile, how):
    """Starts the lock holder against a server that stalls its first
    token request, starts ten more callers (which wait on the lock), then
    ends the holder with `how(proc)`; returns the holder's and the
    others' results."""
    holder = spawn(fx, "token", profile, session=True)
    waiters = []
    try:
        wait_for(lambda: stats()["stalled"] == 1, "the holder's request to reach the server")
        waiters = [spawn(fx, "token", profile) for _ in range(10)]
        time.sleep(0.5)  # most of them are waiting on the lock by now; the others come after
        how(holder)
        ended = finish([holder], within=5)[0]
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    return ended, finish(waiters, within=TIMEOUT + SLACK)


def check_waiters_share_one_exchange(results):
    """The callers that waited on a killed holder all got one token, by one
    new exchange among them, within their timeout."""
    slow = max(took for _, _, _, took in results)
    check(slow < TIMEOUT + SLACK, f"a waiter took {slow:.1f} s after the holder was killed")
    failed = [(rc, err) for rc, _, err, _ in results if rc != 0]
    check(not failed, f"{len(failed)} callers failed after the holder was killed: {failed[:3]}")
    tokens = {out for _, out, _, _ in results}
    check(len(tokens) == 1, f"the waiters printed {len(tokens)} different tokens")
    return tokens.pop()


def case_sigkill_holder_xdr(fx):
    xdr = start_xdr(fx, "--stall-first", "1", extra=f"    timeout = {TIMEOUT}\n")
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    ended, results = kill_stalled_holder(fx, lambda: xdr_stats(fx, xdr), "xdr", lambda p: p.kill())
    check(ended[0] == -signal.SIGKILL, f"the holder ended with {ended[0]}")
    token = check_waiters_share_one_exchange(results)
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 2 and s["tokens_issued"] == 1, f"after the holder was killed: {s}")
    check_cache_dir(fx, "xdr", token)
    again = fx.run("token", "xdr", check_rc=0).stdout
    check(again == token and xdr_stats(fx, xdr)["token_requests"] == 2, "the token was not cached")


def case_sigkill_holder_rotating_before_answer(fx):
    mdr, first = setup_mdr(fx, "--stall-first", "1", extra=f"    timeout = {TIMEOUT}\n")
    store_mdr(fx, first)
    ended, results = kill_stalled_holder(fx, lambda: mdr_stats(fx, mdr), "mdr", lambda p: p.kill())
    check(ended[0] == -signal.SIGKILL, f"the holder ended with {ended[0]}")
    # The stalled request spent nothing: the stored refresh token still
    # works, and one waiter spends it.
    token = check_waiters_share_one_exchange(results)
    s = mdr_stats(fx, mdr)
    check(s["token_requests"] == 2 and s["rotations"] == 1 and s["refused"] == 0, f"after the kill: {s}")
    check_newest(fx, mdr, stored(fx), "the keyring")
    check_cache_dir(fx, "mdr", token)
    check_no_temporary_state(fx)
    fx.run("token", "mdr", "--no-cache", check_rc=0)
    check_newest(fx, mdr, stored(fx), "after one more exchange, the keyring")


def keyring_daemon_pid():
    """The process that owns the Secret Service name on the session bus."""
    p = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
                        "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID",
                        "org.freedesktop.secrets"], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, f"no Secret Service on the bus: {p.stderr}")
    return int(p.stdout.strip().strip("(),").split()[-1])


def end_holder_after_answer(fx, sig):
    """The server has rotated and answered, and the keyring hangs (stopped)
    as tokex stores the new refresh token; five more callers wait on the
    lock. `sig` then ends tokex (to its process group, as from a shell):
    nothing is lost, the waiters get one token by one more exchange, which
    puts the new refresh token in the store."""
    keyring = keyring_daemon_pid()
    mdr, first = setup_mdr(fx, "--stop-before-answer", str(keyring), extra="    timeout = 10\n")
    store_mdr(fx, first)
    holder = spawn(fx, "token", "mdr", session=True)
    pending = fx.runtime / "tokex" / "mdr.pending"
    waiters = []
    try:
        wait_for(lambda: mdr_stats(fx, mdr)["rotations"] == 1, "the exchange")
        # Nothing else shows that tokex has read the answer: its in-flight
        # copy of the new refresh token, else give it 5 s.
        deadline = time.monotonic() + 5
        while not pending.exists() and time.monotonic() < deadline and holder.poll() is None:
            time.sleep(0.02)
        waiters = [spawn(fx, "token", "mdr") for _ in range(5)]
        time.sleep(0.3)
        os.killpg(holder.pid, sig)
        holder.wait(10)
    finally:
        os.kill(keyring, signal.SIGCONT)
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    check(holder.returncode == -sig, f"tokex ended with {holder.returncode}, expected {sig.name}")
    results = finish(waiters, within=10 + SLACK)
    token = check_waiters_share_one_exchange(results)
    errs = {err for _, _, err, _ in results if err}
    check(len(errs) == 1 and "was refused; trying the one saved in" in errs.pop(), f"the waiters said {errs}")
    s = mdr_stats(fx, mdr)
    # The spent token first (refused), then the one tokex had kept.
    check(s["token_requests"] == 3 and s["rotations"] == 2 and s["refused"] == 1, f"unexpected stats {s}")
    check_newest(fx, mdr, stored(fx), "the keyring")
    check(not pending.exists(), "the in-flight copy is still there once stored")
    check_cache_dir(fx, "mdr", token)
    check_no_temporary_state(fx)


def case_sigkill_holder_rotating_after_answer(fx):
    end_holder_after_answer(fx, signal.SIGKILL)


def case_sigint_holder_rotating_after_answer(fx):
    end_holder_after_answer(fx, signal.SIGINT)


def case_waiters_bounded_by_timeout_while_holder_stalls(fx):
    """While the holder is stuck on the stalled server, a caller waits for
    the lock no longer than its timeout, and fails cleanly (exit 5)."""
    xdr = start_xdr(fx, "--stall-first", "1", extra="    timeout = 60\n")
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    holder = spawn(fx, "token", "xdr")
    try:
        wait_for(lambda: xdr_stats(fx, xdr)["stalled"] == 1, "the holder's request to reach the server")
        short = fx.dir / "short-config"
        short.write_text(fx.config.read_text().replace("timeout = 60", f"timeout = {TIMEOUT}"))
        short.chmod(0o600)
        waiters = [subprocess.Popen([fx.tokex, "token", "xdr"], env={**fx.env, "TOKEX_CONFIG": str(short)},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(5)]
        results = finish(waiters, within=TIMEOUT + SLACK)
    finally:
        holder.kill()
        holder.wait()
    for rc, out, err, took in results:
        check(took < TIMEOUT + SLACK, f"a waiter with timeout = {TIMEOUT} took {took:.1f} s")
        check(rc == 5 and out == "", f"a waiter on a stalled holder: exit {rc}, {out!r} {err!r}")
        check(len(err.splitlines()) == 1 and err.startswith("tokex: xdr: ") and "holds the lock" in err, repr(err))
    check(xdr_stats(fx, xdr)["token_requests"] == 1, "a waiter sent a request while the lock was held")
    check_cache_dir(fx, "xdr", None)


def signal_mid_exchange(fx, stats, profile, sig, group):
    """`sig` to a caller stuck on the stalled server (its process group,
    as Ctrl-C in a shell, or its pid, as kill): it ends promptly, with no
    temporary file left, and the next caller gets a token within its
    timeout."""
    holder = spawn(fx, "token", profile, session=True)
    try:
        wait_for(lambda: stats()["stalled"] == 1, "the request to reach the server")
        start = time.monotonic()
        if group:
            os.killpg(holder.pid, sig)
        else:
            holder.send_signal(sig)
        rc, out, err, _ = finish([holder], within=10)[0]
        took = time.monotonic() - start
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    check(rc != 0 and out == "", f"after {sig.name} the caller ended with {rc}, printing {out!r}")
    check(took < 5, f"the caller took {took:.1f} s to end after {sig.name}")
    check_cache_dir(fx, profile, None)
    check_no_temporary_state(fx)
    p = fx.run("token", profile, check_rc=0)
    check_cache_dir(fx, profile, p.stdout)
    return p.stdout


def signal_xdr(fx, sig, group):
    xdr = start_xdr(fx, "--stall-first", "1", extra="    timeout = 30\n")
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    signal_mid_exchange(fx, lambda: xdr_stats(fx, xdr), "xdr", sig, group)
    s = xdr_stats(fx, xdr)
    check(s["token_requests"] == 2 and s["tokens_issued"] == 1, f"after {sig.name}: {s}")


def signal_mdr(fx, sig, group):
    mdr, first = setup_mdr(fx, "--stall-first", "1", extra="    timeout = 30\n")
    store_mdr(fx, first)
    signal_mid_exchange(fx, lambda: mdr_stats(fx, mdr), "mdr", sig, group)
    s = mdr_stats(fx, mdr)
    check(s["token_requests"] == 2 and s["rotations"] == 1 and s["refused"] == 0, f"after {sig.name}: {s}")
    check_newest(fx, mdr, stored(fx), "the keyring")


def case_sigint_to_process_group_mid_exchange(fx):
    signal_xdr(fx, signal.SIGINT, True)


def case_sigterm_to_pid_mid_exchange(fx):
    signal_xdr(fx, signal.SIGTERM, False)


def case_sigint_to_process_group_mid_exchange_rotating(fx):
    signal_mdr(fx, signal.SIGINT, True)


def case_sigterm_to_pid_mid_exchange_rotating(fx):
    signal_mdr(fx, signal.SIGTERM, False)


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
