"""Cache-hit cost of `tokex token` against a do-nothing C++ binary.

Starts the Cisco XDR emulator, primes the cache with one real exchange
(secret from the env store, so no keyring is needed), then has hitbench
run the baseline and `tokex token` alternately and print the medians, the
time ratio (budget 1.5) and the peak-RSS difference (budget 1 MiB).
Exit status is 0 when the measurement ran, whatever the numbers.
"""

import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "integration"))

from harness import Fixture  # noqa: E402

RUNS = int(os.environ.get("TOKEX_BENCH_RUNS", "400"))


def main():
    fx = Fixture()
    try:
        (fx.dir / "s").write_text("bench-secret")
        xdr = fx.start("cisco_xdr", "--client-id", "bench", "--client-secret-file", str(fx.dir / "s"),
                       "--expires-in", "3600")
        fx.write_config(f'[profile "b"]\n  preset = cisco-xdr\n  client-id = bench\n  store = env\n'
                        f'  base-url = {xdr.base_url}\n  ca-file = {fx.pki["ca"]}\n')
        fx.env["TOKEX_B_CLIENT_SECRET"] = "bench-secret"
        fx.run("token", "b", check_rc=0)  # prime the cache
        os.environ.clear()
        os.environ.update(fx.env)
        os.environ.pop("TOKEX_B_CLIENT_SECRET")  # a hit must not need it
        bench = fx.build / "bench"
        out = subprocess.run([str(bench / "hitbench"), str(RUNS), "--", str(bench / "noop"), "--",
                              fx.tokex, "token", "b"], capture_output=True, text=True)
        print(out.stdout, end="")
        print(out.stderr, end="", file=sys.stderr)
        stats = fx.get_json(xdr.base_url + "/_emulator/stats")
        print(f"exchanges during the run: {stats['token_requests'] - 1}")
        return out.returncode
    finally:
        fx.close()


if __name__ == "__main__":
    sys.exit(main())
