// The page's worker pool (www/lib/pool.js): the same numbers at any size (?workers=1 against
// ?workers=3: the guidance lab's frontier, the probability path's exact densities, every digit),
// the busy state every figure's host carries while its background work runs (aria-busy, set by
// the shell), and a bad ?workers value's one-line warning. Every wait is for a state.
// The guidance lab runs at 50 particles (#guidance-lab.n=50): the frontier must be the same at both
// pool sizes whatever n is, and its 63 points (7 methods × 9 strengths) at 50 particles cost a fifth
// of those at 250.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageSession } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const LONG = 240000;

/** Whether `host` has mounted, and has no background work left (aria-busy gone). */
const settled = (s) => {
  const h = document.querySelector(s);
  return h?.dataset.cfgReady === '1' && !h.hasAttribute('aria-busy');
};

/**
 * The frontier's points as the page shows them: each one's read-out and its exact position (a
 * circle's centre, a diamond's path).
 */
const frontier = (page) =>
  page.$eval('#guidance-lab', (h) =>
    [...h.shadowRoot.querySelectorAll('svg.gl-chart .gl-pt')]
      .map(
        (c) =>
          `${c.getAttribute('aria-label')} @ ${c.getAttribute('d') ?? `${c.getAttribute('cx')},${c.getAttribute('cy')}`}`,
      )
      .sort(),
  );
/** The frontier's size: the lab's methods × its strengths (www/figures/guidance-lab/methods.js). */
const frontierSize = (page) =>
  page.evaluate(async () => {
    const { LAB_METHODS, FRONTIER_WS } = await import('./www/figures/guidance-lab/methods.js');
    return LAB_METHODS.length * FRONTIER_WS.length;
  });

/**
 * The exact densities of the probability path's four panels (face model, w = 1 and 4, nine
 * times), computed through the page's pool by the figure's own ExactDensities: every log density
 * and mass, printed in full.
 */
const densities = (page) =>
  page.evaluate(async () => {
    const { pagePool } = await import('./www/lib/pool.js');
    const { ExactDensities, DENS } = await import('./www/figures/probability-path/exact.js');
    const { pretrainedModel } = await import('./www/lib/models.js');
    const model = await pretrainedModel('face');
    const cells = ['left-eye', 'mouth'].flatMap((name) => [1, 4].map((w) => ({ name, w })));
    const frames = Array.from({ length: DENS.times + 1 }, (_, j) => j * 4);
    const times = frames.map((k) => k / (4 * DENS.times));
    const owner = pagePool().owner();
    await new Promise((resolve, reject) => {
      const d = new ExactDensities({
        pool: owner,
        onResult: () => cells.every((c) => c.dens.done) && resolve(),
        onError: reject,
      });
      d.sync(cells, model, false, frames, times, true);
    });
    return cells.map((c) =>
      c.dens.times.map((r) => `${r.mass} ${r.massError} ${Array.from(r.logP).join(' ')}`).join('\n'),
    );
  });

/** The page at `?workers=n`: the frontier and the densities, and how many pool workers ran. */
async function measure(n) {
  const errors = [];
  const url = `${session.url}?workers=${n}#guidance-lab.n=50`;
  const page = await openPage(session.browser, url, errors);
  const pool = () => page.workers().filter((w) => w.url().endsWith('/pool-worker.js')).length;
  await page.locator('#guidance-lab').scrollIntoViewIfNeeded();
  await page.waitForFunction(settled, '#guidance-lab', { timeout: LONG });
  assert.equal(await page.$eval('#guidance-lab', (h) => h.dataset.cfgFrontier), 'done');
  const points = await frontier(page);
  const size = await frontierSize(page);
  const dens = await densities(page);
  const workers = pool();
  assert.deepEqual(errors, []);
  await page.close();
  return { points, size, dens, workers };
}

test('the pool gives the same frontier and exact densities with 1 worker and with 3', async () => {
  const one = await measure(1);
  const three = await measure(3);
  assert.equal(one.workers, 1, 'one pool worker with ?workers=1');
  assert.equal(three.workers, 3, 'three pool workers with ?workers=3');
  // every method at every strength (7 × 9 = 63), autoguidance included (the shipped guide)
  assert.equal(one.points.length, one.size, 'every frontier point is shown');
  assert.deepEqual(three.points, one.points, 'the frontier is the same at both sizes');
  assert.equal(one.dens.length, 4);
  for (let i = 0; i < 4; i++) assert.ok(one.dens[i] === three.dens[i], `panel ${i}'s densities are the same`);
});

test('a figure is aria-busy while its background work runs, and not after', async () => {
  const errors = [];
  const page = await session.browser.newPage({
    viewport: { width: 1100, height: 900 },
    deviceScaleFactor: 1,
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // every change of the attribute on the figures' hosts, from the start
  await page.addInitScript(() => {
    window.__busy = [];
    new MutationObserver((records) => {
      for (const r of records)
        window.__busy.push(`${r.target.id}:${r.target.getAttribute('aria-busy') ?? 'gone'}`);
    }).observe(document, { attributes: true, attributeFilter: ['aria-busy'], subtree: true });
  });
  await page.goto(`${session.url}#probability-path.n=50`);
  await page.locator('#probability-path').scrollIntoViewIfNeeded();
  await page.waitForFunction(settled, '#probability-path', { timeout: LONG });
  const seen = await page.evaluate(() => window.__busy.filter((b) => b.startsWith('probability-path:')));
  assert.equal(seen[0], 'probability-path:true', `busy first (${seen.join(', ')})`);
  assert.equal(seen.at(-1), 'probability-path:gone', 'then not');
  // what the busy state covered is done: every time's density
  const text = await page.$eval(
    '#probability-path',
    (h) => h.shadowRoot.querySelector('.readout').textContent,
  );
  assert.match(text, /all \d+ times computed/);
  // a change of setting is new background work: busy again, then done
  await page.evaluate(() => (window.__busy.length = 0));
  await page.$eval('#probability-path', (h) => {
    const select = [...h.shadowRoot.querySelectorAll('.ctl select')].find((s) =>
      [...s.options].some((o) => o.value === 'overlapping'),
    );
    select.value = 'overlapping';
    select.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => window.__busy.includes('probability-path:true'), null, { timeout: LONG });
  await page.waitForFunction(settled, '#probability-path', { timeout: LONG });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad ?workers value warns in one line and the page uses the default', async () => {
  const warnings = [];
  const errors = [];
  const page = await session.browser.newPage({
    viewport: { width: 1100, height: 900 },
    deviceScaleFactor: 1,
  });
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${session.url}?workers=lots#guidance-lab.n=50`);
  await page.locator('#guidance-lab').scrollIntoViewIfNeeded();
  await page.waitForFunction(settled, '#guidance-lab', { timeout: LONG });
  const warning = warnings.find((w) => w.includes('workers'));
  assert.match(warning ?? '', /^cfg-playground: workers: 'lots' is not a number; using the default \(\d\)$/);
  assert.deepEqual(errors, []);
  await page.close();
});
