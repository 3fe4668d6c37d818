"""tokex against peer credential helpers, in one throwaway keyring session.

Run by `meson test -C build --benchmark` (the keyring test setup gives it a
private D-Bus session and gnome-keyring). One run measures, side by side:

- cache hits: `tokex token`, `git-credential-tokex get` and
  `docker-credential-tokex get` against a do-nothing C++ binary,
  `secret-tool lookup`, git's libsecret helper `get` (built from the source
  git ships in /usr/share/doc/git) and `docker-credential-secretservice get`,
  all run in turn by hitbench (medians, ratio to the do-nothing binary);
- a cache miss (`tokex token` with the cache file removed before each run,
  against the Cisco XDR emulator) against its irreducible parts, run in
  turn with it: curl making the same POST and `secret-tool lookup` of the
  same secret;
- 100 cold parallel callers of `tokex token`: wall time and exchanges;
- a fleet (`store = etcd`): 9 hosts, 3 per member of a three-member etcd
  cluster on loopback (tests/lib/etcd.py), each with its own directories,
  started at once after each of FLEET_ROUNDS forced expiries against the
  Kaspersky MDR emulator: exchanges per expiry, and p50/p99 of each host's
  wait (start to exit).

Prints a table. Exit status 1 when a tokex hit costs more than 1.5x the
do-nothing binary or a measurement could not run; a peer that is not
installed is reported as such and does not fail the run.
"""

import gzip
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "integration"))

from harness import Failure, Fixture  # noqa: E402
from xdr_fixture import CLIENT_ID, SECRET, start_xdr, stats  # noqa: E402

HIT_RUNS = int(os.environ.get("TOKEX_BENCH_RUNS", "400"))
MISS_RUNS = int(os.environ.get("TOKEX_BENCH_MISS_RUNS", "40"))
PARALLEL = 100
PARALLEL_ROUNDS = int(os.environ.get("TOKEX_BENCH_PARALLEL_ROUNDS", "3"))
FLEET_ROUNDS = int(os.environ.get("TOKEX_BENCH_FLEET_ROUNDS", "10"))
HIT_BUDGET = 1.5
MISS_BUDGET = 1.0  # times the sum of curl and secret-tool (reported, not enforced)

HOST = "bench.example.test"
GIT_LIBSECRET_SRC = pathlib.Path("/usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c")


def run(cmd, stdin="", env=None, check=True):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=60)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))}: exit {p.returncode}: {p.stdout} {p.stderr}")
    return p


def build_git_libsecret(fx):
    """git's libsecret helper, compiled as its Makefile does; None (and why)
    when its source or a compiler is missing."""
    src = GIT_LIBSECRET_SRC
    if not src.exists() and src.with_suffix(".c.gz").exists():
        src = fx.dir / "git-credential-libsecret.c"
        src.write_bytes(gzip.decompress(GIT_LIBSECRET_SRC.with_suffix(".c.gz").read_bytes()))
    if not src.exists():
        return None, f"no {GIT_LIBSECRET_SRC} (install git)"
    cc = shutil.which(os.environ.get("CC", "cc"))
    if cc is None:
        return None, "no C compiler"
    flags = run(["pkg-config", "--cflags", "--libs", "libsecret-1", "glib-2.0"]).stdout.split()
    out = fx.dir / "git-credential-libsecret"
    run([cc, "-O2", "-o", str(out), str(src)] + flags)
    return str(out), None


def peers(fx):
    """(label, argv, stdin text) of each peer, after storing what its get
    reads; or (label, None, why) for one that cannot run here."""
    rows = []
    secret_tool = shutil.which("secret-tool")
    if secret_tool:
        rows.append(("secret-tool lookup", [secret_tool, "lookup", "profile", "xdr", "name", "client-secret"], ""))
    else:
        rows.append(("secret-tool lookup", None, "not installed (libsecret-tools)"))
    git_helper, why = build_git_libsecret(fx)
    if git_helper:
        run([git_helper, "store"], f"protocol=https\nhost=git.{HOST}\nusername=robot\npassword=peer-secret\n",
            env=fx.env)
        got = run([git_helper, "get"], f"protocol=https\nhost=git.{HOST}\n", env=fx.env).stdout
        if "password=peer-secret" not in got:
            raise RuntimeError(f"git-credential-libsecret get: {got!r}")
        rows.append(("git-credential-libsecret get", [git_helper, "get"], f"protocol=https\nhost=git.{HOST}\n"))
    else:
        rows.append(("git-credential-libsecret get", None, why))
    docker_helper = shutil.which("docker-credential-secretservice")
    if docker_helper:
        server = f"https://registry.{HOST}"
        run([docker_helper, "store"], f'{{"ServerURL":"{server}","Username":"robot","Secret":"peer-secret"}}',
            env=fx.env)
        got = run([docker_helper, "get"], server, env=fx.env).stdout
        if "peer-secret" not in got:
            raise RuntimeError(f"docker-credential-secretservice get: {got!r}")
        rows.append(("docker-credential-secretservice get", [docker_helper, "get"], server))
    else:
        rows.append(("docker-credential-secretservice get", None, "not installed (golang-docker-credential-helpers)"))
    return rows


