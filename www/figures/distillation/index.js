// Guidance distillation, live: a student network that takes w as an input (one network call per
// step) next to its teacher's CFG (two calls per step), from the same noise, and the gap between
// their endpoints for every w the student was trained on; under each panel its probability path,
// and the probability paths of both at a few w, from the gap chart's runs.
import { el, fmt } from '../../lib/dom.js';
import { P, fx } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { Chart } from '../../lib/chart.js';
import { PathStrip, meanAxis, stackForExport } from '../../lib/path-strip.js';
import { derivedModel, paintPaths, twoPanels, advanceRuns, Redraw } from '../shared/teacher.js';
import { cfg, method } from '../../lib/method.js';
import { W_MAX, GAP_WS, CHART_HEIGHT, drawGapChart } from './gap-chart.js';

/** Samples per w of the gap chart. */
const GAP_N = 200;
/** The w of the small probability paths (a subset of GAP_WS: their runs are the gap chart's). */
const PATH_WS = [0, 1, 3, 6, 9];
const LINES = 24;

export default {
  id: 'distillation',
  title: 'Guidance distillation',
  post: 'distillation guidance',
  // "Train in your browser" distils a new student from the shipped teacher in a worker (the
  // student starts as a copy of the teacher); the Model button saves the student (shipped, or
  // made here)
  ...derivedModel({
    key: 'student',
    file: 'student',
    kind: 'distill',
    // same architecture as the shipped student (the teacher's plus the w input)
    startFrom: (fig) => fig.studentText,
    check(m, ds) {
      if (!m.isStudent)
        throw new Error(
          `the ${ds} model is not a distilled student (it has no w input): this figure takes files of cfg-playground train --method distill`,
        );
    },
    trainLabel: 'Distil in your browser',
    resetLabel: 'Back to the shipped student',
    trainNote:
      'Distils a student from the shipped teacher in a background worker (the same Rust code, compiled to WebAssembly), starting as a copy of the teacher; the figure follows it as it learns.',
  }),
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: the gap chart's runs and
  // the panels' runs; new weights (the next runs, while the student trains); the panels' runs
  params: [
    ...fx('all', P.dataset('non-overlapping', ['non-overlapping', 'overlapping']), P.cls('upper-right')),
    ...fx('panels', {
      ...P.w(3, W_MAX),
      help: `Guidance scale: the teacher computes v_u + w·(v_c − v_u), the student gets w as an input (it was trained on w in [0, ${W_MAX}]).`,
    }),
    ...fx('all', P.steps(20, 100)),
    ...fx('panels', P.n(400, 2000)),
    ...fx('all', P.seed()),
    // distilling a student in your browser (the teacher is the shipped model)
    P.lr(),
    { ...P.trainSteps(), default: 1000 },
  ],
  effects: ['all', 'weights', 'panels'],
  controls: ['dataset', 'class', 'w', 'steps', 'n', 'seed'],
  caption: () => [
    'A ',
    el('b', {}, 'student'),
    ' that takes w as an input learns the teacher’s guided velocity: one network call per step, not two. ',
    el('b', {}, 'Top'),
    ': both from the same noise; ',
    el('b', {}, 'bottom'),
    ': their endpoint gap over w.',
  ],
  howToRead: () => [
    'CFG runs the network twice per step, for v',
    el('sub', {}, 'c'),
    ' and v',
    el('sub', {}, 'u'),
    '. ',
    'Guidance distillation trains a ',
    el('b', {}, 'student'),
    ' (the teacher’s architecture plus one input, w) to output the teacher’s guided velocity v',
    el('sub', {}, 'u'),
    ' + w·(v',
    el('sub', {}, 'c'),
    ' − v',
    el('sub', {}, 'u'),
    `) directly, for w drawn from [0, ${W_MAX}], on states along the teacher’s own guided paths. `,
    'Sampling then costs one network call per step. ',
    el('b', {}, 'Top'),
    ': the teacher’s CFG and the student at the same w, from the same noise (grey lines: a few paths; dots: where the samples end), with hit rate, diversity and network calls per sample; ',
    'under each, its ',
    el('b', {}, 'probability path'),
    ': how the density of the samples moves from noise (t = 0, left) to data (t = 1, right), upward along the line through the two class means (dashed, in their colours), each time column scaled to its own peak. ',
    el('b', {}, 'Over w'),
    `: the same paths for teacher and student at w = ${PATH_WS.join(', ')} (${GAP_N} samples each, the runs of the gap chart, teacher above student); where a student strip matches the teacher strip above it, the student has learnt that w. `,
    el('b', {}, 'Bottom'),
    ': the ',
    el('b', {}, 'endpoint gap'),
    ', the mean distance between the teacher’s and the student’s sample from the same noise point, for each w; the ring marks the w of the slider. ',
    'A small gap means the student reproduces the whole family of guided samplers at half the cost. ',
    el('i', {}, 'Train in your browser'),
    ' distils a new student from the shipped teacher here, starting as a copy of it (w ignored), for w in [0, 9]. ',
    'At w = 0 the field is the unconditional one (one call per step for the teacher too), which splits the noise between the classes: the few samples that the student sends to the other class, or leaves between the two, move the mean distance a lot, so the gap is largest there.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const row = el('div', { class: 'ds-row' });
    const overW = el('div', {
      class: 'ds-overw',
      role: 'group',
      'aria-label': 'probability paths of teacher and student over w',
    });
    const chart = new Chart({
      className: 'ds-chart',
      label: 'endpoint gap between teacher and student against w',
    });
    fig.plots.append(row, overW, chart.svg);
    const panels = [
      ['teacher', 'teacher: CFG'],
      ['student', 'student: w as input'],
    ].map(([kind, label]) => {
      const plot = new Plot(wasm, { extent: 3, title: label, label });
      // (its title from the start: a title that appears later would move what is under it)
      const strip = new PathStrip(wasm, { title: `probability path at w = ${fmt(fig.state.w, 1)}` });
      // the PNG export takes each panel with its strip
      row.append(stackForExport(el('div', { class: 'ds-panel' }, plot.el, strip.el), plot, strip));
      return { kind, label, plot, strip, flow: null, metrics: null };
    });
    // the small strips over w: a header row, then teacher and student
    const small = PATH_WS.map((w) => ({
      w,
      head: el('div', { class: 'ds-w' }, `w = ${w}`),
      teacher: new PathStrip(wasm, { compact: true }),
      student: new PathStrip(wasm, { compact: true }),
    }));
    overW.append(
      el('div', { class: 'ds-overw-title' }, 'Probability paths over w:'),
      el('div', {}),
      ...small.map((c) => c.head),
      el('div', { class: 'ds-who' }, 'teacher'),
      ...small.map((c) => c.teacher.el),
      el('div', { class: 'ds-who' }, 'student'),
      ...small.map((c) => c.student.el),
    );
    let axisOf = { model: null, axis: null };
    const axis = () => {
      if (axisOf.model !== fig.model) axisOf = { model: fig.model, axis: meanAxis(fig.model) };
      return axisOf.axis;
    };
    let gaps = [];
    let stale = false;
    // draws while the runs go on (at most every 100 ms) and once more when they are done: the
    // panels and the small strips when their runs moved, the chart when a run finished
    const redraw = new Redraw({
      panels: () => drawPanels(),
      strips: () => drawStrips(),
      small: () => drawSmall(),
      chart: () => drawGapChart(fig, chart, { gaps, panels, width: chartWidth, css }),
    });
    let chartWidth = 400;
    const css = (name, fallback) => getComputedStyle(row).getPropertyValue(name).trim() || fallback;
    const classIdx = () => fig.classes.indexOf(fig.state.class);
    const modelOf = (kind) => (kind === 'teacher' ? fig.model : fig.student);
    const advance = (kind, flow, w, ms) =>
      kind === 'teacher'
        ? flow.advanceFor(cfg(fig.wasm, w), fig.model, ms)
        : flow.advanceFor(method(fig.wasm, 'student', { w }), fig.student, ms);

    const stepsOf = (ps) => ps.reduce((sum, p) => sum + p.flow.step, 0);
    const gapSteps = () => gaps.reduce((sum, g) => sum + g.teacher.step + g.student.step, 0);

    function restartPanels() {
      const { state } = fig;
      for (const p of panels) {
        p.flow?.free();
        p.flow = new wasm.Flow(modelOf(p.kind), state.class, state.n, state.steps, 'euler', state.seed, true);
        p.metrics = null;
        // (two lines, as the title with the measures will be: nothing under it moves when they come)
        p.plot.setTitle(el('b', {}, `${p.label}, w = ${fmt(state.w, 1)}`), el('br'), 'computing…');
        if (p.plot.extent !== fig.model.extent) p.plot.setExtent(fig.model.extent);
      }
      redraw.mark();
    }

    function restartGaps() {
      const { state } = fig;
      for (const g of gaps) {
        g.teacher.free();
        g.student.free();
      }
      gaps = GAP_WS.map((w) => ({
        w,
        // recorded: the small strips over w show these runs
        teacher: new wasm.Flow(fig.model, state.class, GAP_N, state.steps, 'euler', state.seed, true),
        student: new wasm.Flow(fig.student, state.class, GAP_N, state.steps, 'euler', state.seed, true),
        gap: null,
      }));
      redraw.mark();
    }

    function title(p) {
      const m = p.metrics;
      if (!m) return;
      p.plot.setTitle(
        el('b', {}, `${p.label}, w = ${fmt(fig.state.w, 1)}`),
        el('br'),
        `hit ${fmt(m.hitRate, 2)} · diversity ${fmt(m.diversity, 2)} · ${m.callsPerSample} calls`,
      );
    }

    function drawPanels() {
      const ci = classIdx();
      const line = css('--cfg-muted', '#777');
      for (const p of panels) {
        const { plot, flow } = p;
        paintPaths(fig, plot, flow, ci, { lines: LINES, color: line });
        plot.setLabel(
          `${p.label} at w = ${fmt(fig.state.w, 1)}: ${flow.n} samples of ${fig.state.class} in ${fig.state.steps} Euler steps`,
        );
      }
    }

    // the panels' probability paths (each repaints every column so far: as costly as the panel)
    function drawStrips() {
      const ci = classIdx();
      for (const p of panels) {
        const { flow } = p;
        p.strip.setTitle(`probability path at w = ${fmt(fig.state.w, 1)}`);
        p.strip.show(
          flow,
          ci,
          axis(),
          `the ${p.kind} at w = ${fmt(fig.state.w, 1)}, class ${fig.state.class}`,
        );
      }
    }

    function drawSmall() {
      const ci = classIdx();
      for (const c of small) {
        const g = gaps.find((x) => x.w === c.w);
        if (!g) continue;
        c.head.classList.toggle('current', Math.abs(fig.state.w - c.w) < 0.05);
        for (const kind of ['teacher', 'student'])
          c[kind].show(g[kind], ci, axis(), `the ${kind} at w = ${c.w}, class ${fig.state.class}`);
      }
    }

    function readout() {
      const [a, b] = panels;
      const both = a.flow?.done && b.flow?.done;
      fig.readout(
        el(
          'div',
          {},
          `${fig.state.steps} Euler steps, same noise; `,
          fig.subjectFrom
            ? `the student from ${fig.subjectFrom}.`
            : fig.pretrained
              ? 'the shipped student.'
              : `a student distilled here for ${fig.student.stepsDone} steps.`,
        ),
        el(
          'div',
          {},
          both
            ? ['Mean endpoint gap at this w: ', el('b', {}, fmt(a.flow.meanDistance(b.flow), 3)), '.']
            : 'computing…',
        ),
      );
    }

    return {
      layout() {
        let side;
        ({ side, chartWidth } = twoPanels(
          fig,
          panels.map((p) => p.plot),
        ));
        for (const p of panels)
          p.strip.resize(Plot.widthFor(side), Math.max(56, Math.min(110, Math.round(side * 0.4))) + 22);
        // the small strips share the chart's width: a label column and one column per w
        const label = 56;
        const cell = Math.floor((chartWidth - label - 6 * PATH_WS.length) / PATH_WS.length);
        overW.style.width = `${chartWidth}px`;
        // the chart's room before its first drawing (which may come a few frames later)
        chart.svg.setAttribute('width', chartWidth);
        chart.svg.setAttribute('height', CHART_HEIGHT);
        for (const c of small)
          for (const s of [c.teacher, c.student])
            s.resize(cell, Math.max(34, Math.min(56, Math.round(cell * 0.42))));
        redraw.mark();
        fig.request();
      },
      ready: () => !!fig.student,
      all() {
        stale = false;
        restartGaps();
        restartPanels();
      },
      weights() {
        // while the student trains, weights arrive many times a second: runs that are still
        // computing finish first, then the figure starts again on the newest weights
        const busy =
          gaps.some((g) => !g.teacher.done || !g.student.done) || panels.some((p) => p.flow && !p.flow.done);
        if (fig.isTraining() && busy) stale = true;
        else this.all();
      },
      panels() {
        stale = false;
        restartPanels();
      },
      changed() {
        readout();
        redraw.mark();
      },
      // shown once each part has been drawn (a part per frame: Redraw)
      whole: () => !redraw.first,
      frame(now, budget) {
        const w = fig.state.w;
        // the panels first, then the gap chart's pairs
        const runs = [
          ...panels.map((p) => ({ kind: p.kind, flow: p.flow, w, p })),
          ...gaps.flatMap((g) => [
            { kind: 'teacher', flow: g.teacher, w: g.w, g },
            { kind: 'student', flow: g.student, w: g.w, g },
          ]),
        ];
        const before = stepsOf(panels);
        const beforeGaps = gapSteps();
        const { busy, moved, ended } = advanceRuns(
          runs,
          budget,
          (o, ms) => advance(o.kind, o.flow, o.w, ms),
          (o) => {
            if (o.p) {
              o.p.metrics = modelOf(o.kind).metrics(o.flow);
              title(o.p);
              readout();
              redraw.mark('chart');
            }
            if (o.g && o.g.teacher.done && o.g.student.done) {
              o.g.gap = o.g.teacher.meanDistance(o.g.student);
              redraw.mark('chart');
            }
          },
        );
        if (moved && stepsOf(panels) !== before) redraw.mark('panels', 'strips');
        if (moved && gapSteps() !== beforeGaps) redraw.mark('small');
        if (!busy && stale) {
          stale = false;
          restartGaps();
          restartPanels();
          readout();
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
