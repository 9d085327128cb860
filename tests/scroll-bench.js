// Frame times while a reader scrolls through the whole article with the main thread four times
// slower (CPU_THROTTLE, default 4): the page is opened at a phone's size (412 × 823), and the mouse
// wheel moves it down 200 px at a time until the end, while a requestAnimationFrame counter
// records every frame's gap and a PerformanceObserver every long task. Prints JSON per build:
// the frame gaps' median, 95th percentile and maximum, and the longest task; and where the time of
// the long frames goes: each figure's frame() calls (www/shell/loop.js measures them when
// window.cfgMeasureFrames is set), the scripts Chromium's long-animation-frame entries name (a
// figure's mount, its handlers, the shell), and style, layout and paint. Numbers, not pass/fail
// (scripts/bench.sh).
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
    window.cfgMeasureFrames = true;
    window.__gaps = [];
    window.__tasks = [];
    window.__frames = []; // [kind, figure id, start, duration]: each frame() call, each slice of a mount
    window.__loafs = [];
    new PerformanceObserver((l) => {
      if (window.__measuring)
        for (const e of l.getEntries()) {
          const [kind, id, part] = e.name.split(' ');
          if (kind === 'frame' || kind === 'mount')
            window.__frames.push([part ? `${kind} ${part}` : kind, id, e.startTime, e.duration]);
        }
    }).observe({ type: 'measure' });
    new PerformanceObserver((l) => {
      if (!window.__measuring) return;
      for (const e of l.getEntries())
        window.__loafs.push({
          start: e.startTime,
          duration: e.duration,
          // from the start of rendering (rAF callbacks, style, layout, paint) to the end
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          styleLayout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((x) => ({
            src: `${x.sourceURL.replace(/^[a-z]+:\/\/[^/]*\/(www\/)?/, '') || '?'}${x.sourceFunctionName ? ` ${x.sourceFunctionName}` : ''}`,
            invoker: x.invoker,
            start: x.startTime,
            duration: x.duration,
            forced: x.forcedStyleAndLayoutDuration,
          })),
        });
    }).observe({ type: 'long-animation-frame', buffered: false });
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
  const { gaps, tasks, frames, loafs, stats } = await page.evaluate(() => ({
    stats: window.cfgFrameStats,
    gaps: window.__gaps,
    tasks: window.__tasks,
    frames: window.__frames,
    loafs: window.__loafs,
  }));
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
    // figures' turns served, and put off to the next frame by the loop's budget (www/shell/loop.js)
    ...(stats
      ? {
          turns_served: stats.served,
          turns_put_off: stats.putOff,
          turns_put_off_after_mount: stats.putOffByMount,
        }
      : {}),
    ...attribute(frames, loafs),
  };
}

const round = (x) => Math.round(x);
/**
 * Where the long animation frames' time goes. `frames`: each figure's frame() calls; `loafs`: the
 * long-animation-frame entries (over 50 ms). Per figure, its frame() calls' 95th percentile and
 * maximum, and its time inside long frames (its frame() calls, and the scripts of its own folder:
 * mounting, handlers); the other scripts by source; the worst long frames with their parts.
 */
function attribute(frames, loafs) {
  const inside = (t) => loafs.some((l) => t >= l.start && t < l.start + l.duration);
  const figures = {};
  const fig = (id) => (figures[id] ??= { frame_calls: [], mount: {}, in_long_frames_ms: 0 });
  for (const [kind, id, start, d] of frames) {
    if (kind === 'frame') fig(id).frame_calls.push(d);
    else fig(id).mount[kind.slice(6)] = d;
    if (inside(start)) fig(id).in_long_frames_ms += d;
  }
  const sources = {};
  const forced = {}; // forced (synchronous) style and layout inside each source's scripts
  for (const l of loafs)
    for (const x of l.scripts) {
      const own = /^figures\/([a-z-]+)\//.exec(x.src);
      if (own && own[1] !== 'shared') fig(own[1]).in_long_frames_ms += x.duration;
      const key = `${x.src} (${x.invoker})`;
      sources[key] = (sources[key] ?? 0) + x.duration;
      forced[key] = (forced[key] ?? 0) + x.forced;
    }
  const q = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
  const perFigure = Object.entries(figures)
    .map(([id, f]) => {
      const c = f.frame_calls.sort((a, b) => a - b);
      return {
        figure: id,
        frame_calls: c.length,
        frame_p95_ms: round(q(c, 0.95)),
        frame_max_ms: round(q(c, 1)),
        mount_slices_ms: Object.entries(f.mount)
          .map(([k, d]) => `${k} ${round(d)}`)
          .join(', '),
        in_long_frames_ms: round(f.in_long_frames_ms),
      };
    })
    .sort((a, b) => b.in_long_frames_ms - a.in_long_frames_ms);
  const worst = [...loafs]
    .sort((a, b) => b.duration - a.duration)
    .slice(0, 8)
    .map((l) => {
      const parts = {};
      for (const [kind, id, start, d] of frames)
        if (start >= l.start && start < l.start + l.duration)
          parts[`${kind} ${id}`] = (parts[`${kind} ${id}`] ?? 0) + d;
      for (const x of l.scripts) parts[x.src] = (parts[x.src] ?? 0) + x.duration;
      return {
        ms: round(l.duration),
        style_layout_ms: round(l.styleLayout),
        parts: Object.entries(parts)
          .sort((a, b) => b[1] - a[1])
          .filter(([, d]) => d >= 5)
          .map(([k, d]) => `${k} ${round(d)}`)
          .join(', '),
      };
    });
  return {
    long_frames: loafs.length,
    long_frames_ms: round(loafs.reduce((s, l) => s + l.duration, 0)),
    style_layout_in_long_frames_ms: round(loafs.reduce((s, l) => s + l.styleLayout, 0)),
    figures: perFigure,
    scripts_in_long_frames: Object.entries(sources)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(
        ([k, d]) =>
          `${k}: ${round(d)} ms${forced[k] >= 1 ? ` (forced style and layout ${round(forced[k])})` : ''}`,
      ),
    worst_frames: worst,
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
