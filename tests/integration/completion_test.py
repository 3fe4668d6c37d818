"""The shell completions in completions/: the bash function driven as bash
drives it (COMP_WORDS split at COMP_WORDBREAKS, COMP_CWORD, COMP_LINE,
COMP_POINT) and as a person does (TAB in an interactive bash on a pty); the
zsh function with zsh's completion builtins standing in; fish's for real
(complete -C). The names come from the built tokex (tokex __complete) and
the config the completed line would read."""

import os
import pathlib
import re
import select
import shlex
import subprocess
import time

from harness import Failure, check, main

SOURCE = pathlib.Path(__file__).resolve().parent.parent.parent
COMPLETIONS = SOURCE / "completions"

CONFIG = """\
[profile "xdr"]
    preset = cisco-xdr
    client-id = c
[profile "xdr-eu"]
    preset = cisco-xdr
    region = eu
    client-id = c
[profile "az"]
    preset = azure-ad
    tenant = t
    client-id = c
[profile "api"]
    preset = oauth2
    token-url = https://127.0.0.1:9/token
    client-id = c
"""

OTHER = """\
[profile "elsewhere"]
    preset = cylance
    tenant = t
    client-id = c
"""


# --- helpers ---------------------------------------------------------------

def bash_words(line):
    """COMP_WORDS as bash makes them from `line`: words split at blanks, and
    at "=" and ":" (in the default COMP_WORDBREAKS), which become words of
    their own; an empty word when the line ends with a blank."""
    words = []
    for w in re.findall(r"""(?:[^\s'"]|'[^']*'|"[^"]*")+""", line):
        words += [p for p in re.split(r"([=:])", w) if p]
    if line == "" or line[-1] == " ":
        words.append("")
    return words


def run_bash(fx, line, prog=None, env=None, setup=""):
    """Completes `line` ("tokex ..." with the cursor at its end) with _tokex
    called as bash calls it; returns (COMPREPLY, stderr)."""
    words = bash_words(line)
    words[0] = prog or fx.tokex
    full_line = " ".join([words[0], line.split(" ", 1)[1]]) if " " in line else words[0]
    script = "\n".join([
        f"source {shlex.quote(str(COMPLETIONS / 'tokex.bash'))}",
        setup,
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})",
        f"COMP_CWORD={len(words) - 1}",
        f"COMP_LINE={shlex.quote(full_line)}",
        f"COMP_POINT={len(full_line)}",
        "_tokex tokex",
        'printf "%s\\n" "${COMPREPLY[@]}"',
    ])
    p = run(fx, ["bash", "--norc", "--noprofile", "-c", script], env)
    if p.returncode != 0:
        raise Failure(f"bash failed on {line!r}: {p.returncode} {p.stderr!r}")
    return [w for w in p.stdout.split("\n") if w], p.stderr


def complete(fx, line, **kw):
    """COMPREPLY for `line`; bash must write nothing on stderr."""
    reply, err = run_bash(fx, line, **kw)
    check(err == "", f"{line!r}: stderr {err!r}")
    return reply


def expect(fx, line, want, **kw):
    got = complete(fx, line, **kw)
    check(sorted(got) == sorted(want), f"{line!r}: got {got}, expected {want}")


def run(fx, argv, env=None, stdin=None):
    full = dict(fx.env)
    full.update(env or {})
    full = {k: v for k, v in full.items() if v is not None}
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=full, timeout=60)


def help_commands(fx):
    """The commands tokex help lists."""
    text = fx.run("help", check_rc=0).stdout
    body = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in body.splitlines()]


def with_config(fx):
    fx.write_config(CONFIG)
    fx.config.chmod(0o600)


def other_config(fx):
    path = fx.dir / "other config"
    path.write_text(OTHER)
    path.chmod(0o600)
    return path


# --- bash: commands and options ------------------------------------------

