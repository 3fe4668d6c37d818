"""tokex refresh end to end: the real keyring, the strict Kaspersky MDR
emulator (JWT refresh tokens minted to expire soon) and the RFC 6749
emulator (opaque refresh tokens that live refresh-token-ttl); the systemd
user units that run it daily."""

import configparser
import hashlib
import os
import pathlib
import re
import shutil
import subprocess

from harness import check, main

MDR_CLIENT = "9ed43ed54sAmpleIdf349323951f"  # seed 000's sample
O2_CLIENT = "tokex-refresh-test"
O2_SECRET = "s3cret&value"
SOURCE = pathlib.Path(__file__).resolve().parent.parent.parent


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def start_mdr(fx, tag, *args):
    """A Kaspersky MDR emulator; (emulator, its first refresh token)."""
    out = fx.dir / f"first-refresh-token-{tag}"
    mdr = fx.start("kaspersky_mdr", "--client-id", MDR_CLIENT, "--refresh-token-out", str(out), *args)
    return mdr, out.read_text().strip()


def start_o2(fx, tag):
    """An oauth2 emulator whose refresh tokens rotate; (emulator, its first
    refresh token)."""
    secret_file = fx.dir / f"o2-secret-{tag}"
    secret_file.write_text(O2_SECRET)
    out = fx.dir / f"o2-refresh-{tag}"
    o2 = fx.start("oauth2", "--client-id", O2_CLIENT, "--client-secret-file", str(secret_file),
                  "--refresh-token-out", str(out))
    return o2, out.read_text().strip()


def mdr_profile(fx, name, mdr, extra=""):
    return f"""[profile "{name}"]
    preset    = kaspersky-mdr
    client-id = {MDR_CLIENT}
    base-url  = {mdr.base_url}/api/v1
    ca-file   = {fx.pki['ca']}
{extra}"""


def o2_profile(fx, name, o2, extra=""):
    return f"""[profile "{name}"]
    preset    = oauth2
    grant     = refresh_token
    token-url = {o2.base_url}/token
    client-id = {O2_CLIENT}
    ca-file   = {fx.pki['ca']}
{extra}"""


def store(fx, profile, name, value):
    p = fx.run("secret", "set", profile, name, stdin=value + "\n", check_rc=0)
    check(value not in p.stdout + p.stderr, "secret set echoed the secret")


def stored(profile):
    """The refresh token in the Secret Service, read as another program would."""
    p = subprocess.run(["secret-tool", "lookup", "profile", profile, "name", "refresh-token"], capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 0, f"secret-tool lookup {profile} failed: {p.stderr}")
    return p.stdout


def stats(fx, emulator):
    return fx.get_json(emulator.base_url + "/_emulator/stats")


def lines_of(text):
    """{profile: rest of line} of refresh's stdout."""
    out = {}
    for line in text.splitlines():
        name, _, rest = line.partition(": ")
        check(name not in out, f"two lines for {name}: {text!r}")
        out[name] = rest
    return out


def check_quiet(p, *tokens):
    for t in tokens:
        check(t not in p.stdout + p.stderr, "a token appeared in tokex's output")


def case_rotates_a_jwt_refresh_token_about_to_expire(fx):
    mdr, first = start_mdr(fx, "a", "--first-refresh-lifetime", "3600")
    fx.write_config(mdr_profile(fx, "mdr", mdr))
    store(fx, "mdr", "refresh-token", first)
    p = fx.run("refresh", "mdr", check_rc=0)
    check(re.fullmatch(r"mdr: refreshed: the refresh token now expires in (29d 23h|30d 0h) \(\S+Z\)\n", p.stdout),
          f"unexpected output {p.stdout!r}")
    s = stats(fx, mdr)
    check(s["token_requests"] == 1 and s["rotations"] == 1, f"not one exchange: {s}")
    newest = stored("mdr")
    check(newest != first and sha256(newest) == s["newest_refresh_sha256"],
          "the keyring does not hold the newest refresh token")
    check_quiet(p, first, newest)
    # The access token that exchange brought is cached: no second exchange.
    fx.run("token", "mdr", check_rc=0)
    check(stats(fx, mdr)["token_requests"] == 1, "tokex token after refresh made an exchange")
    # The new refresh token lives 30 days: nothing is due now.
    p = fx.run("refresh", "mdr", check_rc=0)
    check(re.fullmatch(r"mdr: not due: the refresh token expires in (29d 23h|30d 0h) \(\S+Z\)\n", p.stdout),
          f"unexpected output {p.stdout!r}")
    check(stats(fx, mdr)["token_requests"] == 1, "a refresh token not due was spent")


