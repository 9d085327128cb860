// The built page (dist/, from `trunk build --release`) in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPage } from './lib.js';

const DIST = new URL('../dist', import.meta.url).pathname;
const ARTIFACTS = new URL('./artifacts', import.meta.url).pathname;
let server;
let url;
let browser;

before(async () => {
  assert.ok(fs.existsSync(`${DIST}/index.html`), 'build the page first: trunk build index.html --release');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ({ server, url } = await serve(DIST));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Painted pixels and a hash of the figure's canvas. */
function canvasStats(page, selector = '#guided-samples canvas') {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) painted += 1;
      hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2] + 17 * d[i + 3]) | 0;
    }
    return { painted, hash, pixels: d.length / 4 };
  });
}

test('the page loads, trains in the browser and renders samples, with no console errors', async () => {
  const errors = [];
  const page = await openPage(browser, url, errors);
  await page.waitForFunction(() => document.querySelector('.cfg-status')?.textContent.startsWith('step'), null, { timeout: 20000 });
  const loss = async () => Number((await page.textContent('.cfg-status')).match(/loss ([\d.]+)/)[1]);
  const first = await loss();
  await page.waitForTimeout(3000);
  const later = await loss();
  assert.ok(later < first, `loss should fall while training: ${first} -> ${later}`);
  const s = await canvasStats(page);
  assert.ok(s.painted > 500, `canvas is nearly blank: ${s.painted} of ${s.pixels} pixels painted`);
  await page.screenshot({ path: `${ARTIFACTS}/index.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('moving the guidance slider changes the rendering', async () => {
  const errors = [];
  const page = await openPage(browser, url, errors);
  await page.waitForFunction(() => Number(document.querySelector('progress')?.value) > 300, null, { timeout: 30000 });
  await page.click('text=Stop training');
  await page.waitForTimeout(300);
  const before = await canvasStats(page);
  await page.waitForTimeout(300);
  assert.equal((await canvasStats(page)).hash, before.hash, 'the picture is steady once training stops');
  await page.$eval('input[type=range]', (el) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await page.waitForTimeout(200);
  const after = await canvasStats(page);
  assert.notEqual(after.hash, before.hash, 'w = 0 must draw different samples than w = 3');
  assert.ok(after.painted > 500);
  assert.match(await page.textContent('.cfg-readout'), /hit rate 0\.\d\d/);
  await page.screenshot({ path: `${ARTIFACTS}/index-w0.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
