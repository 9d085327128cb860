// Ad-hoc screenshot: node shot.js [path] [out.png] [waitms]
import { serve, launch, openPage } from './lib.js';
const [, , pagePath = 'index.html', out = 'artifacts/shot.png', wait = '4000'] = process.argv;
const { server, url } = await serve(new URL('../dist', import.meta.url).pathname);
const browser = await launch();
const errors = [];
const page = await openPage(browser, url + pagePath, errors);
await page.waitForTimeout(Number(wait));
await page.screenshot({ path: out, fullPage: true });
console.log(errors.length ? errors.join('\n') : 'no errors');
await browser.close();
server.close();
