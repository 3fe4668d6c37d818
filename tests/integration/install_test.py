"""An installed tokex: `meson install --destdir` into the test's directory,
then the installed executables, run from there, find their engine relative
to themselves, and man finds the pages where they were installed."""

import json
import os
import pathlib
import re
import shutil
import subprocess

from harness import Failure, check, main
from xdr_fixture import SECRET, start_xdr

SOURCE = pathlib.Path(__file__).resolve().parents[2]

# What every install holds, relative to the prefix: one line each. (Parts of
# tokex that install more files add theirs here.)
REQUIRED = [
    "bin/tokex",
    "bin/git-credential-tokex",
    "bin/docker-credential-tokex",
    "libexec/tokex/tokex-engine",
    "share/man/man1/tokex.1",
    "share/man/man5/tokex.conf.5",
    "share/man/man1/git-credential-tokex.1",
    "share/man/man1/docker-credential-tokex.1",
    "share/bash-completion/completions/tokex",
    "share/fish/vendor_completions.d/tokex.fish",
    "lib/systemd/user/tokex-refresh.service",
    "lib/systemd/user/tokex-refresh.timer",
]

# Where the programs that read installed files look for them, relative to
# the prefix (Debian's /usr; zsh reads site-functions under /usr/local): a
# file whose name matches must be in one of these directories. Each kind is
# checked as soon as something of that kind is installed.
LOOKED_UP = [
    (r"\.1$", ["share/man/man1"]),                                       # man
    (r"\.5$", ["share/man/man5"]),
    (r"(^|/)bash-completion/|\.bash$", ["share/bash-completion/completions"]),  # bash-completion
    (r"(^|/)_tokex$", ["share/zsh/site-functions", "share/zsh/vendor-completions"]),  # zsh's fpath
    (r"\.fish$", ["share/fish/vendor_completions.d"]),                   # fish
    (r"\.(service|timer)$", ["lib/systemd/user", "share/systemd/user"]),  # systemd --user
]

MAN_PAGES = [("1", "tokex"), ("5", "tokex.conf"), ("1", "git-credential-tokex"), ("1", "docker-credential-tokex")]


def meson_info(fx, name):
    return json.loads((fx.build / "meson-info" / f"intro-{name}.json").read_text())


def prefix(fx):
    for option in meson_info(fx, "buildoptions"):
        if option["name"] == "prefix":
            return option["value"]
    raise Failure("no prefix in the build's options")


def install(fx):
    """Installs the build into fx.dir/destdir; returns the prefix there."""
    destdir = fx.dir / "destdir"
    p = subprocess.run(["meson", "install", "--no-rebuild", "--quiet", "--destdir", str(destdir),
                        "-C", str(fx.build)], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"meson install failed: {p.stdout}{p.stderr}")
    return destdir / prefix(fx).lstrip("/")


