"""The secret prompt on a terminal: whatever ends or stops tokex while echo
is off, the terminal is left as it was found.

tokex runs as the foreground job of a session whose controlling terminal is
a new pty, the way a shell runs it: the session leader is a child of the
test (in_session), tokex its child in a process group of its own (Job).
tokex cannot simply be the session leader (pty.fork): its process group
would then be orphaned, and the kernel throws away SIGTSTP sent to an
orphaned group instead of stopping it.
"""

import fcntl
import os
import select
import signal
import subprocess
import termios
import time
import traceback

from harness import Failure, check, main
from xdr_fixture import SECRET, start_xdr as setup
PROMPT = b"client-secret for xdr: "
TIMEOUT = 30
# What tokex's prompt must handle; the test resets them to their defaults
# for tokex, whatever the test itself inherited (nohup, a background job).
PROMPT_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGTSTP)


def describe(status):
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    if os.WIFSTOPPED(status):
        return f"stopped by {signal.Signals(os.WSTOPSIG(status)).name}"
    return f"exit {os.waitstatus_to_exitcode(status)}"


class Job:
    """`tokex secret set xdr client-secret` as the foreground job on the
    session's terminal. Every wait ends by TIMEOUT: then tokex is killed and
    the case fails."""

    def __init__(self, fx, master, slave, ignored=()):
        self.master = master
        self.deadline = time.monotonic() + TIMEOUT
        self.seen = b""
        self.pos = 0  # where the next expect() starts looking
        self.pid = os.fork()
        if self.pid == 0:
            self._exec(fx, slave, ignored)
        try:
            os.setpgid(self.pid, self.pid)
        except OSError:  # the child has done it and exec'd already
            pass

    @staticmethod
    def _exec(fx, slave, ignored):
        try:
            # A shell's job control: own group, in the foreground. SIGTTOU is
            # blocked because the group is not in the foreground yet.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTOU})
            os.setpgid(0, 0)
            os.tcsetpgrp(slave, os.getpid())
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTTOU})
            for sig in PROMPT_SIGNALS + (signal.SIGPIPE,):
                signal.signal(sig, signal.SIG_IGN if sig in ignored else signal.SIG_DFL)
            for n in (0, 1, 2):
                os.dup2(slave, n)
            os.execve(fx.tokex, [fx.tokex, "secret", "set", "xdr", "client-secret"], fx.env)
        finally:
            os._exit(127)

    def fail(self, message):
        os.kill(self.pid, signal.SIGKILL)
        raise Failure(f"{message}; the terminal showed {self.seen!r}")

    def _read(self, timeout):
        if not select.select([self.master], [], [], timeout)[0]:
            return False
        try:
            self.seen += os.read(self.master, 65536)
        except OSError:  # EIO: nobody has the terminal open any more
            return False
        return True

    def expect(self, text):
        """Waits until the terminal shows `text` after what was expected so far."""
        while (at := self.seen.find(text, self.pos)) < 0:
            if not self._read(max(0, self.deadline - time.monotonic())):
                self.fail(f"the terminal never showed {text!r}")
        self.pos = at + len(text)

    def echo_on(self):
        return bool(termios.tcgetattr(self.master)[3] & termios.ECHO)

    def send(self, sig):
        os.kill(self.pid, sig)

    def type(self, text):
        os.write(self.master, text.encode())

    def wait(self, flags=0):
        """The status of tokex's next exit (or stop, with os.WUNTRACED)."""
        while True:
            pid, status = os.waitpid(self.pid, flags | os.WNOHANG)
            if pid:
                while self._read(0):  # what tokex wrote on its way out
                    pass
                return status
            if time.monotonic() > self.deadline:
                self.fail("tokex neither exited nor stopped")
            time.sleep(0.01)


def in_session(body):
    """Runs body(master, slave) in a child that leads a new session with a
    new pty as its controlling terminal, as a login shell does. A Failure
    there fails the case here."""
    r, w = os.pipe()
    leader = os.fork()
    if leader == 0:
        os.close(r)
        code = 0
        try:
            os.setsid()
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            body(master, slave)
        except Failure as e:
            os.write(w, str(e).encode())
            code = 1
        except BaseException:
            os.write(w, traceback.format_exc().encode())
            code = 2
        os._exit(code)
    os.close(w)
    message = b""
    deadline = time.monotonic() + 2 * TIMEOUT
    while select.select([r], [], [], max(0, deadline - time.monotonic()))[0]:
        if not (chunk := os.read(r, 65536)):
            break
        message += chunk
    else:
        os.kill(leader, signal.SIGKILL)
        message += b"\nthe session leader timed out"
    os.close(r)
    _, status = os.waitpid(leader, 0)
    check(status == 0 and not message, message.decode() or f"the session leader failed: {describe(status)}")


