// The which-distribution figure (www/figures/which-distribution/index.js): it mounts, paints four
// panels, shows four sliced W2 numbers (three distances to the tilted density and its noise
// floor) and FKC's ESS, and moving η changes the SDE panel: at η = 0 the SDE is the ODE, so panel
// (b) then measures what panel (a) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageSession, waitPainted } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const READY = 120000;
const SEL = '#which-distribution';

/** The W2 numbers under the panels (a), (b), (c), (d), as text ('…' while sampling). */
const numbers = (page) =>
  page.$eval(SEL, (h) => [...h.shadowRoot.querySelectorAll('[data-w2]')].map((b) => b.textContent));

/** Waits until every panel shows a number (and with `odeEqualsSde`, (b)'s is (a)'s); returns them. */
async function settled(page, odeEqualsSde = false) {
  await page.waitForFunction(
    ([s, same]) => {
      const xs = [...(document.querySelector(s)?.shadowRoot?.querySelectorAll('[data-w2]') ?? [])].map(
        (b) => b.textContent,
      );
      return xs.length === 4 && xs.every((x) => Number.isFinite(Number(x))) && (!same || xs[0] === xs[1]);
    },
    [SEL, odeEqualsSde],
    { timeout: READY },
  );
  return numbers(page);
}

test('four panels, four distances, FKC statistics; η changes the SDE panel', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  await page.locator(SEL).scrollIntoViewIfNeeded();
  await page.waitForFunction((s) => document.querySelector(s)?.dataset.cfgReady === '1', SEL, {
    timeout: READY,
  });
  assert.equal(await page.$eval(SEL, (h) => h.shadowRoot.querySelectorAll('.wd-panel').length), 4);
  await waitPainted(page, SEL, 4000, { timeout: READY });
  const first = await settled(page);
  const [ode, sde, fkc, floor] = first.map(Number);
  assert.ok(floor > 0 && ode > 0 && sde > 0 && fkc > 0, `${first}`);
  const ess = await page.$eval(SEL, (h) => h.shadowRoot.querySelector('[data-ess]').textContent);
  assert.ok(Number(ess) > 0 && Number(ess) <= 1, `min ESS ${ess}`);

  await page.locator(SEL).getByLabel('SDE noise η').fill('0');
  const later = await settled(page, true);
  assert.notEqual(later[1], first[1], 'the SDE panel changed with η');
  assert.equal(later[0], first[0], 'the ODE panel did not');
  assert.match(
    decodeURIComponent(await page.evaluate(() => location.hash)),
    /which-distribution\.eta=0/,
    'the URL records η',
  );
  assert.deepEqual(errors, []);
  await page.close();
});
