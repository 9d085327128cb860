// Ad-hoc screenshots: node shot.js <page path> <out.png> [wait ms] [selector]
import { serve, launch, openPage } from './lib.js';
const [, , pagePath = 'index.html', out = 'artifacts/shot.png', wait = '4000', selector] = process.argv;
const { server, url } = await serve(process.env.DIST ?? new URL('../dist', import.meta.url).pathname);
const browser = await launch();
const errors = [];
const page = await openPage(browser, url + pagePath, errors);
// figures animate only when on screen: bring the one we want into view first
if (selector) await page.locator(selector).scrollIntoViewIfNeeded();
await page.waitForTimeout(Number(wait));
if (selector) await page.locator(selector).screenshot({ path: out });
else await page.screenshot({ path: out, fullPage: true });
console.log(errors.length ? errors.join('\n') : 'no errors');
await browser.close();
server.close();
