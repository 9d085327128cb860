// Regenerates docs/gallery/: one GIF for each animated figure of the post, made by the page itself
// (the built dist/, in headless Chromium) by pressing each figure's GIF button (and one training
// run, from a training panel's GIF button), and docs/gallery.md listing them with the URL of the
// view each shows, and a table of their sizes and record and encode times.
//   source scripts/setup.sh && setup_test && trunk build index.html --release && node scripts/gallery.js
// Optional: BASE=<url of the published page> for the view links (default: ../index.html, the page
// relative to docs/).
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch } from '../tests/lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = process.env.DIST ?? path.join(ROOT, 'dist');
const OUT = path.join(ROOT, 'docs', 'gallery');
const BASE = process.env.BASE ?? '../index.html';
// the post's animated figures: their slots in index.html, and what each GIF shows; `train`: the
// training panel's GIF (a run from scratch at the default settings, recorded as it learns)
const SLOTS = [
  { slot: 'unconditional-flow', what: 'the flow from noise (t = 0) to data (t = 1)' },
  { slot: 'euler-steps', what: 'the Euler steps against the reference, through time t' },
  { slot: 'velocity-field', what: 'the cloud pushed by the velocity field, t from 0 to 1' },
  { slot: 'conditional-face', what: 'the conditional flow to the chosen class' },
  { slot: 'probability-path', what: 'the probability path, its times from 0 to 1' },
  { slot: 'probability-path-overlapping', what: 'the probability path on overlapping classes' },
  { slot: 'rectified-cfg', what: 'rectified CFG next to plain CFG at equal network calls, t from 0 to 1' },
  {
    slot: 'hero',
    train: true,
    what: 'training from scratch: the CFG field as the network learns, over its loss curve',
  },
];

fs.mkdirSync(OUT, { recursive: true });
const { server, url } = await serve(DIST);
const browser = await launch();
const rows = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(url);
  for (const { slot, what, train } of SLOTS) {
    const sel = `#${slot}`;
    await page.locator(sel).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', sel, {
      timeout: 180000,
    });
    if (train) await page.locator(sel).locator('.train summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 600000 }),
      page
        .locator(sel)
        .locator(train ? '.train button' : '.tools button', { hasText: /^GIF$/ })
        .click(),
    ]);
    const file = `${slot}${train ? '-training' : ''}.gif`;
    await download.saveAs(path.join(OUT, file));
    const report = JSON.parse(
      await page.locator(sel).evaluate((h) => h.shadowRoot.querySelector('figure').dataset.lastExport),
    );
    const view = `${BASE}${new URL(page.url()).search}#${slot}`;
    rows.push({ slot, what, train, file, view, ...report });
    if (report.bytes > 4e6) throw new Error(`${file} is ${report.bytes} bytes: more than 4 MB`);
    console.log(
      `${file}: ${report.width} × ${report.height}, ${report.frames} frames, ${(report.bytes / 1e6).toFixed(2)} MB, recorded in ${(report.recordMs / 1000).toFixed(1)} s, encoded in ${(report.encodeMs / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
const s1 = (ms) => (ms / 1000).toFixed(1);
const md = [
  "# Gallery: the post's animated figures as GIFs",
  '',
  'Made by the page itself: `node scripts/gallery.js` (after `trunk build index.html --release`) opens the built page in',
  'headless Chromium and presses the GIF button of each animated figure, at its default settings. Each GIF is one loop',
  "of the figure's animation, recorded frame by frame (not a screen capture), encoded in a worker by the `gif` crate.",
  'The last one is a training run: the GIF button of a figure\'s training panel ("Train in your browser") starts a run',
  'from scratch and records the figure as it learns, over its loss curve, to the end of the run.',
  '',
  '| GIF | size | frames | bytes | recorded in | encoded in |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| [${r.file}](#${r.file.replace(/\.gif$/, '')}) | ${r.width} × ${r.height} | ${r.frames} | ${(r.bytes / 1e6).toFixed(2)} MB | ${s1(r.recordMs)} s${r.train ? ' (the run)' : ''} | ${s1(r.encodeMs)} s |`,
  ),
  '',
  'Measured on the development machine (headless Chromium, 2 cores shared with other work): the times vary with its',
  "load (the probability path's recording waits for exact densities from a worker: 1 to 15 s seen). Recording a",
  "loop is the page's own drawing, frame by frame; encoding runs in a worker while the page goes on drawing",
  "(`tests/gif.test.js` prints the page's frame rate meanwhile). A training run gets a frame each time it has advanced",
  'another 1/40 of its steps; the worker reports every 150 ms, so a short run gets fewer frames.',
  '',
  ...rows.flatMap((r) => [
    `## ${r.file.replace(/\.gif$/, '')}`,
    '',
    `${r.what[0].toUpperCase()}${r.what.slice(1)}.`,
    '',
    `![${r.slot}](gallery/${r.file})`,
    '',
    `View: [${r.view}](${r.view}) · ${r.width} × ${r.height}, ${r.frames} frames, ${(r.bytes / 1e6).toFixed(2)} MB.`,
    '',
  ]),
].join('\n');
fs.writeFileSync(path.join(ROOT, 'docs', 'gallery.md'), md);
console.log(`wrote docs/gallery.md and ${rows.length} GIFs in docs/gallery/`);
