// Models and data between the command line and the page, end to end: the CLI writes points and
// trains on them; the page loads that model through data-model and through the Load button, and
// samples exactly what the CLI's `sample` gives for the same seed (to 1e-4); the page trains and
// exports a model, and the CLI evaluates it; a drawing saved from the page as CSV trains in the
// CLI; tampered model files and bad URLs each give one line in the figure and leave it working.
// Served with the strict Content-Security-Policy of reliability.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-roundtrip-'));
const SITE = path.join(TMP, 'site');

/** The CLI binary, built (or found up to date) by cargo: the dev profile `cargo test` builds. */
function cliBinary() {
  if (process.env.CFG_PLAYGROUND_BIN) return process.env.CFG_PLAYGROUND_BIN;
  execFileSync('cargo', ['build', '--bin', 'cfg-playground'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return path.join(
    process.env.CARGO_TARGET_DIR
      ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
      : path.join(ROOT, 'target'),
    'debug',
    'cfg-playground',
  );
}
let BIN = null;
const cli = (...args) => execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** Runs the CLI expecting failure; returns its stderr. */
function cliFails(...args) {
  try {
    execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return { code: e.status, stderr: e.stderr };
  }
  throw new Error(`expected ${args.join(' ')} to fail`);
}
const file = (name) => path.join(SITE, name);

// the sampling run compared between the CLI and the page
const RUN = { cls: 'upper-moon', n: 40, steps: 16, seed: 5, w: 2 };

let server = null;
let url = '';
let browser = null;

before(async () => {
  assert.ok(fs.existsSync(`${DIST}/index.html`), 'build the page first: trunk build index.html --release');
  BIN = cliBinary();
  fs.mkdirSync(SITE);
  fs.symlinkSync(DIST, path.join(SITE, 'dist'));
  // the CLI writes points and trains a tiny model on them
  cli('data', '--dataset', 'two-moons', '--n', '300', '--seed', '1', '--out', file('moons.csv'));
  cli(
    'train',
    '--data',
    file('moons.csv'),
    '--steps',
    '200',
    '--batch',
    '64',
    '--width',
    '16',
    '--depth',
    '2',
    '--seed',
    '0',
    '--out',
    file('cli.json'),
  );
  cli(
    'train',
    '--method',
    'classifier',
    '--data',
    file('moons.csv'),
    '--steps',
    '20',
    '--batch',
    '64',
    '--width',
    '16',
    '--depth',
    '2',
    '--out',
    file('classifier.json'),
  );
  cli(
    'train',
    '--dataset',
    'face',
    '--steps',
    '50',
    '--batch',
    '64',
    '--width',
    '16',
    '--depth',
    '2',
    '--out',
    file('face.json'),
  );
  // the subjects of the figures about a model made from the shipped one, on overlapping
  const teacher = path.join(DIST, 'www', 'models', 'overlapping.json');
  cli(
    'train',
    '--method',
    'classifier',
    '--dataset',
    'overlapping',
    '--steps',
    '20',
    '--batch',
    '64',
    '--width',
    '16',
    '--depth',
    '2',
    '--out',
    file('classifier-ov.json'),
  );
  cli(
    'train',
    '--method',
    'reflow',
    '--teacher',
    teacher,
    '--pairs',
    '200',
    '--steps',
    '20',
    '--out',
    file('reflow.json'),
  );
  cli(
    'train',
    '--method',
    'distill',
    '--teacher',
    teacher,
    '--steps',
    '20',
    '--batch',
    '64',
    '--out',
    file('student.json'),
  );
  // six classes of points (the drawing shows four brushes, and more as they are used)
  fs.writeFileSync(
    file('six.csv'),
    `x,y,label\n${Array.from({ length: 60 }, (_, i) => `${(Math.cos(i) * (1 + (i % 6) * 0.3)).toFixed(3)},${(Math.sin(i) * (1 + (i % 6) * 0.3)).toFixed(3)},k${i % 6}`).join('\n')}\n`,
  );
  cli(
    'sample',
    '--model',
    file('cli.json'),
    '--class',
    RUN.cls,
    '--guidance',
    String(RUN.w),
    '--n',
    String(RUN.n),
    '--steps',
    String(RUN.steps),
    '--seed',
    String(RUN.seed),
    '--out',
    file('cli-samples.csv'),
  );
  // tampered copies
  const text = fs.readFileSync(file('cli.json'), 'utf8');
  fs.writeFileSync(file('truncated.json'), text.slice(0, Math.floor(text.length / 2)));
  fs.writeFileSync(file('version.json'), text.replace('"version":1', '"version":2'));
  const other = JSON.parse(text);
  other.classes = ['left', 'right'];
  fs.writeFileSync(file('classes.json'), JSON.stringify(other));
  // a host page: figures are mounted by the test (manual), data-model relative to this page
  fs.writeFileSync(
    file('host.html'),
    `<!doctype html><html><head><meta charset="utf-8"><meta name="cfg-playground-manual"><link rel="icon" href="data:,"><title>host</title></head><body>
<div id="url" data-cfg-figure="draw-your-own" data-model="cli.json" data-class="lower-moon"></div>
<div id="pick" data-cfg-figure="draw-your-own"></div>
<div id="hero" data-cfg-figure="hero"></div>
<div id="pp" data-cfg-figure="probability-path"></div>
<div id="bad" data-cfg-figure="hero" data-model="missing.json"></div>
<div id="cls" data-cfg-figure="draw-your-own" data-model="cli.json" data-class="no-such-class"></div>
<div id="pts" data-cfg-figure="draw-your-own" data-points="moons.csv"></div>
<div id="cg" data-cfg-figure="classifier-guidance"></div>
<div id="rf" data-cfg-figure="rectified-flow" data-model="reflow.json"></div>
<div id="ds" data-cfg-figure="distillation"></div>
</body></html>`,
  );
  ({ server, url } = await serve(SITE, '/', { 'Content-Security-Policy': CSP }));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(TMP, { recursive: true, force: true });
});

/** A page on the host, recording errors, warnings and CSP violations. */
async function hostPage() {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, acceptDownloads: true });
  const log = { errors: [], warnings: [] };
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
    if (m.type() === 'warning') log.warnings.push(m.text());
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${url}host.html`);
  return { page, log };
}

/** Mounts the figure element `id`; its shell is window.__figs[id]. */
async function mount(page, id) {
  await page.evaluate(async (id) => {
    // in view, as a reader's figure is: a figure is shown at its first frame, and frames run in view
    document.getElementById(id).scrollIntoView();
    const { mountElement } = await import('/dist/www/embed.js');
    window.__figs ??= {};
    window.__figs[id] = await mountElement(document.getElementById(id));
  }, id);
}

/** The page's samples of RUN from figure `id`'s model (the same Rust sampler, in wasm). */
function pageSamples(page, id) {
  return page.evaluate(
    async ([id, r]) => {
      const { loadWasm } = await import('/dist/www/lib/models.js');
      const w = await loadWasm();
      const m = window.__figs[id].model;
      const f = new w.Flow(m, r.cls, r.n, r.steps, 'euler', r.seed, false);
      const cfg = new w.Method('cfg', { w: r.w });
      f.advanceFor(cfg, m, Infinity, r.steps); // the page's one flow export, no time limit
      const xy = Array.from(f.positions());
      f.free();
      cfg.free();
      return xy;
    },
    [id, RUN],
  );
}

function cliSamples() {
  return fs
    .readFileSync(file('cli-samples.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((l) => l.split(',').map(Number));
}

function assertClose(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
  assert.ok(worst <= tol, `${what}: worst difference ${worst} > ${tol}`);
}

const message = (page, id) =>
  page.evaluate(
    (id) => document.getElementById(id).shadowRoot.querySelector('.message')?.textContent ?? '',
    id,
  );
const loaded = (page, id, v) =>
  page.waitForFunction(([id, v]) => document.getElementById(id).dataset.cfgLoaded === v, [id, v], {
    timeout: 60000,
  });

test('a CLI-trained model loads through data-model and through Load, and samples as the CLI does', async () => {
  const { page, log } = await hostPage();
  await mount(page, 'url');
  assert.equal(
    await page.evaluate(() => document.getElementById('url').dataset.cfgLoaded),
    'data-model',
    await message(page, 'url'),
  );
  const info = await page.evaluate(() => {
    const m = window.__figs.url.model;
    return { dataset: m.dataset, classes: m.classNames(), steps: m.stepsDone };
  });
  assert.deepEqual(info, { dataset: 'custom', classes: ['upper-moon', 'lower-moon'], steps: 200 });
  // data-class names a class of the URL's model: it holds once the model has arrived, unwarned
  assert.equal(await page.evaluate(() => window.__figs.url.state.class), 'lower-moon');
  assert.deepEqual(
    log.warnings.filter((w) => /lower-moon/.test(w)),
    [],
  );
  // the model's points became the drawing: the brushes carry the file's class names
  const brushes = await page.locator('#url .dyo-brush .name').allTextContents();
  assert.deepEqual(brushes.slice(0, 2), ['upper-moon', 'lower-moon']);
  assertClose(await pageSamples(page, 'url'), cliSamples(), 1e-4, 'data-model samples against the CLI');

  // the file picker, on a second figure
  await mount(page, 'pick');
  await page.locator('#pick .tools input[type=file]').setInputFiles(file('cli.json'));
  await loaded(page, 'pick', 'cli.json');
  assert.match(await message(page, 'pick'), /^Loaded cli\.json/);
  assertClose(await pageSamples(page, 'pick'), cliSamples(), 1e-4, 'Load samples against the CLI');

  // a built-in data set's model into a figure that offers it, and into one that does not
  await mount(page, 'hero');
  await page.locator('#hero .tools input[type=file]').setInputFiles(file('face.json'));
  await loaded(page, 'hero', 'face.json');
  assert.equal(await page.evaluate(() => window.__figs.hero.model.stepsDone), 50);
  await mount(page, 'pp');
  await page.locator('#pp .tools input[type=file]').setInputFiles(file('face.json'));
  await loaded(page, 'pp', 'error');
  assert.match(
    await message(page, 'pp'),
    /Could not load face\.json: the model was trained on face; this figure shows non-overlapping, overlapping/,
  );
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('tampered model files and a bad URL each say why in one line and leave the figure working', async () => {
  const { page, log } = await hostPage();
  await mount(page, 'pick');
  // the CLI's model first (it also stops the figure's first training run on its example drawing)
  await page.locator('#pick .tools input[type=file]').setInputFiles(file('cli.json'));
  await loaded(page, 'pick', 'cli.json');
  const before = await page.evaluate(() => window.__figs.pick.model.stepsDone);
  assert.equal(before, 200);
  const cases = [
    ['truncated.json', /truncated/],
    ['version.json', /version 2 is not supported/],
    ['classes.json', /classes \["left", "right"\] do not match data set 'custom'/],
    ['classifier.json', /kind is "classifier", expected "velocity"/],
  ];
  for (const [name, want] of cases) {
    await page.evaluate(() => {
      delete document.getElementById('pick').dataset.cfgLoaded;
    });
    await page.locator('#pick .tools input[type=file]').setInputFiles(file(name));
    await page.waitForFunction(() => document.getElementById('pick').dataset.cfgLoaded, null, {
      timeout: 60000,
    });
    const text = await message(page, 'pick');
    assert.match(text, want, name);
    assert.equal(text.split('\n').length, 1, `${name}: one line`);
    if (name.endsWith('.json')) assert.match(text, /The figure keeps what it showed\.$/);
    // the figure still has its model and still samples
    assert.equal(await page.evaluate(() => window.__figs.pick.model.stepsDone), before, name);
    assert.equal((await pageSamples(page, 'pick')).length, 2 * RUN.n);
  }
  // a points file: the drawing, on an untrained network with the file's classes
  await page.locator('#pick .tools input[type=file]').setInputFiles(file('moons.csv'));
  await loaded(page, 'pick', 'moons.csv');
  assert.match(
    await message(page, 'pick'),
    /^Loaded moons\.csv: 300 points in 2 classes \(upper-moon, lower-moon\); press Train to learn them\.$/,
  );
  assert.deepEqual(
    await page.evaluate(() => [window.__figs.pick.model.stepsDone, window.__figs.pick.model.classNames()]),
    [0, ['upper-moon', 'lower-moon']],
  );
  assert.deepEqual(await page.locator('#pick .ctl select').first().locator('option').allTextContents(), [
    'upper-moon',
    'lower-moon',
    'null',
  ]);
  // a file dropped on the figure
  await page.evaluate(
    async (text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      const target = document.getElementById('pick').shadowRoot.querySelector('figure');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    fs.readFileSync(file('face.json'), 'utf8'),
  );
  await loaded(page, 'pick', 'error');
  assert.match(
    await message(page, 'pick'),
    /^Could not load dropped\.json: the model was trained on face: this figure takes models trained on drawn data/,
  );
  await page.evaluate(() => {
    delete document.getElementById('pick').dataset.cfgLoaded;
  });
  await page.evaluate(
    async (text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      document
        .getElementById('pick')
        .shadowRoot.querySelector('figure')
        .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    fs.readFileSync(file('cli.json'), 'utf8'),
  );
  await loaded(page, 'pick', 'dropped.json');
  assertClose(await pageSamples(page, 'pick'), cliSamples(), 1e-4, 'dropped model samples against the CLI');
  // a model URL that fails: a message in the figure, a warning naming the attribute, the shipped model
  await mount(page, 'bad');
  assert.equal(await page.evaluate(() => document.getElementById('bad').dataset.cfgLoaded), 'error');
  assert.match(
    await message(page, 'bad'),
    /^data-model: could not load missing\.json \(the server answered 404\)\. Showing the shipped model instead\.$/,
  );
  assert.ok(
    log.warnings.some((w) => w.includes('data-model="missing.json"')),
    log.warnings.join('\n'),
  );
  assert.equal(await page.evaluate(() => window.__figs.bad.model.dataset), 'face');
  // a data-class that the URL's model lacks: the first class, with a warning naming it
  await mount(page, 'cls');
  assert.equal(await page.evaluate(() => window.__figs.cls.state.class), 'upper-moon');
  assert.ok(
    log.warnings.some((w) =>
      w.includes("class 'no-such-class' is not a class of the data-model model; using upper-moon"),
    ),
    log.warnings.join('\n'),
  );
  // data-points: the CSV opens as the drawing
  await mount(page, 'pts');
  assert.equal(
    await page.evaluate(() => document.getElementById('pts').dataset.cfgLoaded),
    'data-points',
    await message(page, 'pts'),
  );
  const counts = (await page.locator('#pts .dyo-brush .count').allTextContents()).map(Number);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    300,
  );
  assert.deepEqual(
    log.errors.filter((e) => !/404/.test(e)),
    [],
  );
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
});

test("a classifier, a reflowed model and a student replace their figure's subject; other files say why; six classes open on six brushes", async () => {
  const { page, log } = await hostPage();
  const pick = async (id, name) => {
    await page.evaluate((id) => {
      delete document.getElementById(id).dataset.cfgLoaded;
    }, id);
    await page.locator(`#${id} .tools input[type=file]`).setInputFiles(file(name));
    await page.waitForFunction((id) => document.getElementById(id).dataset.cfgLoaded, id, { timeout: 60000 });
    return [
      await page.evaluate((id) => document.getElementById(id).dataset.cfgLoaded, id),
      await message(page, id),
    ];
  };
  const readout = (id) =>
    page.evaluate((id) => document.getElementById(id).shadowRoot.querySelector('.readout').textContent, id);
  // classifier guidance: a classifier of the other offered data set switches the figure to it
  await mount(page, 'cg');
  assert.deepEqual(await pick('cg', 'classifier-ov.json'), [
    'classifier-ov.json',
    'Loaded classifier-ov.json: it replaces the classifier; v_u stays the shipped overlapping model.',
  ]);
  assert.deepEqual(
    await page.evaluate(() => [
      window.__figs.cg.state.dataset,
      window.__figs.cg.classifier.dataset,
      window.__figs.cg.model.dataset,
    ]),
    ['overlapping', 'overlapping', 'overlapping'],
  );
  await page.waitForFunction(
    () =>
      /the classifier from classifier-ov\.json/.test(
        document.getElementById('cg').shadowRoot.querySelector('.readout').textContent,
      ),
    null,
    { timeout: 60000 },
  );
  const [, velocity] = await pick('cg', 'face.json');
  assert.match(
    velocity,
    /^Could not load face\.json: this figure takes a classifier file \(cfg-playground train --method classifier\): .*kind is "velocity", expected "classifier".* The figure keeps what it showed\.$/,
  );
  assert.match(
    (await pick('cg', 'classifier.json'))[1],
    /the classifier was trained on custom; this figure shows non-overlapping, overlapping/,
  );
  assert.equal(await page.evaluate(() => window.__figs.cg.classifier.dataset), 'overlapping');
  // rectified flow: data-model names a reflowed model
  await mount(page, 'rf');
  assert.equal(
    await page.evaluate(() => document.getElementById('rf').dataset.cfgLoaded),
    'data-model',
    await message(page, 'rf'),
  );
  assert.deepEqual(
    await page.evaluate(() => [
      window.__figs.rf.state.dataset,
      window.__figs.rf.subjectFrom,
      window.__figs.rf.reflowed.stepsDone,
    ]),
    ['overlapping', 'reflow.json', 20],
  );
  await page.waitForFunction(
    () =>
      /the reflowed model from reflow\.json/.test(
        document.getElementById('rf').shadowRoot.querySelector('.readout').textContent,
      ),
    null,
    { timeout: 120000 },
  );
  assert.match(
    (await pick('rf', 'student.json'))[1],
    /the model is a distilled student \(it takes w as an input\): load it into the distillation figure/,
  );
  assert.equal(await page.evaluate(() => window.__figs.rf.subjectFrom), 'reflow.json');
  // distillation: a student replaces the student; a velocity model is not one
  await mount(page, 'ds');
  assert.match(
    (await pick('ds', 'reflow.json'))[1],
    /the overlapping model is not a distilled student \(it has no w input\)/,
  );
  assert.match(
    (await pick('ds', 'face.json'))[1],
    /the model was trained on face; this figure shows non-overlapping, overlapping/,
  );
  assert.deepEqual(await pick('ds', 'student.json'), [
    'student.json',
    'Loaded student.json: it replaces the student model; the teacher stays the shipped overlapping model.',
  ]);
  assert.deepEqual(
    await page.evaluate(() => [
      window.__figs.ds.state.dataset,
      window.__figs.ds.student.isStudent,
      window.__figs.ds.student.stepsDone,
    ]),
    ['overlapping', true, 20],
  );
  await page.waitForFunction(
    () =>
      /the student from student\.json/.test(
        document.getElementById('ds').shadowRoot.querySelector('.readout').textContent,
      ),
    null,
    { timeout: 120000 },
  );
  // the Model button saves the loaded student
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#ds .tools button', { hasText: 'Model' }).click(),
  ]);
  const saved = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(saved.dataset, 'overlapping');
  // draw-your-own: six classes on six brushes, and a seventh brush to draw a new class with
  await mount(page, 'pick');
  const [, six] = await pick('pick', 'six.csv');
  assert.match(six, /^Loaded six\.csv: 60 points in 6 classes \(k0, k1, k2, k3, k4, k5\)/);
  const brushes = await page.evaluate(() =>
    [...document.getElementById('pick').shadowRoot.querySelectorAll('.dyo-brush')].map((b) => [
      b.querySelector('.name').textContent,
      b.querySelector('.count').textContent,
      b.getClientRects().length === 0,
    ]),
  );
  assert.deepEqual(
    brushes.filter((b) => !b[2]).map((b) => b[0]),
    ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'A'],
  );
  assert.deepEqual(
    brushes.slice(0, 6).map((b) => Number(b[1])),
    [10, 10, 10, 10, 10, 10],
  );
  assert.deepEqual(await page.evaluate(() => window.__figs.pick.model.classNames()), [
    'k0',
    'k1',
    'k2',
    'k3',
    'k4',
    'k5',
  ]);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
});

