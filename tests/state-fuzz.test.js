// Fuzzing the URL-state and embed-attribute parser (www/shell/state.js) with every figure's settings
// table: seeded random strings, mutations of valid states, and whole random URL fragments parsed
// the way the article parses them. The parser must never throw, every field must come out valid
// (finite, in range, one of the options, ...), and a field it could not use must fall back to its
// default with a warning naming that field. Cases that once failed are kept as regressions.
// No build needed: this imports the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseState, parseValue, format, changedEntries } from '../www/shell/state.js';
import { FIGURES } from '../www/embed.js';
import { trainParams } from '../www/shell/figure.js';

const CASES = Number(process.env.FUZZ_CASES ?? 3000);

/** A small seeded generator (mulberry32), so a failure names a reproducible case. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '',
  ' ',
  '0',
  '-0',
  '1',
  '-1',
  '0.5',
  '1e309',
  '-1e309',
  '1e-400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '1,2',
  ',',
  ',,',
  '1,,2',
  ' 3 ',
  'true',
  'false',
  'yes',
  'off',
  'null',
  'undefined',
  'face',
  'mouth',
  'euler',
  'heun',
  'left-eye',
  '<img src=x onerror=alert(1)>',
  '"',
  "'",
  '%',
  '%zz',
  '&',
  '=',
  '#',
  '.',
  '\u0000',
  '\u202e',
  '😀',
  'é',
  '9'.repeat(400),
  'a'.repeat(41),
  '__proto__',
  'constructor',
  'toString',
  '4294967296',
  '4294967295',
  '2.5',
  '1e3',
  '12',
  '13',
  '0.0001',
  '10',
  '100000000',
];

function randomString(r) {
  const n = Math.floor(r() * 5);
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.7) s += TOKENS[Math.floor(r() * TOKENS.length)];
    else s += String.fromCharCode(Math.floor(r() * (r() < 0.9 ? 128 : 0x10000)));
  }
  return s;
}

/** A raw value: random, or a valid value of `p` mutated (a character changed, cut, doubled). */
function rawFor(p, r) {
  if (r() < 0.4) return randomString(r);
  let s = format(p, p.default ?? '');
  const k = Math.floor(r() * (s.length + 1));
  const pick = r();
  if (pick < 0.25) s = s.slice(0, k);
  else if (pick < 0.5) s = s.slice(0, k) + randomString(r) + s.slice(k);
  else if (pick < 0.7) s = s + s;
  else if (pick < 0.85) s = `-${s}`;
  return s;
}

/** Whether `v` is a valid value of `p`. */
function valid(p, v) {
  const inRange = (x) =>
    Number.isFinite(x) && (p.min === undefined || x >= p.min) && (p.max === undefined || x <= p.max);
  switch (p.type) {
    case 'number':
      return typeof v === 'number' && inRange(v);
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && inRange(v);
    case 'enum':
      return p.options.includes(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v) && v.length >= 1 && v.length <= (p.maxItems ?? 12) && v.every(inRange);
    case 'name':
      return typeof v === 'string' && /^[\w .-]{1,40}$/.test(v);
    default:
      return false;
  }
}

async function tables() {
  const out = [['train', trainParams()]];
  for (const [id, load] of Object.entries(FIGURES)) {
    const params = (await load()).default.params;
    if (params.length) out.push([id, params]);
  }
  return out;
}

/** Parses `raw` (key → string) with `table`; checks every field and every warning. */
function check(table, raw, label) {
  const warnings = [];
  let out;
  assert.doesNotThrow(() => {
    out = parseState(
      table,
      (k) => raw[k],
      (m) => warnings.push(m),
    );
  }, label);
  for (const p of table) {
    const v = out[p.key];
    const named = warnings.filter((w) => w.startsWith(`${p.key}: `));
    if (p.default === undefined) {
      // the class of a figure is chosen from the model's classes when none is given
      assert.ok(v === undefined || valid(p, v), `${label}: ${p.key} = ${JSON.stringify(v)}`);
      continue;
    }
    assert.ok(valid(p, v), `${label}: ${p.key} = ${JSON.stringify(v)} from ${JSON.stringify(raw[p.key])}`);
    if (raw[p.key] === undefined) {
      assert.deepEqual(v, p.default, `${label}: ${p.key} without a value is its default`);
      assert.equal(named.length, 0, label);
      continue;
    }
    const r = parseValue(p, raw[p.key]);
    if (r.error) {
      assert.deepEqual(v, p.default, `${label}: bad ${p.key} falls back to the default`);
      assert.equal(named.length, 1, `${label}: one warning naming ${p.key}: ${warnings.join(' | ')}`);
    } else {
      assert.deepEqual(v, r.value, label);
      assert.equal(named.length, r.note ? 1 : 0, label);
    }
  }
  // every warning names a field of the table
  for (const w of warnings)
    assert.ok(
      table.some((p) => w.startsWith(`${p.key}: `)),
      `${label}: warning '${w}'`,
    );
  // what the parser accepted survives a round trip through a link
  const again = parseState(table, (k) => Object.fromEntries(changedEntries(table, out))[k]);
  for (const p of table)
    if (out[p.key] !== undefined) assert.deepEqual(again[p.key], out[p.key], `${label}: ${p.key} round trip`);
}

