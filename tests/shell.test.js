// Figures reach their controls through the shell's API only (www/shell/figure.js: fig.control(key),
// fig.trainingPanel()), and leave waiting for stylesheets to the shell, which draws nothing
// before they apply. Checked in the source, and on the page for the figures that use the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openPage, pageSession, mountEvery } from './lib.js';
import { FIGURES } from '../www/embed.js';
import { checkEffects, effectsFor, fx } from '../www/shell/effects.js';
import { TRAIN_KEYS } from '../www/shell/params.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = process.env.DIST ?? path.join(ROOT, 'dist');

function figureSources(dir = path.join(ROOT, 'www', 'figures')) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return figureSources(p);
    return e.name.endsWith('.js') ? [[path.relative(ROOT, p), fs.readFileSync(p, 'utf8')]] : [];
  });
}

test("no figure queries the shell's own elements: controls, the training panel, stylesheets", () => {
  const rules = [
    [/\[id\^=/, 'a control found by its generated id (use fig.control(key))'],
    [/\.ctl\b['"` ]/, 'a control row found by its class (use fig.control(key))'],
    [/['"`]\.train[ '"`]/, 'the training panel found by its class (use fig.trainingPanel())'],
    [/link\[rel=stylesheet\]/, 'a stylesheet waited for (the shell waits before create)'],
    [
      /shadow\.querySelector/,
      "an element of the shell found by a query (use the shell's API: fig.control, fig.sidePanel, fig.trainingPanel)",
    ],
  ];
  const found = [];
  for (const [file, text] of figureSources()) {
    for (const [re, what] of rules) if (re.test(text)) found.push(`${file}: ${what}`);
  }
  assert.deepEqual(found, []);
});

test('every setting of every figure says what a change to it invalidates, and every effect is in a chain', async () => {
  const problems = [];
  for (const [id, load] of Object.entries(FIGURES)) {
    const def = (await load()).default;
    for (const p of checkEffects(def, TRAIN_KEYS)) problems.push(`${id}: ${p}`);
  }
  assert.deepEqual(problems, []);
  // and the figures leave the dispatch to the shell: no update(keys) of their own, no calls into
  // their own implementation (a change that is not a setting goes through fig.changed)
  const found = [];
  for (const [file, text] of figureSources()) {
    if (/^\s*update\(keys\)/m.test(text)) found.push(`${file}: an update(keys) of its own`);
    if (/fig\.impl\b/.test(text)) found.push(`${file}: fig.impl called directly`);
  }
  assert.deepEqual(found, []);
});

// ---------- the figure contract (www/shell/contract.js): its @typedef blocks, checked ----------

/** The @typedef blocks of contract.js: name → { field: { type, optional } }. */
function contractTypedefs() {
  const text = fs.readFileSync(path.join(ROOT, 'www', 'shell', 'contract.js'), 'utf8');
  const defs = {};
  for (const block of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const name = block[1].match(/@typedef\s+\{object\}\s+(\w+)/)?.[1];
    if (!name) continue;
    defs[name] = {};
    for (const m of block[1].matchAll(/@property\s+\{(.+?)\}\s+(\[)?(\w+)\]?/g))
      defs[name][m[3]] = { type: m[1], optional: !!m[2] };
  }
  return defs;
}

/** Splits `type` at its top-level `|`s (not those inside <…> or (…)). */
function alternatives(type) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    if ('<('.includes(type[i])) depth++;
    else if ('>)'.includes(type[i])) depth--;
    else if (type[i] === '|' && depth === 0) {
      out.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  return [...out, type.slice(start).trim()];
}

/** What is wrong with `value` as a `type` of the contract, with typedefs `defs` ([] if nothing). */
function typeProblems(value, type, defs, where) {
  const fits = (t) => {
    if (t.startsWith('function')) return typeof value === 'function' ? [] : null;
    if (t === 'string' || t === 'boolean' || t === 'number') return typeof value === t ? [] : null;
    if (t === 'Node') return typeof value === 'object' && value !== null ? [] : null;
    const plain = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (t === 'object') return plain ? [] : null;
    const array = t.match(/^Array<(.+)>$/);
    if (array)
      return Array.isArray(value)
        ? value.flatMap((v, i) => typeProblems(v, array[1], defs, `${where}[${i}]`))
        : null;
    const map = t.match(/^Object<string,\s*(.+)>$/);
    if (map)
      return plain
        ? Object.entries(value).flatMap(([k, v]) => typeProblems(v, map[1], defs, `${where}.${k}`))
        : null;
    if (defs[t]) return plain ? definitionProblems(value, t, defs, where) : null;
    throw new Error(`contract.js: a type the check does not know: ${t}`);
  };
  const tried = alternatives(type).map(fits);
  if (tried.some((p) => p && p.length === 0)) return [];
  return tried.find((p) => p) ?? [`${where}: not a ${type}`];
}

/** What is wrong with `def` as a `name` typedef of the contract ([] if nothing). */
function definitionProblems(def, name, defs, where = name) {
  const fields = defs[name];
  const problems = Object.keys(def)
    .filter((k) => !fields[k])
    .map((k) => `${where}.${k}: a field the contract does not name`);
  for (const [k, { type, optional }] of Object.entries(fields)) {
    if (def[k] === undefined) {
      if (!optional) problems.push(`${where}.${k}: missing`);
    } else problems.push(...typeProblems(def[k], type, defs, `${where}.${k}`));
  }
  return problems;
}

test('every figure definition is a FigureDefinition of www/shell/contract.js', async () => {
  const defs = contractTypedefs();
  assert.ok(
    Object.keys(defs.FigureDefinition ?? {}).length > 10,
    'contract.js has a FigureDefinition typedef',
  );
  const problems = [];
  for (const [id, load] of Object.entries(FIGURES)) {
    const def = (await load()).default;
    if (def.id !== id) problems.push(`${id}: its definition's id is ${def.id}`);
    problems.push(...definitionProblems(def, 'FigureDefinition', defs, id));
    // its stylesheets are files, named from its folder
    for (const name of def.styles ?? []) {
      if (!fs.existsSync(path.join(ROOT, 'www', 'figures', id, String(name))))
        problems.push(`${id}: no stylesheet www/figures/${id}/${name}`);
    }
  }
  assert.deepEqual(problems, []);
  // and the check can fail: a missing field, a wrong type (nested too), a field the contract does not name
  const hero = (await FIGURES.hero()).default;
  const { title, ...untitled } = hero;
  assert.ok(title);
  assert.deepEqual(definitionProblems(untitled, 'FigureDefinition', defs, 'x'), ['x.title: missing']);
  assert.deepEqual(
    definitionProblems({ ...hero, wide: 'yes', styles: ['a.css', 3] }, 'FigureDefinition', defs, 'x'),
    ['x.styles[1]: not a string', 'x.wide: not a boolean'],
  );
  assert.deepEqual(
    definitionProblems({ ...hero, effects: [['a', 1]], on: { model: 2 } }, 'FigureDefinition', defs, 'x'),
    ['x.on.model: not a string', 'x.effects[0][1]: not a string'],
  );
  assert.deepEqual(
    definitionProblems({ ...hero, training: { kind: 'x', begin() {} } }, 'FigureDefinition', defs, 'x'),
    ['x.training.setParams: missing'],
  );
  assert.deepEqual(definitionProblems({ ...hero, style: [] }, 'FigureDefinition', defs, 'x'), [
    'x.style: a field the contract does not name',
  ]);
});

test('www/ is layered: lib imports nothing above it, the shell nothing from the figures; every import exists', () => {
  const layer = (file) =>
    file.startsWith('www/lib/')
      ? 0
      : file.startsWith('www/shell/')
        ? 1
        : file.startsWith('www/figures/')
          ? 2
          : 3;
  const found = [];
  const missing = [];
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? walk(p) : e.name.endsWith('.js') ? [p] : [];
    });
  for (const p of walk(path.join(ROOT, 'www'))) {
    const file = path.relative(ROOT, p);
    for (const m of fs.readFileSync(p, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const target = path.relative(ROOT, path.resolve(path.dirname(p), m[1]));
      // the wasm-bindgen modules exist only in the built dist/
      if (!fs.existsSync(path.join(ROOT, target)) && !/cfg-playground|gif-export/.test(target))
        missing.push(`${file} imports ${target}, which does not exist`);
      // the entry points may import anything
      if (layer(file) !== 3 && layer(target) > layer(file)) found.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.deepEqual(found, []);
});

test('the dispatch runs the strongest triggered effect of each chain, in order', () => {
  const def = {
    params: [
      ...fx('data', { key: 'dataset' }),
      ...fx('restart', { key: 'n' }),
      ...fx(['densities', 'soft'], { key: 'w' }),
      { key: 'lr' },
    ],
    on: { model: 'weights', drawing: 'densities' },
    effects: [['data', 'restart', 'soft', 'weights'], ['densities']],
  };
  assert.deepEqual(effectsFor(def, ['n']), ['restart']);
  assert.deepEqual(effectsFor(def, ['w']), ['soft', 'densities']);
  assert.deepEqual(effectsFor(def, ['model']), ['weights']);
  assert.deepEqual(effectsFor(def, ['model', 'dataset']), ['data']);
  assert.deepEqual(effectsFor(def, ['n', 'w', 'model']), ['restart', 'densities']);
  assert.deepEqual(effectsFor(def, ['drawing']), ['densities']);
  assert.deepEqual(effectsFor(def, ['lr']), []);
  assert.deepEqual(checkEffects(def, ['lr']), []);
  assert.deepEqual(checkEffects(def, []), [
    "setting 'lr' says nothing about what a change to it invalidates",
  ]);
  // the default: model → weights, and one chain in the order the settings name the effects
  const plain = { params: fx('restart', { key: 'n' }) };
  assert.deepEqual(effectsFor(plain, ['model', 'n']), ['restart']);
  assert.deepEqual(checkEffects(plain, [], { restart() {} }), ["no handler for effect 'weights'"]);
  assert.deepEqual(checkEffects({ params: [], effects: ['a', 'weights'], on: { x: 'b' } }, []), [
    "effect 'b' is in no chain of effects",
  ]);
});

const session = pageSession({ dist: DIST });

test("the w control is dimmed through the shell while the class is null; velocity-field plays with the players' button; the loss link opens the training panel", async () => {
  const errors = [];
  const page = await openPage(
    session.browser,
    `${session.url}#velocity-field.class=null&euler-steps.class=null`,
    errors,
    { width: 1280, height: 900 },
  );
  for (const id of ['velocity-field', 'euler-steps']) {
    const host = page.locator(`[data-cfg-figure="${id}"]`);
    await host.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-cfg-figure="${id}"]`)?.dataset.cfgReady === '1',
      id,
      { timeout: 60000 },
    );
    const dimmed = () =>
      page.$eval(`[data-cfg-figure="${id}"]`, (h) =>
        [...h.shadowRoot.querySelectorAll('.ctl')]
          .filter((r) => r.classList.contains('ctl-unused'))
          .map((r) => r.querySelector('label').textContent),
      );
    await page.waitForFunction(
      (id) => document.querySelector(`[data-cfg-figure="${id}"]`).shadowRoot.querySelector('.ctl-unused'),
      id,
      { timeout: 60000 },
    );
    assert.deepEqual(await dimmed(), ['guidance w'], id);
    // a class: w acts again
    await host.locator('.ctl', { hasText: 'class' }).locator('select').selectOption({ index: 0 });
    await page.waitForFunction(
      (id) => !document.querySelector(`[data-cfg-figure="${id}"]`).shadowRoot.querySelector('.ctl-unused'),
      id,
      { timeout: 60000 },
    );
  }
  // velocity-field's play head is the players' (playbar.js PlayHead): it pauses and plays t
  const vf = page.locator('[data-cfg-figure="velocity-field"]');
  await vf.scrollIntoViewIfNeeded();
  const btn = vf.locator(
    '.vf-playbar button.pb-btn[aria-label=pause], .vf-playbar button.pb-btn[aria-label=play]',
  );
  const label = await btn.getAttribute('aria-label');
  await btn.click();
  assert.equal(await btn.getAttribute('aria-label'), label === 'pause' ? 'play' : 'pause');
  if (label === 'pause') await btn.click(); // it was playing: play again
  const t0 = await vf.locator('.vf-playbar input[type=range]').inputValue();
  await page.waitForFunction(
    (t0) =>
      document
        .querySelector('[data-cfg-figure="velocity-field"]')
        .shadowRoot.querySelector('.vf-playbar input[type=range]').value !== t0,
    t0,
    { timeout: 60000 },
  );
  assert.equal(await btn.getAttribute('aria-label'), 'pause');
  const dyo = page.locator('[data-cfg-figure="draw-your-own"]');
  await dyo.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => document.querySelector('[data-cfg-figure="draw-your-own"]')?.dataset.cfgReady === '1',
    null,
    { timeout: 60000 },
  );
  assert.equal(await dyo.locator('.train details').evaluate((d) => d.open), false);
  await dyo.locator('button', { hasText: 'loss curve' }).click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-cfg-figure="draw-your-own"]').shadowRoot.querySelector('.train details')
        .open,
    null,
    { timeout: 60000 },
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("velocity-field: a link's t is kept as it is, paused; stepping the play head sets t", async () => {
  const errors = [];
  const page = await openPage(session.browser, `${session.url}#velocity-field.t=0.37`, errors, {
    width: 1280,
    height: 900,
  });
  const vf = page.locator('[data-cfg-figure="velocity-field"]');
  await vf.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => document.querySelector('[data-cfg-figure="velocity-field"]')?.dataset.cfgReady === '1',
    null,
    { timeout: 60000 },
  );
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-cfg-figure="velocity-field"]')
        .shadowRoot.querySelector('.vf-playbar .pb-time')?.textContent === 't = 0.37',
    null,
    { timeout: 60000 },
  );
  assert.equal(
    await vf.locator('.vf-playbar button[aria-label=play]').count(),
    1,
    'a link that sets t starts paused',
  );
  assert.match(await page.evaluate(() => location.hash), /velocity-field\.t=0\.37/);
  await vf.locator('.vf-playbar button[aria-label="one step forward"]').click();
  // one frame of the recorded run further: t = 19/50 + 1/50
  await page.waitForFunction(() => /velocity-field\.t=0\.4(&|$)/.test(location.hash), null, {
    timeout: 60000,
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test('every focusable element of every figure has a name and is not hidden from screen readers', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  await mountEvery(page);
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-cfg-figure]')].every((h) => h.dataset.cfgReady === '1'),
    null,
    { timeout: 180000 },
  );
  const bad = await page.evaluate(() =>
    [...document.querySelectorAll('[data-cfg-figure]')].flatMap((h) =>
      [...h.shadowRoot.querySelectorAll('[tabindex]:not([tabindex="-1"]), button, input, select, summary')]
        .filter((e) => {
          if (e.closest('[hidden]') || e.type === 'file') return false;
          const hidden = e.closest('[aria-hidden="true"]');
          const named = e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim() || e.title;
          return hidden || !named;
        })
        .map((e) => `${h.dataset.cfgFigure}: <${e.tagName.toLowerCase()} class="${e.className}">`),
    ),
  );
  assert.deepEqual(bad, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a read-out shows no stray "null" for a part a figure leaves out (cfg-grid at 1280 px)', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  const host = page.locator('#cfg-grid');
  await host.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => {
      const h = document.getElementById('cfg-grid');
      const grid = h?.shadowRoot?.querySelector('.cfg-grid');
      // every cell has its numbers (a pending cell's title is "…")
      return (
        h?.dataset.cfgReady === '1' && !h.hasAttribute('aria-busy') && grid && !grid.textContent.includes('…')
      );
    },
    null,
    { timeout: 120000 },
  );
  const text = await host.locator('.readout').textContent();
  assert.doesNotMatch(text, /null/, text);
  assert.deepEqual(errors, []);
  await page.close();
});