def case_bash_commands_from_the_table(fx):
    commands = help_commands(fx)
    check("token" in commands and "secret" in commands, f"tokex help lists {commands}")
    expect(fx, "tokex ", commands)
    expect(fx, "tokex t", [c for c in commands if c.startswith("t")])
    expect(fx, "tokex sec", ["secret"])
    expect(fx, "tokex -v --no-cache st", ["status"])
    expect(fx, "tokex __c", [])
    # By name, as found on PATH, too.
    path = f"{fx.build / 'helpers'}:{os.environ['PATH']}"
    expect(fx, "tokex he", ["header", "help"], prog="tokex", env={"PATH": path})


def case_bash_options(fx):
    with_config(fx)
    opts = complete(fx, "tokex -")
    for o in ("--config", "--no-cache", "--min-ttl", "-v", "--help", "--version"):
        check(o in opts, f"{o} not offered: {opts}")
    check("--device" not in opts, f"a command's flag offered before the command: {opts}")
    expect(fx, "tokex --no", ["--no-cache"])
    expect(fx, "tokex login --d", ["--device"])
    expect(fx, "tokex token xdr --c", ["--config"])
    expect(fx, "tokex token --min-ttl ", [])
    expect(fx, "tokex secret ", ["set", "rm"])
    expect(fx, "tokex secret r", ["rm"])


def case_bash_env_flags(fx):
    with_config(fx)
    expect(fx, "tokex env --", ["--github", "--gitlab", "--config", "--no-cache", "--min-ttl", "--verbose",
                                "--help", "--version"])
    expect(fx, "tokex env --gi", ["--github", "--gitlab"])
    expect(fx, "tokex env --github x", ["xdr", "xdr-eu"])
    expect(fx, "tokex env xdr --gitl", ["--gitlab"])


# --- bash: names from the config -----------------------------------------

def case_bash_profiles_from_tokex_config(fx):
    with_config(fx)
    expect(fx, "tokex token ", ["xdr", "xdr-eu", "az", "api"])
    expect(fx, "tokex curl x", ["xdr", "xdr-eu"])
    expect(fx, "tokex login --device a", ["az", "api"])
    expect(fx, "tokex status ", ["xdr", "xdr-eu", "az", "api"])
    expect(fx, "tokex token xdr ", [])


def case_bash_profiles_from_xdg_config_home(fx):
    home = fx.dir / "xdg"
    (home / "tokex").mkdir(parents=True)
    (home / "tokex" / "config").write_text(OTHER)
    (home / "tokex" / "config").chmod(0o600)
    expect(fx, "tokex token ", ["elsewhere"], env={"TOKEX_CONFIG": None, "XDG_CONFIG_HOME": str(home)})


def case_bash_profiles_from_config_on_the_line(fx):
    with_config(fx)
    other = shlex.quote(str(other_config(fx)))
    expect(fx, f"tokex --config {other} token ", ["elsewhere"])
    # bash splits "--config=FILE" at "=": the words are joined again.
    expect(fx, f"tokex --config={other} json e", ["elsewhere"])
    expect(fx, f"tokex token --config {other} ", ["elsewhere"])
    expect(fx, f"tokex --config {other} secret set elsewhere ", ["app-secret"])


def case_bash_secret_names_per_preset(fx):
    with_config(fx)
    expect(fx, "tokex secret set ", ["xdr", "xdr-eu", "az", "api"])
    expect(fx, "tokex secret set xdr ", ["client-secret"])
    expect(fx, "tokex secret rm az ", ["refresh-token", "client-secret", "private-key", "password"])
    expect(fx, "tokex secret rm az p", ["private-key", "password"])
    expect(fx, "tokex secret set api ", ["client-secret", "refresh-token", "private-key"])
    expect(fx, "tokex secret set nosuch ", [])
    expect(fx, "tokex secret set xdr client-secret ", [])


def case_bash_config_file_names(fx):
    with_config(fx)
    (fx.dir / "confs").mkdir()
    for name in ("one.conf", "two.conf"):
        (fx.dir / "confs" / name).write_text("")
    base = fx.dir / "confs"
    expect(fx, f"tokex --config {base}/o", [f"{base}/one.conf"])
    expect(fx, f"tokex token --config {base}/", [f"{base}/one.conf", f"{base}/two.conf"])
    # "--config=FILE": bash replaces only what follows "=".
    expect(fx, f"tokex --config={base}/t", [f"{base}/two.conf"])
    os.chdir(base)
    expect(fx, "tokex --config=", ["one.conf", "two.conf"])


