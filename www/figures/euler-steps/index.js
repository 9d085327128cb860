// Fig 2(b) of the post, live: sampling follows the velocity step by step. The same noise is
// solved twice, by a coarse Euler run with the reader's number of steps and by a fine Heun
// reference; their paths and end points show the discretisation error, and a small log–log chart
// shows how it falls with the number of steps (Euler is first order: error ∝ 1/steps).
//
// Why one file of about 370 lines: a run (the coarse and reference flows with the chart's entries)
// is made, advanced, shown and freed by closures over the current and the next run (while
// training, the next run is computed on newer weights and replaces the current one when done, so
// the picture never blanks); the path drawing and the chart read those same runs.
import { el, fmt } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { ShownRuns } from '../../lib/runs.js';
import { Chart, logTicks } from '../../lib/chart.js';
import { cfg } from '../../lib/method.js';
import { PlayHead } from '../../lib/playbar.js';

/** The reference: Heun (second order) with this many steps; its own error is ~1% of Euler's at 100. */
const REF_STEPS = 100;
/** Step counts of the error chart, computed in this order (the extremes first, so the axes settle). */
const CHART_ORDER = [1, 100, 4, 16, 2, 8, 32, 64];
/** Particles whose paths are drawn. */
const TRACKED = 12;
/** Least time between two redraws while the runs are computing. */
const REDRAW_MS = 60;

const steps = {
  key: 'steps',
  label: 'Euler steps',
  type: 'int',
  default: 4,
  min: 1,
  max: 100,
  step: 1,
  help: 'Steps of the coarse Euler run from noise (t = 0) to data (t = 1). Each step moves every sample in a straight line along the velocity at the step’s start, for 1/steps of the time.',
};

