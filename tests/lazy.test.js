// Figures start as the reader comes near them (www/shell/lazy.js), reserve their height so that
// nothing moves (www/style.css), and stop asking for frames out of view (www/shell/loop.js). Only
// facts that do not depend on the machine's speed: which figures have mounted, the layout shift, and
// whether the page still asks the browser for animation frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, pageSession } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const READY = 120000;

/** Each figure host: id, mounted or not, and its distance to the viewport in pixels (0: in view). */
function hostState(page) {
  return page.$$eval('[data-cfg-figure]', (hs) =>
    hs.map((h) => {
      const r = h.getBoundingClientRect();
      const distance = r.bottom < 0 ? -r.bottom : r.top > innerHeight ? r.top - innerHeight : 0;
      return {
        id: h.id,
        mounted: h.dataset.cfgMounted === '1',
        ready: h.dataset.cfgReady === '1',
        distance,
        screen: innerHeight,
      };
    }),
  );
}

/** Resolves when every figure in the viewport or within `screens` screens of it is ready. */
function waitNearReady(page, screens = 1) {
  return page.waitForFunction(
    (k) =>
      [...document.querySelectorAll('[data-cfg-figure]')].every((h) => {
        const r = h.getBoundingClientRect();
        const near = r.bottom >= -k * innerHeight && r.top <= innerHeight * (1 + k);
        return !near || h.dataset.cfgReady === '1' || h.dataset.cfgFailed === '1';
      }),
    screens,
    { timeout: READY, polling: 100 },
  );
}