# --- bash: tokex exec PROFILE -- CMD ---------------------------------------

def case_bash_exec_completes_a_command(fx):
    with_config(fx)
    expect(fx, "tokex exec ", ["xdr", "xdr-eu", "az", "api"])
    expect(fx, "tokex exec xdr ", ["--"])
    check("echo" in complete(fx, "tokex exec xdr -- ech"), "exec's CMD does not complete as a command")
    check("--" not in complete(fx, "tokex exec xdr -- -"), "tokex's options offered after --")
    # The command's own completion, given the line from CMD on.
    fake = ('_fake() { COMPREPLY=("w=${COMP_WORDS[*]}" "c=$COMP_CWORD" "l=$COMP_LINE" "p=$COMP_POINT" '
            '"a=$1,$2,$3"); }; complete -F _fake fakecmd')
    got = complete(fx, "tokex -v exec xdr -- fakecmd --opt va", setup=fake)
    want = ["w=fakecmd --opt va", "c=2", "l=fakecmd --opt va", "p=16", "a=fakecmd,va,--opt"]
    check(got == want, f"fakecmd's completion got {got}, expected {want}")
    # A command without a completion of its own: bash's default (files).
    complete(fx, "tokex exec xdr -- nocompletion ")


# --- bash: silence --------------------------------------------------------

def case_bash_broken_config_is_silent(fx):
    for text, mode in (("[profile \"x\"\n", 0o600), (CONFIG, 0o666)):
        fx.write_config(text)
        fx.config.chmod(mode)
        for line in ("tokex token ", "tokex secret set xdr ", "tokex exec "):
            expect(fx, line, [])
        expect(fx, "tokex tok", ["token"])
    fx.config.unlink()
    expect(fx, "tokex token ", [])
    expect(fx, "tokex --config /nonexistent/dir/config token ", [])
    expect(fx, "tokex --config= token ", [])
    expect(fx, "tokex match https://example.com:8443/x", [])
    expect(fx, "tokex nosuchcommand ", [])
    # tokex itself missing or failing: still no noise.
    expect(fx, "tokex tok", [], prog=str(fx.dir / "no-tokex"))
    expect(fx, "tokex tok", [], prog="false")


def case_bash_helpers_operations(fx):
    script = (f"source {shlex.quote(str(COMPLETIONS / 'tokex.bash'))}\n"
              "complete -p git-credential-tokex docker-credential-tokex")
    p = run(fx, ["bash", "--norc", "--noprofile", "-c", script])
    check(p.returncode == 0, f"{p.stderr!r}")
    check("get store erase' git-credential-tokex" in p.stdout, p.stdout)
    check("get store erase list version' docker-credential-tokex" in p.stdout, p.stdout)


def case_bash_interactive_tab(fx):
    """A real bash on a pty: what TAB writes on the command line."""
    with_config(fx)
    (fx.dir / "my.conf").write_text(OTHER)
    (fx.dir / "my.conf").chmod(0o600)
    env = {**fx.env, "PATH": f"{fx.build / 'helpers'}:{os.environ['PATH']}", "PS1": "$ ", "HOME": str(fx.dir)}
    typed = {
        "tokex secret rm ap": "tokex secret rm api ",
        "tokex secret set az cl": "tokex secret set az client-secret ",
        f"tokex --config={fx.dir}/my.c": f"tokex --config={fx.dir}/my.conf ",
        f"tokex --config={fx.dir}/my.conf curl e": f"tokex --config={fx.dir}/my.conf curl elsewhere ",
        "tokex exec az ": "tokex exec az -- ",
        "tokex exec az -- ech": "tokex exec az -- echo ",
    }
    setup = f"source {shlex.quote(str(COMPLETIONS / 'tokex.bash'))}"
    for keys, want in typed.items():
        line = interactive_line(env, setup, keys)
        check(line == want, f"typed {keys!r} then TAB: the line is {line!r}, expected {want!r}")


