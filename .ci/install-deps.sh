#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build, run and test CalWatch.
# Idempotent: a warm machine skips every step in a second or two.
set -euo pipefail

packages=(
  # building the Tauri shell
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev pkg-config
  # the headless desktop session the tests run in
  xvfb dbus dbus-x11 gnome-keyring libsecret-tools dunst
  # xprop: the tray test clears GTK's cached GL visuals so its app opens the display first
  x11-utils
  # routes changing in a private network namespace (unshare comes with util-linux)
  iproute2 util-linux
  # driving the real window, screenshots and icon rendering
  webkit2gtk-driver imagemagick librsvg2-bin
  # Hangul in the Korean window's screenshots (the smallest Debian font that has it; the
  # tests' text assertions read the DOM and need no font)
  fonts-baekmuk
  # the UI toolchain
  nodejs npm
  # checking the packages: their validators, and reading the .rpm
  desktop-file-utils appstream rpm
  # compiling for Windows (ring's C code), so Windows-only code paths are checked here
  gcc-mingw-w64-x86-64
)

missing=()
for p in "${packages[@]}"; do
  # nodejs/npm may come from elsewhere (nvm, NodeSource): a working binary is enough.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust from https://rustup.rs and run this again" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy
rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu ||
  rustup target add x86_64-pc-windows-gnu

# The window's packages: reinstall only when the lock file changed since the last install.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
