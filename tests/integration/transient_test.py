"""Transient failures end to end: a refused connection, a reset
mid-response, a 503, a 429 with Retry-After and a server that trickles its
headers are retried with bounded backoff (SendWithRetry: at most 3
attempts, 0.5 s then 1 s apart, or what Retry-After asks), then fail with
exit 5 and one readable line, never later than the profile's timeout; a
rejection is never retried and exits 4. Real keyring, the strict Cisco XDR
emulator, the built executables."""

import re
import socket
import time
import types

from harness import check, main
from xdr_fixture import SECRET, config_text, start_xdr, stats

ATTEMPTS = 3  # RetryPolicy::max_attempts in src/engine/http.h
MARGIN = 1.5  # seconds past the timeout for starting the front and the engine
ERROR_LINE = re.compile(r"tokex: xdr: [^\n]+: [^\n]+\n")

# How the emulator fails a token request (its --fail-* options), and the
# words of the error tokex ends with.
MODES = {
    "503": (["--fail-status", "503"], "answered HTTP 503"),
    "429": (["--fail-status", "429", "--retry-after", "1"], "answered HTTP 429"),
    "reset": (["--fail-mode", "reset"], "broke mid-answer"),
}


def store_secret(fx, secret=SECRET):
    """Stores the client secret under a config that points nowhere yet."""
    fx.write_config(config_text(fx, types.SimpleNamespace(base_url="https://127.0.0.1:1")))
    fx.run("secret", "set", "xdr", "client-secret", stdin=secret + "\n", check_rc=0)


def timed_token(fx, rc):
    start = time.monotonic()
    p = fx.run("token", "xdr", check_rc=rc)
    return p, time.monotonic() - start


def check_error_line(p, needle):
    check(ERROR_LINE.fullmatch(p.stderr), f"not one line 'tokex: xdr: what: what to do': {p.stderr!r}")
    check(needle in p.stderr, f"{needle!r} not in {p.stderr!r}")
    check(SECRET not in p.stderr and p.stdout == "", "a secret or output leaked")


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def case_refused_then_success(fx):
    store_secret(fx)
    # The emulator's port refuses connections for 1.2 s: tokex's first two
    # attempts (0 s and 0.5 s after it starts) meet a refusal, the third
    # (1.5 s) gets through.
    xdr = start_xdr(fx, "--refuse-seconds", "1.2", extra="    timeout = 8\n")
    fx.run("token", "xdr", check_rc=0)
    check(stats(fx, xdr)["tokens_issued"] == 1, "no token was issued")


def case_refused_always(fx):
    store_secret(fx)
    port = closed_port()
    fx.write_config(config_text(fx, types.SimpleNamespace(base_url=f"https://127.0.0.1:{port}"),
                                extra="    timeout = 3\n"))
    p, took = timed_token(fx, 5)
    check_error_line(p, f"cannot reach 127.0.0.1:{port}")
    # Three attempts have 0.5 s + 1 s of backoff between them.
    check(took >= 1.4, f"a refused connection was not retried ({took:.1f} s)")
    check(took < 3 + MARGIN, f"timeout = 3 took {took:.1f} s")


def case_transient_then_success(fx):
    store_secret(fx)
    for mode, (args, _) in MODES.items():
        xdr = start_xdr(fx, "--fail-first", str(ATTEMPTS - 1), *args, extra="    timeout = 8\n")
        fx.run("forget", "xdr", check_rc=0)
        fx.run("token", "xdr", check_rc=0)
        s = stats(fx, xdr)
        check(s["token_requests"] == ATTEMPTS and s["tokens_issued"] == 1,
              f"{mode}: {s['token_requests']} requests, {s['tokens_issued']} tokens")


def case_always_failing_bounded(fx):
    store_secret(fx)
    for mode, (args, needle) in MODES.items():
        xdr = start_xdr(fx, "--fail-first", "1000", *args, extra="    timeout = 5\n")
        p, took = timed_token(fx, 5)
        check_error_line(p, needle)
        n = stats(fx, xdr)["token_requests"]
        check(n == ATTEMPTS, f"{mode}: {n} requests, {ATTEMPTS} expected")
        check(took < 5 + MARGIN, f"{mode}: timeout = 5 took {took:.1f} s")


def case_trickled_headers_bounded_by_timeout(fx):
    # One byte a second never completes the headers: the attempt has the
    # whole budget, so it is the only one, and it ends with the timeout.
    store_secret(fx)
    xdr = start_xdr(fx, "--fail-first", "1000", "--fail-mode", "trickle", extra="    timeout = 3\n")
    p, took = timed_token(fx, 5)
    check_error_line(p, "did not answer in time")
    check(took < 3 + MARGIN, f"timeout = 3 against a trickling server took {took:.1f} s")
    check(stats(fx, xdr)["token_requests"] == 1, "a trickled attempt was followed by another past the timeout")


def case_retry_after_outlasting_the_rest_fails_at_once(fx):
    # The first Retry-After fits the budget; the second, asked with 1 s
    # left, does not, and tokex stops at once rather than at the timeout.
    store_secret(fx)
    xdr = start_xdr(fx, "--fail-first", "1000", "--fail-status", "429", "--retry-after", "2",
                    extra="    timeout = 3\n")
    p, took = timed_token(fx, 5)
    check_error_line(p, "asks to wait 2s, past the timeout: try again after")
    check(stats(fx, xdr)["token_requests"] == 2, "the second Retry-After was not answered at once")
    check(took < 3 + MARGIN, f"timeout = 3 took {took:.1f} s")


def case_rejection_never_retried(fx):
    store_secret(fx, "wrong-" + SECRET)
    xdr = start_xdr(fx, extra="    timeout = 5\n")
    p = fx.run("token", "xdr", check_rc=4)
    check_error_line(p, "invalid_client")
    check(stats(fx, xdr)["token_requests"] == 1, "a rejection was retried")


def case_rejection_after_transient_not_retried(fx):
    store_secret(fx, "wrong-" + SECRET)
    for mode, (args, _) in MODES.items():
        xdr = start_xdr(fx, "--fail-first", "1", *args, extra="    timeout = 8\n")
        p = fx.run("token", "xdr", check_rc=4)
        check_error_line(p, "invalid_client")
        n = stats(fx, xdr)["token_requests"]
        check(n == 2, f"{mode}: a rejection after one transient failure made {n} requests, 2 expected")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
