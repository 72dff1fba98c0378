# CalWatch — the two commands: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
# The Tauri CLI, prebuilt, from the npm registry (a devDependency of ui/).
TAURI ?= ui/node_modules/.bin/tauri

.PHONY: run test deps ui fmt-check lint test-rust test-ui bench sandbox icons audit \
	package package-test check-windows soak fuzz

# Where cargo builds; the packages land in $(TARGET_DIR)/packages/.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -1)

## Start the app (installs what a fresh machine lacks first).
run: deps ui
	$(CARGO) run -p calwatch

## Formatting, lints, every Rust test (in a private headless desktop session: Xvfb,
## D-Bus, gnome-keyring, dunst), the window's own tests. CI (.ci/run) also runs
## check-windows and package-test.
test: deps ui fmt-check lint test-rust test-ui

deps:
	@./.ci/install-deps.sh

ui:
	cd ui && npm run build

fmt-check:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# One `cargo test` builds the app binary the window tests drive (target/debug/calwatch,
# as a dependency of the shell's own tests) with the same features as everything else:
# a separate `cargo build -p calwatch` would compile the whole Tauri tree a second time.
test-rust:
	./tests/desktop-session.sh --display -- $(CARGO) test --workspace --no-fail-fast

test-ui:
	cd ui && npm test && npm run check

## The .deb and .rpm, built offline with Tauri's bundler (one release build), copied to
## $(TARGET_DIR)/packages/ under the names distributions use. AppImage is configured too
## but needs linuxdeploy from the network: `$(TAURI) build --bundles appimage` in src-tauri/.
## PACKAGE_PROFILE=debug bundles the debug binary `make test` already built instead (no
## compiling: CI checks the packaging on every run within its time budget).
PACKAGE_PROFILE ?= release
ifeq ($(PACKAGE_PROFILE),debug)
PACKAGE_BUNDLE := bundle --debug
PACKAGE_DIR := $(TARGET_DIR)/packages/debug
else
PACKAGE_BUNDLE := build
PACKAGE_DIR := $(TARGET_DIR)/packages
endif
DEB := $(PACKAGE_DIR)/calwatch_$(VERSION)_amd64.deb
RPM := $(PACKAGE_DIR)/calwatch-$(VERSION)-1.x86_64.rpm

package: deps ui
	cd src-tauri && TAURI_LINUX_AYATANA_APPINDICATOR=true $(abspath $(TAURI)) $(PACKAGE_BUNDLE) --ci --bundles deb,rpm
	mkdir -p $(PACKAGE_DIR)
	cp $(TARGET_DIR)/$(PACKAGE_PROFILE)/bundle/deb/calwatch_$(VERSION)_amd64.deb $(DEB)
	cp $(TARGET_DIR)/$(PACKAGE_PROFILE)/bundle/rpm/calwatch-$(VERSION)-1.x86_64.rpm $(RPM)
	@ls -l $(DEB) $(RPM)

## The packages as distributions and people see them: control fields, files, validators,
## then the .deb's own binary, unpacked into a throwaway root, run in the headless session.
package-test: package
	tests/package/check-packages.sh $(DEB) $(RPM)
	CALWATCH_PACKAGE_DEB=$(abspath $(DEB)) ./tests/desktop-session.sh --display -- \
	  $(CARGO) test -p e2e --test package

## Windows-only code (keyring's Credential Manager, toasts, the login item) still compiles.
## macOS cannot be checked here: its C toolchain needs Apple's SDK.
check-windows: deps ui
	$(CARGO) check --target x86_64-pc-windows-gnu -p calwatch

## The figures in the README's performance section.
bench: deps ui
	$(CARGO) bench -p calwatch-core
	$(CARGO) bench -p fake-google --bench incremental

## The model-based test of the change history (core tests/it/model_history.rs) with many
## more runs than `make test` gives it, from a fresh seed each time (printed, so a failure
## can be repeated with MODEL_SEED=…).
SOAK_CASES ?= 2000
soak:
	MODEL_CASES=$(SOAK_CASES) MODEL_SEED=$${MODEL_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')} \
	  $(CARGO) test -p calwatch-core --test it model_history -- --nocapture

## Each fuzz target in fuzz/ for FUZZ_SECONDS. cargo-fuzz (`cargo install cargo-fuzz`) needs
## nightly-only compiler flags (sanitizers, coverage instrumentation); where only the stable
## toolchain is installed, RUSTC_BOOTSTRAP=1 lets stable accept them. New inputs go to a
## scratch folder: the corpus kept in fuzz/corpus/ stays small; crashes land in
## fuzz/artifacts/. -rss_limit_mb/-malloc_limit_mb make an unbounded allocation a failure.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= receiver_headers google_json rrule settings_json client_secret
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  scratch=$$(mktemp -d) && \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --fuzz-dir fuzz --target-dir $(abspath $(TARGET_DIR))/fuzz \
	    $$t $$scratch fuzz/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -rss_limit_mb=1024 -malloc_limit_mb=256 -print_final_stats=1 || exit 1; \
	  rm -rf $$scratch; \
	done

## Dependencies: known vulnerabilities, licenses, bans, sources (deny.toml). Needs
## cargo-deny (`cargo install cargo-deny --locked`); advisories need the RustSec database
## (`cargo deny fetch`, internet): offline, run `make audit AUDIT_CHECKS="bans licenses sources"`.
AUDIT_CHECKS ?= advisories bans licenses sources
audit:
	$(CARGO) deny check $(AUDIT_CHECKS)

## A Google look-alike on port 8080 for trying CalWatch without an account.
sandbox:
	$(CARGO) run -p fake-google -- --port 8080 --allow-http

## Re-render the icons from icons/*.svg: the hicolor PNGs (32 to 512 px) the packages
## install, the tray's, and Windows' icon.ico and macOS' icon.icns (the Tauri CLI's `icon`).
icons: deps
	for s in 32 64 128 256; do rsvg-convert -w $$s -h $$s icons/source.svg -o icons/$${s}x$${s}.png; done
	rsvg-convert -w 512 -h 512 icons/source.svg -o icons/icon.png
	rsvg-convert -w 64 -h 64 icons/source.svg -o icons/tray.png
	rsvg-convert -w 64 -h 64 icons/tray-paused.svg -o icons/tray-paused.png
	rsvg-convert -w 64 -h 64 icons/tray-attention.svg -o icons/tray-attention.png
	out=$$(mktemp -d) && $(TAURI) icon icons/source.svg -o "$$out" >/dev/null && \
	  cp "$$out/icon.ico" "$$out/icon.icns" icons/ && rm -rf "$$out"
