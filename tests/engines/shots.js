// Screenshots of every figure of the article in one engine, for looking at (not a test):
//   node tests/engines/shots.js <chromium|firefox|webkit> [out dir] [width ...]
// (default: tests/artifacts/shots-<engine>, widths 1280 and 390; DIST: the build, default dist/).
// Each figure is scrolled into view, waited for (mounted and painted) and given 2.5 s to animate,
// then shot as an element: <out>/<figure id>-<width>.png. Prints the page's sideways scroll and errors.
import fs from 'node:fs';
import { serve } from '../lib.js';
import { hookedDist, startEngine } from './drivers.js';
import { waitFor } from './smoke.js';
import * as P from './page.js';

const [, , engine = 'firefox', outArg, ...widthArgs] = process.argv;
const out = outArg ?? new URL(`../artifacts/shots-${engine}`, import.meta.url).pathname;
const widths = (widthArgs.length ? widthArgs : ['1280', '390']).map(Number);
const site = hookedDist(process.env.DIST ?? new URL('../../dist', import.meta.url).pathname);
const { server, url } = await serve(site.dir);
const driver = await startEngine(engine);
fs.mkdirSync(out, { recursive: true });
try {
  for (const width of widths) {
    // WebKit's element screenshot holds only what is in the viewport: a tall one, so that every
    // figure fits whole
    await driver.open(url, { width, height: engine === 'webkit' ? 2400 : 900 });
    const { hosts } = await waitFor(
      driver,
      P.figures,
      null,
      (v) => v.hosts.length > 0,
      'the article has figures',
    );
    for (const { i, id } of hosts) {
      await driver.run(P.scrollTo, { i });
      await waitFor(
        driver,
        P.figureState,
        { i },
        (v) => v.error !== null || (v.ready && v.paints),
        `${id} mounts and paints`,
      );
      await new Promise((r) => setTimeout(r, 2500));
      // (one figure's shot that fails is reported, and the others are still taken)
      await driver
        .shot(`#${id}`, `${out}/${id}-${width}.png`)
        .catch((e) => console.log(`${engine} ${width} px: no shot of ${id}: ${e.message}`));
    }
    const scroll = await driver.run(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    const inner = await driver.run(() => `${innerWidth}x${innerHeight}`);
    const errors = [...(await driver.run(() => window.__errors ?? [])), ...driver.errors()];
    console.log(
      `${engine} ${width} px (viewport ${inner}): ${hosts.length} figures; sideways scroll ${scroll} px; ${errors.length ? errors.join('\n') : 'no errors'}`,
    );
  }
} finally {
  await driver.close();
  server.close();
  site.cleanup();
}
