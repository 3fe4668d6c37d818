"""tokex check, the doctor: the real keyring, the strict emulators and
real TLS, one case per way a profile can be healthy or broken."""

import re
import socket
import time

import xdr_fixture
from cylance_test import setup as setup_cylance, store_secret as store_cylance
from harness import check, main
from kaspersky_test import setup as setup_mdr, stats as mdr_stats, store as store_mdr, stored as mdr_stored

import pki  # noqa: E402 (tests/lib, on the path once harness is imported)

LINE = re.compile(r"^(\S+): (ok|warn|fail|skip) +(config|store|secret [a-z-]+|dns|connect|tls|clock|exchange): (.+)$")
STEPS = ["config", "store", "secret client-secret", "dns", "connect", "tls", "clock", "exchange"]


def long_lived_pki(fx):
    """A PKI whose certificates outlive the 14 days check warns about."""
    fx.pki = pki.make_pki(fx.dir / "pki-30d", days=30)


def run_check(fx, *args, rc, env=None):
    """tokex check ARGS, which must exit `rc`; returns {profile: [(level,
    step, text)]} after checking every stdout line's form, that no secret
    shows, and that stderr is one summary line on failure, nothing
    otherwise."""
    p = fx.run("check", *args, env=env, check_rc=rc)
    out = p.stdout + p.stderr
    for secret in (xdr_fixture.SECRET, "xdr-"):
        check(secret not in out, f"check printed a secret or a token: {out!r}")
    blocks = {}
    for line in p.stdout.splitlines():
        m = LINE.match(line)
        check(m is not None, f"not a check line: {line!r}")
        blocks.setdefault(m[1], []).append((m[2], m[3], m[4]))
    errors = p.stderr.splitlines()
    if rc == 0:
        check(errors == [], f"a passing check wrote on stderr: {p.stderr!r}")
    else:
        check(len(errors) == 1 and "see above" in errors[0], f"expected one summary line on stderr: {p.stderr!r}")
    return blocks


def levels(block):
    return {step: level for level, step, _ in block}


def text(block, step):
    return next(t for _, s, t in block if s == step)


def healthy_xdr(fx, *emulator_args):
    long_lived_pki(fx)
    xdr = xdr_fixture.start_xdr(fx, *emulator_args)
    fx.run("secret", "set", "xdr", "client-secret", stdin=xdr_fixture.SECRET + "\n", check_rc=0)
    return xdr


def case_healthy_profile_is_all_ok(fx):
    xdr = healthy_xdr(fx)
    block = run_check(fx, "xdr", rc=0)["xdr"]
    check([s for _, s, _ in block] == STEPS, f"steps: {block}")
    check(all(level == "ok" for level, _, _ in block), f"not all ok: {block}")
    check(text(block, "config") == f"{fx.config}:2, preset cisco-xdr", text(block, "config"))
    check(text(block, "dns") == "127.0.0.1 resolves to 127.0.0.1", text(block, "dns"))
    check(re.fullmatch(rf"127\.0\.0\.1:{xdr.port}, certificate valid until \d{{4}}-\d\d-\d\dT[\d:]+Z "
                       rf"\(CA: {re.escape(fx.pki['ca'])}\)", text(block, "tls")), text(block, "tls"))
    check(re.fullmatch(rf"[01] s apart from 127\.0\.0\.1:{xdr.port}'s \(up to 30 s is fine\)", text(block, "clock")),
          text(block, "clock"))
    check(xdr_fixture.stats(fx, xdr)["tokens_issued"] == 1, "check did not make exactly one exchange")
    # Its token was cached like any other: the next caller uses it.
    fx.run("token", "xdr", check_rc=0)
    check(xdr_fixture.stats(fx, xdr)["tokens_issued"] == 1, "the token check obtained was not cached")
    # A cached token does not stand in for the exchange check makes.
    run_check(fx, "xdr", rc=0)
    check(xdr_fixture.stats(fx, xdr)["tokens_issued"] == 2, "a second check reused the cached token")


