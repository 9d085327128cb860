#!/usr/bin/env bash
# Runs every test: formatting, clippy (native and wasm32), native tests, browser tests of the wasm
# build (wasm-pack + Chromium), the built page in headless Chromium, a smoke test of it in Firefox
# and WebKit, and the quality bar.
# Installs whatever is missing first. Screenshots of the figures land in tests/artifacts/.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_test
cd "$ROOT"
start=$(date +%s)
# Each step is printed with its start time; at exit (pass or fail) a table of every step's duration,
# in the form docs/testing.md's "Where the time goes" uses.
steps=() starts=()
step() {
  steps+=("$*") starts+=("$(date +%s)")
  say "[$(( starts[-1] - start ))s] $*"
}
durations() {
  local end i next
  end=$(date +%s)
  (( ${#steps[@]} )) || return 0
  printf '\n| step | start (s) | duration (s) |\n|---|---|---|\n' >&2
  for (( i = 0; i < ${#steps[@]}; i++ )); do
    next=$end
    (( i + 1 < ${#steps[@]} )) && next=${starts[i + 1]}
    printf '| %s | %d | %d |\n' "${steps[i]}" $(( starts[i] - start )) $(( next - starts[i] )) >&2
  done
  printf '| total | | %d |\n' $(( end - start )) >&2
}
trap durations EXIT

step "formatting: cargo fmt --check, and prettier --check for the JavaScript (.prettierrc.json)"
cargo fmt --all --check
tests/node_modules/.bin/prettier --check --log-level warn "**/*.{js,mjs}"

step "clippy (native and wasm32), warnings denied"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test --workspace --all-targets

step "browser tests of the wasm build (wasm-pack, headless Chromium)"
# The runner's default limit is 20 s for all the tests of one file (WASM_BINDGEN_TEST_TIMEOUT):
# a slow machine must not fail for being slow, so the limit is generous.
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}" wasm-pack test --headless --chrome --mode no-install crate

step "page builds (trunk, release): at the root, and for a sub-path"
trunk build index.html --release
trunk build index.html --release --public-url /blog/cfg/ --dist target/dist-subpath

step "page tests (playwright-core, headless Chromium)"
DIST_SUBPATH="$ROOT/target/dist-subpath" node --test --test-reporter=spec tests/

step "smoke test in Firefox (WebDriver BiDi) and WebKit (WebKitWebDriver, Xvfb): tests/engines/"
node --test --test-reporter=spec tests/engines/run.js

# The timing-sensitive page tests again with every page's main thread four times slower (Chromium's
# own CPU throttling, tests/lib.js; workers cannot be throttled): the soak, every test that trains in the
# browser, the exact densities and the worker pool. The tests wait for states, never for durations, so they
# must pass at any speed.
step "timing-sensitive page tests with the CPU throttled 4x (CPU_THROTTLE=4)"
CPU_THROTTLE=4 node --test --test-reporter=spec tests/soak.test.js tests/probability-path.test.js tests/reliability.test.js tests/guidance-lab.test.js tests/pool.test.js
CPU_THROTTLE=4 node --test --test-reporter=spec --test-name-pattern='train|reflow|distil' tests/article.test.js

step "quality bar: default training, eval on 10,000 samples (release)"
cargo test --release --test quality -- --ignored --nocapture

step "the post's questions, answered on the shipped models (release)"
cargo test --release --test answers -- --ignored --nocapture

say "[$(( $(date +%s) - start ))s] all tests passed"
