#!/usr/bin/env bash
# Checks what `make package` built, as a distribution's tools see it: the .deb's control
# fields and files, the .rpm's header and files, and the desktop entry and AppStream
# metadata through their validators. The installed app itself is exercised by
# `cargo test -p e2e --test package` (see `make package-test`).
#
# Usage: tests/package/check-packages.sh <calwatch.deb> <calwatch.rpm>
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=${1:?usage: $0 <deb> <rpm>}
rpm=${2:?usage: $0 <deb> <rpm>}
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
check() { # check <what> <command...>: the command must succeed
    local what=$1
    shift
    "$@" >/dev/null 2>&1 || fail "$what"
}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
[[ -n "$version" ]] || { echo "no version in Cargo.toml" >&2; exit 1; }

# --- one version everywhere -------------------------------------------------------------
ui_version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' ui/package.json | head -1)
[[ "$ui_version" == "$version" ]] || fail "ui/package.json says $ui_version, Cargo.toml $version"
metainfo=src-tauri/packaging/app.calwatch.desktop.metainfo.xml
newest=$(grep -o '<release version="[^"]*"' "$metainfo" | head -1 | cut -d'"' -f2)
[[ "$newest" == "$version" ]] || fail "the metainfo's newest release is $newest, not $version"

# --- the .deb ---------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == calwatch ]] || fail "deb Package is '$(field Package)'"
[[ "$(field Version)" == "$version" ]] || fail "deb Version is '$(field Version)'"
[[ "$(field Architecture)" == amd64 ]] || fail "deb Architecture is '$(field Architecture)'"
[[ "$(field Installed-Size)" =~ ^[0-9]+$ ]] || fail "deb Installed-Size is '$(field Installed-Size)'"
depends=$(field Depends)
for needed in libayatana-appindicator3-1 libwebkit2gtk-4.1-0 libgtk-3-0; do
    [[ ", $depends," == *", $needed"[,\ ]* ]] || fail "deb Depends lacks $needed: $depends"
done
# libappindicator3-1 is not installable on current Debian and Ubuntu.
[[ ", $depends," != *", libappindicator3-1"* ]] || fail "deb Depends names libappindicator3-1: $depends"

# dpkg-deb lists "./usr/…" or "usr/…", as the archive was made: both become "/usr/…".
deb_files=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed -e 's|^\./|/|' -e 's|^\([^/]\)|/\1|')
has_file() { # has_file <listing> <path>
    grep -qxF -- "$2" <<<"$1"
}
expected=(
    /usr/bin/calwatch
    /usr/bin/calwatch-window
    /usr/share/applications/calwatch.desktop
    /usr/share/metainfo/app.calwatch.desktop.metainfo.xml
)
for size in 32x32 64x64 128x128 256x256 512x512; do
    expected+=("/usr/share/icons/hicolor/$size/apps/calwatch.png")
done
for path in "${expected[@]}"; do
    has_file "$deb_files" "$path" || fail "the deb lacks $path"
done
grep -qE '^/usr/share/doc/calwatch/(copyright|LICENSE)$' <<<"$deb_files" ||
    fail "the deb carries no license under /usr/share/doc/calwatch"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
desktop="$root/usr/share/applications/calwatch.desktop"
if [[ -f "$desktop" ]]; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejects calwatch.desktop"
    for line in 'Name=CalWatch' 'Exec=calwatch' 'Icon=calwatch' 'Categories=Office;Calendar;' \
        'StartupWMClass=calwatch'; do
        grep -qxF "$line" "$desktop" || fail "calwatch.desktop lacks '$line'"
    done
    grep -q '^Comment=.' "$desktop" || fail "calwatch.desktop has no Comment"
fi
installed_metainfo="$root/usr/share/metainfo/app.calwatch.desktop.metainfo.xml"
if [[ -f "$installed_metainfo" ]]; then
    # --no-net: screenshots are checked for form, not fetched (no network here).
    appstreamcli validate --no-net --pedantic "$installed_metainfo" ||
        fail "appstreamcli rejects the metainfo"
fi
for size in 32 64 128 256 512; do
    png="$root/usr/share/icons/hicolor/${size}x${size}/apps/calwatch.png"
    [[ -f "$png" ]] || continue
    dims=$(file -b "$png" | grep -o '[0-9]* x [0-9]*' | head -1)
    [[ "$dims" == "$size x $size" ]] || fail "the ${size}px icon is $dims"
done

# --- the .rpm ---------------------------------------------------------------------------
query() { rpm -qp --nosignature --queryformat "$1" "$rpm" 2>/dev/null; }
[[ "$(query '%{NAME}')" == calwatch ]] || fail "rpm Name is '$(query '%{NAME}')'"
[[ "$(query '%{VERSION}')" == "$version" ]] || fail "rpm Version is '$(query '%{VERSION}')'"
[[ "$(query '%{ARCH}')" == x86_64 ]] || fail "rpm Arch is '$(query '%{ARCH}')'"
requires=$(rpm -qp --nosignature --requires "$rpm" 2>/dev/null)
grep -q '^libayatana-appindicator-gtk3' <<<"$requires" ||
    fail "rpm Requires lacks libayatana-appindicator-gtk3: $requires"
! grep -q '^libappindicator-gtk3' <<<"$requires" || fail "rpm Requires names libappindicator-gtk3"
rpm_files=$(rpm -qlp --nosignature "$rpm" 2>/dev/null)
for path in "${expected[@]}"; do
    has_file "$rpm_files" "$path" || fail "the rpm lacks $path"
done

if ((failures)); then
    echo "$failures package check(s) failed" >&2
    exit 1
fi
echo "packages ok: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), $(basename "$rpm") ($(du -k "$rpm" | cut -f1) KiB), installed size $(field Installed-Size) KiB"
