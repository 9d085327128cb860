// axe-core (Deque's accessibility checker, pinned in package.json) on the built article, in the
// light and the dark colour scheme, at 1280 and 390 px: no violation of any impact, on the page and inside every
// figure's shadow root. Each width loads the article once: in the light scheme, then the same page is switched
// to the dark one (the page's colours follow prefers-color-scheme as it changes). Before axe runs, every figure is scrolled into view, mounted
// (data-cfg-ready) and painted, the figures that measure in the background have finished
// (the guidance lab's frontier points are buttons only once measured), every disclosure inside a
// figure is open (the training panel, "How to read this figure": their text is checked too), and
// the w controls of two figures are in their dimmed "does nothing" state (class null), which
// must still meet contrast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pageSession, waitPainted } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const READY = 120000;
// figures that go on measuring after they are ready: the states they reach when done
const DONE = { 'guidance-lab': { cfgPanels: 'done', cfgFrontier: 'done' } };
// dimmed controls: w does nothing while the class is null
const HASH = '#velocity-field.class=null&euler-steps.class=null';

const session = pageSession({ dist: DIST });

/** Scrolls each figure into view and waits until it is mounted, painted and done measuring. */
async function mountAll(page) {
  const hosts = await page.$$eval('[data-cfg-figure]', (hs) =>
    hs.map((h) => ({ id: h.id, fig: h.dataset.cfgFigure })),
  );
  assert.ok(hosts.length >= 14, `expected every figure of the article, found ${hosts.length}`);
  for (const [i, { id, fig }] of hosts.entries()) {
    await page.locator('[data-cfg-figure]').nth(i).scrollIntoViewIfNeeded();
    await page
      .waitForFunction((k) => document.querySelectorAll('[data-cfg-figure]')[k].dataset.cfgReady === '1', i, {
        timeout: READY,
      })
      .catch((e) => {
        throw new Error(`${id}: not mounted: ${e.message}`);
      });
    // (a figure of charts only, the trade-off's, has no plot canvas to wait for)
    const canvases = await page.$$eval(
      '[data-cfg-figure]',
      (hs, k) => hs[k].shadowRoot.querySelectorAll('canvas.pix, canvas.over, canvas.strip').length,
      i,
    );
    if (canvases) await waitPainted(page, '[data-cfg-figure]', 0, { index: i, timeout: READY });
    for (const [key, value] of Object.entries(DONE[fig] ?? {})) {
      await page
        .waitForFunction(
          ([k, s, v]) => document.querySelectorAll('[data-cfg-figure]')[k].dataset[s] === v,
          [i, key, value],
          { timeout: READY },
        )
        .catch((e) => {
          throw new Error(`${id}: ${key} never '${value}': ${e.message}`);
        });
    }
  }
  return hosts;
}

/** Every open shadow root of the page, nested ones too: their hosts' selectors as axe writes them. */
function shadowHosts(page) {
  return page.evaluate(() => {
    const out = [];
    const walk = (root) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) {
          out.push(e.id ? `#${e.id}` : e.tagName.toLowerCase());
          walk(e.shadowRoot);
        }
      }
    };
    walk(document);
    return out;
  });
}

/**
 * The article at `width` px, loaded in the light scheme with every figure mounted, painted and done
 * measuring: one page per width, kept for the schemes' tests that follow (a test that comes first,
 * or after a failure, loads it).
 */
const articles = new Map();
async function articleAt(width) {
  if (articles.has(width)) return articles.get(width);
  const errors = [];
  // (not while axe runs: see below)
  const entry = { page: null, errors, axeRunning: false };
  const record = (e) => entry.axeRunning || errors.push(e);
  const page = await session.browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  entry.page = page;
  page.on('pageerror', (e) => record(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') record(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) record(`${r.status()}: ${r.url()}`);
  });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${session.url}${HASH}`);
  await mountAll(page);
  for (const other of articles.values()) await other.page.close();
  articles.clear();
  articles.set(width, entry);
  return entry;
}

// a laptop and a phone (at 390 px the display maths scrolls sideways, the figures stack)
for (const [scheme, width] of [
  ['light', 1280],
  ['dark', 1280],
  ['light', 390],
  ['dark', 390],
]) {
  test(
    `axe-core finds no violation on the article, its figures' shadow roots included (${scheme}, ${width} px)`,
    { timeout: 900000 },
    async () => {
      const article = await articleAt(width);
      const { page, errors } = article;
      // (recording again: the last test's axe requests were answered before axe.run returned)
      article.axeRunning = false;
      await page.emulateMedia({ colorScheme: scheme });
      assert.equal(
        await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
        scheme === 'dark',
      );
      // the dimmed state is on screen
      const dimmed = await page.$$eval('[data-cfg-figure]', (hs) =>
        hs.filter((h) => h.shadowRoot.querySelector('.ctl-unused')).map((h) => h.id),
      );
      for (const id of ['velocity-field', 'euler-steps'])
        assert.ok(dimmed.includes(id), `${id} shows a dimmed control: ${dimmed}`);
      // every disclosure inside a figure open, so that its content is checked too
      await page.$$eval('[data-cfg-figure]', (hs) => {
        for (const h of hs) for (const d of h.shadowRoot.querySelectorAll('details')) d.open = true;
      });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

      // the page's own errors, before axe runs: axe's CSSOM preload then asks for the figures'
      // @import-ed sheets at the wrong URL (resolved against the document, not the sheet: a 404;
      // dequelabs/axe-core#5268), which is axe's request, not the page's
      assert.deepEqual(errors, []);
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
      article.axeRunning = true;
      const result = await page.evaluate(async () => {
        // (axe reads open shadow roots by itself; every rule, not only the WCAG-tagged ones)
        const r = await window.axe.run(document);
        const where = (n) => [n.target].flat(Infinity).join(' >> ');
        return {
          version: window.axe.version,
          // (what axe could not decide, text over a canvas say: reported, not failed)
          incomplete: r.incomplete.map((v) => `${v.id} ${v.nodes.length}`),
          violations: r.violations.map((v) => ({
            rule: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map(
              (n) => `${where(n)}: ${(n.failureSummary ?? '').split('\n').slice(1, 2).join('').trim()}`,
            ),
          })),
          // where axe looked: the first part of each checked node's target (a shadow host for a
          // node inside a shadow root)
          looked: [
            ...new Set(
              [...r.passes, ...r.violations, ...r.incomplete].flatMap((v) =>
                v.nodes.map((n) =>
                  Array.isArray(n.target[0]) ? n.target[0][0] : n.target.length > 1 ? n.target[0] : null,
                ),
              ),
            ),
          ].filter(Boolean),
        };
      });
      const count = result.violations.reduce((a, v) => a + v.nodes.length, 0);
      console.log(
        `  axe-core ${result.version}, ${scheme}, ${width} px: ${result.violations.length} rules violated, ${count} elements; undecided: ${result.incomplete.join(', ') || 'none'}`,
      );
      for (const v of result.violations) {
        console.log(`  ${v.rule} (${v.impact}): ${v.help}`);
        for (const n of v.nodes) console.log(`    ${n}`);
      }
      // axe looked inside every open shadow root
      const missed = (await shadowHosts(page)).filter((h) => !result.looked.includes(h));
      assert.deepEqual(missed, [], 'shadow roots axe did not look into');
      assert.deepEqual(
        result.violations.map((v) => `${v.rule} (${v.impact}): ${v.nodes.length}`),
        [],
      );
    },
  );
}