def case_keep_alive_decides_what_is_due(fx):
    mdr, first = start_mdr(fx, "a", "--first-refresh-lifetime", str(3 * 86400))
    fx.write_config(mdr_profile(fx, "mdr", mdr))
    store(fx, "mdr", "refresh-token", first)
    p = fx.run("refresh", check_rc=0)
    check(re.match(r"not due: the refresh token expires in (2d 23h|3d 0h) ", lines_of(p.stdout)["mdr"]), p.stdout)
    check(stats(fx, mdr)["token_requests"] == 0, "a refresh token not due was spent")
    fx.write_config(mdr_profile(fx, "mdr", mdr, "    keep-alive = 345600\n"))
    p = fx.run("refresh", check_rc=0)
    check(lines_of(p.stdout)["mdr"].startswith("refreshed: "), p.stdout)
    check(stats(fx, mdr)["rotations"] == 1, "keep-alive = 4 days did not renew a token of 3")


def case_opaque_token_due_by_refresh_token_ttl(fx):
    due, due_first = start_o2(fx, "due")
    later, later_first = start_o2(fx, "later")
    fx.write_config(o2_profile(fx, "due", due, "    refresh-token-ttl = 86400\n") +
                    o2_profile(fx, "later", later, "    refresh-token-ttl = 2592000\n") +
                    o2_profile(fx, "unknown", later))
    for name, first in (("due", due_first), ("later", later_first), ("unknown", later_first)):
        store(fx, name, "client-secret", O2_SECRET)
        store(fx, name, "refresh-token", first)
    check((fx.dir / "state" / "tokex" / "stored-at" / "due").is_file(), "secret set did not record when")
    p = fx.run("refresh", "due", "later", "unknown", check_rc=0)
    said = lines_of(p.stdout)
    check(re.fullmatch(r"refreshed: the refresh token now expires in (23h 59m|1d 0h) \(\S+Z\)", said["due"]),
          p.stdout)
    check(re.match(r"not due: the refresh token expires in (29d 23h|30d 0h) ", said["later"]), p.stdout)
    check(said["unknown"] == "expiry unknown: set refresh-token-ttl", p.stdout)
    s = stats(fx, due)
    check(s["grant_refresh_token"] == 1 and sha256(stored("due")) == s["newest_refresh_sha256"],
          f"the new refresh token is not the stored one: {s}")
    check(stats(fx, later)["token_requests"] == 0, "a token not due, or of unknown life, was spent")
    check_quiet(p, due_first, later_first, stored("due"))
    fx.run("header", "due", check_rc=0)
    check(stats(fx, due)["token_requests"] == 1, "the access token of the renewal was not cached")


def case_rotating_skips_profiles_without_refresh_token(fx):
    mdr, first = start_mdr(fx, "a", "--first-refresh-lifetime", "3600")
    fx.write_config(mdr_profile(fx, "mdr", mdr) + """[profile "xdr"]
    preset    = cisco-xdr
    client-id = client-123
""")
    store(fx, "mdr", "refresh-token", first)
    store(fx, "xdr", "client-secret", "xdr-secret")
    p = fx.run("refresh", "--rotating", check_rc=0)
    said = lines_of(p.stdout)
    check(list(said) == ["mdr"] and said["mdr"].startswith("refreshed: "), f"unexpected output {p.stdout!r}")
    check(p.stderr == "", f"unexpected stderr {p.stderr!r}")
    p = fx.run("refresh", "xdr", check_rc=2)
    check(p.stderr.startswith("tokex: xdr: preset cisco-xdr spends no refresh token: ") and p.stdout == "",
          f"unexpected error {p.stderr!r}")
    p = fx.run("refresh", "--rotating", "mdr", check_rc=2)
    check("not both" in p.stderr, p.stderr)
    check(stats(fx, mdr)["token_requests"] == 1, "unexpected exchanges")


