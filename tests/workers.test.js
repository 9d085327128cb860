// The page's workers under the strict Content-Security-Policy of tests/reliability.test.js, all
// speaking the protocol of www/lib/rpc.js: the probability path's exact densities (in the page's
// worker pool, www/lib/pool.js) finish, and a time the reader moves to is computed before the others; the draw-your-own
// sampler returns samples of the exact field. The time the densities took is printed, not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pageSession } from './lib.js';

// the policy of tests/reliability.test.js (read, not imported: importing would run its tests)
const CSP = /export const CSP =\s*"([^"]+)"/.exec(
  fs.readFileSync(new URL('./reliability.test.js', import.meta.url), 'utf8'),
)[1];

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST, headers: { 'content-security-policy': CSP } });

/** A page at `hash` recording errors (page, console, workers) and policy violations. */
async function strictPage(hash, errors) {
  const page = await session.browser.newPage({
    viewport: { width: 1100, height: 900 },
    deviceScaleFactor: 1,
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') errors.push(`worker: ${m.text()}`);
    }),
  );
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${session.url}#${hash}`);
  return page;
}

/** Whether figure `s`'s background work is done (its host no longer aria-busy) with every time's density. */
const allDone = (s) => {
  const h = document.querySelector(s);
  return (
    !h.hasAttribute('aria-busy') &&
    /all \d+ times computed/.test(h.shadowRoot.querySelector('.readout').textContent)
  );
};

test('exact densities: the time the reader moves to comes first, then every time, under the CSP', async () => {
  const errors = [];
  // few particles: the flows (on the main thread) reach t = 1 at once; the densities need none
  const page = await strictPage('probability-path.squares=exact&probability-path.n=10', errors);
  const sel = '#probability-path';
  await page.locator(sel).scrollIntoViewIfNeeded();
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', sel, {
    timeout: 30000,
  });
  const t0 = Date.now();
  // pause and move to the last time (t = 1, the most work of all nine; computed last otherwise)
  await page.$eval(sel, (h) => {
    const bar = h.shadowRoot.querySelector('.pb');
    const play = bar.querySelector('button[aria-label="pause"]');
    play?.click();
    const slider = bar.querySelector('input[type=range]');
    slider.value = slider.max;
    slider.dispatchEvent(new Event('input'));
  });
  // the squares at t = 1 show exact densities while other times are still being computed
  const state = await page
    .waitForFunction(
      (s) => {
        const root = document.querySelector(s).shadowRoot;
        const labels = [...root.querySelectorAll('.pp-square canvas.pix')].map((c) =>
          c.getAttribute('aria-label'),
        );
        const shown =
          labels.length > 0 && labels.every((l) => /^Exact density p_t .* at t = 1(\.0+)? with/.test(l));
        const all = /all \d+ times computed/.test(root.querySelector('.readout').textContent);
        return shown ? { all, labels: labels.length } : null;
      },
      sel,
      { timeout: 60000, polling: 'raf' },
    )
    .then((h) => h.jsonValue());
  const first = (Date.now() - t0) / 1000;
  assert.equal(state.all, false, 'the time on screen was done before the others');
  await page.waitForFunction(allDone, sel, { timeout: 90000 });
  console.log(
    `exact densities under the CSP: t = 1 (moved to) after ${first.toFixed(1)} s, all ${((Date.now() - t0) / 1000).toFixed(1)} s after the figure was ready (${state.labels} panels)`,
  );
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('draw-your-own: the sampler worker returns samples of the exact field, under the CSP', async () => {
  const errors = [];
  const page = await strictPage('draw-your-own.exact=true', errors);
  const sel = '#draw-your-own';
  await page.locator(sel).scrollIntoViewIfNeeded();
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', sel, {
    timeout: 30000,
  });
  await page.waitForFunction(
    (s) => /hit rate/i.test(document.querySelector(s).shadowRoot.querySelector('.readout').textContent),
    sel,
    { timeout: 60000 },
  );
  const text = await page.$eval(sel, (h) => h.shadowRoot.querySelector('.readout').textContent);
  assert.match(text, /exact/i);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(errors, []);
  await page.close();
});
