// README documents every figure id and attribute: the generated block must be current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { markdown, START, END } from './figure-docs.js';

test('the README lists every figure and every attribute, as the code defines them', async () => {
  const text = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  assert.ok(a >= 0 && b > a, 'README.md has the figure markers');
  assert.equal(text.slice(a + START.length, b).trim(), (await markdown()).trim(), 'run: node tests/figure-docs.js --write');
});
