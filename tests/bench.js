// Performance report (not a pass/fail test): benchmark W1 natively and in the wasm build in
// headless Chromium, their ratio, frame times of every animated figure while a worker trains, the
// first figure's paint time and the wasm size, and the worker pool's times to finish at 1, 2 and N
// workers (tests/pool-bench.js: `pool`). Run by scripts/bench.sh, which builds first.
//   node tests/bench.js <native.json>
import fs from 'node:fs';
import zlib from 'node:zlib';
import os from 'node:os';
import { serve, launch } from './lib.js';
import { wasmSizes, BUDGET_KB } from './wasm-size.js';
import { poolBench } from './pool-bench.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const native = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { server, url } = await serve(DIST);
const browser = await launch();
const out = { machine: machine(), native };

/**
 * The CPU the numbers come from: lscpu's model name, and its vendor, family, model and stepping
 * (a generic name such as "AMD EPYC" names no generation; the family and model do), and the cores.
 */
function machine() {
  const info = {};
  try {
    for (const line of fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [k, v] = line.split(':').map((x) => x?.trim());
      if (
        v !== undefined &&
        ['model name', 'vendor_id', 'cpu family', 'model', 'stepping'].includes(k) &&
        !(k in info)
      )
        info[k] = v;
    }
  } catch {
    /* not Linux: the name from node alone */
  }
  const name = info['model name'] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const family =
    info['cpu family'] !== undefined
      ? `family ${info['cpu family']}, model ${info.model}, stepping ${info.stepping}`
      : null;
  return {
    cpu: name,
    vendor: info.vendor_id ?? null,
    family,
    cores: os.cpus().length,
    summary: `${name}${family ? ` (${[info.vendor_id, family].filter(Boolean).join(' ')})` : ''}, ${os.cpus().length} cores`,
  };
}

// ---- W1 in wasm
{
  const page = await browser.newPage();
  await page.goto(`${url}www/bench.html`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 300000 });
  out.wasm = await page.evaluate(() => window.benchResult);
  await page.close();
}
out.ratio = {
  train_relu: out.wasm.train_steps_per_s / native.train_steps_per_s,
  forward_relu: out.wasm.forward_10k_per_s / native.forward_10k_per_s,
  train_silu: out.wasm.silu.train_steps_per_s / native.silu.train_steps_per_s,
  forward_silu: out.wasm.silu.forward_10k_per_s / native.silu.forward_10k_per_s,
};

// ---- page load: first figure painted, transferred wasm size
{
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const times = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${url}?run=${i}`);
    await page.waitForFunction(
      () => performance.getEntriesByName('cfg-first-figure-painted').length > 0,
      null,
      { timeout: 30000 },
    );
    times.push(
      await page.evaluate(() => performance.getEntriesByName('cfg-first-figure-painted')[0].startTime),
    );
  }
  times.sort((a, b) => a - b);
  out.page = {
    first_figure_painted_ms_median: times[2],
    first_figure_painted_ms_runs: times,
    // each variant's size, raw and gzipped (level 9), against the first-load budget
    wasm_budget_gzip_bytes: BUDGET_KB * 1000,
    wasm: wasmSizes(DIST),
    models_gzip_bytes: fs
      .readdirSync(`${DIST}/www/models`)
      .reduce(
        (s, f) => s + zlib.gzipSync(fs.readFileSync(`${DIST}/www/models/${f}`), { level: 9 }).length,
        0,
      ),
  };
  await page.close();
}

// ---- frame times per animated figure at its default settings, while a worker trains
{
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#hero')?.dataset.cfgReady === '1', null, {
    timeout: 30000,
  });
  // a worker trains in the background for the whole measurement (the hero's, 20000 steps)
  await page.locator('#hero .train summary').click();
  await page.locator('#hero .train-controls input[type=range]').last().fill('20000');
  await page.locator('#hero button', { hasText: 'Train from scratch' }).click();
  const hosts = await page.$$eval('[data-cfg-figure]', (hs) => hs.map((h) => h.id));
  out.frames = {};
  const status = page.locator('#hero .progress-row .status');
  for (const id of hosts) {
    // keep the worker training: start another run if the last one has finished
    if (!/steps\/s/.test(await status.innerText())) {
      await page.locator('#hero button', { hasText: 'Train from scratch' }).click();
      await page.waitForFunction(
        () =>
          /steps\/s/.test(
            document.querySelector('#hero').shadowRoot.querySelector('.progress-row .status').textContent,
          ),
        null,
        { timeout: 20000 },
      );
    }
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.getElementById(s)?.dataset.cfgReady === '1', id, {
      timeout: 30000,
    });
    await page.waitForTimeout(300);
    const gaps = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const times = [];
          const t0 = performance.now();
          const tick = (t) => {
            times.push(t);
            if (t - t0 < 3000) requestAnimationFrame(tick);
            else resolve(times.slice(1).map((x, i) => x - times[i]));
          };
          requestAnimationFrame(tick);
        }),
    );
    gaps.sort((a, b) => a - b);
    out.frames[id] = {
      median_ms: gaps[gaps.length >> 1],
      p95_ms: gaps[Math.floor(gaps.length * 0.95)],
      frames: gaps.length + 1,
      training: (await status.innerText()).match(/\d+ steps\/s/)?.[0] ?? 'not training',
    };
  }
  out.training_during_frames = await page.locator('#hero .progress-row .status').innerText();
  await page.close();
}
// ---- the worker pool: the frontier, the exact densities and the CFG grid at 1, 2 and N workers
out.pool = (await poolBench(browser, [{ label: 'page', dist: DIST, served: { url } }])).builds.page;
out.browser = out.wasm.browser;
console.log(JSON.stringify(out, null, 2));
await browser.close();
server.close();