test('the page trains and exports a model that the CLI evaluates; a drawing saved as CSV trains in the CLI', async () => {
  const { page, log } = await hostPage();
  await mount(page, 'pick');
  // draw a stroke of brush B over the example drawing
  const canvas = page.locator('#pick .dyo-canvas');
  const box = await canvas.boundingBox();
  await page.locator('#pick .dyo-brush').nth(1).click();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.8, { steps: 10 });
  await page.mouse.up();
  // the drawing as CSV
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#pick .dyo-edit button', { hasText: 'CSV' }).click(),
  ]);
  await csv.saveAs(file('drawing.csv'));
  const text = fs.readFileSync(file('drawing.csv'), 'utf8');
  assert.ok(text.startsWith('x,y,label\n'));
  cli(
    'train',
    '--data',
    file('drawing.csv'),
    '--steps',
    '50',
    '--batch',
    '64',
    '--width',
    '16',
    '--depth',
    '2',
    '--out',
    file('drawing.json'),
  );
  const r = JSON.parse(cli('eval', '--model', file('drawing.json'), '--n', '100', '--steps', '10'));
  assert.deepEqual(
    r.classes.map((c) => c.class),
    ['A', 'B', 'C'],
  );

  // train in the page, export, evaluate with the CLI
  await page.evaluate(() => {
    const f = window.__figs.pick;
    f.stopTraining();
    f.set('trainSteps', 100);
    f.startTraining();
  });
  await page.waitForFunction(
    () => !window.__figs.pick.isTraining() && window.__figs.pick.model.stepsDone === 100,
    null,
    { timeout: 120000 },
  );
  const [model] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#pick .tools button', { hasText: 'Model' }).click(),
  ]);
  await model.saveAs(file('page.json'));
  const e = JSON.parse(
    cli('eval', '--model', file('page.json'), '--n', '100', '--steps', '10', '--guidance', '2'),
  );
  assert.equal(e.dataset, 'custom');
  assert.equal(e.classes.length, 3);
  const x = JSON.parse(cli('eval', '--exact', '--model', file('page.json'), '--n', '100', '--steps', '10'));
  assert.equal(x.field, 'exact');
  // a tampered export gets its one line from the CLI too
  fs.writeFileSync(file('page-cut.json'), fs.readFileSync(file('page.json'), 'utf8').slice(0, 500));
  const bad = cliFails('eval', '--model', file('page-cut.json'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: bad model file: .*truncated/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
});
