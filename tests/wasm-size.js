// The first-load wasm budget (issue 25): each variant of the page's wasm, gzipped at level 9 as a
// server would send it, is at most BUDGET_KB; tests/wasm-size.test.js fails above LIMIT_KB (the
// budget itself, since both variants fit it: below the 260 KB test limit), and
// tests/bench.js prints the sizes. Modules loaded on demand (such as a GIF encoder) are not in it.
import fs from 'node:fs';
import zlib from 'node:zlib';

/** The goal and the test's limit, in KB of 1000 bytes. */
export const BUDGET_KB = 250;
export const LIMIT_KB = BUDGET_KB;
/** The page's wasm variants, by name: the file www/lib/wasm.js loads for each. */
export const VARIANTS = {
  simd128: 'cfg-playground_bg.wasm',
  'relaxed-simd': 'cfg-playground-relaxed_bg.wasm',
};

/** { variant: { file, bytes, gzip_bytes } } for each variant in `dist`; throws if one is missing. */
export function wasmSizes(dist) {
  const out = {};
  for (const [variant, file] of Object.entries(VARIANTS)) {
    const path = `${dist}/${file}`;
    if (!fs.existsSync(path))
      throw new Error(`${path} is missing: build the page first (trunk build index.html --release)`);
    const raw = fs.readFileSync(path);
    out[variant] = { file, bytes: raw.length, gzip_bytes: zlib.gzipSync(raw, { level: 9 }).length };
  }
  return out;
}
