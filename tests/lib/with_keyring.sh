#!/bin/sh
# with_keyring.sh CMD [ARGS...]: runs CMD in a private D-Bus session with a
# fresh, unlocked gnome-keyring providing the Secret Service, and exits with
# CMD's status.
#
# The keyring lives in a temporary XDG_DATA_HOME (and the daemon's sockets in
# a temporary XDG_RUNTIME_DIR), removed afterwards, so nothing touches the
# keyring of the person running the tests. TOKEX_TEST_KEEP_ENV=1 keeps the
# caller's XDG_DATA_HOME and XDG_RUNTIME_DIR instead.
#
# The daemon runs in the foreground as a child of the session's shell, which
# stops it and waits for it when CMD ends: a gnome-keyring-daemon started
# with --unlock forks into the background and, when the session ends before
# it has joined the bus, lives on for good.
set -eu
[ "$#" -gt 0 ] || { echo "usage: with_keyring.sh CMD [ARGS...]" >&2; exit 2; }

tmp=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  [ -z "$tmp" ] || rm -rf "$tmp" || :
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${TOKEX_TEST_KEEP_ENV:-}" != 1 ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/tokex-keyring-XXXXXX")
  chmod 700 "$tmp"
  mkdir -m 700 "$tmp/data" "$tmp/runtime"
  XDG_DATA_HOME=$tmp/data
  XDG_RUNTIME_DIR=$tmp/runtime
  export XDG_DATA_HOME XDG_RUNTIME_DIR
fi

# Inside the session: start the daemon, wait until it owns the Secret
# Service name (before that, a client would make the bus start a second,
# locked daemon), run CMD, stop the daemon. Exit 99 (a test setup error for
# meson) when the keyring does not come up.
# shellcheck disable=SC2016 # expanded by the inner shell
session='
gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null <<EOF &
test-password
EOF
daemon=$!
stop_daemon() {
  kill "$daemon" 2>/dev/null || :
  wait "$daemon" 2>/dev/null || :
}
trap stop_daemon EXIT
trap "exit 129" HUP
trap "exit 130" INT
trap "exit 143" TERM
tries=0
until dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
  if ! kill -0 "$daemon" 2>/dev/null || [ "$tries" -ge 200 ]; then
    echo "with_keyring.sh: gnome-keyring-daemon did not provide the Secret Service" >&2
    exit 99
  fi
  tries=$((tries + 1))
  sleep 0.05
done
"$@"
'
status=0
dbus-run-session -- sh -c "$session" sh "$@" || status=$?
exit "$status"
