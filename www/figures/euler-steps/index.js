// Fig 2(b) of the post, live: sampling follows the velocity step by step. The same noise is
// solved twice, by a coarse Euler run with the reader's number of steps and by a fine Heun
// reference; their paths and end points show the discretisation error, and a small log–log chart
// shows how it falls with the number of steps (Euler is first order: error ∝ 1/steps).
//
// This file is the definition and its wiring: the current and the next run (while training, the next
// run is computed on newer weights and replaces the current one when done, so the picture never
// blanks), layout and the frame. The runs (run.js), the plot (paths.js), the read-out (readout.js)
// and the error chart (error-chart.js) have files of their own.
import { el } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { ShownRuns } from '../../lib/runs.js';
import { Chart } from '../../lib/chart.js';
import { PlayHead } from '../../lib/playbar.js';
import { REF_STEPS, runsDone, complete, runMaker } from './run.js';
import { pathsDrawer } from './paths.js';
import { readoutWriter } from './readout.js';
import { chartDrawer } from './error-chart.js';

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
    const { newCoarse, makeRun, freeRun, work } = runMaker(fig);
    const runs = new ShownRuns(makeRun, freeRun);
    let dirty = true;
    let chartDirty = true;
    let lastDraw = 0;
    let drawn = false; // the first frame has drawn the plot and the chart

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

    const draw = pathsDrawer(fig, plot, head, runs);
    const readout = readoutWriter(fig, plot, runs);
    const drawChart = chartDrawer(chart, chartBox, runs);

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
