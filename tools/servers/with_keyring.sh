#!/usr/bin/env bash
# with_keyring.sh CMD…  — runs CMD with a private system keyring:
#   starts a private D-Bus session bus (dbus-daemon) and GNOME Keyring's Secret Service
#   (gnome-keyring-daemon --components=secrets) on it, its login keyring created and unlocked
#   with a throw-away password, its files in a temp dir; then exports
#     DBUS_SESSION_BUS_ADDRESS  the private bus (QtKeychain finds the keyring there)
#     STALK_KEYRING_BUS         the same address: tells the tests the keyring is there
#   runs CMD and always stops the keyring and the bus and removes the directory. Exit status = CMD's.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD…" >&2; exit 2; }
for tool in dbus-daemon dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "with_keyring: $tool is missing: run tools/install-deps.sh test" >&2; exit 1; }
done
SECONDS=0

dir=$(mktemp -d "${TMPDIR:-/tmp}/stalk-keyring.XXXXXX")
bus_pid="" keyring_pid=""
cleanup() {
    local rc=$?
    set +e
    for pid in $keyring_pid $bus_pid; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$dir"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -m 700 "$dir/run" "$dir/data"
address="unix:path=$dir/bus"
dbus-daemon --session --nofork --nopidfile --address="$address" 2>"$dir/bus.log" &
bus_pid=$!
bus_has() { # bus_has NAME: the name has an owner on the private bus
    dbus-send --bus="$address" --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 1 200); do
    bus_has org.freedesktop.DBus && break
    kill -0 "$bus_pid" 2>/dev/null || { echo "with_keyring: dbus-daemon died" >&2; cat "$dir/bus.log" >&2; exit 1; }
    sleep 0.05
done
export DBUS_SESSION_BUS_ADDRESS="$address"

# --unlock reads the login keyring's password from stdin and creates that keyring, unlocked
# (the default collection QtKeychain writes to), in XDG_DATA_HOME/keyrings: nothing prompts.
printf '%s' stalk-keyring-secret | XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run" \
    gnome-keyring-daemon --foreground --unlock --components=secrets --control-directory="$dir/run" \
    >"$dir/keyring.log" 2>&1 &
keyring_pid=$!
for _ in $(seq 1 200); do
    bus_has org.freedesktop.secrets && break
    kill -0 "$keyring_pid" 2>/dev/null || { echo "with_keyring: gnome-keyring-daemon died" >&2; cat "$dir/keyring.log" >&2; exit 1; }
    sleep 0.05
done
bus_has org.freedesktop.secrets || { echo "with_keyring: no Secret Service on the bus" >&2; exit 1; }
echo "with_keyring: Secret Service up on a private bus (${SECONDS}s)" >&2

export STALK_KEYRING_BUS="$address"
set +e
"$@"
exit $?