test('no figure mounts before it comes within a screen of the viewport, unless a link names it', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors, { width: 1100, height: 900 });
  await page.evaluate(() => window.cfgReady);
  let hosts = await hostState(page);
  assert.ok(hosts.find((h) => h.id === 'hero').ready, 'the first figure is ready when cfgReady resolves');
  const early = hosts
    .filter((h) => h.mounted && h.distance > h.screen + 1)
    .map((h) => `${h.id} (${Math.round(h.distance)} px away)`);
  assert.deepEqual(early, [], 'figures mounted more than a screen away from the viewport');
  const waiting = hosts.filter((h) => !h.mounted).length;
  assert.ok(
    waiting >= 12,
    `most figures wait for the reader: only ${waiting} of ${hosts.length} have not mounted`,
  );
  // the reader comes near one: it mounts
  await page.locator('#tradeoff').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.getElementById('tradeoff').dataset.cfgReady === '1', null, {
    timeout: READY,
  });
  hosts = await hostState(page);
  assert.ok(
    !hosts.find((h) => h.id === 'draw-your-own').mounted,
    'the last figure, far below, has not mounted',
  );

  // a link to a figure opens it at once, and nothing far from it
  await page.goto(`${session.url}?link#temperature`);
  await page.evaluate(() => window.cfgReady);
  hosts = await hostState(page);
  assert.ok(
    hosts.find((h) => h.id === 'temperature').ready,
    "the link's figure is ready when cfgReady resolves",
  );
  for (const id of ['hero', 'unconditional-flow'])
    assert.ok(!hosts.find((h) => h.id === id).mounted, `${id}, far above the link's figure, has not mounted`);

  // so does a link that carries a figure's settings, wherever the page opens
  await page.goto(`${session.url}?state#probability-path-overlapping.squares=histogram`);
  await page.evaluate(() => window.cfgReady);
  hosts = await hostState(page);
  const target = hosts.find((h) => h.id === 'probability-path-overlapping');
  assert.ok(
    target.ready && target.distance > target.screen,
    `the figure named by the link is ready (${Math.round(target.distance)} px below the view)`,
  );
  assert.ok(!hosts.find((h) => h.id === 'draw-your-own').mounted, 'draw-your-own has not mounted');
  assert.deepEqual(errors, []);
  await page.close();
});

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test(`nothing moves while the reader scrolls through the article at ${viewport.width} px: layout shift ≤ 0.02, of the page and inside figures`, async () => {
    const errors = [];
    const page = await session.browser.newPage({ viewport, deviceScaleFactor: 1 });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.hadRecentInput) continue;
          // each moved node: its element's id, or the tag and the nearest id above it (a text node: its parent)
          const name = (n) => {
            const el = n?.nodeType === 1 ? n : n?.parentElement;
            if (!el) return '?';
            const owner = el.closest('[id]') ?? el.getRootNode()?.host?.closest?.('[id]');
            return (
              el.id ||
              `${el.nodeName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} in #${owner?.id ?? '?'}`
            );
          };
          const shown = [...document.querySelectorAll('[data-cfg-figure]')]
            .filter((h) => {
              const r = h.getBoundingClientRect();
              return r.bottom > 0 && r.top < innerHeight;
            })
            .map((h) => h.id);
          // a shift of the page's own elements (a figure's box, the text), or only of parts inside a
          // figure's shadow root (the API names no node there)
          const page = e.sources?.some((s) => s.node) ?? false;
          window.__shifts.push({
            value: e.value,
            t: e.startTime,
            y: scrollY,
            shown,
            page,
            nodes:
              e.sources?.map(
                (s) => `${name(s.node)} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`,
              ) ?? [],
          });
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(session.url);
    await page.evaluate(() => window.cfgReady);
    // down the page a screen at a time; at each stop, the figures in view and within a screen of
    // it finish mounting (as the page prepares the reader's next screen)
    for (;;) {
      await waitNearReady(page, 1);
      const done = await page.evaluate(() => {
        const end = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
        scrollBy(0, innerHeight);
        return end;
      });
      if (done) break;
    }
    const shifts = await page.evaluate(() => window.__shifts);
    const describe = (list) =>
      [...list]
        .sort((a, b) => b.value - a.value)
        .slice(0, 5)
        .map(
          (e) =>
            `${e.value.toFixed(4)} at scrollY ${e.y}, figures in view: ${e.shown.join(' ')} (${e.nodes.join(', ')})`,
        )
        .join('; ');
    const sum = (list) => list.reduce((s, e) => s + e.value, 0);
    const pageShifts = shifts.filter((e) => e.page);
    const inside = shifts.filter((e) => !e.page);
    // what mounting and the reserved heights control: the page's own elements
    assert.ok(
      sum(pageShifts) <= 0.02,
      `layout shift of the page ${sum(pageShifts).toFixed(4)} over the whole scroll; largest: ${describe(pageShifts)}`,
    );
    console.log(
      `# ${viewport.width} px: layout shift of the page ${sum(pageShifts).toFixed(4)}; inside figures ${sum(inside).toFixed(4)}${inside.length ? `, largest: ${describe(inside)}` : ''}`,
    );
    // and what the figures control: their own parts do not move once they appear (a read-out or a
    // title filled in later has its room from the start)
    assert.ok(
      sum(inside) <= 0.02,
      `layout shift inside figures ${sum(inside).toFixed(4)} over the whole scroll; largest: ${describe(inside)}`,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a figure out of view stops the animation loop, and starts it again when it comes back', async () => {
  const errors = [];
  const page = await session.browser.newPage({
    viewport: { width: 1100, height: 900 },
    deviceScaleFactor: 1,
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  // counts the page's requests for animation frames: asked (not yet run), and run
  await page.addInitScript(() => {
    const raf = window.requestAnimationFrame.bind(window);
    const cancel = window.cancelAnimationFrame.bind(window);
    window.__raf = { pending: 0, ran: 0 };
    const live = new Set();
    window.requestAnimationFrame = (cb) => {
      const id = raf((t) => {
        live.delete(id);
        window.__raf.pending = live.size;
        window.__raf.ran += 1;
        cb(t);
      });
      live.add(id);
      window.__raf.pending = live.size;
      return id;
    };
    window.cancelAnimationFrame = (id) => {
      live.delete(id);
      window.__raf.pending = live.size;
      cancel(id);
    };
  });
  await page.goto(session.url);
  await page.evaluate(() => window.cfgReady);
  // the unconditional flow plays in a loop: frames run
  await page.locator('#unconditional-flow').scrollIntoViewIfNeeded();
  await page.waitForFunction(
    () => document.getElementById('unconditional-flow').dataset.cfgReady === '1',
    null,
    { timeout: READY },
  );
  const ran = await page.evaluate(() => window.__raf.ran);
  await page.waitForFunction((n) => window.__raf.ran > n + 10, ran, { timeout: READY, polling: 100 });
  // far below every figure (the page made longer than it is), nothing asks for frames any more
  await page.evaluate(() => {
    document.querySelector('footer').style.paddingBottom = `${4 * innerHeight}px`;
    scrollTo(0, document.documentElement.scrollHeight);
  });
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-cfg-figure]')].every((h) => h.dataset.cfgVisible !== '1'),
    null,
    { timeout: READY, polling: 100 },
  );
  await page.waitForFunction(() => window.__raf.pending === 0, null, { timeout: READY, polling: 100 });
  // …and keeps not asking while the reader reads on (a run of timer ticks, no frame among them)
  const still = await page.evaluate(async () => {
    const before = window.__raf.ran;
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 50));
    return { ran: window.__raf.ran - before, pending: window.__raf.pending };
  });
  assert.deepEqual(still, { ran: 0, pending: 0 }, 'out of view, the figures request no frames');
  // back to the flow: it asks for frames again and they run
  const now = await page.evaluate(() => window.__raf.ran);
  await page.locator('#unconditional-flow').scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => window.__raf.ran > n + 10, now, { timeout: READY, polling: 100 });
  assert.deepEqual(errors, []);
  await page.close();
});
