// Soak: the page trains in its worker and animates for at least 60 s (SOAK_SECONDS) while the test
// samples, every 5 s, the page's JS heap (after a forced GC; Chromium with --enable-precise-memory-info)
// and the wasm module's linear memory. After a 15 s warm-up neither may grow by more than its bound:
// a leak of a few KB per frame or per training report would show as megabytes here. Training runs
// are short (4000 steps) and the page itself restarts a run as soon as it finishes (a 100 ms watcher),
// so restarts are soaked too, on any machine: a fast one finishes many runs between two samples, a
// slow one few. The steps trained are counted across runs (each finished run's steps are added
// before its restart), so what the test reads never depends on where a run happens to be when it
// looks. The wasm memory is measured from the first sample after a restart, and may grow by at
// most 2 MB: its allocator never returns pages, and transient copies (weights arriving from the
// worker, buffers of a new run allocated before the old ones are freed) interleave differently
// from run to run, so its high-water mark can step once or twice by a run's buffers (0.5-1.1 MB
// seen). A leak of 1 KB per frame (2,700 frames after the warm-up) or per training report would
// exceed it. On a machine so slow that no run has finished and restarted again by SOAK_SECONDS,
// the test keeps sampling until one has (a state, not a duration), up to a generous cap.
// Each training run has a worker of its own (www/shell/training-run.js), with a wasm memory of its own:
// twice a second the test asks the running one for it (the worker's 'memory' request), from its
// first progress report on (its trainer's buffers allocated), and no worker's may grow by more
// than the same 2 MB over its run. Every worker that was asked at least twice counts; at least two
// (a run and a restarted one) must have been.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageSession } from './lib.js';
import { watchWorkers, pollTrainingWorkers, workerMemory } from './engines/page.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WARM_UP = 15;
const EVERY = 5;
const HEAP_BOUND = 2 << 20; // bytes of JS heap growth allowed after the warm-up
const WASM_BOUND = 2 << 20; // bytes of wasm memory growth allowed after the warm-up (see above)
const WORKER_BOUND = 2 << 20; // bytes of wasm memory growth allowed to each training worker over its run
const WORKER_EVERY = 500; // ms between two memory requests to the running training worker
const CAP = SECONDS + 600; // seconds: the longest a slow machine may take to show a restart after the baseline
const session = pageSession({
  dist: DIST,
  launchArgs: ['--enable-precise-memory-info', '--js-flags=--expose-gc'],
});