export default {
  id: 'euler-steps',
  title: 'Sampling step by step',
  post: 'Fig 2(b)',
  styles: ['style.css'],
  // it animates for the GIF/WebM recorder (www/shell/record.js): its play head, `playHead`, runs
  // time t through both runs, the Euler paths growing a straight step at a time
  animates: true,
  // what a change invalidates (www/shell/effects.js), strongest first: both runs; new weights
  // (the next runs, while training); the Euler run only
  params: [
    ...fx('coarse', steps),
    ...fx(
      'restart',
      P.dataset('two-moons'),
      P.cls('null', true),
      {
        ...P.w(3),
        unused: (s) => s.class === 'null',
        help: 'Guidance scale, used only when a class is chosen (v = v_u + w·(v_c − v_u)); with class null the field is v_u and w does nothing. A larger w makes the field steeper, and Euler’s error larger.',
      },
      {
        ...P.n(400, 2000),
        help: 'Samples in both runs. The error is averaged over all of them; the paths of the first 12 are drawn. More samples take longer to compute.',
      },
      P.seed(1),
      P.exact(),
    ),
    ...trainParams(),
  ],
  effects: ['restart', 'weights', 'coarse'],
  controls: ['steps', 'dataset', 'class', 'w', 'n', 'seed', 'exact'],
  caption: () => [
    'The same noise, solved twice: Euler with few steps (',
    el('b', {}, 'solid'),
    ', a dot per step) and a fine reference (',
    el('b', {}, 'dashed'),
    '). Where paths bend, long steps cut the corner. The chart shows the error falling as 1/steps.',
  ],
  howToRead: () => [
    'The same starting noise is solved twice. ',
    el('b', {}, 'Solid'),
    ': Euler with the chosen number of steps, with a dot at every step; each step follows the velocity at its start in a straight line. ',
    el('b', {}, 'Dashed'),
    `: a fine reference (Heun, ${REF_STEPS} steps), practically the exact solution of the ODE. `,
    'The small dots (grey without a class, else in the class’s colour) are where all the Euler samples end, over the faint data. Where the paths bend, a long step cuts the corner and the samples land off the data. ',
    'The chart measures the gap between the two runs’ end points: it falls in proportion to 1/steps (slope −1 on log–log axes), because Euler is a first-order method, so halving the error costs twice the network calls.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: 3, label: 'Euler paths against a reference' });
    fig.addPlot(plot);

    // the error chart: under the readout in the side panel next to a large plot, else under the plot
    const chart = new Chart({
      className: 'es-chart',
      label: 'mean endpoint error against the number of Euler steps',
    });
    const chartBox = el(
      'div',
      { class: 'es-chart-box' },
      el('div', { class: 'es-chart-title' }, 'Endpoint error against steps'),
      chart.svg,
    );
    const sidePanel = fig.sidePanel();
    fig.plots.append(chartBox);
    // the recorder's play head: t = pos / REF_STEPS (paused at the end, its bar not shown: on
    // screen both runs are drawn whole)
    const head = new PlayHead({
      reducedMotion: true,
      steps: () => REF_STEPS,
      request: () => {
        dirty = true;
        fig.request();
      },
      seconds: 4,
      label: 'Euler steps',
    });

    // A run: a private copy of the model (so it keeps one set of weights while training goes on),
    // the reference, the coarse run and the chart's runs, all from the same noise. `cur` is shown;
    // while training, `next` is computed in the background on newer weights and then shown.
    const runs = new ShownRuns(makeRun, freeRun);
    let dirty = true;
    let chartDirty = true;
    let lastReadout = '';
    let lastDraw = 0;
    let drawn = false; // the first frame has drawn the plot and the chart
    // a number per weights snapshot, for the key of the plot's backdrop
    const serials = new WeakMap();
    let serial = 0;
    const serialOf = (snap) => {
      if (!serials.has(snap)) serials.set(snap, ++serial);
      return serials.get(snap);
    };

    const classIdx = () => fig.classes.indexOf(fig.state.class);
    const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
    const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

    function newCoarse(r) {
      r.coarse?.free();
      r.coarse = new wasm.Flow(r.snap, r.cls, r.n, fig.state.steps, 'euler', r.seed, true);
      r.coarseErr = null;
    }

    function makeRun() {
      const { state } = fig;
      const r = {
        cls: state.class,
        w: state.w,
        exact: state.exact,
        n: state.n,
        seed: state.seed,
        coarse: null,
        coarseErr: null,
      };
      r.snap = wasm.Model.fromJson(fig.model.toJson('f32'));
      r.ref = new wasm.Flow(r.snap, r.cls, r.n, REF_STEPS, 'heun', r.seed, true);
      r.entries = CHART_ORDER.map((s) => ({ s, flow: null, err: null }));
      newCoarse(r);
      return r;
    }

    function freeRun(r) {
      if (!r) return;
      r.coarse.free();
      r.ref.free();
      for (const e of r.entries) e.flow?.free();
      r.snap.free();
    }

    const runsDone = (r) => r.coarse.done && r.ref.done;
    const complete = (r) => runsDone(r) && r.entries.every((e) => e.err !== null);

    /** Shows a fresh run at once (settings changed, or a new model). */
    function restartAll() {
      if (!fig.model) return;
      runs.restart();
      if (plot.extent !== runs.cur.snap.extent) plot.setExtent(runs.cur.snap.extent);
      shown();
    }

    /** The picture changes: redraw soon, but let a short run finish first (no flash of half-drawn paths). */
    function shown() {
      dirty = true;
      chartDirty = true;
      lastDraw = performance.now();
    }

    // ---------- the plot ----------
    function draw() {
      const p = plot.painter;
      const dpr = plot.dpr;
      const { snap, ref, coarse } = runs.cur;
      const ci = classIdx();
      // time t of the play head (1 unless the recorder moves it): the reference to t, Euler's
      // last step before t and the straight line from it towards the next
      const t = Math.min(1, head.pos / REF_STEPS);
      const whole = t >= 1;
      const eu = Math.floor(t * coarse.steps);
      // the faint data: painted once per weights, size and colour scheme, then restored
      const isDark = dark();
      plot.backdrop(`${serialOf(snap)}|${isDark}`, (q) => q.data(snap, isDark ? 0.24 : 0.17, 1.1 * dpr));
      // with reduced motion, the runs appear when they are finished
      const show = !fig.reducedMotion || (coarse.done && ref.done);
      if (show) p.particles(coarse, whole ? -1 : Math.min(eu, coarse.step), ci, 0.9, 1.35 * dpr);
      plot.put();
      const ctx = plot.overlay();
      if (!show) return;
      const fg = css('--cfg-fg', '#1d1d1f');
      const muted = css('--cfg-muted', '#5f6368');
      const bg = css('--cfg-plot-bg', '#ffffff');
      const k = Math.min(TRACKED, runs.cur.n);
      const dot = (x, y, r, fill, stroke, lw = 1.2) => {
        ctx.beginPath();
        ctx.arc(x, y, r * dpr, 0, 2 * Math.PI);
        if (fill) {
          ctx.fillStyle = fill;
          ctx.fill();
        }
        if (stroke) {
          ctx.strokeStyle = stroke;
          ctx.lineWidth = lw * dpr;
          ctx.stroke();
        }
      };
      // reference paths, thin and dashed, under the Euler ones
      const refPaths = [];
      for (let i = 0; i < k; i++) {
        const buf = p.path(ref, i, whole ? ref.step : Math.min(ref.step, Math.round(t * REF_STEPS)));
        refPaths.push(buf);
        plot.polyline(ctx, buf, muted, 1.2, [4, 3]);
      }
      // Euler paths: straight segments, a marker at every step
      const r = coarse.steps <= 8 ? 2.6 : coarse.steps <= 20 ? 2 : coarse.steps <= 50 ? 1.4 : 0;
      const coarsePaths = [];
      for (let i = 0; i < k; i++) {
        const buf = whole ? p.path(coarse, i, coarse.step) : partial(p, coarse, i, t);
        coarsePaths.push(buf);
        plot.polyline(ctx, buf, bg, 3.4);
        plot.polyline(ctx, buf, fg, 1.6);
      }
      for (const buf of coarsePaths) {
        if (r > 0) for (let j = 2; j + 1 < buf.length - 2; j += 2) dot(buf[j], buf[j + 1], r, fg, bg, 0.8);
        // the start (the same noise for both runs)
        dot(buf[0], buf[1], 2.4, muted, bg, 1);
      }
      // end points: Euler's as a filled disc, the reference's as a ring on top
      if (coarse.done && whole)
        for (const buf of coarsePaths) dot(buf[buf.length - 2], buf[buf.length - 1], 3.6, fg, bg, 1.2);
      if (ref.done && whole)
        for (const buf of refPaths) dot(buf[buf.length - 2], buf[buf.length - 1], 5, null, muted, 1.8);
    }

    /** Euler path `i` of `flow` up to time t < 1: its steps before t, then straight on to t. */
    function partial(p, flow, i, t) {
      const f = t * flow.steps;
      const j = Math.min(Math.floor(f), flow.step);
      if (j >= flow.step) return p.path(flow, i, j);
      const buf = p.path(flow, i, j + 1);
      const n = buf.length;
      const a = f - j;
      buf[n - 2] = buf[n - 4] + a * (buf[n - 2] - buf[n - 4]);
      buf[n - 1] = buf[n - 3] + a * (buf[n - 1] - buf[n - 3]);
      return buf;
    }

    // ---------- the readout ----------
    function readout() {
      const { state } = fig;
      const { ref, coarse, coarseErr, n } = runs.cur;
      const fg = css('--cfg-fg', '#1d1d1f');
      const muted = css('--cfg-muted', '#5f6368');
      const ci = classIdx();
      const callCount = (flow) => {
        const st = flow?.done ? flow.stats() : null;
        return st ? String(st.callsPerSample) : '…';
      };
      const field =
        ci < 0
          ? 'v_u (no class)'
          : state.w === 1
            ? `v_c, class ${state.class}`
            : state.w === 0
              ? `v_u (w = 0)`
              : `v_u + ${fmt(state.w, 1)}·(v_c − v_u), class ${state.class}`;
      const key = [
        callCount(coarse),
        callCount(ref),
        coarseErr,
        field,
        coarse.steps,
        n,
        runs.cur.exact,
        ci,
        fg,
        fig.pretrained,
        runs.cur.snap.stepsDone,
      ].join('|');
      if (key === lastReadout) return;
      lastReadout = key;
      const sym = (...children) => {
        const node = el('svg', {
          class: 'sym',
          width: 26,
          height: 12,
          viewBox: '0 0 26 12',
          'aria-hidden': 'true',
        });
        node.append(...children);
        return node;
      };
      const disc = (cx, r, fill, stroke = 'none', sw = 0) =>
        el('circle', { cx, cy: 6, r, fill, stroke, 'stroke-width': sw });
      fig.readout(
        el(
          'div',
          { class: 'es-key' },
          sym(
            el('line', { x1: 1, x2: 25, y1: 6, y2: 6, stroke: fg, 'stroke-width': 1.6 }),
            disc(9, 2, fg),
            disc(17, 2, fg),
          ),
          el('span', {}, 'Euler, a dot at every step'),
        ),
        el(
          'div',
          { class: 'es-key' },
          sym(
            el('line', {
              x1: 1,
              x2: 25,
              y1: 6,
              y2: 6,
              stroke: muted,
              'stroke-width': 1.3,
              'stroke-dasharray': '4 3',
            }),
          ),
          el('span', {}, 'reference (Heun)'),
        ),
        el(
          'div',
          { class: 'es-key' },
          sym(disc(5, 2.4, muted), disc(13, 3.4, fg), disc(21, 4.2, 'none', muted, 1.6)),
          el('span', {}, 'start · Euler end · reference end'),
        ),
        el(
          'div',
          { class: 'es-key' },
          sym(
            ...[4, 8, 12, 17, 22].map((x, i) =>
              el('circle', { cx: x, cy: 4 + (i % 2) * 4, r: 1.6, fill: fig.colorOf(ci) }),
            ),
          ),
          el('span', {}, `all ${n} Euler end points`),
        ),
        el(
          'table',
          { class: 'es-table' },
          el(
            'tr',
            {},
            el('td', {}),
            el('th', { scope: 'col' }, 'Euler'),
            el('th', { scope: 'col' }, 'reference'),
          ),
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, 'steps'),
            el('td', {}, el('b', {}, String(coarse.steps))),
            el('td', {}, `${REF_STEPS} (Heun)`),
          ),
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, runs.cur.exact ? 'network calls' : 'calls per sample'),
            el('td', {}, el('b', {}, runs.cur.exact ? '0' : callCount(coarse))),
            el('td', {}, runs.cur.exact ? '0' : callCount(ref)),
          ),
        ),
        el(
          'div',
          {},
          'mean endpoint distance: ',
          el('b', { class: 'es-err' }, coarseErr === null ? '…' : fmt(coarseErr, 3)),
        ),
        el('div', { class: 'es-note' }, `Euler vs reference, averaged over ${n} samples, in data units`),
        el(
          'div',
          { class: 'es-gap' },
          `velocity: ${field}, ${runs.cur.exact ? 'exact' : fig.pretrained ? 'network' : `network after ${runs.cur.snap.stepsDone} training steps`}`,
        ),
      );
      plot.setLabel(
        `${state.dataset}, ${field}: paths of ${Math.min(TRACKED, n)} samples with ${coarse.steps} Euler steps (solid) and a ${REF_STEPS}-step Heun reference (dashed), and the end points of all ${n} Euler samples.` +
          (coarseErr === null ? '' : ` Mean distance between the end points: ${fmt(coarseErr, 3)}.`),
      );
    }

    // ---------- the chart ----------
    function drawChart() {
      const { entries, coarseErr, ref } = runs.cur;
      const W = Math.max(200, Math.min(420, Math.round(chartBox.clientWidth || 250)));
      const pts = entries.filter((e) => e.err !== null && e.err > 0).sort((a, b) => a.s - b.s);
      const errs = pts.map((e) => e.err);
      if (coarseErr > 0) errs.push(coarseErr);
      // decades that hold every computed error (half decades, so the points fill the height;
      // ticks at whole decades)
      const lo = errs.length ? Math.floor(2 * Math.log10(Math.min(...errs))) / 2 : -2;
      const hi = errs.length ? Math.max(lo + 1, Math.ceil(2 * Math.log10(Math.max(...errs))) / 2) : 0.5;
      // x: log axis over 1..100, labelled decades, minor ticks at the computed step counts
      chart
        .frame({
          width: W,
          height: 168,
          pad: { l: 44, r: 10, t: 8, b: 34 },
          x: {
            scale: 'log',
            domain: [1, 100],
            ticks: [1, 10, 100],
            minor: [2, 4, 8, 16, 32, 64],
            title: 'Euler steps (log scale)',
          },
          y: {
            scale: 'log',
            domain: [10 ** lo, 10 ** hi],
            ticks: logTicks(10 ** lo, 10 ** hi),
            title: 'mean error (log)',
          },
        })
        .axes();
      const { x, y, plot: p } = chart;
      // a guide of slope −1 through the 100-step point: what first order predicts
      const last = pts.find((e) => e.s === 100);
      if (last) {
        const e1 = last.err * 100;
        const s0 = Math.max(1, e1 / 10 ** hi); // clip to the top of the plot
        chart.add('line', { class: 'guide', x1: x(s0), y1: y(e1 / s0), x2: x(100), y2: y(last.err) });
        const sl = 10 ** 1.45;
        chart.text(x(sl) + 4, y(e1 / sl) - 5, '∝ 1/steps', { class: 'guide-label' });
      }
      // the current setting
      const now = runs.cur.coarse.steps;
      chart.add('line', { class: 'now', x1: x(now), x2: x(now), y1: p.t, y2: p.b });
      // the measured errors
      chart.line(
        pts.map((e) => [e.s, e.err]),
        { class: 'curve' },
      );
      chart.points(
        pts.map((e) => ({
          x: e.s,
          y: e.err,
          readout: `${e.s} step${e.s === 1 ? '' : 's'}: mean error ${fmt(e.err, 3)}`,
        })),
        { class: 'pt' },
        2.6,
      );
      if (coarseErr > 0) {
        chart.points([{ x: now, y: coarseErr }], { class: 'now-pt' }, 4.2);
        // the label at the top, on the side of the line away from the curve's high end
        const left = now >= 30;
        chart.text(
          x(now) + (left ? -5 : 5),
          p.t + 10,
          `${now} step${now === 1 ? '' : 's'}: ${fmt(coarseErr, 3)}`,
          { class: 'now-label', 'text-anchor': left ? 'end' : 'start' },
        );
      }
      const done = pts.length;
      if (done < CHART_ORDER.length) {
        chart.text(
          p.l + 5,
          p.b - 5,
          ref.done ? `computing ${done} of ${CHART_ORDER.length}…` : 'waiting for the reference…',
          { class: 'pending', 'text-anchor': 'start' },
        );
      }
      chart.describe(
        `Mean distance between Euler and reference end points against the number of Euler steps, on log–log axes, over ${runs.cur.n} samples: ` +
          (pts.length ? pts.map((e) => `${e.s} steps ${fmt(e.err, 3)}`).join(', ') : 'computing') +
          '.',
      );
    }

    // ---------- work, a few steps per frame ----------
    /** Advances run `r` within `budget` ms: the coarse run, then the reference, then the chart's runs. */
    function work(r, budget) {
      const t0 = performance.now();
      let moved = false;
      let paths = false;
      let chart = false;
      while (performance.now() - t0 < budget) {
        if (!r.coarse.done) {
          r.coarse.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
          paths = true;
        } else if (!r.ref.done) {
          r.ref.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
          paths = true;
        } else {
          const e = r.entries.find((q) => q.err === null);
          if (!e) break;
          if (e.s === r.coarse.steps) {
            // the chart's run at this step count is the coarse run itself (same noise, same field)
            e.err = r.coarse.meanDistance(r.ref);
          } else {
            e.flow ??= new wasm.Flow(r.snap, r.cls, r.n, e.s, 'euler', r.seed, false);
            e.flow.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
            if (e.flow.done) {
              e.err = e.flow.meanDistance(r.ref);
              e.flow.free();
              e.flow = null;
            }
          }
          chart = e.err !== null;
        }
        moved = true;
      }
      if (runsDone(r) && r.coarseErr === null) {
        r.coarseErr = r.coarse.meanDistance(r.ref);
        paths = chart = true;
      }
      return { moved, paths, chart };
    }

    return {
      playHead: head,
      layout() {
        const side = Plot.sideFor(fig.width(), 1, { max: 520 });
        plot.resize(side);
        const inSide = sidePanel && side >= 440;
        const home = inSide ? sidePanel : fig.plots;
        if (chartBox.parentNode !== home) home.append(chartBox);
        chartBox.style.width = inSide ? '' : `${Math.min(420, Plot.widthFor(side))}px`;
        dirty = true;
        chartDirty = true;
        fig.request();
      },
      restart: restartAll,
      weights() {
        // while training, progress reports arrive many times a second: the runs shown stay until
        // runs on newer weights have finished in the background
        if (runs.weights(fig.isTraining())) restartAll();
      },
      coarse() {
        if (!runs.cur) return restartAll();
        newCoarse(runs.cur);
        if (runs.next) newCoarse(runs.next);
        shown();
      },
      frame(now, budget) {
        if (!runs.cur) return false;
        const t0 = performance.now();
        // while the runs are computing, the picture is redrawn at most every REDRAW_MS (drawing
        // costs about as much as a step); at once when they are finished. Drawing comes first,
        // and the steps get what is left of the frame's budget.
        let drew = false;
        // (the first frame draws at once: the figure appears whole, its read-out filled in)
        if (dirty && (!drawn || runsDone(runs.cur) || now - lastDraw > REDRAW_MS)) {
          draw();
          readout();
          dirty = false;
          lastDraw = now;
          drew = true;
        }
        // after the first frame, the chart waits for a frame that drew no paths (on a slow phone,
        // no frame adds up both)
        if (chartDirty && (!drawn || !drew)) {
          drawChart();
          chartDirty = false;
        }
        drawn = true;
        const left = budget - (performance.now() - t0);
        if (!complete(runs.cur)) {
          const w = work(runs.cur, left);
          dirty ||= w.paths;
          chartDirty ||= w.chart;
        } else if (runs.next) {
          work(runs.next, left);
          if (complete(runs.next)) {
            runs.promote();
            dirty = true;
            chartDirty = true;
          }
        }
        return dirty || chartDirty || !complete(runs.cur) || !!runs.next;
      },
    };
  },
};
