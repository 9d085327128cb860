#!/usr/bin/env bash
# Runs every test: formatting, clippy (native and wasm32), native tests, browser tests of the wasm
# build (wasm-bindgen-test-runner + Chromium), the built page in headless Chromium, a smoke test of it in Firefox
# and WebKit, and the quality bar and the post's questions (optimised: the suite profile).
# Installs whatever is missing first. Screenshots of the figures land in tests/artifacts/.
#
# Two lanes run side by side, since neither keeps two cores busy on its own (a rustc of the one
# big crate, a browser waiting for a worker, a release test on one thread):
#   native: clippy (native), the native tests, the quality bar and the answers (one build, in the
#           suite profile of Cargo.toml), in its own cargo target directory (target/native), so
#           that the two lanes never wait for each other's lock; then, once the web lane has
#           built the page, its half of the throttled pass (the timing-sensitive page test files,
#           which run only throttled); its output goes to target/native-lane.log and is printed
#           when it ends;
#   web:    clippy (wasm32), the browser tests of the wasm build, the page build, the other page tests (the
#           CLI round trip uses the native lane's binary: cargo waits for that lane's build), the
#           smoke test in Firefox and WebKit, and the other half of the throttled pass; in a
#           subshell of its own, so that its CPU count never includes the native lane's (the
#           script's shell reaps that lane).
# The step table at the end has each step's wall time and CPU seconds (docs/testing.md).
# A failure in either lane fails the run; the other lane is stopped.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_test
cd "$ROOT"
start=$(date +%s)
mkdir -p target
STEPS="$ROOT/target/test-steps.tsv"
NATIVE_LOG="$ROOT/target/native-lane.log"
PAGE_BUILT="$ROOT/target/page-built"
# written by the native lane when it fails (its exit status), so that the web lane stops too
NATIVE_FAILED="$ROOT/target/native-lane.failed"
WEB_LANE_PID="$ROOT/target/web-lane.pid"
rm -f "$PAGE_BUILT" "$NATIVE_FAILED" "$WEB_LANE_PID"
: >"$STEPS"
# Each step is printed with its start time; at exit (pass or fail) a table of every step's
# duration, lane by lane, in the form docs/testing.md's "Where the time goes" uses.
# CPU: the user+sys clock ticks of this shell and of its children that have ended (fields 14-17
# of /proc/<pid>/stat; a lane's steps run in the lane's shell and are waited for), so that a step's
# CPU seconds are the difference to the next step's: the work done, which a loaded machine does not
# change much, where the wall time is shared with whatever else runs.
cpu_ticks() {
  local -a st
  read -r -a st <"/proc/$BASHPID/stat"
  CPU_TICKS=$((st[13] + st[14] + st[15] + st[16]))
}
step() {
  local lane=$1
  shift
  # the web lane stops at its next step if the native lane has failed (its running step is stopped
  # at once: see the native lane below)
  if [ "$lane" = web ] && [ -e "$NATIVE_FAILED" ]; then exit 1; fi
  cpu_ticks
  printf '%s\t%d\t%s\t%d\n' "$lane" "$(date +%s)" "$*" "$CPU_TICKS" >>"$STEPS"
  say "[$(($(date +%s) - start))s] ($lane) $*"
}
# Browsers leave processes for someone else to reap: steps that run one run under scripts/reaped.py,
# which reaps them, so that their CPU time is counted too.
REAPED=(python3 "$ROOT/scripts/reaped.py")
lane_end() {
  cpu_ticks
  printf '%s\t%d\t-\t%d\n' "$1" "$(date +%s)" "$CPU_TICKS" >>"$STEPS"
}
durations() {
  local end=$(date +%s)
  [ -s "$STEPS" ] || return 0
  printf '\n| lane | step | start (s) | duration (s) | CPU (s) |\n|---|---|---|---|---|\n' >&2
  # a step ends where the next step of its lane starts (or the lane ends, or now; a step still
  # running, or stopped, has no CPU count)
  awk -F'\t' -v t0="$start" -v now="$end" -v hz="$(getconf CLK_TCK)" '
    { lane[NR] = $1; at[NR] = $2; name[NR] = $3; cpu[NR] = $4 }
    END {
      for (i = 1; i <= NR; i++) {
        if (name[i] == "-") continue
        stop = now
        used = "?"
        for (j = i + 1; j <= NR; j++) if (lane[j] == lane[i]) { stop = at[j]; used = sprintf("%d", (cpu[j] - cpu[i]) / hz + 0.5); break }
        if (used != "?") total += used
        printf "| %s | %s | %d | %d | %s |\n", lane[i], name[i], at[i] - t0, stop - at[i], used
      }
      printf "| total | | | %d | %d |\n", now - t0, total
    }' "$STEPS" >&2
}
native_pid=
finish() {
  local rc=$?
  if [ -e "$NATIVE_FAILED" ] && [ -n "$native_pid" ]; then
    rc=$(cat "$NATIVE_FAILED")
    say "the web lane was stopped: the native lane failed (exit $rc); its output (target/native-lane.log):"
    cat "$NATIVE_LOG" >&2 || true
  elif [ -n "$native_pid" ] && kill -0 "$native_pid" 2>/dev/null; then
    kill -- "-$native_pid" 2>/dev/null || kill "$native_pid" 2>/dev/null || true
    say "the native lane was stopped (the web lane failed); its output so far:"
    cat "$NATIVE_LOG" >&2 || true
  fi
  durations
  exit $rc
}
trap finish EXIT

