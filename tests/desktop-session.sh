#!/usr/bin/env bash
# Runs a command inside a private, headless desktop session (see shared TESTING.md):
# its own XDG dirs, a D-Bus session bus, an unlocked GNOME Keyring (a real Secret
# Service), dunst, a dbus-monitor capture of desktop notifications, and Xvfb if asked.
#
# Usage: tests/desktop-session.sh [--display] -- cmd args...
#
#   --display   also start Xvfb on a free display and export DISPLAY (dunst needs one).
#
# Inside the session:
#   CALWATCH_DESKTOP_SESSION=1   tells tests they are in such a session
#   CALWATCH_NOTIFY_LOG          dbus-monitor's capture of org.freedesktop.Notifications
#                                (set it before calling to choose the file; default is
#                                under the session's temporary directory)
#   CALWATCH_SESSION_DIR         the temporary directory (removed on exit unless
#                                CALWATCH_KEEP_SESSION_DIR=1)
# The command's exit status is this script's exit status. Everything started here is
# stopped by PID on exit.
set -euo pipefail

usage() {
    echo "usage: $0 [--display] -- cmd args..." >&2
    exit 2
}

note() {
    echo "desktop-session: $*" >&2
}

# Stops the given PIDs and waits for them, so nothing outlives the session. A daemon
# told to stop while still starting up (dunst, before its main loop runs) can miss
# SIGTERM and would make the wait hang: whatever is left after 2 s gets SIGKILL.
stop_pids() {
    local pid killer
    (($# > 0)) || return 0
    kill "$@" 2>/dev/null || true
    (
        sleep 2
        kill -9 "$@" 2>/dev/null
    ) >/dev/null 2>&1 &
    killer=$!
    for pid in "$@"; do
        wait "$pid" 2>/dev/null || true
    done
    kill "$killer" 2>/dev/null || true
    wait "$killer" 2>/dev/null || true
}

# --- inner half: runs under dbus-run-session, so the bus already exists -------------
if [[ "${1:-}" == "--inner" ]]; then
    shift
    [[ "${1:-}" == "--" ]] || usage
    shift
    inner_pids=()
    cleanup_inner() {
        stop_pids "${inner_pids[@]}"
    }
    trap cleanup_inner EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # gnome-keyring creates no collection for an empty password, and every lookup then
    # fails: the password must not be empty. It daemonizes, so its PID is learnt from
    # the bus once it owns org.freedesktop.secrets.
    keyring_env=$(printf '%s' "calwatch-session" |
        gnome-keyring-daemon --unlock --components=secrets)
    while IFS= read -r line; do
        [[ "$line" == *=* ]] && export "${line?}"
    done <<<"$keyring_env"
    keyring_pid=""
    for _ in $(seq 1 100); do
        if reply=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.GetConnectionUnixProcessID \
            string:org.freedesktop.secrets 2>/dev/null); then
            keyring_pid=$(awk '/uint32/ {print $2}' <<<"$reply")
            break
        fi
        sleep 0.05
    done
    if [[ -z "$keyring_pid" ]]; then
        note "gnome-keyring-daemon did not come up on the session bus"
        exit 1
    fi
    inner_pids+=("$keyring_pid")

    dbus-monitor --session "interface=org.freedesktop.Notifications" \
        >"$CALWATCH_NOTIFY_LOG" 2>&1 &
    inner_pids+=("$!")

    if [[ -n "${DISPLAY:-}" ]]; then
        dunst >"$CALWATCH_SESSION_DIR/dunst.log" 2>&1 &
        inner_pids+=("$!")
    else
        # dunst cannot draw without a display (it aborts); Notify calls are still
        # captured by dbus-monitor. Pass --display for a real notification server.
        note "no display, so no dunst (pass --display for a notification server)"
    fi

    status=0
    "$@" || status=$?
    exit "$status"
fi

# --- outer half: private directories, Xvfb, then the bus ----------------------------
want_display=0
while [[ $# -gt 0 ]]; do
    case "$1" in
    --display) want_display=1; shift ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
[[ $# -gt 0 ]] || usage

for tool in dbus-run-session dbus-send dbus-monitor gnome-keyring-daemon dunst; do
    command -v "$tool" >/dev/null || {
        note "$tool is missing (Debian: gnome-keyring libsecret-tools dbus-x11 dunst xvfb)"
        exit 127
    }
done

session_dir=$(mktemp -d "${TMPDIR:-/tmp}/calwatch-session.XXXXXX")
outer_pids=()
cleanup_outer() {
    stop_pids "${outer_pids[@]}"
    if [[ "${CALWATCH_KEEP_SESSION_DIR:-0}" == "1" ]]; then
        note "kept $session_dir"
    else
        rm -rf "$session_dir"
    fi
}
trap cleanup_outer EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$session_dir/runtime" "$session_dir/data" "$session_dir/config"
chmod 0700 "$session_dir/runtime"
export XDG_RUNTIME_DIR="$session_dir/runtime"
export XDG_DATA_HOME="$session_dir/data"
export XDG_CONFIG_HOME="$session_dir/config"
export CALWATCH_SESSION_DIR="$session_dir"
export CALWATCH_NOTIFY_LOG="${CALWATCH_NOTIFY_LOG:-$session_dir/notify.log}"
export CALWATCH_DESKTOP_SESSION=1
# Never reach a bus or display the caller happens to have.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY

if [[ "$want_display" == "1" ]]; then
    command -v Xvfb >/dev/null || { note "Xvfb is missing (Debian: xvfb)"; exit 127; }
    # -displayfd makes Xvfb pick a free display and write its number once it is ready.
    display_file="$session_dir/display"
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp \
        3>"$display_file" >"$session_dir/xvfb.log" 2>&1 &
    outer_pids+=("$!")
    for _ in $(seq 1 200); do
        [[ -s "$display_file" ]] && break
        sleep 0.05
    done
    if [[ ! -s "$display_file" ]]; then
        note "Xvfb did not start; see $session_dir/xvfb.log"
        exit 1
    fi
    export DISPLAY=":$(tr -d '[:space:]' <"$display_file")"
fi

status=0
dbus-run-session -- "$0" --inner -- "$@" || status=$?
exit "$status"
