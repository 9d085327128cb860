// The guidance lab figure, driven as a reader drives it: read every panel's numbers with their
// noise bands, export it as PNG, switch the frontier's axis, switch a panel's method, click a
// point of the frontier (the panels take its strength, and measure what the point
// measured), reach a point with the keyboard, tick ground truth, and train a model whose
// checkpoint at a tenth becomes autoguidance's guide. Every wait is for a state the figure sets (data-cfg-panels, data-cfg-bands, data-cfg-frontier,
// data-cfg-guide-step on its element), never for a duration.
// The page opens at 250 particles (#guidance-lab.n=250, the pool test's size) rather than the
// figure's 1000: every panel, band and frontier point is measured several times over (method
// switch, ground truth, a trained guide, schedules, CFG++ steps), and what is checked (the
// controls, the states, that a clicked point and its panel agree exactly) does not depend on n;
// a quarter of the sampling (231 -> 103 CPU s throttled, loaded machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openPage, pageSession, openTrain, waitText } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
const READY = 60000;
const TRAINED = 180000;
const SEL = '#guidance-lab';

const state = (page, key) => page.$eval(SEL, (h, k) => h.dataset[k], key);
async function waitState(page, key, value, timeout = READY) {
  await page.waitForFunction(([s, k, v]) => document.querySelector(s)?.dataset[k] === v, [SEL, key, value], {
    timeout,
  });
}
/** Panels (with their bands) and frontier all measured. */
async function waitMeasured(page, timeout = READY) {
  await waitState(page, 'cfgPanels', 'done', timeout);
  await waitState(page, 'cfgBands', 'done', timeout);
  await waitState(page, 'cfgFrontier', 'done', timeout);
}
/** `name value ± band` of a read-out: [value, band] as numbers. */
function banded(text, name) {
  const m = new RegExp(`${name} (-?\\d+(?:\\.\\d+)?) ± (\\d+(?:\\.\\d+)?)`).exec(text);
  assert.ok(m, `'${name} … ± …' in '${text}'`);
  return [Number(m[1]), Number(m[2])];
}
/** The frontier's points: method, w and pixel centre (a circle's, or a diamond's box's). */
const dots = (page) =>
  page.$$eval(SEL, ([h]) =>
    [...h.shadowRoot.querySelectorAll('svg.gl-chart .gl-pt')].map((c) => {
      const box = c.getBBox();
      return { method: c.dataset.method, w: c.dataset.w, cy: box.y + box.height / 2 };
    }),
  );
/** The lab's methods and strengths, from its own module (www/figures/guidance-lab/methods.js). */
const labLists = (page) =>
  page.evaluate(async () => {
    const m = await import('./www/figures/guidance-lab/methods.js');
    return { methods: m.LAB_METHODS, ws: m.FRONTIER_WS, dashed: [...m.DASHED] };
  });
const yTitle = (page) =>
  page.$$eval(SEL, ([h]) =>
    [...h.shadowRoot.querySelectorAll('svg.gl-chart text.label')].map((t) => t.textContent).join('|'),
  );
const titles = (page) =>
  page.$$eval(SEL, ([h]) =>
    [...h.shadowRoot.querySelectorAll('.gl-panels .plot-title')].map((t) => t.textContent),
  );
const metrics = (page) =>
  page.$$eval(SEL, ([h]) =>
    [...h.shadowRoot.querySelectorAll('.gl-panels .gl-metrics')].map((t) => t.textContent),
  );