def case_a_broken_profile_does_not_stop_the_others(fx):
    gone, gone_first = start_mdr(fx, "gone", "--first-refresh-expired")
    mdr, first = start_mdr(fx, "a", "--first-refresh-lifetime", "3600")
    o2, _ = start_o2(fx, "o2")
    fx.write_config(mdr_profile(fx, "gone", gone) + o2_profile(fx, "missing", o2) + mdr_profile(fx, "mdr", mdr))
    store(fx, "gone", "refresh-token", gone_first)
    store(fx, "mdr", "refresh-token", first)
    store(fx, "missing", "client-secret", O2_SECRET)
    p = fx.run("refresh", check_rc=4)
    check(lines_of(p.stdout).keys() == {"mdr"} and "refreshed: " in p.stdout, f"unexpected output {p.stdout!r}")
    err = p.stderr.splitlines()
    check(len(err) == 3, f"unexpected stderr {p.stderr!r}")
    check(err[0].startswith("tokex: gone: the stored refresh-token expired at ") and
          "tokex secret set gone refresh-token" in err[0], err[0])
    check(err[1].startswith("tokex: missing: ") and "tokex secret set missing refresh-token" in err[1], err[1])
    check(err[2] == "tokex: 2 profiles failed: see above", err[2])
    check(stats(fx, gone)["token_requests"] == 0, "an expired refresh token was sent")
    check(stats(fx, mdr)["rotations"] == 1, "the good profile was not refreshed")
    check_quiet(p, gone_first, first, stored("mdr"))
    # The exit code is the first failure's, in the order asked for.
    p = fx.run("refresh", "missing", "gone", check_rc=3)
    check(p.stderr.splitlines()[0].startswith("tokex: missing: "), p.stderr)


def case_status_warns_two_days_ahead(fx):
    mdr, first = start_mdr(fx, "a", "--first-refresh-lifetime", str(40 * 3600))
    o2, o2_first = start_o2(fx, "o2")
    fx.write_config(mdr_profile(fx, "mdr", mdr) + o2_profile(fx, "o2", o2, "    refresh-token-ttl = 100000\n"))
    store(fx, "mdr", "refresh-token", first)
    store(fx, "o2", "client-secret", O2_SECRET)
    store(fx, "o2", "refresh-token", o2_first)
    p = fx.run("status", check_rc=0)
    warned = [l for l in p.stdout.splitlines() if "refresh-token: stored" in l and "warning: within 48 h" in l]
    check(len(warned) == 2, f"not both warned of: {p.stdout!r}")
    check(any("from refresh-token-ttl" in l and re.search(r"stored \d+s ago", l) for l in warned), p.stdout)
    check_quiet(p, first, o2_first)
    # The rotated MDR token lives 30 days; o2's whole life is under 48 h.
    fx.run("refresh", check_rc=0)
    p = fx.run("status", "mdr", check_rc=0)
    line = next((l for l in p.stdout.splitlines() if "refresh-token:" in l), "")
    check("stored, expires in" in line and "warning" not in line, f"a warning after refresh: {p.stdout!r}")


def parse_unit(path):
    """The unit file as configparser reads it, strictly: no key twice, no
    section twice, every line a key=value or a section."""
    cp = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";"))
    cp.optionxform = str
    cp.read_string(path.read_text(), source=str(path))
    return cp


def case_systemd_units(fx):
    service = fx.build / "systemd" / "tokex-refresh.service"
    timer = SOURCE / "systemd" / "tokex-refresh.timer"
    s, t = parse_unit(service), parse_unit(timer)
    check(s.sections() == ["Unit", "Service"], f"service sections {s.sections()}")
    check(s["Service"]["Type"] == "oneshot", "the service is not oneshot")
    command = s["Service"]["ExecStart"].split(" ")
    check(os.path.isabs(command[0]) and command[0].endswith("/bin/tokex") and command[1:] == ["refresh", "--rotating"],
          f"ExecStart {command}")
    check(t.sections() == ["Unit", "Timer", "Install"], f"timer sections {t.sections()}")
    check(t["Timer"]["OnCalendar"] == "daily" and t["Timer"]["Persistent"] == "true", "the timer is not daily")
    check(re.fullmatch(r"\d+h", t["Timer"]["RandomizedDelaySec"]), "no randomized delay in hours")
    check(t["Install"]["WantedBy"] == "timers.target", "the timer is not wanted by timers.target")
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the strict parse above is the check on a machine without systemd
    # systemd's own reading, with ExecStart pointing at the built tokex so
    # that verify also finds the executable.
    units = fx.dir / "units"
    units.mkdir()
    (units / service.name).write_text(service.read_text().replace(command[0], fx.tokex))
    shutil.copy(timer, units / timer.name)
    p = subprocess.run([analyze, "verify", "--man=no", service.name, timer.name], cwd=units, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0 and p.stderr.strip() == "", f"systemd-analyze verify: {p.returncode} {p.stderr}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
