#!/usr/bin/env bash
# Installs what this project needs and the machine lacks. Sourced by serve.sh and test.sh;
# each step is skipped when the tool is already there at the right version.
#   setup_build   wasm32 target, wasm-bindgen-cli (the Cargo.lock version), trunk
#   setup_test    the above, plus wasm-pack, Debian's chromium + chromium-driver, firefox-esr,
#                 webkit2gtk-driver and xvfb, tests/node_modules, Pillow
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
TRUNK_VERSION="0.21.14"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root (or sudo)" >&2; return 1; fi
}

# The wasm-bindgen version Cargo.lock pins (the CLI must match it exactly).
lock_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

need_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

need_wasm_bindgen() {
  local want have
  want="$(lock_wasm_bindgen_version)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); a few minutes"
    # not --locked: its lockfile wants a crate version the registry lacks
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

need_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}' || true)" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION; about ten minutes"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install trunk --version "$TRUNK_VERSION" --locked --force
  fi
}

need_wasm_pack() {
  if ! command -v wasm-pack >/dev/null; then
    say "installing wasm-pack; a few minutes"
    cargo install wasm-pack --locked
  fi
}

need_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium chromium-driver
  fi
}

# Firefox and WebKit for the smoke test of tests/engines/ (Chromium is need_chromium's):
# Debian's firefox-esr (driven over WebDriver BiDi), webkit2gtk-driver (WebKitWebDriver and
# WebKitGTK's MiniBrowser) and xvfb (MiniBrowser needs a display).
need_engines() {
  if ! command -v firefox-esr >/dev/null || ! command -v WebKitWebDriver >/dev/null || ! command -v Xvfb >/dev/null; then
    say "installing Debian's firefox-esr, webkit2gtk-driver and xvfb"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q firefox-esr webkit2gtk-driver xvfb
  fi
}

need_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "installing node and npm from Debian"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q nodejs npm
  fi
}

# wasm-opt from npm's binaryen 132 (Debian's binaryen 108 produces wasm that fails to load), used
# by scripts/trunk-post-build.sh on release builds, and npm's esbuild 0.28.2, which minifies their
# JS and CSS there (one install of both: npm drops what an install does not name).
need_binaryen() {
  need_node
  local bin="$ROOT/target/tools/node_modules/.bin/wasm-opt" esbuild="$ROOT/target/tools/node_modules/.bin/esbuild"
  if [ ! -x "$bin" ] || ! "$bin" --version | grep -q "version 132" || [ "$("$esbuild" --version 2>/dev/null)" != 0.28.2 ]; then
    say "installing wasm-opt (npm binaryen 132) and esbuild 0.28.2 into target/tools"
    mkdir -p "$ROOT/target/tools"
    npm install --prefix "$ROOT/target/tools" --no-audit --no-fund --no-save binaryen@132.0.0 esbuild@0.28.2 >/dev/null
  fi
}

need_node_modules() {
  need_node
  # every dependency tests/package.json names must be there (a package added later installs too)
  local dep missing=""
  for dep in $(node -e 'console.log(Object.keys(require(process.argv[1]).dependencies).join(" "))' "$ROOT/tests/package.json"); do
    [ -d "$ROOT/tests/node_modules/$dep" ] || missing="$missing $dep"
  done
  if [ -n "$missing" ]; then
    say "installing the page tests' packages:$missing (no browser download: the tests use Debian's browsers)"
    (cd "$ROOT/tests" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# Python's Pillow: the GIF page test decodes the figures' GIFs with it (an independent decoder)
need_pillow() {
  if ! python3 -c 'import PIL' 2>/dev/null; then
    say "installing Python's Pillow (pip)"
    pip install --quiet pillow || pip install --quiet --break-system-packages pillow
  fi
}

setup_build() {
  need_wasm_target
  need_wasm_bindgen
  need_trunk
  need_binaryen
}

setup_test() {
  setup_build
  need_wasm_pack
  need_chromium
  need_engines
  need_node_modules
  need_pillow
}
