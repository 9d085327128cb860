// The worker pool's times (www/lib/pool.js), in one run: for 1, 2 and N workers (N: the pool's
// default here, the cores but one, when it is neither), the time the guidance lab's frontier, the
// probability path's exact densities and the CFG grid take to finish (from the figure's host
// turning aria-busy to its last busy state ending, the figure opened by a link), with the page's
// frame gaps meanwhile; and, as a new reader meets it, the time from the first probability-path
// figure coming into view (scrolling down from the top with the mouse wheel) until every one of its
// exact densities is there, cold. Each measurement RUNS times (default 3): median and range.
// Numbers, not pass/fail (scripts/bench.sh; tests/bench.js prints them as `pool`). RUNS, ONLY and FIGS
// (below) narrow a run.
//   node tests/pool-bench.js [LABEL=DIST ...]     (default: page=dist)
// Several builds are measured in turns (a busy machine weighs on each alike); a build without the
// pool (no ?workers) gets the cold-scroll measurement only.
import os from 'node:os';
import fs from 'node:fs';
import { serve, launch } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 3);
/** ONLY=cold or ONLY=figures: one of the two measurements. */
const ONLY = process.env.ONLY ?? '';
/** FIGS=id,id: only those figures (default: all three). */
const FIGURES = process.env.FIGS?.split(',') ?? ['guidance-lab', 'probability-path', 'cfg-grid'];

/** In the page: whether figure `s` has finished its background work. */
const finished = (s) => {
  const h = document.getElementById(s);
  if (h?.dataset.cfgReady !== '1' || h.hasAttribute('aria-busy')) return false;
  const text = h.shadowRoot.querySelector('.readout')?.textContent ?? '';
  if (s === 'guidance-lab') return h.dataset.cfgFrontier === 'done';
  if (s === 'probability-path') return /all \d+ times computed/.test(text);
  // the grid's read-out describes its settings from the start: done when no cell waits for its numbers
  return /cells of/.test(text) && !h.shadowRoot.querySelector('.cfg-grid')?.textContent.includes('…');
};

/** Sizes to measure: 1, 2 and this machine's default (cores − 1 in [1, 8]), each once. */
export function sizes(cores = os.cpus().length) {
  return [...new Set([1, 2, Math.min(8, Math.max(1, cores - 1))])].sort((a, b) => a - b);
}

