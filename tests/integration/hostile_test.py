"""Hostile local state end to end: what was put in place of a file or
directory tokex writes (a symlink to a file of someone's choosing, a file
or directory of another user, a FIFO, a corrupt or truncated cache file),
and that tokex processes leave no core dump. Real keyring, the strict
Cisco XDR and Kaspersky MDR emulators, the built executables.

"Another user" is uid 65534 (nobody) when the suite runs as root, as in
CI. Otherwise a test cannot make a file of another user; it uses what
the same check refuses: a file or directory open to others (for a lock
file, whose mode tokex does not check, a directory and a FIFO)."""

import json
import os
import pathlib
import resource
import shutil
import stat
import subprocess
import sys
import time

from harness import check, main
from xdr_fixture import SECRET, config_text, start_xdr, stats
import kaspersky_test as mdr_test

ROOT = os.getuid() == 0
NOBODY = 65534


def setup(fx, extra="", secret=True):
    """The XDR emulator and profile "xdr", its secret stored; returns the
    emulator."""
    xdr = start_xdr(fx, extra=extra)
    if secret:
        fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    return xdr


def cache_dir(fx):
    return fx.runtime / "tokex"


def issued(fx, xdr):
    return stats(fx, xdr)["tokens_issued"]


def write_private(path, data):
    """Writes `data` (bytes) to a new 0600 file at `path`, as tokex would."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def make_foreign(path):
    """Makes the file or directory `path` another user's (as root), or one
    open to others (otherwise)."""
    if ROOT:
        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    else:
        os.chmod(path, 0o777 if path.is_dir() else 0o644)


def check_mine(path, mode):
    st = path.lstat()
    check(stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) == mode,
          f"{path} is not a regular file of ours with mode {mode:o}: {st}")


def check_one_line(p, rc, prefix, *words):
    check(p.returncode == rc, f"exit {p.returncode}, expected {rc}: {p.stderr!r}")
    check(p.stderr.startswith(prefix) and p.stderr.count("\n") == 1 and p.stderr.endswith("\n"),
          f"not one line starting {prefix!r}: {p.stderr!r}")
    for w in words:
        check(w in p.stderr, f"{w!r} not in {p.stderr!r}")


def timed(fx, *args, **kwargs):
    start = time.monotonic()
    p = fx.run(*args, **kwargs)
    return p, time.monotonic() - start


def first_token(fx, xdr):
    """A first exchange; returns the token and the cache file's bytes."""
    token = fx.run("token", "xdr", check_rc=0).stdout
    check(issued(fx, xdr) == 1, "the first call made no exchange")
    return token, (cache_dir(fx) / "xdr.json").read_bytes()


def check_miss(fx, xdr, old_token, before, what):
    """The next `tokex token` exchanges again and caches its token in a
    regular private file."""
    p = fx.run("token", "xdr")
    check(p.returncode == 0, f"{what}: exit {p.returncode}: {p.stderr!r}")
    check(p.stdout.startswith("xdr-") and p.stdout != old_token, f"{what}: the planted token was used")
    check(issued(fx, xdr) == before + 1, f"{what}: no new exchange")
    check_mine(cache_dir(fx) / "xdr.json", 0o600)
    return p


# The token cache file -------------------------------------------------------

def case_cache_file_symlink_is_a_miss_and_its_target_untouched(fx):
    xdr = setup(fx)
    token, record = first_token(fx, xdr)
    cache = cache_dir(fx) / "xdr.json"
    # A valid, fresh record of this very profile behind the link: trusting
    # it would print a token someone else chose.
    target = fx.dir / "chosen"
    target.write_bytes(record)
    os.chmod(target, 0o600)
    cache.unlink()
    cache.symlink_to(target)
    check_miss(fx, xdr, token, 1, "a symlink to a record")
    check(target.read_bytes() == record, "the symlink's target was written to")
    # A dangling link: its target is not created.
    cache.unlink()
    cache.symlink_to(fx.dir / "created")
    check_miss(fx, xdr, "", 2, "a dangling symlink")
    check(not (fx.dir / "created").exists(), "the dangling symlink's target was created")