def dies_with_echo_restored(fx, sig):
    setup(fx)

    def body(master, slave):
        job = Job(fx, master, slave)
        job.expect(PROMPT)
        check(not job.echo_on(), "the prompt was shown while the terminal still echoed input")
        job.send(sig)
        status = job.wait()
        check(os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig,
              f"after {sig.name} tokex was {describe(status)}, expected killed by {sig.name}")
        check(job.echo_on(), f"tokex died of {sig.name} and left the terminal's echo off")

    in_session(body)


def secret_works(fx, xdr):
    fx.run("token", "xdr", check_rc=0)
    s = fx.get_json(xdr.base_url + "/_emulator/stats")
    check(s["tokens_issued"] == 1, f"the secret typed on the terminal did not work: {s}")


def case_sighup_restores_echo(fx):
    dies_with_echo_restored(fx, signal.SIGHUP)


def case_sigint_restores_echo(fx):
    dies_with_echo_restored(fx, signal.SIGINT)


def case_sigquit_restores_echo(fx):
    dies_with_echo_restored(fx, signal.SIGQUIT)


def case_sigterm_restores_echo(fx):
    dies_with_echo_restored(fx, signal.SIGTERM)


def case_sigtstp_restores_echo_until_continued(fx):
    """Ctrl-Z: echo is back while tokex is stopped; after fg, echo is off
    again, the prompt shows again, and the secret typed partly before the
    stop and partly after it is stored whole."""
    xdr = setup(fx)

    def body(master, slave):
        job = Job(fx, master, slave)
        job.expect(PROMPT)
        job.type(SECRET[:8])
        job.send(signal.SIGTSTP)
        status = job.wait(os.WUNTRACED)
        check(os.WIFSTOPPED(status) and os.WSTOPSIG(status) == signal.SIGTSTP,
              f"after SIGTSTP tokex was {describe(status)}, expected stopped by SIGTSTP")
        check(job.echo_on(), "tokex stopped with the terminal's echo off")
        job.send(signal.SIGCONT)
        job.expect(PROMPT)
        check(not job.echo_on(), "tokex prompted again with echo on")
        job.type(SECRET[8:] + "\n")
        status = job.wait()
        check(status == 0, f"after SIGCONT and the secret tokex was {describe(status)}: {job.seen!r}")
        check(SECRET.encode() not in job.seen, "the secret was echoed to the terminal")
        check(job.echo_on(), "tokex left the terminal's echo off")

    in_session(body)
    secret_works(fx, xdr)


def case_ctrl_c_with_half_typed_secret_stores_nothing(fx):
    setup(fx)

    def body(master, slave):
        job = Job(fx, master, slave)
        job.expect(PROMPT)
        job.type(SECRET[:8])
        job.type("\x03")  # Ctrl-C: the terminal sends SIGINT to the foreground job
        status = job.wait()
        check(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT,
              f"after Ctrl-C tokex was {describe(status)}, expected killed by SIGINT")
        check(job.echo_on(), "tokex died of Ctrl-C and left the terminal's echo off")
        check(SECRET[:8].encode() not in job.seen, "the half-typed secret was echoed")

    in_session(body)
    lookup = subprocess.run(["secret-tool", "lookup", "profile", "xdr", "name", "client-secret"],
                            capture_output=True, text=True, timeout=30)
    check(lookup.stdout == "", f"a secret was stored after Ctrl-C: {lookup.stdout!r}")
    fx.run("token", "xdr", check_rc=3)


def case_ignored_sighup_stays_ignored(fx):
    """Under nohup SIGHUP is ignored, and the prompt must not change that."""
    xdr = setup(fx)

    def body(master, slave):
        job = Job(fx, master, slave, ignored={signal.SIGHUP})
        job.expect(PROMPT)
        job.send(signal.SIGHUP)
        job.type(SECRET + "\n")
        status = job.wait()
        check(status == 0, f"tokex started with SIGHUP ignored was {describe(status)} after SIGHUP")
        check(job.echo_on(), "tokex left the terminal's echo off")

    in_session(body)
    secret_works(fx, xdr)


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