/** Records, from the start of the page: aria-busy changes per host and every frame's gap, timed. */
function recorder() {
  window.__busy = [];
  window.__frames = [];
  let last = 0;
  const tick = (t) => {
    if (last) window.__frames.push([t, t - last]);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new MutationObserver((records) => {
    const t = performance.now();
    for (const r of records) window.__busy.push([r.target.id, r.target.hasAttribute('aria-busy'), t]);
  }).observe(document, { attributes: true, attributeFilter: ['aria-busy'], subtree: true });
  window.__seen = {};
  document.addEventListener('DOMContentLoaded', () => {
    const io = new IntersectionObserver((es) => {
      for (const e of es)
        if (e.isIntersecting && !(e.target.id in window.__seen)) window.__seen[e.target.id] = e.time;
    });
    for (const h of document.querySelectorAll('[data-cfg-figure]')) io.observe(h);
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s.at(-1) };
};
const round = (x) => Math.round(x);

/** Opens figure `id` by a link at `?workers=size`: ms busy, and the frame gaps meanwhile. */
async function timeFigure(browser, url, id, size) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.addInitScript(recorder);
  await page.goto(`${url}?workers=${size}#${id}`);
  await page.locator(`#${id}`).scrollIntoViewIfNeeded();
  await page.waitForFunction(finished, id, { timeout: 600000, polling: 100 });
  const r = await page.evaluate((s) => {
    const mine = window.__busy.filter(([h]) => h === s);
    const t0 = mine.find(([, b]) => b)?.[2];
    const t1 = mine.findLast(([, b]) => !b)?.[2];
    const gaps = window.__frames.filter(([t]) => t > t0 && t <= t1).map(([, g]) => g);
    return { ms: t1 - t0, gaps };
  }, id);
  await page.close();
  const g = [...r.gaps].sort((a, b) => a - b);
  return {
    ms: r.ms,
    frame_median_ms: g[g.length >> 1],
    frame_p95_ms: g[Math.floor(g.length * 0.95)],
  };
}

/**
 * A new reader: the page from the top at its default size, the wheel 200 px at a time until the
 * first probability-path figure is a third of the way up the window; ms from its coming into view
 * until every exact density is there.
 */
async function coldScroll(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  await page.addInitScript(recorder);
  await page.goto(url);
  await page.evaluate(() => window.cfgReady);
  await page.mouse.move(500, 450);
  for (let i = 0; i < 1000; i++) {
    const top = await page.$eval('#probability-path', (h) => h.getBoundingClientRect().top / innerHeight);
    if (top < 0.33) break;
    await page.mouse.wheel(0, 200);
    await page.waitForTimeout(50);
  }
  await page.waitForFunction(
    (s) => {
      const h = document.getElementById(s);
      return (
        h?.shadowRoot && /all \d+ times computed/.test(h.shadowRoot.querySelector('.readout')?.textContent)
      );
    },
    'probability-path',
    { timeout: 600000, polling: 'raf' },
  );
  const ms = await page.evaluate(() => performance.now() - window.__seen['probability-path']);
  await page.close();
  return ms;
}

/** Every measurement for the builds `builds` ([{label, dist}]), RUNS times each, in turns. */
export async function poolBench(browser, builds) {
  const out = { runs: RUNS, sizes: sizes(), builds: {} };
  for (const b of builds) {
    b.served ??= await serve(b.dist);
    // a build with the pool knows ?workers: its article script names it
    const hasPool = ONLY !== 'cold' && fs.existsSync(`${b.dist}/www/lib/pool.js`);
    b.result = { figures: hasPool ? {} : null, cold_scroll_ms: [] };
    if (hasPool)
      for (const id of FIGURES) {
        b.result.figures[id] = {};
        for (const s of out.sizes) b.result.figures[id][s] = [];
      }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const b of builds) {
      if (b.result.figures)
        for (const id of FIGURES)
          for (const s of out.sizes)
            b.result.figures[id][s].push(await timeFigure(browser, b.served.url, id, s));
      if (ONLY !== 'figures') b.result.cold_scroll_ms.push(await coldScroll(browser, b.served.url));
    }
  }
  for (const b of builds) {
    const r = {};
    if (ONLY !== 'figures')
      r.cold_scroll_ms = { ...stats(b.result.cold_scroll_ms), runs: b.result.cold_scroll_ms.map(round) };
    if (b.result.figures) {
      r.figures = {};
      for (const [id, bySize] of Object.entries(b.result.figures)) {
        r.figures[id] = {};
        for (const [s, runs] of Object.entries(bySize)) {
          r.figures[id][s] = {
            ms: { ...stats(runs.map((x) => x.ms)), runs: runs.map((x) => round(x.ms)) },
            frame_median_ms: stats(runs.map((x) => x.frame_median_ms)).median,
            frame_p95_ms: stats(runs.map((x) => x.frame_p95_ms)).median,
          };
        }
        const one = r.figures[id][1].ms.median;
        r.figures[id].speedup = Object.fromEntries(
          out.sizes.map((s) => [s, Math.round((100 * one) / r.figures[id][s].ms.median) / 100]),
        );
      }
    }
    out.builds[b.label] = r;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const builds = (args.length ? args : ['page=dist']).map((a) => {
    const [label, dist] = a.includes('=') ? a.split('=') : ['page', a];
    return { label, dist };
  });
  const browser = await launch();
  const out = await poolBench(browser, builds);
  console.log(JSON.stringify(out, null, 2));
  await browser.close();
  for (const b of builds) b.served.server.close();
}
