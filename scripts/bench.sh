#!/usr/bin/env bash
# Performance report: W1 native and wasm (in headless Chromium) with their ratio, frame times of
# every animated figure while a worker trains, the first figure's paint time and the wasm size.
# Prints JSON. Numbers, not pass/fail: run on a quiet machine and compare medians.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_test
cd "$ROOT"
cargo build --release --quiet
target/release/cfg-playground bench --json > target/bench-native.json
trunk build index.html --release >/dev/null 2>&1
node tests/bench.js target/bench-native.json | tee target/bench.json