def case_bash_interactive_with_bash_completion(fx):
    """With the bash-completion package: the script loads by itself from a
    completions directory, by the name it is installed under, and exec's CMD
    gets its own completion (git's) through _command_offset."""
    with_config(fx)
    user_dir = fx.dir / "bash-completion"
    (user_dir / "completions").mkdir(parents=True)
    (user_dir / "completions" / "tokex").write_text((COMPLETIONS / "tokex.bash").read_text())
    env = {**fx.env, "PATH": f"{fx.build / 'helpers'}:{os.environ['PATH']}", "PS1": "$ ", "HOME": str(fx.dir),
           "BASH_COMPLETION_USER_DIR": str(user_dir)}
    setup = "source /usr/share/bash-completion/bash_completion"
    typed = {
        "tokex secret set az cl": "tokex secret set az client-secret ",
        "tokex exec az -- git chec": "tokex exec az -- git checkout ",
    }
    for keys, want in typed.items():
        line = interactive_line(env, setup, keys)
        check(line == want, f"typed {keys!r} then TAB: the line is {line!r}, expected {want!r}")


def interactive_line(env, setup, keys):
    """The command line after typing `keys` and TAB in an interactive bash
    that ran `setup`; read back by having bash print it. Keys typed ahead
    wait for the completion, as a person's would, so nothing sleeps: each
    read waits for what it expects, 20 s at most."""
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], env)
    seen = b""

    def read_until(pattern):
        nonlocal seen
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            m = re.search(pattern, seen)
            if m:
                seen = seen[m.end():]
                return m
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        return None

    try:
        os.write(fd, f"{setup}; bind 'set bell-style none'; echo READY-$((6*7))\n".encode())
        if read_until(rb"READY-42") is None:
            return f"(bash did not start: {seen!r})"
        # The keys and TAB, then what makes bash print the line it holds
        # instead of running it: a closing quote, C-a, printf and an
        # opening quote before it.
        os.write(fd, keys.encode() + b"\t'\x01printf 'LINE<%s>\\n' '\n")
        m = read_until(rb"LINE<([^\r\n]*)>\r?\n")
        return m.group(1).decode() if m else f"(nothing read: {seen!r})"
    finally:
        os.write(fd, b"\x15exit\n")  # C-u: an empty line first
        deadline = time.monotonic() + 5
        reaped = False
        while not reaped and time.monotonic() < deadline:
            reaped = os.waitpid(pid, os.WNOHANG) != (0, 0)
            # bash leaving waits for its output to be read (it drains the tty).
            if select.select([fd], [], [], 0.05)[0]:
                try:
                    os.read(fd, 4096)
                except OSError:
                    pass
        if not reaped:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)


# --- zsh and fish ---------------------------------------------------------

ZSH_STUBS = r"""
compdef() { print -r -- "compdef $*" }
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }
compset() { print -r -- "compset $*" }
_files() { print -r -- "_files" }
_normal() { print -r -- "_normal ${words[*]} $CURRENT" }
"""


def run_zsh(fx, words, service="tokex"):
    """_tokex called with zsh's completion variables set and its builtins
    replaced by functions that print what they were given."""
    script = "\n".join([
        ZSH_STUBS,
        f"source {shlex.quote(str(COMPLETIONS / '_tokex'))}",
        f"service={service}",
        f"words=({' '.join(shlex.quote(w) for w in words)})",
        f"CURRENT={len(words)}",
        f"PREFIX={shlex.quote(words[-1])}",
        "_tokex",
    ])
    p = run(fx, ["zsh", "-f", "-c", script])
    check(p.stderr == "", f"zsh {words}: stderr {p.stderr!r}")
    return p.stdout.splitlines()[1:]  # after the compdef line


