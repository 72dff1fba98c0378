# CalWatch — the two commands: `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test deps ui fmt-check lint test-rust test-ui bench sandbox icons audit

## Start the app (installs what a fresh machine lacks first).
run: deps ui
	$(CARGO) run -p calwatch

## Everything CI checks: formatting, lints, every Rust test (in a private headless
## desktop session: Xvfb, D-Bus, gnome-keyring, dunst), the window's own tests.
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

## The figures in the README's performance section.
bench: deps ui
	$(CARGO) bench -p calwatch-core

## Dependencies: known vulnerabilities, licenses, bans, sources (deny.toml). Needs
## cargo-deny (`cargo install cargo-deny --locked`); advisories need the RustSec database
## (`cargo deny fetch`, internet): offline, run `make audit AUDIT_CHECKS="bans licenses sources"`.
AUDIT_CHECKS ?= advisories bans licenses sources
audit:
	$(CARGO) deny check $(AUDIT_CHECKS)

## A Google look-alike on port 8080 for trying CalWatch without an account.
sandbox:
	$(CARGO) run -p fake-google -- --port 8080 --allow-http

## Re-render the PNG icons from icons/*.svg.
icons:
	for s in 32 128; do rsvg-convert -w $$s -h $$s icons/source.svg -o icons/$${s}x$${s}.png; done
	rsvg-convert -w 256 -h 256 icons/source.svg -o icons/128x128@2x.png
	rsvg-convert -w 512 -h 512 icons/source.svg -o icons/icon.png
	rsvg-convert -w 64 -h 64 icons/source.svg -o icons/tray.png
	rsvg-convert -w 64 -h 64 icons/tray-paused.svg -o icons/tray-paused.png
	rsvg-convert -w 64 -h 64 icons/tray-attention.svg -o icons/tray-attention.png
