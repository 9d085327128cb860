#!/usr/bin/env bash
# Builds the page (release wasm) and serves it on http://127.0.0.1:8080 (PORT=... to change).
# Installs the wasm target, wasm-bindgen-cli and trunk first if they are missing.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
setup_build
cd "$ROOT"
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}" --no-autoreload