step all "formatting: cargo fmt --check, and prettier --check for the JavaScript (.prettierrc.json)"
cargo fmt --all --check
tests/node_modules/.bin/prettier --check --log-level warn "**/*.{js,mjs}"
lane_end all

# The timing-sensitive page test files (see the throttled passes below): they run throttled only,
# split between the two lanes by their measured wall and CPU seconds (docs/testing.md), so that
# both lanes end at about the same time; the soak runs in the native lane's pass.
THROTTLED_NATIVE=(tests/soak.test.js tests/guidance-lab.test.js tests/pool.test.js tests/probability-path.test.js
  tests/article-training.test.js)
THROTTLED_WEB=(tests/reliability.test.js)
# "tests/soak.test.js tests/pool.test.js" -> "soak, pool" (for the step names)
names() {
  local out=() f
  for f in "$@"; do
    f=${f##*/}
    out+=("${f%.test.js}")
  done
  local IFS=,
  echo "${out[*]}" | sed 's/,/, /g'
}

# ---------- the native lane, in the background ----------
native_lane() {
  export CARGO_TARGET_DIR="$ROOT/target/native"
  step native "clippy (native), warnings denied"
  cargo clippy --workspace --all-targets -- -D warnings
  # one build for the native tests, the quality bar and the answers: the suite profile (Cargo.toml:
  # optimised, with debug assertions and overflow checks, without LTO or debug info)
  step native "native tests (suite profile)"
  cargo test --profile suite --workspace --all-targets
  step native "quality bar: default training, eval on 10,000 samples (suite profile)"
  cargo test --profile suite --test quality -- --ignored --nocapture
  step native "the post's questions, answered on the shipped models (suite profile)"
  cargo test --profile suite --test answers -- --ignored --nocapture
  unset CARGO_TARGET_DIR
  step native "waiting for the web lane's page build"
  while [ ! -e "$PAGE_BUILT" ]; do sleep 2; done
  # The timing-sensitive page tests with every page's main thread four times slower (Chromium's
  # own CPU throttling, tests/lib.js; workers cannot be throttled): every test that trains in the
  # browser, the exact densities and the worker pool. The tests wait for states, never for
  # durations, so they must pass at any speed. These files run only throttled (not in the web
  # lane's unthrottled pass too), this lane's share of them here (the web lane runs the rest after
  # its smoke test), the soak included.
  step native "timing-sensitive page tests with the CPU throttled 4x (CPU_THROTTLE=4): $(names "${THROTTLED_NATIVE[@]}")"
  CPU_THROTTLE=4 "${REAPED[@]}" node --test --test-reporter=spec "${THROTTLED_NATIVE[@]}"
  lane_end native
}
set -m # the lane gets its own process group, so that a failure elsewhere can stop all of it
# When the native lane fails, it records its status and stops the web lane's running step (the
# children of the web lane's shell, whose process ID that lane writes to $WEB_LANE_PID), whose
# failure then ends the script; a browser step's wrapper (scripts/reaped.py) passes the signal on
# to the whole test run it started.
(
  trap 'rc=$?; if [ "$rc" != 0 ]; then
      echo "$rc" >"$NATIVE_FAILED"
      web=$(cat "$WEB_LANE_PID" 2>/dev/null || true)
      if [ -n "$web" ]; then for p in $(pgrep -P "$web"); do kill -TERM "$p" 2>/dev/null || true; done; fi
    fi' EXIT
  native_lane
) >"$NATIVE_LOG" 2>&1 &
native_pid=$!
set +m

# ---------- the web lane, in the foreground ----------
web_lane() {
  step web "clippy (wasm32), warnings denied"
  # every target but the library's unit tests (which --all-targets would check a second time, the
  # whole library again under cfg(test)): they are plain Rust with no wasm32 code, and the native
  # clippy checks them
  cargo clippy --workspace --target wasm32-unknown-unknown --lib --bins --test '*' --examples -- -D warnings

  step web "browser tests of the wasm build (wasm-bindgen-test-runner, headless Chromium)"
  # What `wasm-pack test --headless --chrome crate` runs, less its waste: wasm-pack builds every test
  # target twice (`cargo build --tests` in the dev profile, then `cargo test` in the test profile,
  # the crate at two opt-levels), and the runner then finds no browser test in all but three of them.
  # Here: `cargo test` with wasm-pack's runner settings, once, only for the test files that have
  # browser tests (those that use wasm_bindgen_test: crate/tests/web*.rs), in the browser-test
  # profile (Cargo.toml: the test profile without debug info). The other test files are checked for
  # wasm32 by the clippy above and run natively. The runner's default limit is 20 s for all the
  # tests of one file (WASM_BINDGEN_TEST_TIMEOUT): a slow machine must not fail for being slow, so
  # the limit is generous.
  browser_tests=()
  for f in crate/tests/*.rs; do
    if grep -q 'wasm_bindgen_test' "$f"; then browser_tests+=(--test "$(basename "$f" .rs)"); fi
  done
  [ ${#browser_tests[@]} -gt 0 ] || { echo "no browser test file found in crate/tests/" >&2; exit 1; }
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_ONLY_WEB=1 \
    CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}" \
    "${REAPED[@]}" cargo test --target wasm32-unknown-unknown -p cfg-playground --profile browser-test "${browser_tests[@]}"

  step web "page build (trunk, release; relative URLs: the same dist/ serves a sub-path)"
  trunk build index.html --release
  touch "$PAGE_BUILT"

  step web "page tests (playwright-core, headless Chromium)"
  # every page test file but the soak and the timing-sensitive files, which run once, in the
  # throttled passes; the CLI round trip uses the native lane's binary: this cargo asks for the
  # same build as that lane's tests (`cargo build --bin` would build the crate again, with the features
  # its dev-dependencies do not turn on), so it waits for that lane's build, then finds it up to date
  page_tests=()
  for f in tests/*.test.js; do
    [[ " ${THROTTLED_NATIVE[*]} ${THROTTLED_WEB[*]} " == *" $f "* ]] || page_tests+=("$f")
  done
  CARGO_TARGET_DIR="$ROOT/target/native" cargo test --profile suite --workspace --all-targets --no-run
  CFG_PLAYGROUND_BIN="$ROOT/target/native/suite/cfg-playground" "${REAPED[@]}" node --test --test-reporter=spec "${page_tests[@]}"

  # here rather than in the native lane: this lane ends its page tests first (docs/testing.md)
  step web "smoke test in Firefox (WebDriver BiDi) and WebKit (WebKitWebDriver, Xvfb): tests/engines/"
  "${REAPED[@]}" node --test --test-reporter=spec tests/engines/run.js

  # this lane's share of the throttled pass (the native lane's step says what it is)
  if [ ${#THROTTLED_WEB[@]} -gt 0 ]; then
    step web "timing-sensitive page tests with the CPU throttled 4x (CPU_THROTTLE=4): $(names "${THROTTLED_WEB[@]}")"
    CPU_THROTTLE=4 "${REAPED[@]}" node --test --test-reporter=spec "${THROTTLED_WEB[@]}"
  fi
  lane_end web
}
# A subshell of its own: the script's shell reaps the native lane when it ends, which adds that
# lane's CPU time to the reaping shell's count (fields 16-17 of its stat), so that count must not be
# the web lane's.
( echo "$BASHPID" >"$WEB_LANE_PID"; web_lane )

say "[$(($(date +%s) - start))s] the web lane passed; waiting for the native lane"
native_rc=0
wait "$native_pid" || native_rc=$?
native_pid=
say "the native lane's output (target/native-lane.log):"
cat "$NATIVE_LOG" >&2
if [ "$native_rc" != 0 ]; then
  say "the native lane failed (exit $native_rc)"
  exit "$native_rc"
fi
say "[$(($(date +%s) - start))s] all tests passed"
