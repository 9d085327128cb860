// The forward-pass figure (www/figures/forward-pass/index.js): its output arrow is the Model's velocity at
// the chosen point, the arrow keys move the point and select units, a selected unit shows its heat
// map, the CFG batch shows v_u, v_c and v = v_u + w·(v_c − v_u), and a phone does not scroll sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageSession, waitPainted, waitReady } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const READY = 60000;
const SEL = '#forward-pass';

async function ready(page, sel = SEL) {
  await page.locator(sel).scrollIntoViewIfNeeded();
  await waitReady(page, sel, READY);
  await page.waitForFunction(
    (s) => document.querySelector(s).shadowRoot.querySelector('.fp-net')?.dataset.v,
    sel,
    { timeout: READY },
  );
}

/** The figure's numbers (data attributes of its network canvas). */
const shown = (page, sel = SEL) =>
  page.$eval(sel, (h) => ({ ...h.shadowRoot.querySelector('.fp-net').dataset }));

/** v_u, v_c and v at the figure's point, t and class, from a Model of the shipped weights in the page. */
function reference(page, d, w) {
  return page.evaluate(
    async ([d, w]) => {
      const { pretrainedModel } = await import('/www/lib/models.js');
      const m = await pretrainedModel('face');
      const v = [
        ...m.velocities(new Float32Array([Number(d.x), Number(d.y)]), Number(d.t), d.class, w, false),
      ];
      m.free();
      return { vu: v.slice(0, 2), vc: v.slice(2, 4), vcfg: v.slice(4, 6) };
    },
    [d, w],
  );
}

function close(got, want, what) {
  const g = got.split(',').map(Number);
  assert.equal(g.length, 2, what);
  for (let j = 0; j < 2; j++)
    assert.ok(Math.abs(g[j] - want[j]) <= 1e-5 * (1 + Math.abs(want[j])), `${what}: ${g} vs ${want}`);
}

test('the output arrow is the Model velocity at the point; the arrow keys move the point', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  await ready(page);
  await waitPainted(page, SEL, 1000, { timeout: READY });
  const d0 = await shown(page);
  assert.equal(d0.batch, '0');
  close(d0.v, (await reference(page, d0, 1)).vc, 'v at the start');

  const plane = page.locator(`${SEL} canvas.over`).first();
  await plane.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(
    ([s, x, y]) => {
      const d = document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset;
      return Math.abs(Number(d.x) - x) < 1e-9 && Math.abs(Number(d.y) - y) < 1e-9;
    },
    [SEL, Math.round((Number(d0.x) + 0.1) * 100) / 100, Math.round((Number(d0.y) - 0.05) * 100) / 100],
    { timeout: READY },
  );
  const d1 = await shown(page);
  close(d1.v, (await reference(page, d1, 1)).vc, 'v after the keys');
  assert.notEqual(d1.v, d0.v, 'the velocity changes with the point');
  assert.match(
    decodeURIComponent(await page.evaluate(() => location.hash)),
    /forward-pass\.x=/,
    'the URL records the point',
  );

  // a drag moves the point, and its end goes into the URL
  const ob = await plane.boundingBox();
  await page.mouse.move(ob.x + ob.width * 0.3, ob.y + ob.height * 0.7);
  await page.mouse.down();
  await page.mouse.move(ob.x + ob.width * 0.35, ob.y + ob.height * 0.75, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(
    (s) =>
      /forward-pass\.x=-/.test(decodeURIComponent(location.hash)) &&
      Number(document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset.x) < 0,
    SEL,
    { timeout: READY },
  );
  const dragged = await shown(page);
  assert.ok(
    Math.abs(Number(dragged.x) + 0.9) < 0.1 && Math.abs(Number(dragged.y) + 1.5) < 0.1,
    `dragged to (${dragged.x}, ${dragged.y})`,
  );
  close(dragged.v, (await reference(page, dragged, 1)).vc, 'v after the drag');

  // another class (the article opens this figure on null: v is then the unconditional velocity)
  const other = d1.class === 'null' ? 'left-eye' : 'null';
  await page.locator(SEL).locator('.ctl', { hasText: 'class' }).locator('select').selectOption(other);
  await page.waitForFunction(
    ([s, c]) => document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset.class === c,
    [SEL, other],
    { timeout: READY },
  );
  const d2 = await shown(page);
  const ref = await reference(page, d2, 1);
  close(d2.v, ref.vc, `v for class ${other}`);
  if (other === 'null') close(d2.v, ref.vu, 'v for the null class is v_u');
  assert.notEqual(d2.v, dragged.v, 'the velocity changes with the class');
  assert.deepEqual(errors, []);
  await page.close();
});