def case_zsh(fx):
    with_config(fx)
    p = run(fx, ["zsh", "-n", str(COMPLETIONS / "_tokex")])
    check(p.returncode == 0 and p.stderr == "", f"zsh -n: {p.stderr}")
    first = (COMPLETIONS / "_tokex").read_text().splitlines()[0]
    check(first == "#compdef tokex git-credential-tokex docker-credential-tokex", first)
    t = fx.tokex
    check(run_zsh(fx, [t, ""]) == help_commands(fx), "zsh: the commands")
    check(run_zsh(fx, [t, "secret", "set", "az", "p"]) == ["private-key", "password"], "zsh: secret names")
    check(run_zsh(fx, [t, "env", "--g"]) == ["--github", "--gitlab"], "zsh: env's flags")
    check(run_zsh(fx, [t, "--config", shlex.quote(str(other_config(fx))), "token", ""]) == ["elsewhere"],
          "zsh: profiles of --config")
    got = run_zsh(fx, [t, "--config=/x"])
    check(got == ["compset -P --config=", "_files"], f"zsh: --config= got {got}")
    got = run_zsh(fx, [t, "exec", "xdr", "--", "git", "chec"])
    check(got == ["_normal git chec 2"], f"zsh: exec's CMD got {got}")
    check(run_zsh(fx, [t, "token", ""], service="tokex") != [], "zsh: profiles")
    fx.config.chmod(0o666)
    check(run_zsh(fx, [t, "token", ""]) == [], "zsh: a refused config gives nothing")
    got = run_zsh(fx, ["docker-credential-tokex", ""], service="docker-credential-tokex")
    check(got == ["get", "store", "erase", "list", "version"], f"zsh: docker helper got {got}")


def run_fish(fx, line, env=None):
    """complete -C LINE in a fish with the completion sourced; fish's own
    completions (git's) load as usual, a person's fish config does not."""
    script = f"source {shlex.quote(str(COMPLETIONS / 'tokex.fish'))}; complete -C {shlex.quote(line)}"
    path = f"{fx.build / 'helpers'}:{os.environ['PATH']}"
    fish_env = {"PATH": path, "HOME": str(fx.dir), "XDG_CONFIG_HOME": str(fx.dir / "fish-config"),
                "XDG_DATA_HOME": str(fx.dir / "fish-data")}
    p = run(fx, ["fish", "-c", script], {**fish_env, **(env or {})})
    check(p.returncode == 0 and p.stderr == "", f"fish {line!r}: {p.returncode} {p.stderr!r}")
    return [w.split("\t")[0] for w in p.stdout.splitlines()]


def case_fish(fx):
    with_config(fx)
    p = run(fx, ["fish", "--no-execute", str(COMPLETIONS / "tokex.fish")])
    check(p.returncode == 0 and p.stderr == "", f"fish -n: {p.stderr}")
    check(sorted(run_fish(fx, "tokex ")) == sorted(help_commands(fx)), "fish: the commands")
    check(run_fish(fx, "tokex secret ") == ["rm", "set"], "fish: secret's actions")
    check(run_fish(fx, "tokex secret rm az p") == ["password", "private-key"], "fish: secret names")
    check(run_fish(fx, "tokex env --gi") == ["--github", "--gitlab"], "fish: env's flags")
    other = other_config(fx)
    check(run_fish(fx, f"tokex --config={shlex.quote(str(other))} token ") == ["elsewhere"],
          "fish: profiles of --config=")
    got = run_fish(fx, f"tokex --config {fx.dir}/oth")
    check(got == [str(other)], f"fish: --config's file got {got}")
    check("echo" in run_fish(fx, "tokex exec xdr -- ech"), "fish: exec's CMD")
    check("checkout" in run_fish(fx, "tokex exec xdr -- git chec"), "fish: exec's CMD's arguments")
    check(run_fish(fx, "tokex token ", env={"TOKEX_CONFIG": "/nonexistent"}) == [], "fish: no config, nothing")
    check(run_fish(fx, "git-credential-tokex ") == ["erase", "get", "store"], "fish: git helper")


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}

if __name__ == "__main__":
    main(CASES)