def case_cache_file_of_another_owner_is_a_miss(fx):
    xdr = setup(fx)
    token, record = first_token(fx, xdr)
    make_foreign(cache_dir(fx) / "xdr.json")
    check_miss(fx, xdr, token, 1, "a record of another user")


def case_cache_file_fifo_is_a_miss_without_waiting(fx):
    xdr = setup(fx)
    token, _ = first_token(fx, xdr)
    cache = cache_dir(fx) / "xdr.json"
    cache.unlink()
    os.mkfifo(cache, 0o600)
    start = time.monotonic()
    check_miss(fx, xdr, token, 1, "a FIFO")
    check(time.monotonic() - start < 10, "a FIFO in the cache made tokex wait")


def case_corrupt_or_truncated_cache_file_is_a_miss(fx):
    xdr = setup(fx)
    token, record = first_token(fx, xdr)
    good = json.loads(record)

    def spoilt(**changes):
        return json.dumps({**good, **changes}).encode()

    variants = {
        "empty": b"",
        "garbage": os.urandom(4096),
        "truncated in the middle": record[:len(record) // 2],
        "truncated by one byte": record[:-1],
        "NUL bytes": b"\0" * len(record),
        "a JSON array": b"[]",
        "expires_at a string": spoilt(expires_at=str(good["expires_at"])),
        "expires_at a fraction": spoilt(expires_at=good["expires_at"] + 0.5),
        "expires_at too large": spoilt(expires_at=10 ** 30),
        "access_token a number": spoilt(access_token=42),
        "headers an object": spoilt(headers={}),
        "a header of one element": spoilt(headers=[["Authorization"]]),
        "a header with a line break": spoilt(headers=[["Authorization", "Bearer " + token + "\r\nX-Evil: 1"]]),
        "cookies a string": spoilt(cookies="SID=1"),
        "version a string": spoilt(v="1"),
        "another version": spoilt(v=2),
        "nested a million deep": b"[" * 1_000_000,
        "objects nested deep": b'{"v":' * 500_000,
        "larger than the cap": record[:-1] + b" " * (6 << 20) + b"}",
    }
    cache = cache_dir(fx) / "xdr.json"
    count = 1
    for what, data in variants.items():
        cache.unlink()
        write_private(cache, data)
        check_miss(fx, xdr, token, count, what)
        count += 1
    # A sparse file of 1 GiB: refused by its size, not read.
    cache.unlink()
    write_private(cache, b"")
    os.truncate(cache, 1 << 30)
    p, took = timed(fx, "token", "xdr", check_rc=0)
    check(issued(fx, xdr) == count + 1 and took < 10, f"a 1 GiB cache file: {took:.1f} s")
    # Every way tokex prints a credential reads the cache the same way.
    for args in (("header", "xdr"), ("json", "xdr"), ("exec", "xdr", "--", "true")):
        cache.write_bytes(b"[" * 100_000)
        p = fx.run(*args)
        check(p.returncode == 0, f"tokex {' '.join(args)} on a corrupt cache: {p.returncode} {p.stderr!r}")


def case_failure_record_that_cannot_be_trusted_is_ignored(fx):
    xdr = setup(fx)
    token, record = first_token(fx, xdr)
    key = json.loads(record)["key"]
    # A failure "recorded" in the far future would be reported instead of
    # an exchange if tokex believed it.
    planted = json.dumps({"v": 1, "key": key, "ended_ms": 2 ** 53, "kind": 4,
                          "message": "planted failure"}).encode()
    failed = cache_dir(fx) / "xdr.failed"
    target = fx.dir / "chosen"
    count = 1
    for how in ("symlink", "foreign", "fifo", "deep"):
        fx.run("forget", "xdr", check_rc=0)
        target.write_bytes(planted)
        if how == "symlink":
            failed.symlink_to(target)
        elif how == "foreign":
            write_private(failed, planted)
            make_foreign(failed)
        elif how == "fifo":
            os.mkfifo(failed, 0o600)
        else:
            write_private(failed, b"[" * 60_000)
        p = fx.run("token", "xdr")
        check(p.returncode == 0 and "planted" not in p.stderr, f"{how}: {p.returncode} {p.stderr!r}")
        count += 1
        check(issued(fx, xdr) == count, f"{how}: no exchange")
        check(target.read_bytes() == planted, f"{how}: the symlink's target was written to")
        check(not failed.exists() and not failed.is_symlink(), f"{how}: the record is still there")


# The cache directory --------------------------------------------------------

def check_uncached(fx, xdr, where, what):
    """Two calls, each warned and each a new exchange, nothing in `where`."""
    for n in (1, 2):
        p = fx.run("token", "xdr")
        check_one_line(p, 0, "tokex: xdr: warning: working without the token cache: ", what,
                       "set XDG_RUNTIME_DIR to a private directory of yours")
        check(p.stdout.startswith("xdr-"), f"no token: {p.stdout!r}")
        check(issued(fx, xdr) == n, "the cache was used")
    check(sorted(os.listdir(where)) == [], f"tokex wrote in {where}: {os.listdir(where)}")


def case_cache_dir_symlink_is_not_used(fx):
    xdr = setup(fx)
    chosen = fx.dir / "chosen"
    chosen.mkdir(mode=0o700)
    shutil.rmtree(cache_dir(fx))  # secret set made it
    cache_dir(fx).symlink_to(chosen)
    check_uncached(fx, xdr, chosen, "is not a private directory")
    p = fx.run("forget", "xdr")
    check_one_line(p, 1, "tokex: xdr: ", "is not a private directory", "remove it")


def case_cache_dir_of_another_owner_is_not_used(fx):
    xdr = setup(fx)
    make_foreign(cache_dir(fx))
    check_uncached(fx, xdr, cache_dir(fx),
                   "belongs to another user (uid 65534)" if ROOT else "is not a private directory")


# The profile lock -----------------------------------------------------------

def case_lock_file_symlink_refused(fx):
    xdr = setup(fx)
    cache_dir(fx).mkdir(mode=0o700, exist_ok=True)
    lock = cache_dir(fx) / "xdr.lock"
    target = fx.dir / "chosen"
    for exists in (False, True):
        if exists:
            target.write_text("keep\n")
        lock.symlink_to(target)
        p = fx.run("token", "xdr")
        check(p.stderr == f"tokex: xdr: {lock} is a symbolic link: remove it\n", repr(p.stderr))
        check(p.returncode == 1 and p.stdout == "", f"exit {p.returncode}, printed {p.stdout!r}")
        check(target.exists() == exists, "the symlink's target was created")
        check(not exists or target.read_text() == "keep\n", "the symlink's target was written to")
        lock.unlink()
    check(issued(fx, xdr) == 0, "an exchange was made without the lock")
    fx.run("token", "xdr", check_rc=0)


def case_lock_file_of_another_owner_a_directory_or_a_fifo_refused_at_once(fx):
    xdr = setup(fx)
    lock = cache_dir(fx) / "xdr.lock"

    def foreign():
        lock.write_text("keep\n")
        os.chown(lock, NOBODY, NOBODY)

    ways = [("another user's file", foreign)] if ROOT else []
    ways += [("a directory", lambda: lock.mkdir(mode=0o700)), ("a FIFO", lambda: os.mkfifo(lock, 0o600))]
    for what, make in ways:
        make()
        p, took = timed(fx, "token", "xdr")
        check(p.stderr == f"tokex: xdr: {lock} is not a lock file of yours: remove it\n", f"{what}: {p.stderr!r}")
        check(p.returncode == 1 and took < 10, f"{what}: exit {p.returncode} after {took:.1f} s")
        check(what != "another user's file" or lock.read_text() == "keep\n", "another user's lock file was written")
        (lock.rmdir if lock.is_dir() else lock.unlink)()
    check(issued(fx, xdr) == 0, "an exchange was made without the lock")


# The file store -------------------------------------------------------------

def file_store(fx):
    xdr = setup(fx, extra="    store = file\n", secret=False)
    return xdr, fx.dir / "data" / "tokex", fx.dir / "data" / "tokex" / "xdr.client-secret"


def case_file_store_secret_symlink_fifo_or_foreign_refused(fx):
    xdr, data, secret = file_store(fx)
    fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    mine = data / "other.client-secret"  # a secret of ours, under another name
    secret.rename(mine)
    secret.symlink_to(mine)
    p = fx.run("token", "xdr")
    check_one_line(p, 3, "tokex: xdr: ", f"{secret} is a symbolic link: remove it")
    # `secret set` replaces the link, never writes through it.
    fx.run("secret", "set", "xdr", "client-secret", stdin="new-value\n", check_rc=0)
    check(mine.read_text() == SECRET, "secret set wrote through the symlink")
    check_mine(secret, 0o600)
    make_foreign(secret)
    p = fx.run("token", "xdr")
    check_one_line(p, 3, "tokex: xdr: ", f"{secret} is not a private file")
    secret.unlink()
    os.mkfifo(secret, 0o600)
    p, took = timed(fx, "token", "xdr")
    check_one_line(p, 3, "tokex: xdr: ", f"{secret} is not a private file")
    check(took < 10, f"a FIFO secret took {took:.1f} s")
    check(stats(fx, xdr)["token_requests"] == 0, "a refused secret was sent")


def case_file_store_dir_symlink_or_foreign_refused(fx):
    xdr, data, secret = file_store(fx)
    chosen = fx.dir / "chosen"
    chosen.mkdir(mode=0o700)
    write_private(chosen / "xdr.client-secret", SECRET.encode())
    data.parent.mkdir(mode=0o700)
    data.symlink_to(chosen)
    check_dir_refused(fx, chosen / "xdr.client-secret", "is not a private directory")
    data.unlink()
    data.mkdir(mode=0o700)
    write_private(secret, SECRET.encode())
    make_foreign(data)
    check_dir_refused(fx, secret, "belongs to another user (uid 65534)" if ROOT else "is not a private directory")
    check(stats(fx, xdr)["token_requests"] == 0, "a secret from a refused directory was sent")


def check_dir_refused(fx, secret, what):
    p = fx.run("secret", "set", "xdr", "client-secret", stdin="new-value\n")
    check_one_line(p, 3, "tokex: xdr: ", what)
    check(secret.read_text() == SECRET, "secret set wrote in the directory")
    p = fx.run("token", "xdr")
    check_one_line(p, 3, "tokex: xdr: ", what)


# Rotated refresh tokens: recovery files and stored-at records ----------------

def mdr_whose_store_will_fail(fx):
    """The Kaspersky emulator (answering after 2 s) and profile "mdr" with its
    refresh token stored, for a case that locks the keyring mid-rotation."""
    mdr, first = mdr_test.setup(fx, "--delay", "2")
    mdr_test.store(fx, first)
    fx.hygiene.allow_kept_refresh_token("mdr")  # the store write fails on purpose
    return mdr


def lock_keyring():
    mdr_test.secret_service("Lock", f"['{mdr_test.COLLECTION}']")


def rotate_into_locked_keyring(fx, mdr):
    """A rotation whose store write fails: the keyring locked while the
    server answers (fail_mid_rotation checks the error and recovery file)."""
    mdr_test.fail_mid_rotation(fx, mdr, lock_keyring)
    mdr_test.unlock_keyring()


def case_recovery_file_symlink_replaced_not_followed(fx):
    mdr = mdr_whose_store_will_fail(fx)
    recovery = mdr_test.recovery(fx)
    recovery.parent.mkdir(parents=True, mode=0o700)
    target = fx.dir / "chosen"
    target.write_text("keep\n")
    recovery.symlink_to(target)
    # checks the one-line error, and that the file is a 0600 one with the token
    rotate_into_locked_keyring(fx, mdr)
    check_mine(recovery, 0o600)
    check(target.read_text() == "keep\n", "the recovery file's symlink was followed")


def case_recovery_file_of_another_owner_replaced(fx):
    mdr = mdr_whose_store_will_fail(fx)
    recovery = mdr_test.recovery(fx)
    recovery.parent.mkdir(parents=True, mode=0o700)
    write_private(recovery, b"planted\n")
    make_foreign(recovery)
    rotate_into_locked_keyring(fx, mdr)
    check_mine(recovery, 0o600)


def case_recovery_file_fifo_not_waited_on(fx):
    """A refused refresh token makes tokex look for a recovery file: a FIFO
    there is not read."""
    mdr, first = mdr_test.setup(fx)
    mdr_test.store(fx, first)
    fx.run("token", "mdr", check_rc=0)  # spends `first`
    mdr_test.store(fx, first)
    recovery = mdr_test.recovery(fx)
    recovery.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.mkfifo(recovery, 0o600)
    p, took = timed(fx, "token", "mdr")
    check_one_line(p, 4, "tokex: mdr: ", "rejected")
    check(took < 10, f"a FIFO recovery file took {took:.1f} s")


def case_state_dir_symlink_gets_no_recovery_file(fx):
    mdr = mdr_whose_store_will_fail(fx)
    state = fx.dir / "state" / "tokex"
    chosen = fx.dir / "chosen"
    state.rename(chosen)  # made by secret set, for the stored-at record
    state.symlink_to(chosen)
    before = sorted(p.name for p in chosen.rglob("*"))
    proc = mdr_test.start_token(fx)
    try:
        mdr_test.wait_for(lambda: mdr_test.stats(fx, mdr)["token_requests"] == 1, "the token request")
        lock_keyring()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    mdr_test.unlock_keyring()
    check(proc.returncode == 3 and out == "", f"exit {proc.returncode}, printed {out!r}")
    lines = err.splitlines()
    check(lines[-1].startswith("tokex: mdr: ") and "nor saved to" in lines[-1] and
          "is not a private directory" in lines[-1], repr(err))
    check(all(line.startswith("tokex: mdr: warning: ") for line in lines[:-1]), repr(err))
    check(sorted(p.name for p in chosen.rglob("*")) == before, "tokex wrote under a symlinked state directory")


def case_stored_at_record_symlink_replaced_not_followed(fx):
    mdr, first = mdr_test.setup(fx)
    stored_at = fx.dir / "state" / "tokex" / "stored-at" / "mdr"
    stored_at.parent.mkdir(parents=True, mode=0o700)
    os.chmod(stored_at.parent.parent, 0o700)
    target = fx.dir / "chosen"
    target.write_text("keep\n")
    stored_at.symlink_to(target)
    mdr_test.store(fx, first)
    check(target.read_text() == "keep\n", "the stored-at record's symlink was followed")
    check_mine(stored_at, 0o600)
    make_foreign(stored_at)
    p = fx.run("status", "mdr", check_rc=0)
    check(first not in p.stdout + p.stderr, "status showed the refresh token")
    mdr_test.store(fx, first)  # replaced, as it is a file of ours to replace
    check_mine(stored_at, 0o600)


# The config -----------------------------------------------------------------

def case_config_symlink_to_a_file_others_control_refused(fx):
    setup(fx)
    target = fx.dir / "chosen-config"
    target.write_text(fx.config.read_text())
    if ROOT:
        os.chown(target, NOBODY, NOBODY)
    else:
        os.chmod(target, 0o666)
    link = fx.dir / "linked-config"
    link.symlink_to(target)
    p = fx.run("token", "xdr", "--no-cache", env={"TOKEX_CONFIG": str(link)})
    check(p.returncode == 2 and p.stderr.count("\n") == 1, f"exit {p.returncode}: {p.stderr!r}")
    check(("belongs to another user (uid 65534)" if ROOT else "is writable by others") in p.stderr, p.stderr)


# Core dumps -----------------------------------------------------------------

def sanitized(exe):
    """AddressSanitizer needs its process dumpable: tokex leaves it so."""
    return b"__asan_init" in pathlib.Path(exe).read_bytes()


def as_runner(fx, xdr):
    """How to run tokex so that /proc tells whether it is dumpable: a
    process that is not has its /proc files owned by root, which says
    nothing of a root process, so root runs tokex as nobody. Returns the
    argv prefix, the environment and the uid tokex runs as."""
    if not ROOT:
        return [], dict(fx.env, TOKEX_XDR_CLIENT_SECRET=SECRET), os.getuid()
    shared = fx.dir / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(fx.dir, 0o755)
    (shared / "ca.crt").write_bytes(pathlib.Path(fx.pki["ca"]).read_bytes())
    config = shared / "config"
    config.write_text(config_text(fx, xdr, "    store = env\n    timeout = 30\n", ca=shared / "ca.crt"))
    run = shared / "run"
    run.mkdir(mode=0o700)
    for path in (config, run):
        os.chown(path, NOBODY, NOBODY)
    env = dict(fx.env, TOKEX_CONFIG=str(config), HOME=str(shared), XDG_RUNTIME_DIR=str(run),
               XDG_STATE_HOME=str(shared / "state"), TOKEX_XDR_CLIENT_SECRET=SECRET)
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"], env, NOBODY


def comm(pid):
    """The name of process `pid`'s executable (its /proc/PID/exe is
    not for others to read when it is not dumpable)."""
    try:
        return pathlib.Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return None


def check_hardened(pid, exe, uid):
    check(comm(pid) == os.path.basename(exe)[:15], f"process {pid} is {comm(pid)}, not {exe}")
    limits = pathlib.Path(f"/proc/{pid}/limits").read_text()
    core = [line.split() for line in limits.splitlines() if line.startswith("Max core file size")]
    check(core and core[0][4] == "0", f"RLIMIT_CORE soft limit is not 0: {core}")
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    check(f"Uid:\t{uid}\t" in status, f"process {pid} does not run as {uid}")
    if sanitized(exe):
        return
    owner = os.stat(f"/proc/{pid}/status").st_uid
    check(owner == 0, f"process {pid} is dumpable (its /proc files belong to uid {owner})")


def with_core_limit():
    """Core dumps allowed up to 1 MiB, so that tokex has a limit to lower."""
    resource.setrlimit(resource.RLIMIT_CORE, (1 << 20, 1 << 20))


def wait_until(condition, what, proc, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            check(False, f"tokex ended before {what}: {proc.communicate()}")
        check(time.monotonic() < deadline, f"timed out waiting for {what}")
        time.sleep(0.05)


def case_engine_leaves_no_core_dump(fx):
    xdr = start_xdr(fx, "--delay", "20", extra="    store = env\n    timeout = 30\n")
    prefix, env, uid = as_runner(fx, xdr)
    proc = subprocess.Popen(prefix + [fx.tokex, "token", "xdr"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=with_core_limit)
    try:
        wait_until(lambda: stats(fx, xdr)["token_requests"] == 1, "the token request", proc)
        check_hardened(proc.pid, str(fx.build / "helpers" / "tokex-engine"), uid)
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def case_fronts_leave_no_core_dump(fx):
    xdr = setup(fx, secret=False)
    prefix, env, uid = as_runner(fx, xdr)
    # tokex with a FIFO config no one writes to, the helpers with a request
    # that does not come: each waits (bounded) for its input.
    fifo = pathlib.Path(env["TOKEX_CONFIG"]).parent / "fifo-config"
    os.mkfifo(fifo, 0o600)
    if ROOT:
        os.chown(fifo, NOBODY, NOBODY)
    helpers = fx.build / "helpers"
    for argv in ([fx.tokex, "--config", str(fifo), "token", "xdr"],
                 [str(helpers / "git-credential-tokex"), "get"],
                 [str(helpers / "docker-credential-tokex"), "get"]):
        proc = subprocess.Popen(prefix + argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=with_core_limit)
        try:
            wait_until(lambda: comm(proc.pid) == os.path.basename(argv[0])[:15], "the front to start", proc)
            time.sleep(1)  # past HardenProcess, well within the wait
            check_hardened(proc.pid, argv[0], uid)
        finally:
            proc.kill()
            proc.communicate(timeout=30)


def case_exec_command_may_raise_its_own_core_limit(fx):
    """The soft limit only is lowered: CMD may raise it up to the hard
    limit tokex was given."""
    setup(fx)
    show = ("import resource as r; L = r.RLIMIT_CORE; print(*r.getrlimit(L)); "
            "r.setrlimit(L, (r.getrlimit(L)[1],) * 2); print(*r.getrlimit(L))")
    for run in ("a miss: the engine runs CMD", "a hit: the front runs CMD"):
        p = subprocess.run([fx.tokex, "exec", "xdr", "--", sys.executable, "-c", show], env=fx.env,
                           capture_output=True, text=True, timeout=60,
                           preexec_fn=with_core_limit)
        check(p.returncode == 0, f"{run}: exit {p.returncode} {p.stderr!r}")
        check(p.stdout.split() == ["0", str(1 << 20), str(1 << 20), str(1 << 20)],
              f"{run}: core limits {p.stdout.split()}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