test('guidance lab: PNG, switch a method, click and key a frontier point, ground truth, train a guide', async () => {
  const errors = [];
  const page = await openPage(session.browser, `${session.url}#guidance-lab.n=250`, errors, {
    width: 1280,
    height: 900,
  });
  const host = page.locator(SEL);
  await host.scrollIntoViewIfNeeded();
  await waitState(page, 'cfgReady', '1');
  await waitMeasured(page);
  assert.deepEqual(
    (await titles(page)).map((t) => t.split(' ')[0]),
    ['CFG', 'interval', 'autoguidance'],
  );
  // every method's curve has its nine strengths, each point with its two bars (its bands)
  const lists = await labLists(page);
  const count = lists.methods.length * lists.ws.length;
  assert.ok(lists.methods.includes('cfg-rescale'), 'guidance rescale is a lab method');
  const all = await dots(page);
  assert.equal(all.length, count);
  for (const name of lists.methods) {
    const ws = all.filter((d) => d.method === name).map((d) => Number(d.w));
    assert.deepEqual(
      ws.sort((a, b) => a - b),
      lists.ws,
      `${name}'s curve has every strength`,
    );
  }
  const bars = await page.$$eval(SEL, ([h]) => h.shadowRoot.querySelectorAll('svg.gl-chart .gl-band').length);
  assert.ok(bars >= count, `${bars} bars`);
  // a method told apart by more than its colour: a dashed curve, a dashed key and diamond points;
  // the legend names every method, in the lab's order
  const look = await page.$$eval(SEL, ([h]) => {
    const r = h.shadowRoot;
    return {
      legend: [...r.querySelectorAll('.gl-legend .gl-key')].map((k) => k.textContent),
      dashedKeys: r.querySelectorAll('.gl-legend .gl-swatch.dashed').length,
      dashedCurves: [...r.querySelectorAll('svg.gl-chart .gl-curve.dashed')].map(
        (c) => getComputedStyle(c).strokeDasharray,
      ),
      diamonds: [...r.querySelectorAll('svg.gl-chart path.gl-pt')].map((d) => d.dataset.method),
    };
  });
  assert.equal(look.legend.length, lists.methods.length, look.legend.join(', '));
  assert.ok(look.legend.includes('rescale'), look.legend.join(', '));
  assert.equal(look.dashedKeys, lists.dashed.length);
  assert.equal(look.dashedCurves.length, lists.dashed.length);
  assert.ok(
    look.dashedCurves.every((d) => d !== 'none'),
    `dashed: ${look.dashedCurves}`,
  );
  assert.deepEqual(
    [...new Set(look.diamonds)].sort(),
    [...lists.dashed].sort(),
    'the dashed methods have diamond points',
  );
  assert.equal(look.diamonds.length, lists.dashed.length * lists.ws.length);
  // the how-to-read text gives guidance rescale's φ: its default in the method table
  const [phi, how, help] = await page.evaluate(async (s) => {
    const { loadWasm } = await import('./www/lib/models.js');
    const wasm = await loadWasm();
    const row = wasm.methodTable().find((r) => r.name === 'cfg-rescale');
    const h = document.querySelector(s).shadowRoot;
    return [
      row.params.find((p) => p.js === 'phi').default,
      h.querySelector('.how-text').textContent,
      h.querySelector('.ctl[title*="left panel"]')?.title ?? '',
    ];
  }, SEL);
  assert.match(
    how,
    new RegExp(`guidance rescale scales CFG’s velocity.*φ = ${phi} of the way \\(its default`),
  );
  assert.ok(help.includes(`guidance rescale (φ = ${phi})`), `the panel's help: '${help}'`);
  // every panel reports hit, diversity, off-support and the sliced W2 to the class, each with
  // its band (a bootstrap: finite, positive, and smaller than a number it could not tell apart)
  for (const m of await metrics(page)) {
    for (const name of ['hit', 'div', 'off', 'W2']) {
      const [v, b] = banded(m, name);
      assert.ok(Number.isFinite(v) && b >= 0 && b < 0.5, `${name} ${v} ± ${b} in '${m}'`);
    }
    const [w2, band] = banded(m, 'W2');
    assert.ok(w2 > 0 && band > 0 && band < w2, `W2 ${w2} ± ${band}`);
    assert.match(m, /\d+ calls/);
  }
  // the frontier shows W2 against diversity by default; its axis switch moves the points
  assert.match(await yTitle(page), /sliced W2 to the class/);
  const byW2 = await dots(page);
  await host.locator('.ctl', { hasText: 'frontier shows' }).locator('select').selectOption('hit');
  await page.waitForFunction(
    (s) =>
      /hit rate/.test(
        [...document.querySelector(s).shadowRoot.querySelectorAll('svg.gl-chart text.label')]
          .map((t) => t.textContent)
          .join('|'),
      ),
    SEL,
    { timeout: READY },
  );
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /guidance-lab\.axis=hit/);
  const byHit = await dots(page);
  assert.equal(byHit.length, count);
  assert.ok(
    byHit.some((d, i) => Math.abs(d.cy - byW2[i].cy) > 2),
    'the points moved with the axis',
  );
  await host.locator('.ctl', { hasText: 'frontier shows' }).locator('select').selectOption('off-support');
  await page.waitForFunction(
    (s) =>
      /off-support/.test(
        [...document.querySelector(s).shadowRoot.querySelectorAll('svg.gl-chart text.label')]
          .map((t) => t.textContent)
          .join('|'),
      ),
    SEL,
    { timeout: READY },
  );
  assert.equal(await state(page, 'cfgPanels'), 'done', 'the axis redraws the frontier only');
  await host.locator('.ctl', { hasText: 'frontier shows' }).locator('select').selectOption('W2');

  // the PNG export holds the three panels and the chart, the panels' titles and the chart's legend
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    host.locator('button', { hasText: 'PNG' }).click(),
  ]);
  const bytes = fs.readFileSync(await png.path());
  const pngWidth = bytes.readUInt32BE(16);
  const pngHeight = bytes.readUInt32BE(20);
  // the panels' composites and the charts' rasters (what the export draws), in device pixels
  const parts = await page.$$eval(SEL, async ([h]) =>
    Promise.all([
      ...[...h.shadowRoot.querySelectorAll('.plot')].map((p) => p.__plot?.composite()),
      ...[...h.shadowRoot.querySelectorAll('svg.gl-chart')].map((s) => s.__chart.toCanvas()),
    ]).then((cs) => cs.map((c) => [c?.width ?? 0, c?.height ?? 0])),
  );
  assert.equal(parts.length, 4);
  assert.ok(
    parts.every(([w, h]) => w > 0 && h > 0),
    `every part has pixels: ${parts}`,
  );
  // as on screen: the three panels in a row, the frontier chart under them
  const panels = parts.slice(0, 3);
  const frontier = parts[3];
  assert.ok(
    pngWidth >=
      Math.max(
        panels.reduce((a, [w]) => a + w, 0),
        frontier[0],
      ),
    `the PNG (${pngWidth} px wide) holds the panels' row and the frontier`,
  );
  assert.ok(
    pngHeight >= Math.max(...panels.map(([, h]) => h)) + frontier[1],
    `the PNG (${pngHeight} px high) stacks the frontier under the panels`,
  );
  // what is HTML is in it too: the panels' titles above them (the method's name in its colour) and
  // the legend under the frontier (each method's key in its colour), as tall as on screen
  const exported = await page.$eval(
    SEL,
    async (h, b64) => {
      const box = (e) => e.getBoundingClientRect();
      const plot = h.shadowRoot.querySelector('.gl-panels .plot');
      const legend = h.shadowRoot.querySelector('.gl-legend');
      const title = box(plot.querySelector('.plot-box')).top - box(plot).top;
      const rgb = (css) => css.match(/\d+/g).slice(0, 3).map(Number);
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(img.width, img.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      // pixels near colour `css` in rows y0 … y1
      const near = (css, y0, y1) => {
        const [r, g, b] = rgb(css);
        const d = ctx.getImageData(0, y0, img.width, y1 - y0).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40) n += 1;
        return n;
      };
      const name = plot.querySelector('.plot-title span');
      const keys = [...legend.querySelectorAll('.gl-swatch')].map((k) =>
        getComputedStyle(k).getPropertyValue('--swatch').trim(),
      );
      const hex = (k) => `rgb(${[1, 3, 5].map((i) => parseInt(k.slice(i, i + 2), 16)).join(',')})`;
      const lh = Math.round(box(legend).height);
      return {
        title,
        axes: plot.querySelector('canvas.axes').height,
        legend: lh,
        name: [name.textContent, near(getComputedStyle(name).color, 0, Math.floor(title))],
        keys: keys.map((k) => near(hex(k), img.height - lh, img.height)),
      };
    },
    bytes.toString('base64'),
  );
  assert.ok(
    exported.title > 8 && exported.legend > 8,
    `a title row and a legend: ${JSON.stringify(exported)}`,
  );
  assert.ok(
    pngHeight >= exported.axes + exported.title + frontier[1] + exported.legend,
    `the PNG (${pngHeight} px high) holds the panels (${exported.axes}) under their titles (${exported.title}) and the frontier (${frontier[1]}) over its legend (${exported.legend})`,
  );
  assert.ok(exported.name[1] > 10, `the left panel's title names its method in its colour: ${exported.name}`);
  assert.ok(
    exported.keys.length === lists.methods.length && exported.keys.every((n) => n > 10),
    `the legend's keys in the PNG's last rows, in each method's colour (pixels: ${exported.keys})`,
  );

  // switch the left panel to APG: it samples again, the others keep their methods
  await host.locator('.ctl', { hasText: 'left panel' }).locator('select').selectOption('apg');
  await waitState(page, 'cfgPanels', 'done');
  assert.deepEqual(
    (await titles(page)).map((t) => t.split(' ')[0]),
    ['APG', 'interval', 'autoguidance'],
  );
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /guidance-lab\.panel1=apg/);

  // click APG's point at w = 5: the panels take w = 5, and the APG panel measures what the point did
  // (same noise, samples and steps: the same numbers, and the same bands)
  const dot = host.locator('svg.gl-chart circle[data-method="apg"][data-w="5"]').first();
  const label = await dot.getAttribute('aria-label');
  await dot.click();
  await page.waitForFunction(
    (s) =>
      /w = 5/.test(document.querySelector(s).shadowRoot.querySelector('.gl-panels .plot-title').textContent),
    SEL,
    { timeout: READY },
  );
  await waitState(page, 'cfgPanels', 'done');
  await waitState(page, 'cfgBands', 'done');
  assert.ok(
    (await titles(page)).every((t) => /w = 5$/.test(t)),
    (await titles(page)).join(' | '),
  );
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /guidance-lab\.w=5/);
  const hit = /hit ([\d.]+)/.exec(label)[1];
  const left = (await metrics(page))[0];
  assert.equal(/hit ([\d.]+)/.exec(left)[1], hit, `panel '${left}' against point '${label}'`);
  assert.deepEqual(banded(left, 'W2'), banded(label, 'W2'), `panel '${left}' against point '${label}'`);
  // the clicked points are ringed
  await page.waitForFunction(
    (s) => document.querySelector(s).shadowRoot.querySelector('circle.gl-now[data-method="apg"][data-w="5"]'),
    SEL,
    { timeout: READY },
  );

  // guidance rescale in the middle panel; a click on its point at w = 4 (a diamond) sets the panels
  // to w = 4, and the panel measures what the point did
  await host.locator('.ctl', { hasText: 'middle panel' }).locator('select').selectOption('cfg-rescale');
  await waitState(page, 'cfgPanels', 'done');
  assert.equal((await titles(page))[1].split(' ')[0], 'rescale');
  assert.match(
    decodeURIComponent(await page.evaluate(() => location.hash)),
    /guidance-lab\.panel2=cfg-rescale/,
  );
  const diamond = host.locator('svg.gl-chart path.gl-pt[data-method="cfg-rescale"][data-w="4"]').first();
  const rescaled = await diamond.getAttribute('aria-label');
  assert.match(rescaled, /^rescale, w = 4: hit/);
  await diamond.click();
  await page.waitForFunction(
    (s) =>
      /w = 4/.test(document.querySelector(s).shadowRoot.querySelector('.gl-panels .plot-title').textContent),
    SEL,
    { timeout: READY },
  );
  await waitState(page, 'cfgPanels', 'done');
  await waitState(page, 'cfgBands', 'done');
  const middle = (await metrics(page))[1];
  assert.equal(
    /hit ([\d.]+)/.exec(middle)[1],
    /hit ([\d.]+)/.exec(rescaled)[1],
    `'${middle}' against '${rescaled}'`,
  );
  assert.deepEqual(banded(middle, 'W2'), banded(rescaled, 'W2'), `'${middle}' against '${rescaled}'`);

  // the keyboard reaches a point: focus guidance rescale's w = 3 and press Enter
  await host.locator('svg.gl-chart .gl-pt[data-method="cfg-rescale"][data-w="3"]').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (s) =>
      /w = 3/.test(document.querySelector(s).shadowRoot.querySelector('.gl-panels .plot-title').textContent),
    SEL,
    { timeout: READY },
  );
  await waitState(page, 'cfgPanels', 'done');
  await page.waitForFunction(
    (s) =>
      document
        .querySelector(s)
        .shadowRoot.querySelector('path.gl-now[data-method="cfg-rescale"][data-w="3"]'),
    SEL,
    { timeout: READY },
  );

  // ground truth: every method on the exact field (guidance rescale in the middle), autoguidance
  // guided by the widened mixture
  await host.locator('.ctl', { hasText: 'ground truth' }).locator('input').check();
  await waitText(page, SEL, '.readout', /covariances × 1\.5/, READY);
  await waitMeasured(page);
  assert.ok(
    (await metrics(page)).every((m) => /exact field/.test(m)),
    (await metrics(page)).join(' | '),
  );
  await host.locator('.ctl', { hasText: 'ground truth' }).locator('input').uncheck();
  await waitMeasured(page);

  // train a model here: its checkpoint at a tenth of the steps becomes autoguidance's guide
  await openTrain(page, SEL);
  await host.locator('.train-controls input[type=range]').last().fill('400');
  await host.locator('button', { hasText: 'Train from scratch' }).click();
  await page.waitForFunction((s) => Number(document.querySelector(s).dataset.cfgGuideStep) >= 40, SEL, {
    timeout: TRAINED,
  });
  const step = Number(await state(page, 'cfgGuideStep'));
  assert.ok(step >= 40 && step < 400, `the guide is an early checkpoint (step ${step})`);
  await waitText(page, SEL, '.progress-row .status', /trained 400 steps/, TRAINED);
  await page.waitForFunction(
    ([s, k]) =>
      document
        .querySelector(s)
        .shadowRoot.querySelector('.readout')
        .textContent.includes(`checkpoint at step ${k}`),
    [SEL, step],
    { timeout: READY },
  );
  // with the trained model and its guide, the panels and the frontier measure again
  await waitMeasured(page, TRAINED);
  assert.match((await metrics(page))[2], /hit [\d.]+/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('guidance lab: a schedule w(t) with its plot, every method measured under it; CFG++ changes with the step count', async () => {
  const errors = [];
  // a link that puts guidance rescale in the right panel
  const page = await openPage(
    session.browser,
    `${session.url}#guidance-lab.n=250&guidance-lab.panel3=cfg-rescale`,
    errors,
  );
  await page.evaluate(() => window.cfgReady);
  await page.locator(SEL).scrollIntoViewIfNeeded();
  await waitMeasured(page);
  const host = page.locator(SEL);
  assert.deepEqual(
    (await titles(page)).map((t) => t.split(' ')[0]),
    ['CFG', 'interval', 'rescale'],
    'the link reproduces the view',
  );
  assert.equal(
    await host.locator('.ctl', { hasText: 'right panel' }).locator('select').inputValue(),
    'cfg-rescale',
  );
  // the lab's schedules are the method table's (crate/src/method/schedule.rs), in its order
  const [offered, table] = await page.evaluate(async (s) => {
    const { loadWasm } = await import('./www/lib/models.js');
    const wasm = await loadWasm();
    const cfg = wasm.methodTable().find((r) => r.name === 'cfg');
    const param = cfg.params.find((p) => p.js === 'schedule');
    const select = document
      .querySelector(s)
      .shadowRoot.querySelector('.gl-schedule')
      .parentElement.querySelector('select');
    return [[...select.options].map((o) => o.value), param];
  }, SEL);
  assert.deepEqual(
    offered,
    JSON.stringify(table)
      .match(/"constant"[^\]]*/)[0]
      .split(',')
      .map((n) => JSON.parse(n)),
  );
  const plot = () =>
    page.$eval(SEL, (h) => h.shadowRoot.querySelector('.gl-schedule').getAttribute('aria-label'));
  assert.match(await plot(), /from 2\.00 at t = 0 to 2\.00 at t = 1, mean 2\.00/, 'constant at w = 2');
  const before = await metrics(page);
  // late: w(t) = 1 before t = 1/2 and 2w − 1 after; the panels and the frontier sample again
  await host.locator('.ctl', { hasText: 'w(t)' }).locator('select').selectOption('late');
  assert.match(await plot(), /from 1\.00 at t = 0 to 3\.00 at t = 1, mean 2\.00/);
  await waitMeasured(page);
  assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /guidance-lab\.schedule=late/);
  const late = await metrics(page);
  assert.notEqual(late[0], before[0], 'CFG under the late schedule samples differently');
  assert.equal(late[1], before[1], 'the guidance interval has its own window: no schedule');
  assert.equal(late[2], before[2], 'guidance rescale takes no schedule');
  // CFG++ on the right: its strength grows with the number of steps
  await host.locator('.ctl', { hasText: 'right panel' }).locator('select').selectOption('cfg-plus-plus');
  await waitState(page, 'cfgPanels', 'done');
  assert.equal((await titles(page))[2].split(' ')[0], 'CFG++');
  const hits = [];
  for (const steps of [10, 100]) {
    await page.evaluate(
      ([s, v]) => {
        const input = document.querySelector(s).shadowRoot.querySelector('.ctl input[type=range][max="100"]');
        input.value = String(v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      },
      [SEL, steps],
    );
    await page
      .waitForFunction((s) => document.querySelector(s).dataset.cfgPanels !== 'done', SEL, { timeout: READY })
      .catch(() => {});
    await waitState(page, 'cfgPanels', 'done');
    hits.push(Number(/W2 (\d+\.\d+)/.exec((await metrics(page))[2])[1]));
  }
  assert.ok(hits[0] !== hits[1], `CFG++ at 10 and 100 steps: W2 ${hits.join(' and ')}`);
  assert.deepEqual(errors, []);
  await page.close();
});
