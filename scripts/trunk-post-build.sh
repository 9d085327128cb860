#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml). Trunk has built the wasm with plain SIMD (simd128); this
#  1. builds a second variant with relaxed SIMD (fused multiply-add: about 1.5x the training
#     speed) next to it, as cfg-playground-relaxed.js / cfg-playground-relaxed_bg.wasm;
#  2. in release builds, runs wasm-opt -O3 (npm's binaryen 132, installed by scripts/setup.sh into
#     target/tools) on every wasm: about 8 % smaller gzipped;
#  3. in release builds, minifies the JavaScript and CSS with npm's esbuild (installed by
#     scripts/setup.sh into target/tools): Trunk minifies only the assets it processes, and www/ is
#     copied as it is (copy-dir); the JavaScript is about half as large (a third smaller gzipped);
#  4. builds the GIF encoder (crate/gif-export) as gif-export.js / gif-export_bg.wasm, loaded only
#     when a reader presses a figure's GIF button;
#  5. removes Trunk's inline loader and wasm preloads from index.html: www/lib/wasm.js loads the
#     variant the browser supports, so each page downloads one wasm, and the page needs no inline
#     script (it runs under a strict Content-Security-Policy).
set -euo pipefail
cd "$TRUNK_SOURCE_DIR"
flag=
dir=debug
# release: the wasm-release profile (Cargo.toml: cfg-kernels at opt-level 3, the rest for size),
# as index.html's data-cargo-profile asks of Trunk for the plain-SIMD variant
gif_flag=
gif_dir=debug
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  flag="--profile wasm-release"; dir=wasm-release; gif_flag=--release; gif_dir=release
fi
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  cargo build --quiet --target wasm32-unknown-unknown $flag --lib --target-dir target/relaxed
wasm-bindgen --target web --no-typescript --out-dir "$TRUNK_STAGING_DIR" --out-name cfg-playground-relaxed \
  "target/relaxed/wasm32-unknown-unknown/$dir/cfg_playground.wasm"
# The GIF encoder (crate/gif-export), a separate small module: only the GIF button loads it.
cargo build --quiet --target wasm32-unknown-unknown $gif_flag -p gif-export --lib
wasm-bindgen --target web --no-typescript --out-dir "$TRUNK_STAGING_DIR" --out-name gif-export \
  "target/wasm32-unknown-unknown/$gif_dir/gif_export.wasm"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  opt="target/tools/node_modules/.bin/wasm-opt"
  if [ ! -x "$opt" ]; then
    echo "trunk-post-build: $opt is missing: run scripts/setup.sh (it installs npm's binaryen 132)" >&2
    exit 1
  fi
  for f in "$TRUNK_STAGING_DIR"/*_bg.wasm; do
    relaxed=
    case "$f" in *-relaxed_bg.wasm) relaxed=--enable-relaxed-simd ;; esac
    "$opt" -O3 --enable-simd $relaxed --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$f" -o "$f"
  done
  esbuild="target/tools/node_modules/.bin/esbuild"
  if [ ! -x "$esbuild" ]; then
    echo "trunk-post-build: $esbuild is missing: run scripts/setup.sh (it installs npm's esbuild)" >&2
    exit 1
  fi
  # each file on its own (no bundling: the modules still import each other by their file names)
  mapfile -t assets < <(find "$TRUNK_STAGING_DIR" -type f \( -name '*.js' -o -name '*.css' \))
  "$esbuild" "${assets[@]}" --minify --log-level=warning --allow-overwrite \
    --outbase="$TRUNK_STAGING_DIR" --outdir="$TRUNK_STAGING_DIR"
fi
python3 - "$TRUNK_STAGING_DIR/index.html" <<'PY'
import re, sys
path = sys.argv[1]
html = open(path, encoding="utf-8").read()
html, n = re.subn(r'<script type="module">\s*import init[^<]*?</script>\s*', '', html, flags=re.S)
html = re.sub(r'<link rel="(?:modulepreload|preload)" href="[^"]*cfg-playground[^"]*"[^>]*>', '', html)
if n != 1:
    sys.exit("trunk-post-build: Trunk's loader script was not found in index.html")
open(path, "w", encoding="utf-8").write(html)
PY
