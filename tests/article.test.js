// The built article (dist/, from `trunk build --release`) and the embed example, in headless
// Chromium. Screenshots of every figure land in tests/artifacts/. The figures that train in the
// browser: article-training.test.js.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, openPage, pageSession, waitPainted, waitReady } from './lib.js';

const DIST = process.env.DIST ?? new URL('../dist', import.meta.url).pathname;
const ARTIFACTS = new URL('./artifacts', import.meta.url).pathname;
const session = pageSession({ dist: DIST });
before(() => fs.mkdirSync(ARTIFACTS, { recursive: true }));

/** Painted pixels of every pixel/overlay canvas inside a figure host, and a hash of them. */
function figurePixels(page, hostSelector, index = 0) {
  return page.$$eval(
    hostSelector,
    (hosts, k) => {
      const host = hosts[k];
      let painted = 0;
      let hash = 0;
      for (const c of host.shadowRoot?.querySelectorAll('canvas.pix, canvas.over, canvas.strip') ?? []) {
        if (!c.width || !c.height) continue;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) {
          if (d[i] > 0) painted += 1;
          hash = (hash * 31 + d[i - 3] + 3 * d[i - 2] + 7 * d[i - 1] + 11 * d[i]) | 0;
        }
      }
      return { painted, hash };
    },
    index,
  );
}

// Timeouts are generous (a slow or loaded machine, or CPU_THROTTLE=4, takes several times longer
// than a fast one): a test waits for a state, never for a duration.
const READY = 60000;
const TRAINED = 180000;

