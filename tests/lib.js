// Shared helpers for the page tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.gz': 'application/gzip',
};

/**
 * Serves `root` on a free port of 127.0.0.1; `prefix` mounts it under a sub-path; `headers` are
 * added to every response (a Content-Security-Policy, say).
 */
export function serve(root, prefix = '/', headers = {}) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    let url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!url.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    url = '/' + url.slice(prefix.length);
    let file = path.join(root, path.normalize(url));
    if (!file.startsWith(path.resolve(root))) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}${prefix}` })));
}

/** Debian's Chromium, headless; `extra` adds flags (say, --enable-precise-memory-info). */
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extra],
  });
}

/** A page that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser, url, errors, viewport = { width: 1100, height: 900 }) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
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
