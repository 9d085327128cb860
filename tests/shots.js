// Screenshots of every figure of the article, for looking at (not a test):
//   node tests/shots.js <dist> <out dir> [width ...]
// Each figure is scrolled into view, waited for (data-cfg-ready) and given 2.5 s to animate, then
// shot as an element. Light mode; DARK=1 for dark mode.
import fs from 'node:fs';
import { serve, launch, openPage } from './lib.js';

const [, , dist = new URL('../dist', import.meta.url).pathname, out = 'artifacts/shots', ...widths] =
  process.argv;
fs.mkdirSync(out, { recursive: true });
const { server, url } = await serve(dist);
const browser = await launch();
for (const width of (widths.length ? widths : ['1280', '390']).map(Number)) {
  const errors = [];
  const page = await openPage(browser, url, errors, { width, height: 900 });
  if (process.env.DARK) await page.emulateMedia({ colorScheme: 'dark' });
  const ids = await page.$$eval('[data-cfg-figure]', (els) =>
    els.map((e, i) => `${e.dataset.cfgFigure}|${i}`),
  );
  for (const key of ids) {
    const [id, i] = key.split('|');
    const host = page.locator('[data-cfg-figure]').nth(Number(i));
    await host.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-cfg-figure]')[n].dataset.cfgReady === '1',
      Number(i),
      { timeout: 120000 },
    );
    await page.waitForTimeout(2500);
    await host.screenshot({ path: `${out}/${id}-${i}-${width}.png` });
  }
  const scroll = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  console.log(
    `${width} px: ${ids.length} figures; sideways scroll ${scroll} px; ${errors.length ? errors.join('\n') : 'no errors'}`,
  );
  await page.close();
}
await browser.close();
server.close();
