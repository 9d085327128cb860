// Shared helpers for the page tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gz': 'application/gzip',
};

/**
 * Serves `root` on a free port of 127.0.0.1; `prefix` mounts it under a sub-path; `headers` are
 * added to every response (a Content-Security-Policy, say).
 */
export function serve(root, prefix = '/', headers = {}) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    let url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!url.startsWith(prefix)) {
      res.writeHead(404);
      res.end();
      return;
    }
    url = '/' + url.slice(prefix.length);
    let file = path.join(root, path.normalize(url));
    if (!file.startsWith(path.resolve(root))) {
      res.writeHead(403);
      res.end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(data);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}${prefix}` }),
    ),
  );
}

/**
 * CPU_THROTTLE=N (N > 1) slows the main thread of every page that a test opens N times (Chromium's
 * own CPU throttling, CDP `Emulation.setCPUThrottlingRate`): the suite must pass on a slow machine
 * as well as on a fast one. Chromium throttles pages only: sent to a dedicated worker, the same
 * command answers "Operation is only supported for pages, not workers", so training workers run at
 * the machine's speed (the tests are written for any worker speed: they wait for states). Unset or
 * 1: no throttling.
 */
export const CPU_THROTTLE = (() => {
  const raw = process.env.CPU_THROTTLE ?? '1';
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate < 1 || rate > 20)
    throw new Error(`CPU_THROTTLE must be a number from 1 to 20, not '${raw}'`);
  return rate;
})();

/** Throttles `page`'s main thread by `rate` (see CPU_THROTTLE); it stays throttled across navigations. */
export async function throttle(page, rate = CPU_THROTTLE) {
  if (rate <= 1) return;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}

/**
 * Debian's Chromium, headless; `extra` adds flags (say, --enable-precise-memory-info). With
 * CPU_THROTTLE set, every page made by the returned browser's newPage is throttled.
 */
export async function launch(extra = []) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extra,
    ],
  });
  if (CPU_THROTTLE > 1) {
    const newPage = browser.newPage.bind(browser);
    browser.newPage = async (options) => {
      const page = await newPage(options);
      await throttle(page);
      return page;
    };
  }
  return browser;
}

/** A page that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser, url, errors, viewport = { width: 1100, height: 900 }) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return page;
}

/**
 * The hooks of a test file that drives the built page in `dist`: before its tests, the build
 * must exist, a server serves it (with `headers` on every response) and Chromium is launched
 * (with `launchArgs`); after them, both are closed. Returns the session: `url` and `browser` are
 * set once the `before` hook has run.
 */
export function pageSession({ dist, headers = {}, launchArgs = [] }) {
  const session = { url: null, browser: null, server: null };
  before(async () => {
    assert.ok(fs.existsSync(`${dist}/index.html`), 'build the page first: trunk build index.html --release');
    ({ server: session.server, url: session.url } = await serve(dist, '/', headers));
    session.browser = await launch(launchArgs);
  });
  after(async () => {
    await session.browser?.close();
    session.server?.close();
  });
  return session;
}

/** Painted pixels (alpha > 0) of the figure canvases (pixels, overlays, strips) of the `index`th match of `selector`. */
export function paintedPixels(page, selector, index = 0) {
  return page.$$eval(
    selector,
    (hosts, k) => {
      let n = 0;
      for (const c of hosts[k]?.shadowRoot?.querySelectorAll('canvas.pix, canvas.over, canvas.strip') ?? []) {
        if (!c.width || !c.height) continue;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
      }
      return n;
    },
    index,
  );
}

/**
 * Waits until the figure that is the `index`th match of `selector` has more than `min` painted
 * pixels (a state, not a duration: a slow machine paints later); returns the count then.
 */
export async function waitPainted(page, selector, min, { index = 0, timeout = 60000 } = {}) {
  await page
    .waitForFunction(
      ([s, k, m]) => {
        let n = 0;
        for (const c of document
          .querySelectorAll(s)
          [k]?.shadowRoot?.querySelectorAll('canvas.pix, canvas.over, canvas.strip') ?? []) {
          if (!c.width || !c.height) continue;
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
        }
        return n > m;
      },
      [selector, index, min],
      { timeout },
    )
    .catch(async (e) => {
      throw new Error(
        `${selector} [${index}] has ${await paintedPixels(page, selector, index)} painted pixels, not more than ${min}: ${e.message}`,
      );
    });
  return paintedPixels(page, selector, index);
}

/**
 * Figures mount as the reader comes near them (www/shell/lazy.js): scrolls each figure of the page
 * into view, as a reader would, and waits until it is ready (or has failed: its host says so).
 */
export async function mountEvery(page, { timeout = 120000 } = {}) {
  const n = await page.$$eval('[data-cfg-figure]', (hs) => hs.length);
  for (let i = 0; i < n; i++) {
    await page.locator('[data-cfg-figure]').nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (k) => {
        const h = document.querySelectorAll('[data-cfg-figure]')[k];
        return h.dataset.cfgReady === '1' || h.dataset.cfgFailed === '1';
      },
      i,
      { timeout },
    );
  }
}

/** Waits until the figure host `sel` has mounted (its data-cfg-ready is set: www/shell/figure.js). */
export async function waitReady(page, sel, timeout = 60000) {
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', sel, { timeout });
}

/**
 * Opens the training panel of figure `sel` as a reader does, by clicking its summary, and waits
 * until it is open (a click that lands while the page above still shifts is repeated).
 */
export async function openTrain(page, sel) {
  const details = page.locator(`${sel} .train details`);
  for (let k = 0; k < 10 && !(await details.evaluate((d) => d.open)); k++) {
    await page.locator(`${sel} .train summary`).click();
    await details.evaluate((d) => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  assert.ok(await details.evaluate((d) => d.open), `${sel}: the training panel opens`);
}

/**
 * Waits until the text of `part` (a selector in the shadow root of figure host `sel`: '.readout',
 * '.progress-row .status', …) matches the regular expression `re`.
 */
export async function waitText(page, sel, part, re, timeout = 60000) {
  await page.waitForFunction(
    ([s, p, source, flags]) =>
      new RegExp(source, flags).test(document.querySelector(s).shadowRoot.querySelector(p).textContent),
    [sel, part, re.source, re.flags],
    { timeout },
  );
}
