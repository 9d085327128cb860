// Lighthouse's default (mobile: a Moto G Power's screen, simulated slow 4G and a 4× slower CPU)
// against built pages served on 127.0.0.1, in Debian's Chromium. Prints, per build, each run's
// performance score, total blocking time, cumulative layout shift, accessibility score and
// longest main-thread task, and their medians, as JSON. Numbers, not pass/fail (scripts/bench.sh).
//   node tests/lighthouse/run.js [--runs N] LABEL=DIST [LABEL=DIST ...]
// Several builds are measured in turns (a, b, a, b, …), so that a busy machine weighs on each alike.
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { serve } from '../lib.js';

const args = process.argv.slice(2);
let runs = 3;
const builds = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else {
    const [label, dist] = args[i].includes('=') ? args[i].split('=') : ['page', args[i]];
    builds.push({ label, dist });
  }
}
if (!builds.length || !(runs >= 1)) {
  console.error('usage: node tests/lighthouse/run.js [--runs N] LABEL=DIST [LABEL=DIST ...]');
  process.exit(2);
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
  ],
});
for (const b of builds) {
  b.served = await serve(b.dist);
  b.runs = [];
}

const median = (xs) => [...xs].sort((a, c) => a - c)[xs.length >> 1];
try {
  for (let r = 0; r < runs; r++) {
    for (const b of builds) {
      const { lhr } = await lighthouse(b.served.url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      const a = lhr.audits;
      const tasks = a['long-tasks']?.details?.items ?? [];
      b.runs.push({
        performance: lhr.categories.performance.score,
        total_blocking_time_ms: Math.round(a['total-blocking-time'].numericValue),
        cumulative_layout_shift: Number(a['cumulative-layout-shift'].numericValue.toFixed(4)),
        accessibility: lhr.categories.accessibility.score,
        longest_task_ms: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
        long_tasks: tasks
          .slice(0, 5)
          .map(
            (t) =>
              `${Math.round(t.duration)} ms at ${Math.round(t.startTime)} ms: ${String(t.url).split('/').slice(-2).join('/')}`,
          ),
        interactive_ms: Math.round(a.interactive?.numericValue ?? NaN),
        main_thread_work_ms: Math.round(a['mainthread-work-breakdown']?.numericValue ?? NaN),
        failing_accessibility_audits: lhr.categories.accessibility.auditRefs
          .filter((ref) => ref.weight > 0 && a[ref.id]?.score === 0)
          .map((ref) => ref.id),
        runtime_error: lhr.runtimeError?.message ?? null,
      });
    }
  }
} finally {
  await chrome.kill();
  for (const b of builds) b.served.server.close();
}

const out = {};
for (const b of builds) {
  const pick = (k) => median(b.runs.map((x) => x[k]));
  out[b.label] = {
    dist: b.dist,
    median: {
      performance: pick('performance'),
      total_blocking_time_ms: pick('total_blocking_time_ms'),
      cumulative_layout_shift: pick('cumulative_layout_shift'),
      accessibility: pick('accessibility'),
      longest_task_ms: pick('longest_task_ms'),
    },
    runs: b.runs,
  };
}
console.log(JSON.stringify({ lighthouse: out }, null, 2));
