// One small interface over the three engines the page is tested in, so that one smoke test
// (smoke.js) and one screenshot script (shots.js) serve them all:
//   chromium  Debian's Chromium through playwright-core (tests/lib.js; CPU_THROTTLE applies)
//   firefox   Debian's firefox-esr through puppeteer-core, over WebDriver BiDi
//   webkit    WebKitGTK's MiniBrowser through WebKitWebDriver, under Xvfb (webdriver.js)
// A driver: open(url, {width, height}), run(fn, arg) (fn runs in the page with one JSON argument
// and may be async; resolves with its JSON result), shot(selector, path) (a PNG of the first
// element matching selector), errors() (what the engine itself reported: page errors, console
// errors), close().
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { launch } from '../lib.js';
import { startWebKit } from './webdriver.js';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

/**
 * A copy of the built page in a temporary folder (links to dist's files) whose index.html first
 * runs hook.js: it records uncaught errors, unhandled rejections, failed loads and console.error
 * into window.__errors in every engine alike, from the first script on (classic WebDriver has no
 * console of its own). Returns the folder; `cleanup()` removes it.
 */
export function hookedDist(dist) {
  const html = path.join(dist, 'index.html');
  if (!fs.existsSync(html))
    throw new Error(`${html} is missing: build the page first (trunk build index.html --release)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-engines-'));
  for (const name of fs.readdirSync(dist))
    if (name !== 'index.html') fs.symlinkSync(path.resolve(dist, name), path.join(dir, name));
  fs.copyFileSync(new URL('./hook.js', import.meta.url), path.join(dir, 'engines-hook.js'));
  const text = fs.readFileSync(html, 'utf8');
  const hooked = text.replace(/<head>/, '<head>\n<script src="engines-hook.js"></script>');
  if (hooked === text) throw new Error(`${html} has no <head> to hook`);
  fs.writeFileSync(path.join(dir, 'index.html'), hooked);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `engine` (one of ENGINES); resolves with its driver (see above). */
export async function startEngine(engine) {
  if (engine === 'chromium') return chromiumDriver();
  if (engine === 'firefox') return firefoxDriver();
  if (engine === 'webkit') return webkitDriver();
  throw new Error(`unknown engine '${engine}' (known: ${ENGINES.join(', ')})`);
}

/** Page-side errors of a playwright or puppeteer page, into `errors`. */
function listen(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}

async function chromiumDriver() {
  const browser = await launch();
  const errors = [];
  let page = null;
  return {
    engine: 'chromium',
    async open(url, viewport) {
      await page?.close();
      page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
      listen(page, errors);
      await page.goto(url);
    },
    run: (fn, arg = null) => page.evaluate(fn, arg),
    shot: async (selector, file) => page.locator(selector).first().screenshot({ path: file }),
    errors: () => errors.slice(),
    close: () => browser.close(),
  };
}

async function firefoxDriver() {
  const executablePath = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
  if (!fs.existsSync(executablePath))
    throw new Error(`${executablePath} is missing: install Debian's firefox-esr (scripts/setup.sh does)`);
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath, headless: true });
  const errors = [];
  let page = null;
  return {
    engine: 'firefox',
    async open(url, viewport) {
      await page?.close();
      page = await browser.newPage();
      listen(page, errors);
      await page.setViewport({ ...viewport, deviceScaleFactor: 1 });
      await page.goto(url);
    },
    run: (fn, arg = null) => page.evaluate(fn, arg),
    async shot(selector, file) {
      const handle = await page.$(selector);
      await handle.screenshot({ path: file });
    },
    errors: () => errors.slice(),
    close: () => browser.close(),
  };
}

async function webkitDriver() {
  const wd = await startWebKit();
  return {
    engine: 'webkit',
    async open(url, { width, height }) {
      await wd.cmd('POST', '/url', { url: 'about:blank' });
      // the window's size is set, then corrected by what its frame takes, so the viewport is as asked
      await wd.cmd('POST', '/window/rect', { width, height });
      const inner = await wd.cmd('POST', '/execute/sync', {
        script: 'return [innerWidth, innerHeight]',
        args: [],
      });
      if (inner[0] !== width || inner[1] !== height) {
        await wd.cmd('POST', '/window/rect', { width: 2 * width - inner[0], height: 2 * height - inner[1] });
      }
      await wd.cmd('POST', '/url', { url });
    },
    async run(fn, arg = null) {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn}).call(null, arguments[0]))
          .then((value) => done({ value }), (e) => done({ error: String((e && e.message) || e) }));`;
      const out = await wd.cmd('POST', '/execute/async', { script, args: [arg] });
      if (out && 'error' in out) throw new Error(`in the page: ${out.error}`);
      return out?.value;
    },
    async shot(selector, file) {
      const id = await wd.element(selector);
      fs.writeFileSync(file, Buffer.from(await wd.cmd('GET', `/element/${id}/screenshot`), 'base64'));
    },
    errors: () => [],
    close: () => wd.close(),
  };
}
