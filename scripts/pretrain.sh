#!/usr/bin/env bash
# Makes the pretrained models the page opens on (www/models/<data set>.json), with the CLI:
#   cfg-playground train --dataset D --width 64 --depth 3 --steps 8000 --seed 0 --dtype f16
# Deterministic: the same command gives the same files. About 20 s per data set on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
mkdir -p www/models
for d in $(target/release/cfg-playground datasets --json | python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)))'); do
  target/release/cfg-playground train --dataset "$d" --width 64 --depth 3 --steps 8000 --seed 0 --dtype f16 \
    --out "www/models/$d.json" &
  # two at a time
  if [ "$(jobs -r | wc -l)" -ge 2 ]; then wait -n; fi
done
wait
ls -l www/models
printf 'gzipped total: %s bytes\n' "$(cat www/models/*.json | gzip -9 | wc -c)"