test('every default of every settings table is itself valid', async () => {
  for (const [id, table] of await tables()) {
    for (const p of table) if (p.default !== undefined) assert.ok(valid(p, p.default), `${id}.${p.key}`);
  }
});

test(`the state parser survives ${CASES} fuzzed attribute sets per table, field by field`, async () => {
  for (const [id, table] of await tables()) {
    const r = rng(0x5eed ^ (id.length * 7919));
    for (let c = 0; c < CASES; c++) {
      const raw = {};
      for (const p of table) if (r() < 0.6) raw[p.key] = rawFor(p, r);
      check(table, raw, `${id} case ${c}`);
    }
  }
});

test('whole random URL fragments parse as the article parses them', async () => {
  const all = await tables();
  const r = rng(42);
  for (let c = 0; c < CASES; c++) {
    const [id, table] = all[c % all.length];
    const enc = (s) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return s;
      }
    }; // lone surrogates
    const parts = [];
    for (let k = Math.floor(r() * 8); k > 0; k--) {
      const p = table[Math.floor(r() * table.length)];
      const key = r() < 0.8 ? `${id}.${p?.key ?? 'x'}` : randomString(r);
      parts.push(
        `${r() < 0.9 ? enc(key) : key}=${r() < 0.5 ? enc(rawFor(p ?? table[0], r)) : randomString(r)}`,
      );
    }
    const hash = new URLSearchParams(parts.join(r() < 0.9 ? '&' : ';'));
    const raw = {};
    for (const p of table) {
      const v = hash.get(`${id}.${p.key}`);
      if (v !== null) raw[p.key] = v;
    }
    check(table, raw, `${id} fragment #${parts.join('&')}`);
  }
});

test('regressions: values that once needed care', () => {
  const int = { key: 'n', type: 'int', default: 10, min: 10, max: 4000 };
  const num = { key: 'w', type: 'number', default: 3, min: 0, max: 12 };
  const list = { key: 'ws', type: 'list', default: [0, 1], min: 0, max: 12, maxItems: 6 };
  const bool = { key: 'exact', type: 'bool', default: false };
  const name = { key: 'class', type: 'name', default: 'mouth' };
  const cases = [
    [int, '1e309', undefined],
    [int, '-0', 10],
    [int, '0x10', 16],
    [int, '2.5', undefined],
    [int, '1e3', 1000],
    [num, 'Infinity', undefined],
    [num, 'NaN', undefined],
    [num, '', undefined],
    [num, ' 5 ', 5],
    [num, '1e-400', 0],
    // found by this fuzzer: -0 came back as -0 (and as 0 after a round trip through a link)
    [num, '-0', 0],
    [num, '-1e-400', 0],
    [list, '-0,1', [0, 1]],
    [list, ',,', undefined],
    [list, '1,,2', [1, 2]],
    [list, '1,2,3,4,5,6,7', undefined],
    [list, '99', [12]],
    [bool, '', true],
    [bool, 'maybe', undefined],
    [name, '<img src=x onerror=alert(1)>', undefined],
    [name, 'a'.repeat(41), undefined],
    [name, '__proto__', '__proto__'],
  ];
  for (const [p, raw, want] of cases) {
    const warnings = [];
    const out = parseState(
      [p],
      (k) => (k === p.key ? raw : undefined),
      (m) => warnings.push(m),
    );
    if (want === undefined) {
      assert.deepEqual(out[p.key], p.default, `${p.key}=${raw}`);
      assert.equal(warnings.length, 1, `${p.key}=${raw} warns`);
    } else {
      assert.deepEqual(out[p.key], want, `${p.key}=${raw}`);
    }
  }
});
