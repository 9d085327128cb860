// The three-engine smoke test (smoke.js): node --test tests/engines/run.js, with ENGINES=firefox,webkit
// (the default: the engines that the other page tests, all in Chromium, do not cover) or any list
// of chromium, firefox and webkit. Serves the built page of DIST (default dist/) on 127.0.0.1.
import { test, before, after } from 'node:test';
import { serve } from '../lib.js';
import { ENGINES, hookedDist, startEngine } from './drivers.js';
import { smoke } from './smoke.js';

const DIST = process.env.DIST ?? new URL('../../dist', import.meta.url).pathname;
const engines = (process.env.ENGINES ?? 'firefox,webkit')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const e of engines)
  if (!ENGINES.includes(e)) throw new Error(`ENGINES: unknown engine '${e}' (known: ${ENGINES.join(', ')})`);

let site = null;
let server = null;
let url = null;
before(async () => {
  site = hookedDist(DIST);
  ({ server, url } = await serve(site.dir));
});
after(() => {
  server?.close();
  site?.cleanup();
});

for (const engine of engines) {
  test(
    `${engine}: every figure mounts, paints, shows no error and answers its first control; training runs in a worker`,
    { timeout: 20 * 60000 },
    async () => {
      const driver = await startEngine(engine);
      try {
        await smoke(driver, url, (line) => console.log(line));
      } finally {
        await driver.close();
      }
    },
  );
}
