// The smoke test of the built article in one engine (drivers.js), run the same way in Chromium,
// Firefox and WebKit. Every figure, scrolled into view:
//  - mounts (data-cfg-ready) and paints (more than 200 painted pixels in a canvas; a figure drawn
//    only as charts: more than 20 shapes in them);
//  - shows no error: its message box is empty, and the page recorded none (hook.js);
//  - answers its first control: its playbars paused and its results in (it is still), the control
//    is changed as a reader would, and what the figure shows changes (pixels, read-out, canvas
//    descriptions, charts, other controls).
// Then GIF on one figure (its own per engine, GIF_FIGURE): the page's download is a GIF89a that
// Python's Pillow decodes, with at least 20 frames (gif.js). Then a training run starts in a
// worker, from the first figure's panel, and its step count advances. Every wait is for a state, with a generous timeout. Prints the wasm build the page and
// the training worker loaded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as P from './page.js';
import * as G from './gif.js';

/** The figure whose GIF button each engine presses (a flow player; the Euler steps' own play head). */
const GIF_FIGURE = { chromium: 'velocity-field', firefox: 'unconditional-flow', webkit: 'euler-steps' };
const ARTIFACTS = new URL('../artifacts', import.meta.url).pathname;

const READY = Number(process.env.ENGINE_TIMEOUT ?? 120) * 1000; // ms: mounting, painting, a change, a step

/**
 * Polls `fn(arg)` in the page (every 200 ms) until `done(value)` holds; returns that value. After
 * `timeout` ms it throws, naming `what` and the last value seen.
 */
