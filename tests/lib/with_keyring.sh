#!/bin/sh
# with_keyring.sh CMD [ARGS...]: runs CMD in a private D-Bus session with a
# fresh, unlocked gnome-keyring providing the Secret Service. The keyring
# lives in a temporary XDG_DATA_HOME that is removed afterwards, so nothing
# touches the keyring of the person running the tests. The daemons end with
# the session bus.
set -eu
[ "$#" -gt 0 ] || { echo "usage: with_keyring.sh CMD [ARGS...]" >&2; exit 2; }
home=$(mktemp -d "${TMPDIR:-/tmp}/tokex-keyring-XXXXXX")
chmod 700 "$home"
# The keyring daemons end with the session bus but may still be writing for
# a moment: retry the removal, and never let it change the exit status.
cleanup() {
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    rm -rf "$home" 2>/dev/null && return 0
    sleep 0.2
  done
  return 0
}
trap cleanup EXIT
mkdir -m 700 "$home/data" "$home/runtime"
status=0
XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/runtime" dbus-run-session -- sh -c '
  printf "test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' sh "$@" || status=$?
exit "$status"