test(
  `training and animating for ${SECONDS} s leaks neither JS heap nor wasm memory`,
  { timeout: (CAP + 90) * 1000 },
  async () => {
    const errors = [];
    const page = await session.browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(`${session.url}www/embed-example.html`);
    await page.evaluate(watchWorkers);
    await page.evaluate(async () => {
      const host = document.createElement('div');
      host.id = 'soak';
      host.setAttribute('data-cfg-figure', 'hero');
      host.setAttribute('data-train-steps', '4000');
      document.body.prepend(host);
      host.dataset.cfgMounted = '1';
      const { mountElement } = await import('./embed.js');
      window.__wasm = await (await import('./lib/wasm.js')).loadBindings();
      window.__fig = await mountElement(host);
      window.__frames = 0;
      window.__restarts = 0;
      window.__stepsBefore = 0; // steps of the runs that finished and were restarted
      const count = () => {
        window.__frames += 1;
        requestAnimationFrame(count);
      };
      requestAnimationFrame(count);
      // a finished run (or none yet) starts again at once, whatever the machine's speed
      const watch = () => {
        if (!window.__fig.isTraining()) {
          if (window.__restarts > 0) window.__stepsBefore += window.__fig.model.stepsDone;
          window.__fig.startTraining();
          window.__restarts += 1;
        }
      };
      watch();
      window.__watch = setInterval(watch, 100);
    });
    const poll = await page.evaluate(pollTrainingWorkers, { every: WORKER_EVERY });
    const sample = () =>
      page.evaluate(() => {
        window.gc();
        return {
          heap: performance.memory.usedJSHeapSize,
          wasm: window.__wasm.wasmMemoryBytes(),
          frames: window.__frames,
          step: window.__stepsBefore + window.__fig.model.stepsDone, // steps trained so far, over every run
          restarts: window.__restarts - 1, // runs started after the first one
        };
      });
    const rows = [];
    // the wasm baseline is the first sample after the warm-up that follows a restart; sampling goes on
    // until SECONDS have passed and a run has restarted after that baseline, so restarts are soaked
    const enough = () => {
      const settled = rows.filter((r) => r.t >= WARM_UP && r.restarts >= 1);
      return rows.at(-1).t >= SECONDS && settled.length >= 3 && settled.at(-1).restarts > settled[0].restarts;
    };
    const t0 = Date.now();
    for (let s = 0; rows.length === 0 || (!enough() && s <= CAP); s += EVERY) {
      const wait = t0 + s * 1000 - Date.now();
      if (wait > 0) await page.waitForTimeout(wait);
      rows.push({ t: s, ...(await sample()) });
    }
    await page.evaluate((id) => {
      clearInterval(id);
      clearInterval(window.__watch);
      window.__fig.stopTraining();
    }, poll);
    const workers = await page.evaluate(workerMemory);
    const mb = (b) => (b / 1048576).toFixed(2);
    console.log('  t (s) | JS heap (MB) | wasm memory (MB) | frames | training step | restarts');
    for (const r of rows)
      console.log(
        `  ${String(r.t).padStart(5)} | ${mb(r.heap).padStart(12)} | ${mb(r.wasm).padStart(16)} | ${String(r.frames).padStart(6)} | ${String(r.step).padStart(13)} | ${r.restarts}`,
      );
    const warm = rows.filter((r) => r.t >= WARM_UP);
    // growth: the last three samples against the first three after the warm-up (single samples
    // swing with the garbage collector); the wasm memory only ever grows, so its largest value counts
    const mean3 = (rs) => rs.reduce((s, r) => s + r.heap, 0) / rs.length;
    const heapGrowth = mean3(warm.slice(-3)) - mean3(warm.slice(0, 3));
    const spread = Math.max(...warm.map((r) => r.heap)) - Math.min(...warm.map((r) => r.heap));
    // the wasm memory from the first sample after the warm-up that follows a restart
    const settled = warm.filter((r) => r.restarts >= 1);
    assert.ok(
      settled.length >= 3,
      `a training run finished and restarted within ${CAP} s (restarts: ${rows.map((r) => r.restarts).join(', ')})`,
    );
    assert.ok(
      settled.at(-1).restarts > settled[0].restarts,
      'a run restarted after the wasm baseline, so restarts are soaked too',
    );
    const wasmGrowth = Math.max(...settled.map((r) => r.wasm)) - settled[0].wasm;
    const fps = (rows.at(-1).frames - warm[0].frames) / (rows.at(-1).t - warm[0].t);
    console.log(
      `  after the ${WARM_UP} s warm-up: JS heap ${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)} MB (bound ${mb(HEAP_BOUND)}; spread ${mb(spread)} MB), wasm memory +${mb(wasmGrowth)} MB from ${settled[0].t} s (bound ${mb(WASM_BOUND)}), ${fps.toFixed(0)} frames/s`,
    );
    // each training worker: its growth over its run, from its first answer
    const asked = workers.filter((w) => w.samples >= 2);
    const workerGrowth = Math.max(...asked.map((w) => w.max - w.first));
    console.log(
      `  training workers: ${workers.length} asked, ${asked.length} of them at least twice (${workers.map((w) => w.samples).join(', ')} answers), ${[...new Set(workers.map((w) => w.variant))].join(', ')} build`,
    );
    console.log(
      `  their wasm memory: ${asked.map((w) => `${mb(w.first)} -> ${mb(w.max)}`).join(', ')} MB; largest growth over a run +${mb(workerGrowth)} MB (bound ${mb(WORKER_BOUND)})`,
    );
    assert.ok(
      asked.length >= 2,
      `at least two training workers (a run and a restart) answered twice or more: ${JSON.stringify(workers)}`,
    );
    assert.ok(
      workerGrowth <= WORKER_BOUND,
      `a training worker's wasm memory grew ${workerGrowth} bytes over its run`,
    );
    assert.ok(
      rows.at(-1).step > 1000,
      `it trained (${rows.at(-1).step} steps over ${rows.at(-1).restarts + 1} runs)`,
    );
    assert.ok(rows.at(-1).frames > rows[0].frames + 100, `it animated (${rows.at(-1).frames} frames)`);
    assert.ok(heapGrowth <= HEAP_BOUND, `JS heap grew ${heapGrowth} bytes after the warm-up`);
    assert.ok(wasmGrowth <= WASM_BOUND, `wasm memory grew ${wasmGrowth} bytes after the warm-up`);
    assert.deepEqual(errors, []);
    await page.close();
  },
);