def hitbench(fx, runs, commands):
    """Runs `commands` [(argv, stdin text, path to remove before each run)]
    in turn; returns [(median_us, q1_us, q3_us, median_rss_kib, max_rss_kib)]."""
    args = [str(fx.build / "bench" / "hitbench"), str(runs)]
    for i, (argv, stdin, remove) in enumerate(commands):
        args.append("--")
        if stdin:
            path = fx.dir / f"stdin-{id(commands)}-{i}"
            path.write_text(stdin)
            args.append("<" + str(path))
        if remove:
            args.append("!" + str(remove))
        args += [str(a) for a in argv]
    out = run(args, env=fx.env).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    return [(float(r[1]), float(r[2]), float(r[3]), int(r[4]), int(r[5])) for r in rows]


def parallel_round(fx, cache_file):
    """PARALLEL callers of `tokex token xdr` started at once on an empty
    cache; returns (wall seconds, exchanges, distinct tokens printed)."""
    cache_file.unlink(missing_ok=True)
    xdr = fx.xdr
    before = stats(fx, xdr)["token_requests"]
    start = time.monotonic()
    procs = [subprocess.Popen([fx.tokex, "token", "xdr"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=fx.env) for _ in range(PARALLEL)]
    outs = [p.communicate(timeout=120) for p in procs]
    wall = time.monotonic() - start
    failed = [err for p, (_, err) in zip(procs, outs) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} of {PARALLEL} parallel callers failed, the first with {failed[0]!r}")
    return wall, stats(fx, xdr)["token_requests"] - before, len({o[0] for o in outs})


def percentile(values, p):
    """The nearest-rank p-th percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def fleet_line():
    """The fleet line: FLEET_ROUNDS forced expiries of 9 hosts on a
    three-member etcd cluster, in a fixture of its own."""
    if not os.access("/usr/bin/etcd", os.X_OK):
        return "fleet (store = etcd): not measured: /usr/bin/etcd is not installed (etcd-server)"
    from fleet_test import Fleet  # tests/integration, on the path
    fx = Fixture()
    try:
        fleet = Fleet(fx)
        exchanges, waits = [], []
        for n in range(FLEET_ROUNDS):
            results, before, after = fleet.round()
            fleet.check_round(n + 1, results, before, after, exchanges=after["rotations"] - before["rotations"])
            exchanges.append(after["rotations"] - before["rotations"])
            waits += [took for *_, took in results]
        fx.hygiene.report()
    finally:
        fx.close()
    return (f"fleet (store = etcd): {len(fleet.hosts)} concurrent hosts on a {len(fleet.etcd.members)}-member "
            f"cluster, {FLEET_ROUNDS} forced expiries: exchanges per expiry "
            f"{', '.join(map(str, exchanges))}; wait p50 {percentile(waits, 50) * 1000:.0f} ms, "
            f"p99 {percentile(waits, 99) * 1000:.0f} ms (max {max(waits) * 1000:.0f} ms)")


def fmt_ms(us):
    return f"{us / 1000:.2f}"


def main():
    fx = Fixture()
    failures = []
    try:
        xdr = start_xdr(fx, "--expires-in", "3600", extra=f"    match     = https://{HOST}/\n")
        fx.xdr = xdr
        fx.run("secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
        helpers = fx.build / "helpers"
        tokex = fx.tokex
        cache_file = fx.runtime / "tokex" / "xdr.json"

        # Prime the cache with one exchange; every hit after it must make none.
        token = fx.run("token", "xdr", check_rc=0).stdout.strip()
        git_req = f"protocol=https\nhost={HOST}\n"
        docker_req = f"https://{HOST}"
        if f"password={token}" not in run([str(helpers / "git-credential-tokex"), "get"], git_req, fx.env).stdout:
            raise RuntimeError("git-credential-tokex get did not answer the cached token")
        if token not in run([str(helpers / "docker-credential-tokex"), "get"], docker_req, fx.env).stdout:
            raise RuntimeError("docker-credential-tokex get did not answer the cached token")
        exchanges = stats(fx, xdr)["token_requests"]

        hit_rows = [
            ("do-nothing C++ binary", [fx.build / "bench" / "noop"], ""),
            ("tokex token", [tokex, "token", "xdr"], ""),
            ("git-credential-tokex get", [helpers / "git-credential-tokex", "get"], git_req),
            ("docker-credential-tokex get", [helpers / "docker-credential-tokex", "get"], docker_req),
        ]
        peer_rows = peers(fx)
        measured = hit_rows + [r for r in peer_rows if r[1] is not None]
        results = hitbench(fx, HIT_RUNS, [(argv, stdin, None) for _, argv, stdin in measured])
        hit_exchanges = stats(fx, xdr)["token_requests"] - exchanges
        if hit_exchanges:
            failures.append("a hit made an exchange")

        # Misses: tokex with its cache file removed before each run, in turn
        # with the parts nothing can avoid: the POST, and the secret's lookup.
        curl = shutil.which("curl")
        secret_tool = shutil.which("secret-tool")
        miss_cmds = [([tokex, "token", "xdr"], "", cache_file)]
        if curl and secret_tool:
            miss_cmds += [
                ([curl, "-q", "-sS", "--fail", "-o", "/dev/null", "--cacert", fx.pki["ca"],
                  "-u", f"{CLIENT_ID}:{SECRET}", "-H", "Accept: application/json",
                  "-d", "grant_type=client_credentials", xdr.base_url + "/iroh/oauth2/token"], "", None),
                ([secret_tool, "lookup", "profile", "xdr", "name", "client-secret"], "", None),
            ]
        before = stats(fx, xdr)["token_requests"]
        miss = hitbench(fx, MISS_RUNS, miss_cmds)
        miss_exchanges = stats(fx, xdr)["token_requests"] - before

        rounds = [parallel_round(fx, cache_file) for _ in range(PARALLEL_ROUNDS)]

        # The table.
        base = results[0][0]
        print(f"hits: {HIT_RUNS} runs each, in turn; misses: {MISS_RUNS} runs each, in turn; "
              f"{os.cpu_count()} CPUs")
        print()
        print("| cache hit | median ms | q1–q3 ms | × do-nothing | peak RSS KiB |")
        print("|---|---:|---:|---:|---:|")
        for (label, _, _), (med, q1, q3, rss, _) in zip(measured, results):
            print(f"| {label} | {fmt_ms(med)} | {fmt_ms(q1)}–{fmt_ms(q3)} | {med / base:.2f} | {rss} |")
            if label.split()[0].endswith("tokex") and med / base > HIT_BUDGET:
                failures.append(f"{label}: {med / base:.2f}× the do-nothing binary (budget {HIT_BUDGET})")
        for label, argv, why in peer_rows:
            if argv is None:
                print(f"| {label} | not measured: {why} | | | |")
        print()
        print("| cache miss | median ms | q1–q3 ms | peak RSS KiB |")
        print("|---|---:|---:|---:|")
        labels = ["tokex token (cache removed)", "curl, the same POST", "secret-tool lookup, the same secret"]
        for label, (med, q1, q3, rss, _) in zip(labels, miss):
            print(f"| {label} | {fmt_ms(med)} | {fmt_ms(q1)}–{fmt_ms(q3)} | {rss} |")
        if len(miss) == 3:
            parts = miss[1][0] + miss[2][0]
            print(f"| curl + secret-tool | {fmt_ms(parts)} | | |")
            print()
            print(f"miss ÷ (curl + secret-tool): {miss[0][0] / parts:.2f} (target ≤ {MISS_BUDGET:.2f})")
        else:
            print("miss parts not measured: curl or secret-tool is not installed")
        print(f"exchanges during the misses: {miss_exchanges} "
              f"({MISS_RUNS} by tokex{', ' + str(MISS_RUNS) + ' by curl' if len(miss) == 3 else ''})")
        print()
        walls = [r[0] for r in rounds]
        print(f"{PARALLEL} cold parallel callers, {PARALLEL_ROUNDS} rounds: wall median "
              f"{statistics.median(walls) * 1000:.0f} ms (rounds: {', '.join(f'{w * 1000:.0f}' for w in walls)}); "
              f"exchanges per round: {', '.join(str(r[1]) for r in rounds)}; "
              f"distinct tokens per round: {', '.join(str(r[2]) for r in rounds)}")
        print(f"peak RSS: hit {results[1][3]} KiB, {results[1][3] - results[0][3]:+d} KiB over the do-nothing "
              f"binary; miss {miss[0][3]} KiB (front and engine; largest run {miss[0][4]} KiB)")
        print(f"exchanges during the hits: {hit_exchanges}")
    except (RuntimeError, Failure) as e:
        failures.append(str(e))
    finally:
        fx.close()
    try:
        print()
        print(fleet_line())
    except (RuntimeError, Failure, OSError) as e:
        failures.append(f"fleet: {e}")
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
