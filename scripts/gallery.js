// Regenerates docs/gallery/: one GIF for each animated figure of the post, made by the page itself
// (the built dist/, in headless Chromium) by pressing each figure's GIF button, and
// docs/gallery.md listing them with the URL of the view each shows and its size and encode time.
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
// the post's animated figures: their slots in index.html
const SLOTS = [
  'unconditional-flow',
  'velocity-field',
  'conditional-face',
  'probability-path',
  'probability-path-overlapping',
];

fs.mkdirSync(OUT, { recursive: true });
const { server, url } = await serve(DIST);
const browser = await launch();
const rows = [];
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(url);
  for (const slot of SLOTS) {
    const sel = `#${slot}`;
    await page.locator(sel).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', sel, {
      timeout: 180000,
    });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 600000 }),
      page.locator(sel).locator('.tools button', { hasText: /^GIF$/ }).click(),
    ]);
    const file = `${slot}.gif`;
    await download.saveAs(path.join(OUT, file));
    const report = JSON.parse(
      await page.locator(sel).evaluate((h) => h.shadowRoot.querySelector('figure').dataset.lastExport),
    );
    const view = `${BASE}${new URL(page.url()).search}#${slot}`;
    rows.push({ slot, file, view, ...report });
    console.log(
      `${file}: ${report.width} × ${report.height}, ${report.frames} frames, ${(report.bytes / 1e6).toFixed(2)} MB, recorded in ${(report.recordMs / 1000).toFixed(1)} s, encoded in ${(report.encodeMs / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
const md = [
  "# Gallery: the post's animated figures as GIFs",
  '',
  'Made by the page itself: `node scripts/gallery.js` (after `trunk build index.html --release`) opens the built page in',
  'headless Chromium and presses the GIF button of each animated figure, at its default settings. Each GIF is one loop',
  "of the figure's animation, recorded frame by frame (not a screen capture), encoded in a worker by the `gif` crate.",
  '',
  ...rows.flatMap((r) => [
    `## ${r.slot}`,
    '',
    `![${r.slot}](gallery/${r.file})`,
    '',
    `View: [${r.view}](${r.view}) · ${r.width} × ${r.height}, ${r.frames} frames, ${(r.bytes / 1e6).toFixed(2)} MB, recorded in ${(r.recordMs / 1000).toFixed(1)} s and encoded in ${(r.encodeMs / 1000).toFixed(1)} s (headless Chromium, 2 shared cores).`,
    '',
  ]),
].join('\n');
fs.writeFileSync(path.join(ROOT, 'docs', 'gallery.md'), md);
console.log(`wrote docs/gallery.md and ${rows.length} GIFs in docs/gallery/`);