test('selecting a unit shows its heat map; the CFG batch shows v_u, v_c and v at w', async () => {
  const errors = [];
  // the article's second forward pass, on the class left-eye (Fig. 3(a))
  const C = '#forward-pass-conditional';
  const page = await openPage(session.browser, session.url, errors, { width: 1280, height: 900 });
  await ready(page, C);
  const mapUnit = () => page.$eval(C, (h) => h.shadowRoot.querySelector('.fp-map').dataset.unit);
  const mapPixels = () =>
    page.$eval(C, (h) => {
      const c = h.shadowRoot.querySelector('.fp-map canvas.over');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
      return n;
    });
  const first = (await shown(page, C)).selected;
  assert.equal(await mapUnit(), first, 'the map shows the selected unit');
  // keyboard: Tab from the plane reaches the network, which shows its focus; up a layer, then right
  const net = page.locator(`${C} .fp-net`);
  await page.locator(`${C} canvas.over`).first().focus();
  await page.keyboard.press('Tab');
  assert.ok(
    await net.evaluate((c) => c.getRootNode().activeElement === c),
    'Tab moves from the plane to the network',
  );
  assert.notEqual(
    await net.evaluate((c) => getComputedStyle(c).outlineStyle),
    'none',
    'the focused network shows its focus',
  );
  // every keyboard-operable canvas of the figure is named and not hidden from screen readers
  const unnamed = await page.$eval(C, (h) =>
    [...h.shadowRoot.querySelectorAll('canvas[tabindex]')]
      .filter((e) => !e.getAttribute('aria-label') || e.getAttribute('aria-hidden') === 'true')
      .map((e) => e.className),
  );
  assert.deepEqual(unnamed, []);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(
    ([s, f]) => document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset.selected !== f,
    [C, first],
    { timeout: READY },
  );
  const [layer] = (await shown(page, C)).selected.split(',').map(Number);
  assert.equal(layer, Number(first.split(',')[0]) - 1, 'ArrowUp selects the layer above');
  await page.waitForFunction(
    (s) => {
      const sh = document.querySelector(s).shadowRoot;
      return sh.querySelector('.fp-map').dataset.unit === sh.querySelector('.fp-net').dataset.selected;
    },
    C,
    { timeout: READY },
  );
  const side = await page.$eval(C, (h) => h.shadowRoot.querySelector('.fp-map canvas.over').width);
  assert.ok((await mapPixels()) > 0.9 * side * side, 'the heat map fills its plot');
  assert.match(
    await page.$eval(C, (h) => h.shadowRoot.querySelector('.fp-map .plot-title').textContent),
    /over the plane/,
  );

  // a click on the network selects the unit under the pointer
  const box = await net.boundingBox();
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height - 6);
  await page.waitForFunction(
    (s) => /^4,/.test(document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset.selected),
    C,
    { timeout: READY },
  );

  // the CFG batch
  await page.locator(C).locator('.ctl', { hasText: 'CFG batch' }).locator('input').check();
  await page.waitForFunction(
    (s) => document.querySelector(s).shadowRoot.querySelector('.fp-net').dataset.batch === '1',
    C,
    { timeout: READY },
  );
  const d = await shown(page, C);
  const w = 3;
  const ref = await reference(page, d, w);
  close(d.vu, ref.vu, 'v_u');
  close(d.vc, ref.vc, 'v_c');
  close(d.vcfg, ref.vcfg, 'v');
  assert.notEqual(d.vu, d.vc, 'the class row and the null row give different velocities');
  const text = await page.$eval(C, (h) => h.shadowRoot.querySelector('.readout').textContent);
  assert.match(text, /vu = /);
  assert.match(text, /vc = /);
  assert.match(text, /v = .*w = 3\.0/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone (390 px) the figure fits without sideways scrolling', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 390, height: 844 });
  await ready(page);
  const { scroll, right } = await page.$eval(SEL, (h) => ({
    scroll: document.documentElement.scrollWidth,
    right: Math.max(
      ...[...h.shadowRoot.querySelectorAll('canvas, .side, figcaption')].map(
        (e) => e.getBoundingClientRect().right,
      ),
    ),
  }));
  assert.ok(scroll <= 390, `the page scrolls sideways: ${scroll} px wide`);
  assert.ok(right <= 390, `the figure reaches ${right} px`);
  assert.deepEqual(errors, []);
  await page.close();
});
