#!/usr/bin/env bash
# Performance report: W1 native and wasm (in headless Chromium) with their ratio, frame times of
# every animated figure while a worker trains, the first figure's paint time and the wasm size;
# then Lighthouse's mobile default (simulated 4x slower CPU) on the release page, three runs:
# performance, total blocking time, cumulative layout shift, accessibility and the longest
# main-thread task (tests/lighthouse/run.js); and the frame times while the wheel scrolls through
# the whole article on a phone-sized page with the CPU throttled 4x (tests/scroll-bench.js).
# Prints JSON. Numbers, not pass/fail: run on a quiet machine and compare medians.
#   scripts/bench.sh                               everything
#   scripts/bench.sh lighthouse [LABEL=DIST ...]   Lighthouse and the scroll only, on the given builds measured in
#                                                  turns (say before=/tmp/main-dist after=dist);
#                                                  default: this build (dist)
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_test
cd "$ROOT"
if [ ! -d tests/lighthouse/node_modules/lighthouse ]; then
  say "installing Lighthouse (tests/lighthouse: npm ci)"
  (cd tests/lighthouse && npm ci --no-audit --no-fund)
fi
if [ "${1:-}" = lighthouse ]; then
  shift
  if [ $# = 0 ]; then
    trunk build index.html --release >/dev/null 2>&1
    set -- "page=dist"
  fi
  node tests/lighthouse/run.js --runs "${RUNS:-3}" "$@"
  node tests/scroll-bench.js "$@"
  exit
fi
cargo build --release --quiet
target/release/cfg-playground bench --json > target/bench-native.json
trunk build index.html --release >/dev/null 2>&1
node tests/bench.js target/bench-native.json | tee target/bench.json
node tests/lighthouse/run.js --runs "${RUNS:-3}" "page=dist" | tee target/bench-lighthouse.json
node tests/scroll-bench.js "page=dist" | tee target/bench-scroll.json
