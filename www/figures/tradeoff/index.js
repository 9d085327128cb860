// The precision–diversity trade-off of guidance, measured live: for each class and each guidance
// scale w, a batch of samples is drawn and measured (hit rate: precision; diversity: spread over
// the class's spread). One curve per class, from w = 0 (unconditional) up, filling in as each
// batch finishes; the chart (SVG, www/lib/chart.js) is rasterised for the PNG export, and the
// numbers are in a table.
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Chart } from '../../lib/chart.js';
import { wText, drawChart, legendHeight } from './chart.js';
import { cfg } from '../../lib/method.js';

const REF = { steps: 100, solver: 'heun' }; // the class itself: the exact velocity at w = 1, finely solved

export default {
  id: 'tradeoff',
  title: 'Precision against diversity',
  post: 'the trade-off over w',
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: the measurements kept for
  // the data set; the pass of measurements; with new weights, the pass once the one under way ends
  params: [
    ...fx('data', P.dataset('overlapping')),
    ...fx(
      'plan',
      {
        key: 'ws',
        label: 'scales w',
        type: 'list',
        default: [0, 0.5, 1, 1.5, 2, 3, 4, 5, 7, 10],
        min: 0,
        max: 20,
        maxItems: 12,
        help: 'The guidance scales to measure, comma-separated (up to 12).',
      },
      P.n(500, 2000),
      P.steps(30, 100),
      P.solver(),
      P.seed(),
      P.exact(),
    ),
    ...trainParams(),
  ],
  effects: ['data', 'plan', 'weights'],
  controls: ['dataset', 'ws', 'n', 'steps', 'solver', 'seed', 'exact'],
  caption: () => [
    'Each curve follows one class over the guidance scale w: ',
    el('b', {}, 'hit rate'),
    ' (up) against ',
    el('b', {}, 'diversity'),
    ' (right). From w = 1 (ringed) guidance buys hit rate with spread; once the hit rate reaches 1, larger w only narrows the samples.',
  ],
  howToRead: () => [
    'For each class and each guidance scale w, the figure samples with ',
    ...cfgFormula(),
    ' and measures the samples. ',
    el('b', {}, 'Hit rate'),
    ' (precision, up) is the share of samples whose most likely class under the true data is the one asked for; ',
    el('b', {}, 'diversity'),
    ' (right) is the spread of the samples, the trace of their covariance, over the spread of the class itself. ',
    'Each curve starts at w = 0, the unconditional model: about half its samples land in each class and, covering both, it is wider than either. ',
    'The ringed point is w = 1, plain conditional sampling, close to the class itself (×). ',
    'Past w = 1 the curve climbs to the top left: guidance buys hit rate with spread, and once the hit rate reaches 1 larger scales only narrow the samples further. ',
    'Hover over a point for its numbers (or focus the chart and step through the points with the arrow keys); all of them are in the table under the chart, with how each point was measured.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const chart = new Chart({ className: 'to-chart', label: 'precision against diversity', focusable: true });
    const box = el('div', { class: 'plot to-box' }, chart.svg, chart.status);
    box.__plot = { composite: () => chart.toCanvas() };
    const tableBody = el('tbody', {});
    const tableHead = el('thead', {});
    const note = el('p', { class: 'to-note' }); // how each point was measured
    const details = el(
      'details',
      { class: 'to-details' },
      el('summary', {}, 'The measured numbers'),
      note,
      el('table', { class: 'to-table' }, tableHead, tableBody),
    );
    fig.plots.append(el('div', { class: 'to' }, box, details));

    let jobs = []; // { ci, name, w, ref, flow }
    let results = new Map(); // `${ci}|${w}` or `${ci}|ref` → { metrics, fresh, n }
    let current = null;
    let stale = false; // new weights arrived mid-pass: measure again when this pass ends
    let passKey = '';
    let width = 0;
    let height = 0;
    let dirty = true;
    let drawn = false; // the chart has been drawn once
    let readoutKey = '';
    let label = '';

    const key = (ci, w) => `${ci}|${w}`;
    const scales = () => [...new Set(fig.state.ws)].sort((a, b) => a - b);

    // ---------- measuring ----------
    function plan() {
      current?.flow?.free();
      current = null;
      const s = fig.state;
      const ws = scales();
      const classes = fig.classes;
      // forget what no longer applies; keep the rest, faint, until measured again
      const keep = new Set();
      classes.forEach((_, ci) => {
        ws.forEach((w) => keep.add(key(ci, w)));
        keep.add(`${ci}|ref`);
      });
      for (const k of [...results.keys()]) if (!keep.has(k)) results.delete(k);
      for (const r of results.values()) r.fresh = false;
      jobs = [];
      // the class itself first (ground truth makes it quick), then each scale, lowest first, so the
      // curves grow from w = 0
      if (!s.exact) classes.forEach((name, ci) => jobs.push({ ci, name, w: 1, ref: true }));
      else classes.forEach((_, ci) => results.delete(`${ci}|ref`));
      for (const w of ws) classes.forEach((name, ci) => jobs.push({ ci, name, w, ref: false }));
      passKey = `${fig.model.dataset}|${classes.join(',')}`;
      stale = false;
      dirty = true;
      readoutKey = '';
      fig.request();
    }

    function startJob(j) {
      const s = fig.state;
      const flow = j.ref
        ? new wasm.Flow(fig.model, j.name, s.n, REF.steps, REF.solver, s.seed, false)
        : new wasm.Flow(fig.model, j.name, s.n, s.steps, s.solver, s.seed, false);
      return { ...j, flow };
    }

    /** Runs the jobs for about `budget` ms; true when one ended (its measures took the rest of the frame). */
    function work(budget) {
      const t0 = performance.now();
      let first = true;
      while (jobs.length || current) {
        if (!current) current = startJob(jobs.shift());
        if (!first && performance.now() - t0 > budget) break;
        const f = current.flow;
        const exact = current.ref ? true : fig.state.exact;
        f.advanceFor(cfg(fig.wasm, current.w, exact), fig.model, Infinity, current.ref ? 4 : 1);
        first = false;
        if (f.done) {
          const m = fig.model.metrics(f);
          results.set(current.ref ? `${current.ci}|ref` : key(current.ci, current.w), {
            metrics: m,
            fresh: true,
            n: f.n,
          });
          f.free();
          current = null;
          dirty = true;
          return true;
        }
      }
      return false;
    }

    const busy = () => jobs.length > 0 || !!current;
    const total = () => (fig.state.exact ? 0 : fig.classes.length) + scales().length * fig.classes.length;
    const measured = () => [...results.values()].filter((r) => r.fresh).length;

    // ---------- the chart ----------
    function layout() {
      const w = Math.max(260, Math.min(640, fig.width()));
      // on narrow screens the legend goes under the chart, two items a row
      const h = Math.round(Math.max(260, Math.min(420, w * 0.7))) + legendHeight(w, fig.classes.length);
      if (w === width && h === height) return;
      width = w;
      height = h;
      dirty = true;
    }

    function draw() {
      drawChart(chart, {
        width,
        height,
        classes: fig.classes,
        ws: scales(),
        results,
        exact: fig.state.exact,
        colorOf: (ci) => fig.colorOf(ci),
        progress: busy() ? `measuring ${Math.min(total(), measured() + 1)} of ${total()}…` : null,
      });
      if (label) chart.describe(label);
      dirty = false;
      drawn = true;
    }

    // ---------- numbers ----------
    function table() {
      const ws = scales();
      const classes = fig.classes;
      const cell = (r, f, d) =>
        el('td', { class: r && !r.fresh ? 'old' : null }, r ? fmt(f(r.metrics), d) : '…');
      tableHead.replaceChildren(
        el(
          'tr',
          {},
          el('td', {}),
          ...classes.map((name, ci) =>
            el(
              'th',
              { scope: 'colgroup', colspan: 2 },
              el('span', { class: 'key', style: `background:${fig.colorOf(ci)}` }),
              name,
            ),
          ),
        ),
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'w'),
          ...classes.flatMap(() => [
            el('th', { scope: 'col' }, 'hit rate'),
            el('th', { scope: 'col' }, 'diversity'),
          ]),
        ),
      );
      const rows = ws.map((w) =>
        el(
          'tr',
          {},
          el(
            'th',
            { scope: 'row' },
            wText(w) + (w === 0 ? ' (unconditional)' : w === 1 ? ' (conditional)' : ''),
          ),
          ...classes.flatMap((_, ci) => {
            const r = results.get(key(ci, w));
            return [cell(r, (m) => m.hitRate, 3), cell(r, (m) => m.diversity, 2)];
          }),
        ),
      );
      if (!fig.state.exact) {
        rows.push(
          el(
            'tr',
            { class: 'ref' },
            el('th', { scope: 'row' }, 'the class itself (exact velocity, w = 1)'),
            ...classes.flatMap((_, ci) => {
              const r = results.get(`${ci}|ref`);
              return [cell(r, (m) => m.hitRate, 3), cell(r, (m) => m.diversity, 2)];
            }),
          ),
        );
      }
      tableBody.replaceChildren(...rows);
    }

    function readout() {
      const done = !busy();
      const k = `${done}|${passKey}|${fig.state.exact}|${fig.pretrained}|${fig.model.stepsDone}`;
      if (k === readoutKey) return;
      readoutKey = k;
      const s = fig.state;
      const how = s.solver === 'heun' ? 'Heun' : 'Euler';
      const source = s.exact
        ? 'exact velocity of the data'
        : fig.pretrained
          ? 'network velocity (pretrained)'
          : `network velocity after ${fig.model.stepsDone} training steps`;
      const ws = scales();
      const lo = ws[0];
      const hi = ws[ws.length - 1];
      const lines = [];
      const curves = []; // the same words, for the chart's description
      if (done) {
        fig.classes.forEach((name, ci) => {
          const a = results.get(key(ci, lo))?.metrics;
          const b = results.get(key(ci, hi))?.metrics;
          if (!a || !b) return;
          const words = `w = ${wText(lo)} → ${wText(hi)}, hit rate ${fmt(a.hitRate, 2)} → ${fmt(b.hitRate, 2)}, diversity ${fmt(a.diversity, 2)} → ${fmt(b.diversity, 2)}`;
          lines.push(
            el(
              'div',
              {},
              el('span', { class: 'key', style: `background:${fig.colorOf(ci)}` }),
              el('b', {}, name),
              `: ${words}`,
            ),
          );
          curves.push(`${name}: ${words}`);
        });
      } else lines.push(el('div', {}, `Measuring ${total()} batches of samples…`));
      fig.readout(...lines);
      note.textContent = `Each point: ${s.n} samples, ${s.steps} ${how} steps, ${source}.${s.exact ? '' : ` The class itself: ${s.n} samples of the exact velocity, ${REF.steps} Heun steps.`}`;
      label = `Hit rate against diversity for ${ws.length} guidance scales from ${wText(lo)} to ${wText(hi)}, one curve per class of ${fig.state.dataset}${curves.length ? `. ${curves.join('. ')}` : ''}. The numbers are in the table below.`;
      chart.describe(label);
    }

    return {
      layout() {
        layout();
        fig.request();
      },
      data() {
        results = new Map();
        plan();
      },
      plan,
      weights() {
        // weights from training: measure again once the pass under way is finished
        if (busy()) stale = true;
        else plan();
      },
      changed() {
        layout();
        dirty = true;
      },
      frame(now, budget) {
        if (!fig.model) return false;
        const wasBusy = busy();
        const ended = wasBusy && work(budget);
        // a measured batch took the rest of its frame: the chart and the table wait for the next
        // (unless none is drawn yet: the first frame shows the figure)
        if (ended && drawn) return true;
        if (!busy() && stale) plan();
        // with reduced motion, the chart is drawn once a pass is complete
        if (dirty && (!fig.reducedMotion || !busy() || !wasBusy)) {
          draw();
          table();
        }
        readout();
        return busy() || dirty;
      },
    };
  },
};