def case_every_profile_without_a_name(fx):
    healthy_xdr(fx)
    fx.config.write_text(fx.config.read_text() + '[profile "future"]\n    preset = acme-2030\n    client-id = f\n')
    blocks = run_check(fx, rc=2)
    check(list(blocks) == ["xdr", "future"], f"profiles: {list(blocks)}")
    check(all(level == "ok" for level, _, _ in blocks["xdr"]), f"xdr: {blocks['xdr']}")
    future = levels(blocks["future"])
    check(future.pop("config") == "fail" and set(future.values()) == {"skip"}, f"future: {blocks['future']}")
    check("acme-2030" in text(blocks["future"], "config"), text(blocks["future"], "config"))


def case_no_keyring_fails_the_store(fx):
    healthy_xdr(fx)
    block = run_check(fx, "xdr", rc=3, env={"DBUS_SESSION_BUS_ADDRESS": f"unix:path={fx.dir}/no-bus"})["xdr"]
    got = levels(block)
    check(got["store"] == "fail" and "Secret Service" in text(block, "store"), f"store: {block}")
    check(got["secret client-secret"] == "skip" and got["exchange"] == "skip", f"skips: {block}")
    # The network does not depend on the store: it is still checked.
    check(all(got[s] == "ok" for s in ("dns", "connect", "tls", "clock")), f"network: {block}")


def case_missing_secret_names_the_command(fx):
    long_lived_pki(fx)
    xdr = xdr_fixture.start_xdr(fx)
    block = run_check(fx, "xdr", rc=3)["xdr"]
    got = levels(block)
    check(got["store"] == "ok" and got["secret client-secret"] == "fail", f"{block}")
    check("tokex secret set xdr client-secret" in text(block, "secret client-secret"), f"{block}")
    check(got["exchange"] == "skip", f"{block}")
    # The network steps' GET, which carries nothing, and no exchange.
    check(xdr_fixture.stats(fx, xdr)["token_requests"] == 1, "an exchange was tried without its secret")


def case_wrong_ca_fails_tls(fx):
    xdr = healthy_xdr(fx)
    other = pki.make_pki(fx.dir / "other-pki", days=30)
    fx.write_config(xdr_fixture.config_text(fx, xdr, ca=other["ca"]))
    block = run_check(fx, "xdr", rc=5)["xdr"]
    got = levels(block)
    check(got["dns"] == "ok" and got["connect"] == "ok" and got["tls"] == "fail", f"{block}")
    tls = text(block, "tls")
    check(f"ca-file {other['ca']}" in tls and tls.endswith("set ca-file to the CA that issued its certificate, "
                                                           "or check token-url"), tls)
    check(got["clock"] == "skip" and got["exchange"] == "skip", f"{block}")
    check(xdr_fixture.stats(fx, xdr)["token_requests"] == 0, "a request was sent over unverified TLS")


