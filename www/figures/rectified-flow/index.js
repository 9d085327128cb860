// Fig 8 of the post, live: the shipped model's paths next to those of the same model after one
// round of reflow (retrained on its own noise → sample pairs), their straightness, and sample
// quality (sliced W2 to the class's data) against the number of Euler steps, before and after.
import { el, fmt } from '../../lib/dom.js';
import { P, fx } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { Chart, logTicks } from '../../lib/chart.js';
import { derivedModel, paintPaths, twoPanels, advanceRuns, Redraw } from '../shared/teacher.js';
import { cfg } from '../../lib/method.js';

/** Paths are drawn from a run of this many Euler steps; quality is measured at each of STEP_COUNTS. */
const PATH_STEPS = 100;
const STEP_COUNTS = [1, 2, 4, 8, 100];
/** Particles drawn as lines. */
const LINES = 28;
/** The chart's height in CSS pixels (its width follows the panels). */
const CHART_HEIGHT = 190;
const KINDS = [
  ['base', 'shipped model (1-rectified)'],
  ['reflow', 'after one reflow (2-rectified)'],
];

export default {
  id: 'rectified-flow',
  title: 'Rectified flow',
  post: 'Fig 8',
  // "Train in your browser" runs one reflow round of the shipped model in a worker, starting
  // from its weights; the Model button saves the reflowed model (shipped, or reflowed here)
  ...derivedModel({
    key: 'reflowed',
    file: 'reflow',
    kind: 'reflow',
    startFrom: (fig) => fig.teacherText,
    check(m) {
      if (m.isStudent)
        throw new Error(
          'the model is a distilled student (it takes w as an input): load it into the distillation figure',
        );
    },
    trainLabel: 'Reflow in your browser',
    resetLabel: 'Back to the shipped reflow',
    trainNote:
      'Runs one reflow round in a background worker (the same Rust code, compiled to WebAssembly): pairs from the shipped model, then a copy of it trained on them; the figure follows it as it learns.',
  }),
  // every setting restarts the runs; new weights too, or the next runs while reflow trains
  params: [
    ...fx(
      'restart',
      P.dataset('non-overlapping', ['non-overlapping', 'overlapping']),
      P.cls('upper-right', true),
      {
        ...P.w(1, 6),
        help: 'Guidance scale for both models. Reflow was trained on pairs made at w = 1 (and unconditional ones): at w = 1 its paths are straight, guiding it further bends them again.',
      },
      P.n(400, 2000),
      P.seed(),
    ),
    // one reflow round in your browser (the architecture is the shipped model's)
    P.lr(),
    { ...P.trainSteps(), default: 2000 },
  ],
  effects: ['restart', 'weights'],
  controls: ['dataset', 'class', 'w', 'n', 'seed'],
  caption: () => [
    'Reflow retrains a model on its own noise–sample pairs, so its paths straighten. ',
    el('b', {}, 'Top'),
    ': the same noise through each model. ',
    el('b', {}, 'Bottom'),
    ': sample quality against Euler steps; straight paths need fewer. Raise w: guidance bends them again.',
  ],
  howToRead: () => [
    'Reflow retrains a flow model on its own coupling: pairs (x',
    el('sub', {}, '0'),
    ', x',
    el('sub', {}, '1'),
    ') of noise and the sample the model’s ODE carries it to, with the straight line between them as the target. ',
    'The paths of the new field do not cross, so they are straighter. ',
    el('b', {}, 'Top'),
    ': the same noise carried by each model in ',
    String(PATH_STEPS),
    ' Euler steps (grey lines: a few of the paths; dots: where every sample ends). ',
    el('b', {}, 'Straightness'),
    ' is the mean of ‖(x',
    el('sub', {}, '1'),
    ' − x',
    el('sub', {}, '0'),
    ') − ẋ',
    el('sub', {}, 't'),
    '‖² along the paths: 0 for straight lines at constant speed. ',
    el('b', {}, 'Bottom'),
    ': sample quality against the number of Euler steps, as the sliced Wasserstein-2 distance from the samples to fresh data of the class (lower is better; at w > 1 it also counts the condensation that guidance causes on purpose). ',
    'Straight paths need fewer steps: with one step, the base model lands its samples bunched near the mean of the class, the reflowed one already spread over it. ',
    'Raise w to see the post’s point: guidance is a different field from the one reflow straightened, so its paths bend again and few steps lose their advantage. ',
    el('i', {}, 'Train in your browser'),
    ' runs one reflow round of the shipped model here (1000 pairs per class, and as many unconditional ones), starting from its weights.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const row = el('div', { style: 'display:flex;flex-wrap:wrap;gap:10px 14px' });
    const chart = new Chart({ className: 'rf-chart', label: 'sliced W2 against Euler steps' });
    fig.plots.append(row, chart.svg);
    const panels = KINDS.map(([kind, label]) => {
      const plot = new Plot(wasm, { extent: 3, title: label, label });
      row.append(plot.el);
      return { kind, label, plot, flow: null };
    });
    // quality cells: one flow per model and step count
    let cells = [];
    let stale = false;
    // draws while the runs go on (at most every 100 ms) and once more when they are done: the
    // panels when their paths moved, the chart when a run finished
    const redraw = new Redraw({ panels: () => drawPanels(), chart: () => drawChart() });
    let chartWidth = 400;
    const css = (name, fallback) => getComputedStyle(row).getPropertyValue(name).trim() || fallback;
    const modelOf = (kind) => (kind === 'base' ? fig.model : fig.reflowed);
    const classIdx = () => fig.classes.indexOf(fig.state.class);

    function restart() {
      const { state } = fig;
      for (const p of panels) {
        p.flow?.free();
        p.flow = new wasm.Flow(
          modelOf(p.kind),
          state.class,
          Math.min(state.n, 600),
          PATH_STEPS,
          'euler',
          state.seed,
          true,
        );
        if (p.plot.extent !== fig.model.extent) p.plot.setExtent(fig.model.extent);
        // (two lines, as the title with the straightness will be: nothing under it moves when it comes)
        p.plot.setTitle(el('b', {}, p.label), el('br'), 'straightness …');
      }
      for (const c of cells) c.flow.free();
      cells = [];
      for (const [kind] of KINDS) {
        for (const steps of STEP_COUNTS) {
          cells.push({
            kind,
            steps,
            flow: new wasm.Flow(modelOf(kind), state.class, state.n, steps, 'euler', state.seed, false),
            w2: null,
            hit: null,
          });
        }
      }
      stale = false;
      redraw.mark();
    }

    const stepsOf = (ps) => ps.reduce((sum, p) => sum + p.flow.step, 0);

    function drawPanels() {
      const ci = classIdx();
      const line = css('--cfg-muted', '#777');
      for (const p of panels) {
        const { plot, flow } = p;
        paintPaths(fig, plot, flow, ci, { lines: LINES, color: line, noise: true });
        const s = flow.stats();
        if (s)
          p.plot.setTitle(
            el('b', {}, p.label),
            el('br'),
            `straightness ${s.straightness < 0.01 ? s.straightness.toExponential(1) : fmt(s.straightness, 3)}`,
          );
        plot.setLabel(
          `${p.label}: ${flow.n} samples of ${fig.state.class} carried from noise in ${PATH_STEPS} Euler steps`,
        );
      }
    }

    // sliced W2 against step count, one line per model, log scales
    function drawChart() {
      const W = chartWidth;
      const done = cells.filter((c) => c.w2 !== null);
      const vals = done.map((c) => c.w2).filter((v) => v > 0);
      const lo = Math.min(0.02, ...vals);
      const hi = Math.max(2, ...vals);
      // x: the step counts evenly spaced (index i), labelled by count
      chart
        .frame({
          width: W,
          height: CHART_HEIGHT,
          pad: { l: 46, r: 12, t: 22, b: 34 },
          x: {
            domain: [0, STEP_COUNTS.length - 1],
            ticks: STEP_COUNTS.map((_, i) => i),
            format: (i) => String(STEP_COUNTS[i]),
            grid: false,
            title: 'Euler steps',
          },
          y: { scale: 'log', domain: [lo, hi], ticks: logTicks(lo, hi), title: 'sliced W2' },
        })
        .axes();
      const { x, y, plot: p } = chart;
      const fg = css('--cfg-fg', '#222');
      const colors = { base: css('--cfg-muted', '#777'), reflow: css('--cfg-accent', '#0072B2') };
      for (const [kind, label] of KINDS) {
        const mine = cells.filter((c) => c.kind === kind && c.w2 !== null);
        const at = (c) => STEP_COUNTS.indexOf(c.steps);
        chart.line(
          mine.map((c) => [at(c), c.w2]),
          { stroke: colors[kind], 'stroke-width': 2 },
        );
        chart.points(
          mine.map((c) => ({
            x: at(c),
            y: c.w2,
            readout: `${label.replace(/ \(.*/, '')}, ${c.steps} step${c.steps === 1 ? '' : 's'}: sliced W2 ${fmt(c.w2, 3)}`,
          })),
          { fill: colors[kind] },
          3.5,
        );
        for (const c of mine) {
          // the higher of the two values above its point, the lower below; the last ones to the left
          const last = c.steps === STEP_COUNTS.at(-1);
          const other = cells.find((d) => d.kind !== kind && d.steps === c.steps);
          const above =
            other?.w2 == null ? kind === 'base' : c.w2 > other.w2 || (c.w2 === other.w2 && kind === 'base');
          chart.text(x(at(c)) + (last ? -6 : 6), y(c.w2) + (above ? -6 : 14), fmt(c.w2, 2), {
            'text-anchor': last ? 'end' : 'start',
            fill: colors[kind],
          });
        }
        const ly = p.t + 10 + (kind === 'base' ? 0 : 16);
        chart.add('line', {
          x1: p.r - 150,
          x2: p.r - 132,
          y1: ly - 4,
          y2: ly - 4,
          stroke: colors[kind],
          'stroke-width': 2,
        });
        chart.text(p.r - 128, ly, label.replace(/ \(.*/, ''), { fill: fg });
      }
      chart.describe(
        `sliced W2 against Euler steps: ${done.map((c) => `${c.kind} ${c.steps} steps ${fmt(c.w2, 3)}`).join('; ')}`,
      );
    }

    function readout() {
      const table = (steps) => {
        const get = (kind) => cells.find((c) => c.kind === kind && c.steps === steps);
        const cell = (c) => (c?.hit === null || !c ? '…' : fmt(c.hit, 2));
        return el(
          'tr',
          {},
          el('td', {}, String(steps)),
          el('td', {}, cell(get('base'))),
          el('td', {}, cell(get('reflow'))),
        );
      };
      fig.readout(
        el(
          'div',
          {},
          `Class ${fig.state.class}, w = ${fmt(fig.state.w, 1)}, ${fig.state.n} samples per run, the same noise for both models; `,
          fig.subjectFrom
            ? `the reflowed model from ${fig.subjectFrom}.`
            : fig.pretrained
              ? 'the shipped reflow (4000 pairs per class).'
              : `reflow trained here for ${fig.reflowed.stepsDone} steps (1000 pairs per class).`,
        ),
        el(
          'table',
          { class: 'rf-table' },
          el('tr', {}, el('th', {}, 'steps'), el('th', {}, 'hit base'), el('th', {}, 'hit reflow')),
          ...STEP_COUNTS.map(table),
        ),
      );
    }

    return {
      layout() {
        ({ chartWidth } = twoPanels(
          fig,
          panels.map((p) => p.plot),
        ));
        // the chart's room before its first drawing (which may come a few frames later)
        chart.svg.setAttribute('width', chartWidth);
        chart.svg.setAttribute('height', CHART_HEIGHT);
        redraw.mark();
        fig.request();
      },
      ready: () => !!fig.reflowed,
      restart,
      weights() {
        // while reflow trains, weights arrive many times a second: runs that are still computing
        // finish first, then the figure starts again on the newest weights
        const busy = cells.some((c) => !c.flow.done) || panels.some((p) => p.flow && !p.flow.done);
        if (fig.isTraining() && busy) stale = true;
        else restart();
      },
      changed() {
        readout();
        redraw.mark();
      },
      // shown once each part has been drawn (a part per frame: Redraw)
      whole: () => !redraw.first,
      frame(now, budget) {
        if (!cells.length) return false;
        const w = fig.state.w;
        const runs = [
          ...panels.map((p) => ({ p, flow: p.flow, kind: p.kind })),
          ...cells.map((c) => ({ c, flow: c.flow, kind: c.kind })),
        ];
        const before = stepsOf(panels);
        const { busy, moved, ended } = advanceRuns(
          runs,
          budget,
          (o, ms) => o.flow.advanceFor(cfg(fig.wasm, w), modelOf(o.kind), ms),
          (o) => {
            if (!o.c) return;
            o.c.w2 = modelOf(o.kind).slicedW2(o.flow);
            o.c.hit = modelOf(o.kind).hitRate(o.flow);
            readout();
            redraw.mark('chart');
          },
        );
        if (moved && stepsOf(panels) !== before) redraw.mark('panels');
        if (!busy && stale) {
          restart();
          return true;
        }
        // (a run that finished this frame took the rest of it: the redraw waits for the next)
        if (ended) return true;
        return (
          redraw.frame(
            now,
            busy,
            panels.every((p) => p.flow.step > 0),
          ) || busy
        );
      },
    };
  },
};
