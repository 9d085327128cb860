// Captions a reader finishes: the words a reader sees inside each figure of the article at 1280 px
// (its labels, read-outs and caption; the text behind a closed "How to read this figure"
// disclosure, or any closed <details>, is not counted, nor the unselected options of a menu).
// Prints the table; every figure must show at most 150 words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageSession } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const LIMIT = 150;

test(`every figure shows at most ${LIMIT} words with its disclosures closed (1280 px)`, async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  const ids = await page.$$eval('[data-cfg-figure]', (hs) => hs.map((h) => h.id));
  const rows = [];
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForFunction((s) => document.getElementById(s)?.dataset.cfgReady === '1', id, {
      timeout: 60000,
    });
    // a progress line shows while the figure's background work runs (aria-busy): count the
    // figure as a reader sees it once that work is done (600 s: the exact densities under load)
    await page.waitForFunction((s) => document.getElementById(s)?.getAttribute('aria-busy') !== 'true', id, {
      timeout: 600000,
    });
    // read-outs fill in once the figure has sampled: wait until its text stops growing
    let last = -1;
    let words = 0;
    let text = '';
    for (let k = 0; k < 40; k++) {
      ({ words, text } = await page.$eval(`#${id}`, (host) => {
        const fig = host.shadowRoot.querySelector('figure');
        const count = (text) => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
        const text = fig.innerText;
        let n = count(text);
        // innerText lists every option of a menu; a reader sees the selected one
        for (const s of fig.querySelectorAll('select')) {
          for (const o of s.options) if (!o.selected) n -= count(o.text);
        }
        return { words: n, text };
      }));
      if (words === last) break;
      last = words;
      await page.waitForTimeout(250);
    }
    // the text as counted, to see what went over
    if (words > LIMIT) console.log(`  ${id}, as counted:\n${text}`);
    rows.push({ id, words });
  }
  console.log('  figure | visible words');
  for (const r of rows)
    console.log(`  ${r.id.padEnd(30)} | ${String(r.words).padStart(4)}${r.words > LIMIT ? '  (over)' : ''}`);
  assert.deepEqual(errors, []);
  const over = rows.filter((r) => r.words > LIMIT);
  assert.deepEqual(over, [], `figures over ${LIMIT} visible words`);
  await page.close();
});
