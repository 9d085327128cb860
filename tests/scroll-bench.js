// Frame times while a reader scrolls through the whole article with the main thread four times
// slower (CPU_THROTTLE, default 4): the page is opened at a phone's size (412 × 823), and the mouse
// wheel moves it down 200 px at a time until the end, while a requestAnimationFrame counter
// records every frame's gap and a PerformanceObserver every long task. Prints JSON per build:
// the frame gaps' median, 95th percentile and maximum, and the longest task. Numbers, not
// pass/fail (scripts/bench.sh).
//   node tests/scroll-bench.js LABEL=DIST [LABEL=DIST ...]
// Several builds are measured in turns, so that a busy machine weighs on each alike.
import { serve, launch, throttle } from './lib.js';

const RATE = Number(process.env.CPU_THROTTLE ?? 4);
const RUNS = Number(process.env.RUNS ?? 1);
const builds = process.argv.slice(2).map((a) => {
  const [label, dist] = a.includes('=') ? a.split('=') : ['page', a];
  return { label, dist, runs: [] };
});
if (!builds.length) {
  console.error('usage: node tests/scroll-bench.js LABEL=DIST [LABEL=DIST ...]');
  process.exit(2);
}
const browser = await launch();
for (const b of builds) b.served = await serve(b.dist);

async function measure(url) {
  const page = await browser.newPage({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1 });
  await throttle(page, RATE);
  await page.addInitScript(() => {
    window.__gaps = [];
    window.__tasks = [];
    let last = 0;
    const tick = (t) => {
      if (last && window.__measuring) window.__gaps.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__tasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.evaluate(() => window.cfgReady);
  await page.evaluate(() => {
    window.__measuring = true;
  });
  await page.mouse.move(200, 400);
  for (let i = 0; i < 2000; i++) {
    await page.mouse.wheel(0, 200);
    const end = await page.evaluate(() => scrollY + innerHeight >= document.documentElement.scrollHeight - 2);
    if (end) break;
  }
  const { gaps, tasks } = await page.evaluate(() => ({ gaps: window.__gaps, tasks: window.__tasks }));
  await page.close();
  gaps.sort((a, c) => a - c);
  const q = (p) => Math.round(gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * p))] * 10) / 10;
  return {
    frames: gaps.length,
    median_ms: q(0.5),
    p95_ms: q(0.95),
    max_ms: q(1),
    longest_task_ms: Math.round(Math.max(0, ...tasks)),
    long_tasks: tasks.length,
  };
}

try {
  for (let r = 0; r < RUNS; r++) for (const b of builds) b.runs.push(await measure(b.served.url));
} finally {
  await browser.close();
  for (const b of builds) b.served.server.close();
}
const out = {};
for (const b of builds) out[b.label] = { dist: b.dist, cpu_throttle: RATE, runs: b.runs };
console.log(JSON.stringify({ scroll: out }, null, 2));