export async function waitFor(driver, fn, arg, done, what, timeout = READY) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await driver.run(fn, arg);
    if (done(last)) return last;
    if (Date.now() > end)
      throw new Error(
        `${driver.engine}: ${what} within ${timeout / 1000} s (last seen: ${JSON.stringify(last).slice(0, 400)})`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until figure `i` is still (what look() sees stays the same for a second: its playbars
 * paused, its results in); returns what it shows then.
 */
async function waitStill(driver, i, name) {
  let last = null;
  let since = Date.now();
  await waitFor(
    driver,
    P.look,
    { i },
    (v) => {
      if (v !== last) {
        last = v;
        since = Date.now();
      }
      return Date.now() - since >= 1000;
    },
    `${name} comes to rest`,
  );
  return last;
}

/**
 * Runs the smoke test in `driver` against the article at `url`; `log(line)` hears the progress.
 * Returns {figures, pageWasm, workerVariant, seconds}.
 */
export async function smoke(driver, url, log = console.log) {
  const t0 = Date.now();
  const engine = driver.engine;
  await driver.open(url, { width: 1100, height: 900 });
  const { hosts } = await waitFor(
    driver,
    P.figures,
    null,
    (v) => v.hosts.length > 0,
    'the article has figures',
  );
  assert.ok(hosts.length >= 14, `${engine}: expected every figure of the article, found ${hosts.length}`);
  await driver.run(P.watchWorkers);
  const noErrors = (s) => s.error === null && s.errors.length === 0;
  for (const { i, id, figure } of hosts) {
    const name = `${engine} ${id} (${figure})`;
    await driver.run(P.scrollTo, { i });
    const s = await waitFor(
      driver,
      P.figureState,
      { i },
      (v) => !noErrors(v) || (v.ready && v.paints),
      `${name} mounts and paints`,
    );
    assert.equal(s.error, null, `${name} shows an error`);
    assert.deepEqual(s.errors, [], `${name}: errors in the page`);
    await driver.run(P.pause, { i });
    const before = await waitStill(driver, i, name);
    const change = await driver.run(P.changeFirstControl, { i });
    assert.ok(!change.error, `${name}: ${change.error}`);
    await waitFor(
      driver,
      P.look,
      { i },
      (v) => v !== before,
      `${name}: changing '${change.label}' (${change.from} -> ${change.to}) changes what it shows`,
    );
    const after = await waitFor(
      driver,
      P.figureState,
      { i },
      (v) => !noErrors(v) || (v.ready && v.paints),
      `${name} paints after its first control changed`,
    );
    assert.equal(after.error, null, `${name} shows an error after '${change.label}' changed`);
    assert.deepEqual(after.errors, [], `${name}: errors in the page after '${change.label}' changed`);
    log(
      `  ${engine}: ${id} mounts, paints (${s.painted} px, ${s.marks} shapes), '${change.label}' ${change.from} -> ${change.to} changes it`,
    );
  }

  // GIF: one figure's button, the file the page downloads read back by Pillow
  const gifHost = hosts.find((h) => h.id === GIF_FIGURE[engine]) ?? hosts.find((h) => h.id === 'euler-steps');
  await driver.run(P.scrollTo, { i: gifHost.i });
  const pressed = await driver.run(G.pressGif, { i: gifHost.i });
  assert.ok(!pressed.error, `${engine} ${gifHost.id}: ${pressed.error}`);
  const gif = await waitFor(
    driver,
    G.gifDownload,
    { i: gifHost.i },
    (v) => !!(v.base64 || v.error),
    `${engine} ${gifHost.id}: the GIF is made and downloaded`,
  );
  assert.ok(!gif.error, `${engine} ${gifHost.id}: ${gif.error}`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const gifFile = `${ARTIFACTS}/${engine}-${gif.name}`;
  const bytes = Buffer.from(gif.base64, 'base64');
  fs.writeFileSync(gifFile, bytes);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), 'GIF89a', `${engine} ${gif.name}: a GIF89a`);
  const info = G.gifInfo(gifFile);
  assert.equal(info.format, 'GIF');
  assert.ok(info.frames >= 20, `${engine} ${gif.name}: ${info.frames} frames`);
  assert.equal(info.frames, gif.report.frames);
  assert.ok(info.differ >= info.frames / 2, `${engine} ${gif.name}: only ${info.differ} frames move`);
  log(
    `  ${engine}: GIF of ${gifHost.id}: ${gif.name}, ${info.size.join(' × ')}, ${info.frames} frames, ${(bytes.length / 1e6).toFixed(2)} MB, recorded in ${(gif.report.recordMs / 1000).toFixed(1)} s, encoded in ${(gif.report.encodeMs / 1000).toFixed(1)} s`,
  );

  // training in a worker: the first figure that can train, from its own panel
  const trainee = hosts[0];
  await driver.run(P.scrollTo, { i: trainee.i });
  const started = await driver.run(P.startTraining, { i: trainee.i });
  assert.ok(!started.error, `${engine} ${trainee.id}: ${started.error}`);
  const first = await waitFor(
    driver,
    P.trainingState,
    { i: trainee.i },
    (v) => v.step > 0,
    `${engine} ${trainee.id}: a training step is reported`,
  );
  const worker = await waitFor(
    driver,
    P.askTrainingWorker,
    null,
    (v) => v !== null,
    `${engine}: the training worker answers`,
  );
  const later = await waitFor(
    driver,
    P.trainingState,
    { i: trainee.i },
    (v) => v.step > first.step,
    `${engine} ${trainee.id}: training goes on past step ${first.step}`,
  );
  await driver.run(P.pressTrainButton, { i: trainee.i });
  const final = await driver.run(P.figureState, { i: trainee.i });
  assert.equal(final.error, null, `${engine} ${trainee.id} shows an error after training`);
  assert.deepEqual([...final.errors, ...driver.errors()], [], `${engine}: errors in the page`);
  const { wasm } = await driver.run(P.figures);

  // at a phone's width nothing widens the page: a display formula wider than the column scrolls
  // inside its box (WebKit lays <math> out as wide as its content, whatever its CSS width)
  await driver.open(url, { width: 390, height: 844 });
  await waitFor(
    driver,
    P.figureState,
    { i: 0 },
    (v) => v.ready && v.paints,
    `${engine}: the first figure at 390 px`,
  );
  const wide = await driver.run(() => ({
    by: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    width: innerWidth,
  }));
  assert.equal(wide.by, 0, `${engine} at ${wide.width} px: the page scrolls sideways by ${wide.by} px`);
  const seconds = (Date.now() - t0) / 1000;
  log(`  ${engine}: training in a worker: step ${first.step} -> ${later.step} (${later.status})`);
  log(
    `${engine}: ${hosts.length} figures mount, paint and respond; training works; no sideways scroll at ${wide.width} px; the page loads ${wasm.join(', ')}, the training worker the ${worker.variant} build (${(worker.bytes / 1048576).toFixed(1)} MB of wasm memory); ${seconds.toFixed(0)} s`,
  );
  return { figures: hosts.length, pageWasm: wasm, workerVariant: worker.variant, seconds };
}
