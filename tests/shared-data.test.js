// The page's copies of data the Rust core defines must not drift from it: the data-set list
// (www/shell/params.js), the palette and the null grey (www/lib/dom.js, crate/src/render.rs), and every
// figure's data sets and default class (crate/src/datasets.rs). Reads the Rust sources, imports
// the page's; no build needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { PALETTE, NULL_COLOR } from '../www/lib/dom.js';
import { P } from '../www/shell/params.js';
import { FIGURES } from '../www/embed.js';

const rust = (file) => fs.readFileSync(new URL(`../crate/src/${file}`, import.meta.url), 'utf8');
const hex = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`.toUpperCase();

/** The core's data sets: name → class names, from `NAMES` and `Dataset::by_name`. */
function coreDatasets() {
  const src = rust('datasets.rs');
  const names = JSON.parse(/pub const NAMES: \[&str; \d+\] =\s*(\[[^\]]*\])/.exec(src)[1]);
  const body = src.slice(src.indexOf('pub fn by_name'));
  const sets = new Map();
  const arms = [...body.matchAll(/^\s*"([a-z-]+)" => \(/gm)];
  arms.forEach((m, i) => {
    const text = body.slice(m.index, arms[i + 1]?.index ?? body.indexOf('_ => return Err'));
    sets.set(
      m[1],
      [...text.matchAll(/class\("([^"]+)"/g)].map((c) => c[1]),
    );
  });
  return { names, sets };
}

test("the data-set list of the page is the core's, in its order", () => {
  const { names, sets } = coreDatasets();
  assert.deepEqual(P.dataset().options, names);
  assert.deepEqual([...sets.keys()], names, 'every name has its classes in Dataset::by_name');
  for (const [name, classes] of sets) assert.ok(classes.length >= 2, `${name}: ${classes}`);
});

test("the palette and the null grey are the core's", () => {
  const src = rust('render.rs');
  const block = /pub const PALETTE: \[\[u8; 3\]; \d+\] = \[([\s\S]*?)\];/.exec(src)[1];
  const palette = [...block.matchAll(/\[(\d+), (\d+), (\d+)\]/g)].map((m) => hex(m.slice(1, 4).map(Number)));
  assert.deepEqual(
    PALETTE.map((c) => c.toUpperCase()),
    palette,
  );
  const grey = /pub const NULL_COLOR: \[u8; 3\] = \[(\d+), (\d+), (\d+)\]/.exec(src).slice(1, 4).map(Number);
  assert.equal(NULL_COLOR.toUpperCase(), hex(grey));
});

test('every figure offers core data sets and starts on a class of its data set', async () => {
  const { sets } = coreDatasets();
  for (const [id, load] of Object.entries(FIGURES)) {
    const def = (await load()).default;
    const ds = def.params.find((p) => p.key === 'dataset');
    const cls = def.params.find((p) => p.key === 'class');
    if (ds) for (const o of ds.options) assert.ok(sets.has(o), `${id}: data set '${o}' is not the core's`);
    if (!ds || !cls) continue; // no data-set setting: its own data (draw-your-own)
    const ok = sets.get(ds.default).includes(cls.default) || (cls.allowNull && cls.default === 'null');
    assert.ok(ok, `${id}: class '${cls.default}' is not a class of ${ds.default} (${sets.get(ds.default)})`);
  }
});
