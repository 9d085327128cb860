// The guidance lab's sample count (not a pass/fail test): for each n, how long the panels and the
// frontier take, how smooth the frames stay while they sample (frame intervals over 50 ms), and
// how wide the noise bands are (± two bootstrap standard deviations, from the panels' read-outs).
//   node tests/lab-bench.js [n ...]       (default 250 500 1000 2000; serves dist/)
import { serve, launch, openPage } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const NS = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const { server, url } = await serve(DIST);
const browser = await launch();
const SEL = '#guidance-lab';
const wait = (page, key, v) =>
  page.waitForFunction(([s, k, x]) => document.querySelector(s)?.dataset[k] === x, [SEL, key, v], {
    timeout: 600000,
  });
const rows = [];
for (const n of NS.length ? NS : [250, 500, 1000, 2000]) {
  const errors = [];
  const page = await openPage(browser, `${url}#guidance-lab.n=${n}`, errors, { width: 1280, height: 900 });
  await page.locator(SEL).scrollIntoViewIfNeeded();
  await wait(page, 'cfgReady', '1');
  // frame intervals from now until the frontier is done
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    window.__t0 = performance.now();
  });
  await wait(page, 'cfgPanels', 'done');
  const panels = await page.evaluate(() => performance.now() - window.__t0);
  await wait(page, 'cfgBands', 'done');
  const bands = await page.evaluate(() => performance.now() - window.__t0);
  await wait(page, 'cfgFrontier', 'done');
  const frontier = await page.evaluate(() => performance.now() - window.__t0);
  const f = await page.evaluate(() => {
    window.__stop = true;
    const x = window.__frames.slice(1).sort((a, b) => a - b);
    return {
      count: x.length,
      p50: x[Math.floor(x.length / 2)],
      p95: x[Math.floor(x.length * 0.95)],
      max: x[x.length - 1],
      over50: x.filter((d) => d > 50).length,
    };
  });
  const text = await page.$$eval(SEL, ([h]) =>
    [...h.shadowRoot.querySelectorAll('.gl-panels .gl-metrics')].map((t) => t.textContent),
  );
  rows.push({
    n,
    panelsMs: Math.round(panels),
    bandsMs: Math.round(bands),
    frontierMs: Math.round(frontier),
    frameP50: f.p50?.toFixed(1),
    frameP95: f.p95?.toFixed(1),
    frameMax: f.max?.toFixed(0),
    over50: `${f.over50}/${f.count}`,
    errors: errors.length,
  });
  console.log(`n = ${n}`);
  for (const t of text) console.log(`  ${t}`);
  await page.close();
}
console.table(rows);
await browser.close();
server.close();
