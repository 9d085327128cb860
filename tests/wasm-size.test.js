// The wasm budget (issue 25): each variant the page may load fits in LIMIT_KB gzipped. Reads the
// release build in dist/ (trunk build index.html --release); no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasmSizes, BUDGET_KB, LIMIT_KB } from './wasm-size.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;

// Fails above LIMIT_KB; prints each variant's size against the BUDGET_KB goal.
test(`each wasm variant is at most ${LIMIT_KB} KB gzipped (goal: ${BUDGET_KB} KB)`, () => {
  const sizes = wasmSizes(DIST);
  for (const [variant, { file, gzip_bytes: gz }] of Object.entries(sizes)) {
    console.log(
      `${variant}: ${(gz / 1000).toFixed(1)} KB gzipped (goal ${BUDGET_KB} KB, limit ${LIMIT_KB} KB)`,
    );
    assert.ok(
      gz <= LIMIT_KB * 1000,
      `${variant} (${file}) is ${(gz / 1000).toFixed(1)} KB gzipped, above the ${LIMIT_KB} KB limit`,
    );
  }
});