def run(fx, exe, *args, stdin=None, check_rc=None):
    p = subprocess.run([str(exe)] + list(args), input=stdin, capture_output=True, text=True, env=fx.env,
                       timeout=60)
    if check_rc is not None and p.returncode != check_rc:
        raise Failure(f"{exe} {' '.join(args)}: exit {p.returncode}, expected {check_rc}\n"
                      f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def case_files_land_where_they_are_looked_up(fx):
    root = install(fx)
    for path in REQUIRED:
        check((root / path).is_file(), f"{path} was not installed")
    for exe in ["bin/tokex", "bin/git-credential-tokex", "bin/docker-credential-tokex", "libexec/tokex/tokex-engine"]:
        check(os.access(root / exe, os.X_OK), f"{exe} is not executable")
    pfx = prefix(fx)
    planned = sorted(meson_info(fx, "installed").values())
    for path in planned:
        check((fx.dir / "destdir" / path.lstrip("/")).exists(), f"meson planned {path} but did not install it")
        relative = os.path.relpath(path, pfx)
        for pattern, dirs in LOOKED_UP:
            if re.search(pattern, relative):
                check(os.path.dirname(relative) in dirs, f"{relative} is not where its readers look: {dirs}")
    for rel in REQUIRED:
        check(pfx + "/" + rel in planned, f"{rel} is installed but not in meson's install plan")


def case_installed_tokex_exchanges_and_hits(fx):
    root = install(fx)
    tokex = root / "bin" / "tokex"
    version = run(fx, tokex, "version", check_rc=0).stdout
    check(version == f"tokex {meson_info(fx, 'projectinfo')['version']}\n", f"installed version: {version!r}")
    xdr = start_xdr(fx)
    # Both need the engine: storing the secret and the first exchange.
    run(fx, tokex, "secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    token = run(fx, tokex, "token", "xdr", check_rc=0).stdout
    check(token.startswith("xdr-"), f"unexpected token {token!r}")
    check(run(fx, tokex, "token", "xdr", check_rc=0).stdout == token, "the second call made another token")
    stats = fx.get_json(xdr.base_url + "/_emulator/stats")
    check(stats["token_requests"] == 1, f"expected one exchange, emulator saw {stats}")
    status = run(fx, tokex, "status", "xdr", check_rc=0)
    check("xdr" in status.stdout, f"status: {status.stdout!r}")


def case_relocated_install_uses_its_own_engine(fx):
    root = install(fx)
    # The whole install moved elsewhere still works: the engine is found
    # from the front's own location, not from the configured prefix.
    moved = fx.dir / "elsewhere" / "opt"
    moved.parent.mkdir()
    shutil.move(str(root), str(moved))
    start_xdr(fx)
    run(fx, moved / "bin" / "tokex", "secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    run(fx, moved / "bin" / "tokex", "--no-cache", "token", "xdr", check_rc=0)
    # Without its engine, the front names the one it looked for and runs
    # no other (not the build tree's, not one found on PATH).
    engine = moved / "libexec" / "tokex" / "tokex-engine"
    engine.unlink()
    fx.env["PATH"] = str(fx.build / "helpers") + os.pathsep + fx.env.get("PATH", "")
    p = run(fx, moved / "bin" / "tokex", "--no-cache", "token", "xdr")
    check(p.returncode == 1 and str(engine) in p.stderr and p.stdout == "",
          f"without its engine: exit {p.returncode}, {p.stderr!r}")
    check(p.stderr.count("\n") == 1, f"not one line: {p.stderr!r}")


def case_installed_helpers_reach_the_engine(fx):
    root = install(fx)
    xdr = start_xdr(fx)
    fx.write_config(fx.config.read_text() + f"    match     = {xdr.base_url}/\n")
    run(fx, root / "bin" / "tokex", "secret", "set", "xdr", "client-secret", stdin=SECRET + "\n", check_rc=0)
    docker = root / "bin" / "docker-credential-tokex"
    check(run(fx, docker, "version", check_rc=0).stdout.strip().endswith(meson_info(fx, "projectinfo")["version"]),
          "docker-credential-tokex version")
    git = run(fx, root / "bin" / "git-credential-tokex", "get",
              stdin=f"protocol=https\nhost=127.0.0.1:{xdr.port}\n\n", check_rc=0).stdout
    check(re.search(r"^password=xdr-", git, re.M), f"git helper answered {git!r}")
    got = json.loads(run(fx, docker, "get", stdin=f"https://127.0.0.1:{xdr.port}", check_rc=0).stdout)
    check(got["Secret"].startswith("xdr-"), f"docker helper answered {got}")
    usage = run(fx, root / "bin" / "git-credential-tokex")
    check(usage.returncode != 0 and "usage" in usage.stderr.lower(), f"git helper without action: {usage}")


def case_man_finds_the_installed_pages(fx):
    root = install(fx)
    fx.env["MANPATH"] = str(root / "share" / "man")
    for section, page in MAN_PAGES:
        p = run(fx, "man", "-w", section, page, check_rc=0)
        check(p.stdout.strip() == str(root / "share" / "man" / f"man{section}" / f"{page}.{section}"),
              f"man -w {section} {page}: {p.stdout!r}")
        # The page renders without groff's complaints.
        r = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", p.stdout.strip()], capture_output=True,
                           text=True, env=dict(fx.env, MANWIDTH="80"), timeout=60)
        check(r.returncode == 0 and r.stderr == "", f"{page}({section}) renders with: {r.stderr}")


def case_versions_agree(fx):
    """meson.build, debian/changelog, the HTTPie plugin and the built tokex
    give one version."""
    version = meson_info(fx, "projectinfo")["version"]
    first = (SOURCE / "debian" / "changelog").read_text().splitlines()[0]
    m = re.match(r"tokex \(([^)]+)\) ", first)
    check(m is not None, f"debian/changelog starts with {first!r}")
    check(m.group(1) == version, f"debian/changelog has {m.group(1)}, meson.build {version}: bump both")
    pyproject = (SOURCE / "helpers" / "httpie-tokex" / "pyproject.toml").read_text()
    m = re.search(r'^version = "([^"]+)"$', pyproject, re.M)
    check(m is not None and m.group(1) == version, f"helpers/httpie-tokex/pyproject.toml: {m and m.group(1)}")
    out = fx.run("version", check_rc=0).stdout
    check(out == f"tokex {version}\n", f"tokex version printed {out!r}")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