test('the article loads with no console errors and every figure renders', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors);
  const hosts = await page.$$eval('[data-cfg-figure]', (hs) =>
    hs.map((h) => ({ id: h.id, fig: h.dataset.cfgFigure })),
  );
  assert.ok(hosts.length >= 14, `expected every figure of the article, found ${hosts.length}`);
  for (const { id, fig } of hosts) {
    const sel = `#${id}`;
    await page.locator(sel).scrollIntoViewIfNeeded();
    await waitReady(page, sel);
    const isSlot = await page.$eval(sel, (h) => !!h.shadowRoot.querySelector('.slot'));
    // every figure of the post is live: no placeholder is left
    assert.ok(!isSlot, `${id} (${fig}) is a placeholder, not a figure`);
    {
      // figures fill in as they animate: wait until something is painted
      await page.waitForFunction(
        async (s) => {
          const host = document.querySelector(s);
          for (const c of host.shadowRoot.querySelectorAll('canvas.pix')) {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1;
            if (n > 200) return true;
          }
          return false;
        },
        sel,
        { timeout: READY },
      );
      await page.waitForTimeout(1500); // lets the flow move on before the screenshot (an artifact, not an assertion)
    }
    await page.locator(sel).screenshot({ path: `${ARTIFACTS}/figure-${id}.png` });
  }
  await page.screenshot({ path: `${ARTIFACTS}/article.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('moving the w slider changes the rendering', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors);
  await waitReady(page, '#hero');
  await waitPainted(page, '#hero', 1000, { timeout: READY });
  const before = await figurePixels(page, '#hero');
  const slider = page.locator('#hero input[type=range]').first();
  await slider.fill('7.5');
  await page.waitForFunction(
    () => /w = 7\.5/.test(document.querySelector('#hero').shadowRoot.querySelector('.readout').textContent),
    null,
    { timeout: READY },
  );
  // the hero redraws for the new w (its pixels change; waited for, since a slow machine paints later)
  await page.waitForFunction(
    ([h]) => {
      const host = document.querySelector('#hero');
      let hash = 0;
      for (const c of host.shadowRoot.querySelectorAll('canvas.pix, canvas.over, canvas.strip')) {
        if (!c.width || !c.height) continue;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4)
          hash = (hash * 31 + d[i - 3] + 3 * d[i - 2] + 7 * d[i - 1] + 11 * d[i]) | 0;
      }
      return hash !== h;
    },
    [before.hash],
    { timeout: READY },
  );
  assert.match(
    decodeURIComponent(await page.evaluate(() => location.hash)),
    /hero\.w=7\.5/,
    'the URL records the new w',
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('a URL with state reproduces that state, and bad fields fall back one by one', async () => {
  const errors = [];
  const warnings = [];
  const page = await session.browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(
    `${session.url}#hero.class=left-eye&hero.w=5.5&hero.t=oops&cfg-grid.ws=0,2,4&cfg-grid-overlapping.dataset=face`,
  );
  await waitReady(page, '#hero');
  assert.equal(await page.locator('#hero select').nth(1).inputValue(), 'left-eye');
  assert.equal(await page.locator('#hero input[type=range]').first().inputValue(), '5.5');
  // t was malformed: its default, with a warning naming it
  assert.equal(await page.locator('#hero input[type=range]').nth(1).inputValue(), '0.3');
  assert.ok(
    warnings.some((w) => /hero: t: 'oops' is not a number/.test(w)),
    warnings.join('\n'),
  );
  await page.locator('#cfg-grid').scrollIntoViewIfNeeded();
  await waitReady(page, '#cfg-grid');
  // (textContent: the figure may be ready a frame before it is shown, and innerText is empty while hidden)
  assert.deepEqual(await page.locator('#cfg-grid .col-head').allTextContents(), ['w = 0', 'w = 2', 'w = 4']);
  await page.locator('#cfg-grid-overlapping').scrollIntoViewIfNeeded();
  await waitReady(page, '#cfg-grid-overlapping');
  assert.equal(await page.locator('#cfg-grid-overlapping select').first().inputValue(), 'face');
  assert.equal(await page.locator('#cfg-grid-overlapping .row-head').count(), 3);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the embed example renders its figures and keeps its own styles', async () => {
  const errors = [];
  const warnings = [];
  const page = await session.browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(`${session.url}www/embed-example.html`);
  const hosts = await page.$$('[data-cfg-figure]');
  assert.equal(hosts.length, 4);
  for (let i = 0; i < hosts.length; i++) {
    await hosts[i].scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (k) => document.querySelectorAll('[data-cfg-figure]')[k].dataset.cfgReady === '1',
      i,
      { timeout: READY },
    );
    await waitPainted(page, '[data-cfg-figure]', 500, { index: i, timeout: READY }).catch((e) => {
      throw new Error(`figure ${i} is blank: ${e.message}`);
    });
  }
  // hidden controls are hidden: the first figure hides the data set selector, the third does not
  const hasDatasetSelect = (k) =>
    page.locator('[data-cfg-figure="hero"]').nth(k).locator('select:has(option[value="two-moons"])').count();
  assert.equal(await hasDatasetSelect(0), 0);
  assert.equal(await hasDatasetSelect(1), 1);
  // the host's styles do not reach the figure's buttons, and the figure's do not reach the host
  const figButton = await page
    .locator('[data-cfg-figure="hero"] >> nth=0')
    .locator('button')
    .first()
    .evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.notEqual(figButton, 'rgb(0, 0, 0)');
  const hostP = await page.locator('p.after').evaluate((p) => getComputedStyle(p).fontFamily);
  assert.match(hostP, /Georgia/);
  // the draw-your-own figure runs on the CLI-trained model of its data-model attribute
  assert.equal(
    await page.locator('[data-cfg-figure="draw-your-own"]').getAttribute('data-cfg-loaded'),
    'data-model',
  );
  // the bad attributes were reported by name
  assert.ok(
    warnings.some((w) => /w: 1000 clamped to 12/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /class 'no-such-class'/.test(w)),
    warnings.join('\n'),
  );
  await page.screenshot({ path: `${ARTIFACTS}/embed-example.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

// the one build (Trunk.toml: public_url = "./") served under a sub-path, as a blog would host it
test('the build works from a sub-path too: the article and the embed example', async () => {
  const { server: sub, url: subUrl } = await serve(process.env.DIST_SUBPATH ?? DIST, '/blog/cfg/');
  const errors = [];
  const page = await openPage(session.browser, subUrl, errors);
  await waitReady(page, '#hero');
  await waitPainted(page, '#hero', 1000, { timeout: READY });
  await page.goto(`${subUrl}www/embed-example.html`);
  await page.waitForFunction(
    () => document.querySelector('[data-cfg-figure]')?.dataset.cfgReady === '1',
    null,
    { timeout: READY },
  );
  assert.deepEqual(errors, []);
  await page.close();
  sub.close();
});

test('a figure exports itself as PNG and its model as a model file', async () => {
  const errors = [];
  const page = await openPage(session.browser, session.url, errors);
  await waitReady(page, '#hero');
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#hero button', { hasText: 'PNG' }).click(),
  ]);
  assert.equal(png.suggestedFilename(), 'hero.png');
  const pngBytes = fs.readFileSync(await png.path());
  assert.deepEqual([...pngBytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.ok(pngBytes.length > 5000, `the PNG is only ${pngBytes.length} bytes`);
  const [model] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#hero button', { hasText: 'Model' }).click(),
  ]);
  const json = JSON.parse(fs.readFileSync(await model.path(), 'utf8'));
  assert.equal(json.format, 'cfg-playground-model');
  assert.equal(json.dataset, 'face');
  assert.equal(json.tensors.length, 9);

  // the trade-off chart is SVG: its PNG is the chart rasterised, with the curves in the classes' colours
  await page.locator('#tradeoff').scrollIntoViewIfNeeded();
  await waitReady(page, '#tradeoff');
  await page.waitForFunction(
    () => / → /.test(document.querySelector('#tradeoff').shadowRoot.querySelector('.readout').textContent),
    null,
    { timeout: TRAINED },
  );
  const [toPng] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#tradeoff button', { hasText: 'PNG' }).click(),
  ]);
  assert.equal(toPng.suggestedFilename(), 'tradeoff.png');
  const base64 = fs.readFileSync(await toPng.path()).toString('base64');
  const seen = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    const svg = document.querySelector('#tradeoff').shadowRoot.querySelector('svg.to-chart');
    // pixels of each class's colour (the points and curves), of the page's ink (labels, the w = 1 ring)
    const near = (hex) => {
      const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
      let n = 0;
      for (let i = 0; i < d.length; i += 4)
        if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40) n += 1;
      return n;
    };
    return {
      size: [img.width, img.height],
      chart: [svg.width.baseVal.value, svg.height.baseVal.value],
      dpr: devicePixelRatio,
      classes: ['#0072B2', '#E69F00'].map(near),
    };
  }, base64);
  assert.deepEqual(
    seen.size,
    seen.chart.map((v) => Math.round(v * Math.min(3, seen.dpr))),
    "the PNG is the chart, at the screen's pixel ratio",
  );
  assert.ok(
    seen.classes.every((n) => n > 100),
    `the PNG shows both classes' curves (pixels of their colours: ${seen.classes.join(', ')})`,
  );

  // a chart outside the plots (euler-steps' error chart, beside or under its plot) is in the PNG too
  await page.locator('#euler-steps').scrollIntoViewIfNeeded();
  await waitReady(page, '#euler-steps');
  await page.waitForFunction(
    () => document.querySelector('#euler-steps').shadowRoot.querySelector('svg.cfg-chart polyline'),
    null,
    { timeout: TRAINED },
  );
  const [esPng] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#euler-steps button', { hasText: 'PNG' }).click(),
  ]);
  const es = fs.readFileSync(await esPng.path());
  const [pw, ph] = await page.$eval('#euler-steps', (h) => {
    const c = h.shadowRoot.querySelector('.plot').__plot.composite();
    return [c.width, c.height];
  });
  const [cw, ch] = await page.$eval('#euler-steps', (h) => {
    const r = h.shadowRoot.querySelector('svg.cfg-chart').getBoundingClientRect();
    return [r.width, r.height];
  });
  const [w, h] = [es.readUInt32BE(16), es.readUInt32BE(20)];
  assert.ok(
    w * h >= pw * ph + cw * ch,
    `the euler-steps PNG (${w} × ${h}) holds its plot (${pw} × ${ph}) and its chart (${Math.round(cw)} × ${Math.round(ch)} px)`,
  );
  // a plot without a title is its canvases, as before
  assert.deepEqual(
    [pw, ph],
    await page.$eval('#euler-steps', (h) => {
      const a = h.shadowRoot.querySelector('.plot canvas.axes');
      return [a.width, a.height];
    }),
    "euler-steps' plot has no title: its picture is its axes canvas's size",
  );

  // a plot with a title has it above, in the title's colour: cfg-grid's cells
  await page.locator('#cfg-grid').scrollIntoViewIfNeeded();
  await waitReady(page, '#cfg-grid');
  await page.waitForFunction(
    () =>
      /hit \d/.test(document.querySelector('#cfg-grid').shadowRoot.querySelector('.plot-title').textContent),
    null,
    { timeout: TRAINED },
  );
  const cell = await page.$eval('#cfg-grid', (h) => {
    const plot = h.shadowRoot.querySelector('.plot');
    const title = plot.querySelector('.plot-title');
    const row = Math.round(
      (plot.querySelector('.plot-box').getBoundingClientRect().top - title.getBoundingClientRect().top) *
        Math.min(3, devicePixelRatio),
    );
    const c = plot.__plot.composite();
    const axes = plot.querySelector('canvas.axes');
    // pixels of the title's colour in the rows above the plot
    const [r, g, b] = getComputedStyle(title).color.match(/\d+/g).map(Number);
    const d = c.getContext('2d').getImageData(0, 0, c.width, Math.max(1, row)).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4)
      if (d[i + 3] > 0 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 60) ink += 1;
    return { size: [c.width, c.height], axes: [axes.width, axes.height], row, ink };
  });
  assert.ok(cell.row > 8, `cfg-grid's cell has a title row: ${JSON.stringify(cell)}`);
  assert.deepEqual(
    cell.size,
    [cell.axes[0], cell.axes[1] + cell.row],
    "a titled plot's picture is its title's row over its canvases",
  );
  assert.ok(cell.ink > 20, `the title is drawn in its colour (${cell.ink} pixels)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('on a phone-sized screen every figure fits the width and renders', async () => {
  const errors = [];
  const page = await session.browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(session.url);
  const ids = await page.$$eval('[data-cfg-figure]', (hs) => hs.map((h) => h.id));
  for (const id of ids) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await waitReady(page, `#${id}`);
    const overflow = await page.$eval(
      `#${id}`,
      (h) => h.shadowRoot.querySelector('figure').scrollWidth - h.clientWidth,
    );
    assert.ok(overflow <= 1, `${id} is ${overflow} px wider than the screen`);
  }
  await page.waitForTimeout(1500); // lets the flows move on before the screenshots (artifacts, not assertions)
  await page.locator('#cfg-grid').screenshot({ path: `${ARTIFACTS}/phone-cfg-grid.png` });
  await page.locator('#hero').screenshot({ path: `${ARTIFACTS}/phone-hero.png` });
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'the page scrolls sideways',
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('the relaxed-SIMD and plain-SIMD builds compute the same training and sampling', async () => {
  const errors = [];
  const page = await openPage(session.browser, `${session.url}www/embed-example.html`, errors);
  const result = await page.evaluate(async () => {
    const run = async (name) => {
      const m = await import(`/${name}.js`);
      await m.default({ module_or_path: `/${name}_bg.wasm` });
      const tr = new m.Trainer('face', JSON.stringify({ width: 64, depth: 3, seed: 5, batch: 256 }), '');
      const losses = [];
      for (let i = 0; i < 5; i++) losses.push(tr.train(2));
      const model = m.Model.fromJson(tr.toJson('f32'));
      const flow = new m.Flow(model, 'mouth', 300, 20, 'heun', 3, false);
      flow.advanceFor(new m.Method('cfg', { w: 3 }), model, Infinity, 20);
      return {
        losses,
        params: Array.from(tr.params()),
        points: Array.from(flow.positions()),
        bench: JSON.parse(m.benchW1(1)).kernel,
      };
    };
    return { plain: await run('cfg-playground'), relaxed: await run('cfg-playground-relaxed') };
  });
  const { plain, relaxed } = result;
  assert.equal(plain.bench, 'simd128');
  assert.equal(relaxed.bench, 'simd128+relaxed-madd');
  // fused multiply-adds round once instead of twice: the runs agree closely, not bit for bit
  const close = (a, b, tol, what) =>
    a.forEach((x, i) =>
      assert.ok(Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${x} vs ${b[i]}`),
    );
  close(relaxed.losses, plain.losses, 1e-4, 'loss');
  close(relaxed.params, plain.params, 1e-4, 'weight');
  close(relaxed.points, plain.points, 1e-3, 'sample');
  assert.deepEqual(errors, []);
  await page.close();
});