def case_closed_port_fails_connect(fx):
    healthy_xdr(fx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free again once closed, and nobody listens
    fx.write_config(fx.config.read_text().replace(f"base-url  = https://127.0.0.1:{fx.emulators[0].port}",
                                                  f"base-url  = https://127.0.0.1:{port}"))
    block = run_check(fx, "xdr", rc=5)["xdr"]
    got = levels(block)
    check(got["dns"] == "ok" and got["connect"] == "fail", f"{block}")
    check(text(block, "connect").startswith(f"cannot connect to 127.0.0.1:{port} ("), text(block, "connect"))
    check(all(got[s] == "skip" for s in ("tls", "clock", "exchange")), f"{block}")


def case_silent_server_fails_tls_within_the_timeout(fx):
    healthy_xdr(fx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()  # the kernel completes the TCP handshake; nobody ever answers
        fx.write_config(fx.config.read_text().replace(f"https://127.0.0.1:{fx.emulators[0].port}",
                                                      f"https://127.0.0.1:{s.getsockname()[1]}") + "    timeout = 2\n")
        start = time.monotonic()
        block = run_check(fx, "xdr", rc=5)["xdr"]
        took = time.monotonic() - start
    check(took < 10, f"check took {took:.1f} s with timeout = 2")
    got = levels(block)
    check(got["connect"] == "ok" and got["tls"] == "fail", f"{block}")
    check(text(block, "tls").startswith("no TLS handshake with 127.0.0.1:"), text(block, "tls"))
    check(got["clock"] == "skip" and got["exchange"] == "skip", f"{block}")


def case_unresolvable_name_fails_dns(fx):
    healthy_xdr(fx)
    # .invalid never resolves (RFC 2606).
    fx.write_config(fx.config.read_text().replace(f"https://127.0.0.1:{fx.emulators[0].port}",
                                                  "https://token.tokex-check.invalid"))
    block = run_check(fx, "xdr", rc=5)["xdr"]
    got = levels(block)
    check(got["dns"] == "fail" and text(block, "dns").startswith("cannot resolve token.tokex-check.invalid ("),
          f"{block}")
    check(all(got[s] == "skip" for s in ("connect", "tls", "clock", "exchange")), f"{block}")


def case_certificate_expiring_soon_warns(fx):
    xdr = xdr_fixture.start_xdr(fx)  # the fixture's PKI lives one day
    fx.run("secret", "set", "xdr", "client-secret", stdin=xdr_fixture.SECRET + "\n", check_rc=0)
    block = run_check(fx, "xdr", rc=0)["xdr"]
    check(levels(block)["tls"] == "warn", f"{block}")
    check(f"127.0.0.1:{xdr.port}, certificate verified (CA: {fx.pki['ca']}) but expires in " in text(block, "tls"),
          text(block, "tls"))


def skewed_cylance(fx, offset):
    long_lived_pki(fx)
    cy = setup_cylance(fx, "--clock-offset", str(offset))
    store_cylance(fx)
    return cy


def clock_offset(block):
    m = re.fullmatch(r"(\d+) s (behind|ahead of) 127\.0\.0\.1:\d+'s(,| ?:).*", text(block, "clock"))
    check(m is not None, text(block, "clock"))
    return int(m[1]) if m[2] == "behind" else -int(m[1])


def case_skewed_clock_warns(fx):
    skewed_cylance(fx, 120)
    block = run_check(fx, "cy", rc=0)["cy"]
    got = levels(block)
    check(got["clock"] == "warn" and abs(clock_offset(block) - 120) <= 2, f"{block}")
    check("timedatectl set-ntp true" in text(block, "clock"), text(block, "clock"))
    check(got["exchange"] == "ok", f"{block}")


def case_clock_too_far_off_for_a_signed_assertion_fails(fx):
    skewed_cylance(fx, -400)
    block = run_check(fx, "cy", rc=4)["cy"]
    got = levels(block)
    check(got["clock"] == "fail" and abs(clock_offset(block) + 400) <= 2, f"{block}")
    # The exchange still runs, and the server confirms it: iat is off.
    check(got["exchange"] == "fail" and "rejected" in text(block, "exchange"), f"{block}")


def case_rotating_token_spent_only_with_exchange(fx):
    long_lived_pki(fx)
    mdr, first = setup_mdr(fx)
    store_mdr(fx, first)
    block = run_check(fx, "mdr", rc=0)["mdr"]
    check(levels(block)["exchange"] == "skip" and "--exchange" in text(block, "exchange"), f"{block}")
    check(mdr_stats(fx, mdr)["rotations"] == 0, "the refresh token was spent without --exchange")
    check(mdr_stored(fx) == first, "the refresh token changed without --exchange")
    p = fx.run("check", "--exchange", "mdr", check_rc=0)
    check(first not in p.stdout + p.stderr, "check printed the refresh token")
    check(" ok    exchange: token obtained" in p.stdout, p.stdout)
    check(mdr_stored(fx) not in ("", first), "the rotated refresh token was not stored")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
