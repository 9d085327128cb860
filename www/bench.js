// Runs W1 in the wasm build (after the page has painted) and exposes the report as
// window.benchResult, with the browser's version added.
import { loadWasm } from './lib/models.js';
import { variant } from './lib/wasm.js';

const windows = Number(new URLSearchParams(location.search).get('windows') ?? 9);
const wasm = await loadWasm();
await new Promise((r) => setTimeout(r, 100));
try {
  const report = JSON.parse(wasm.benchW1(windows));
  report.variant = variant;
  report.browser =
    navigator.userAgent.match(/(HeadlessChrome|Chrome|Chromium|Firefox|Safari)\/[\d.]+/)?.[0] ??
    navigator.userAgent;
  window.benchResult = report;
  document.getElementById('status').textContent = 'done';
  document.getElementById('out').textContent = JSON.stringify(report, null, 2);
} catch (e) {
  window.benchResult = { error: e.message };
  document.getElementById('status').textContent = `failed: ${e.message}`;
}
