// Each figure's height once mounted and settled, at several widths: the numbers that www/style.css
// reserves for each figure slot. A tool, not a test: run after changing a figure's layout.
//   node tests/figure-heights.js [DIST] [WIDTHS, default 390,412,800,1280]   (SETTLE=ms to wait after mounting; default 8000)
import { serve, launch, mountEvery } from './lib.js';
const DIST = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
const widths = (process.argv[3] ?? '390,412,800,1280').split(',').map(Number);
const { server, url } = await serve(DIST);
const browser = await launch();
const out = {};
for (const width of widths) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await mountEvery(page);
  // let late content settle: wait two frames after a final scroll to the top
  await page.waitForTimeout(Number(process.env.SETTLE ?? 8000));
  out[width] = await page.$$eval('[data-cfg-figure]', (hs) => {
    const res = {};
    for (const h of hs) {
      h.style.minHeight = '0px';
      res[h.id] = h.getBoundingClientRect().height;
      h.style.minHeight = '';
    }
    return res;
  });
  await page.close();
}
const ids = Object.keys(out[widths[0]]);
console.log(['id', ...widths].join('\t'));
for (const id of ids) console.log([id, ...widths.map((w) => Math.round(out[w][id] * 10) / 10)].join('\t'));
await browser.close();
server.close();
