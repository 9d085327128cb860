// Classifier guidance next to classifier-free guidance at the same strength (λ = w). Left: the
// unconditional field pushed by a classifier's gradient, v_u + λ·((1 − t)/t)·∇log p(c | x_t, t);
// right: CFG, v_u + w·(v_c − v_u). Arrows: what each adds to v_u at time t. With the exact Bayes
// classifier and the exact v_u the two are the same field (the post's derivation).
import { el, fmt } from '../../lib/dom.js';
import { pretrainedModel, pretrainedText } from '../../lib/models.js';
import { datasetsOf } from '../../shell/load.js';
import { P, fx } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { cfg, method } from '../../lib/method.js';

/** Arrow grid per side. */
const GRID = 15;

export default {
  id: 'classifier-guidance',
  title: 'Classifier guidance',
  post: 'classifier guided generation',
  // what a change invalidates (www/shell/effects.js): the runs of both panels (or, for new
  // weights while they run, the next runs), and independently the arrows at time t
  params: [
    ...fx('restart', P.dataset('non-overlapping', ['non-overlapping', 'overlapping']), P.cls('upper-right'), {
      ...P.w(3, 9),
      label: 'λ = w',
      help: 'The guidance strength: λ for classifier guidance, w for CFG, set equal.',
    }),
    ...fx('arrows', {
      ...P.t(0.5),
      help: 'The time at which the arrows are drawn, and the dark dots show where the samples are.',
    }),
    ...fx('restart', P.n(400, 2000), P.steps(40, 100), P.seed(), {
      ...P.exact(),
      label: 'exact classifier',
      help: 'Use the exact Bayes classifier p(c | x_t) of the data and the exact v_u (ground truth) instead of the trained classifier network and the network’s v_u.',
    }),
    // training the classifier in your browser (the velocity model stays the shipped one)
    P.lr(),
    P.width(),
    { ...P.depth(), default: 2 },
    { ...P.trainSteps(), default: 4000 },
  ],
  effects: [['restart', 'weights'], ['arrows']],
  controls: ['dataset', 'class', 'w', 't', 'n', 'steps', 'seed', 'exact'],
  // "Train in your browser" trains a fresh classifier; v_u stays the shipped network's
  trainNote:
    'Trains a fresh classifier p(c | x_t, t) in a background worker (the same Rust code, compiled to WebAssembly); the figure follows it as it learns. The velocity model stays the shipped one.',
  training: {
    kind: 'classifier',
    begin(fig, options) {
      const c = fig.wasm.Classifier.untrained(fig.state.dataset, JSON.stringify(options));
      fig.classifier?.free();
      fig.classifier = c;
      fig.classifierSteps = 0;
      fig.classifierText = null;
      fig.subjectFrom = null;
    },
    setParams(fig, params, step) {
      fig.classifier.setParams(params);
      fig.classifierSteps = step;
    },
  },
  resetLabel: 'Back to the pretrained classifier',
  // the Model button saves the classifier (kind "classifier"): shipped, or trained here
  exportModel: (fig) => fig.trainedModelText ?? fig.classifierText,
  // the velocity model and, kept on the figure, the classifier trained on the same data
  async loadModel(fig) {
    const ds = fig.state.dataset;
    const [model, text] = await Promise.all([pretrainedModel(ds), pretrainedText(`classifier-${ds}`)]);
    fig.classifier?.free();
    fig.classifier = fig.wasm.Classifier.fromJson(text);
    fig.classifierText = text;
    fig.trainedModelText = null;
    fig.subjectFrom = null;
    return model;
  },
  // a classifier file (Load, a drop, data-model) replaces the classifier; v_u stays the shipped network's
  async loadSubject(fig, text, name) {
    let c;
    try {
      c = fig.wasm.Classifier.fromJson(text);
    } catch (e) {
      throw new Error(
        `this figure takes a classifier file (cfg-playground train --method classifier): ${e.message}`,
      );
    }
    const offered = datasetsOf(fig);
    if (!offered.includes(c.dataset)) {
      const ds = c.dataset;
      c.free();
      throw new Error(`the classifier was trained on ${ds}; this figure shows ${offered.join(', ')}`);
    }
    if (c.dataset !== fig.state.dataset) await fig.set('dataset', c.dataset);
    fig.stopTraining();
    fig.classifier?.free();
    fig.classifier = c;
    fig.classifierText = text;
    fig.trainedModelText = null;
    fig.subjectFrom = name;
    fig.changed('model');
    return `it replaces the classifier; v_u stays the shipped ${c.dataset} model`;
  },
  caption: () => [
    el('b', {}, 'Left'),
    ': classifier guidance, v',
    el('sub', {}, 'u'),
    ' plus λ·((1 − t)/t)·∇log p(c | x',
    el('sub', {}, 't'),
    ') from a trained classifier. ',
    el('b', {}, 'Right'),
    ': CFG at w = λ. With the exact classifier (tick it) the two agree; with trained networks they differ.',
  ],
  howToRead: () => [
    el('b', {}, 'Left'),
    ': classifier guidance. The unconditional velocity v',
    el('sub', {}, 'u'),
    ' plus λ·((1 − t)/t)·∇',
    el('sub', {}, 'x'),
    ' log p(c | x',
    el('sub', {}, 't'),
    ', t), the gradient of a time-conditioned classifier trained on noisy points of the path (one network, 2 classes). ',
    el('b', {}, 'Right'),
    ': classifier-free guidance, v',
    el('sub', {}, 'u'),
    ' + w·(v',
    el('sub', {}, 'c'),
    ' − v',
    el('sub', {}, 'u'),
    '), with λ = w. ',
    'The ',
    el('b', {}, 'arrows'),
    ' are what each method adds to v',
    el('sub', {}, 'u'),
    ' at time t, on one scale for both panels; the faint tracks are the samples’ paths from noise, the dark dots where they are at t, the coloured dots where they end. ',
    'For the straight path, v = x/t + ((1 − t)/t)·∇log p',
    el('sub', {}, 't'),
    '(x), so with Bayes’ rule ∇log p(c | x',
    el('sub', {}, 't'),
    ') = ∇log p',
    el('sub', {}, 't'),
    '(x | c) − ∇log p',
    el('sub', {}, 't'),
    '(x) the classifier term is exactly w·(v',
    el('sub', {}, 'c'),
    ' − v',
    el('sub', {}, 'u'),
    '). ',
    'Tick ',
    el('b', {}, 'exact classifier'),
    ' to see it: with the Bayes classifier and the exact v',
    el('sub', {}, 'u'),
    ' the two panels agree, arrow for arrow and sample for sample (only the first Euler step differs, where the classifier sees pure noise). ',
    'With the trained networks they differ: the classifier’s gradient is a learned derivative, noisy where it saw little data, and it costs a forward and a backward pass on top of v',
    el('sub', {}, 'u'),
    '. ',
    el('i', {}, 'Train in your browser'),
    ' trains a new classifier here (the velocity model stays the shipped one).',
  ],
  async create(fig) {
    const { wasm } = fig;
    const row = el('div', { class: 'cg-row', style: 'display:flex;flex-wrap:wrap;gap:10px 14px' });
    fig.plots.append(row);
    const panels = ['classifier', 'cfg'].map((kind) => {
      const plot = new Plot(wasm, {
        extent: 3,
        title: '…',
        label: kind === 'cfg' ? 'classifier-free guidance' : 'classifier guidance',
      });
      row.append(plot.el);
      // dirty: its panel must be drawn again; run: counts its runs; tracked: the last step whose
      // tracks are in its backdrop (backdrop: its key)
      return { kind, plot, flow: null, metrics: null, dirty: true, run: 0, tracked: -1, backdrop: '' };
    });
    let stale = false;
    let lastDraw = 0;
    let drawn = false; // the first draw has shown both panels
    const mark = () => {
      for (const p of panels) p.dirty = true;
    };
    // a number per model object and run, for the key of the plots' backdrops
    let serial = 0;
    let serialOf = null;
    let arrows = null; // guidance terms at the current t
    const css = (name, fallback) => getComputedStyle(row).getPropertyValue(name).trim() || fallback;
    const classIdx = () => fig.classes.indexOf(fig.state.class);

    function restart() {
      const { state } = fig;
      for (const p of panels) {
        p.flow?.free();
        p.flow = new wasm.Flow(fig.model, state.class, state.n, state.steps, 'euler', state.seed, true);
        p.run += 1;
        p.metrics = null;
        title(p);
        if (p.plot.extent !== fig.model.extent) p.plot.setExtent(fig.model.extent);
      }
      arrows = null;
      stale = false;
      mark();
    }

    function computeArrows() {
      const { state } = fig;
      arrows = fig.classifier.guidanceGrid(fig.model, state.class, state.t, state.w, GRID, state.exact);
    }

    function name(p) {
      return p.kind === 'cfg'
        ? `CFG, w = ${fmt(fig.state.w, 1)}`
        : `classifier guidance, λ = ${fmt(fig.state.w, 1)}`;
    }

    function title(p) {
      const m = p.metrics;
      if (!m) {
        // (two lines, as the title with the measures will be: nothing under it moves when they come)
        p.plot.setTitle(el('b', {}, name(p)), el('br'), 'computing…');
        return;
      }
      p.plot.setTitle(
        el('b', {}, name(p)),
        el('br'),
        `hit ${fmt(m.hitRate, 2)} · diversity ${fmt(m.diversity, 2)} · ${m.callsPerSample} calls`,
      );
    }

    /** Draws panel `p`: the faint data (painted once per model and size), tracks, samples, arrows. */
    function draw(p) {
      const { state } = fig;
      const ci = classIdx();
      if (!arrows) computeArrows();
      if (serialOf !== fig.model) {
        serialOf = fig.model;
        serial += 1;
      }
      const fg = css('--cfg-fg', '#1d1d1f');
      const { plot, flow } = p;
      const pa = plot.painter;
      const dpr = plot.dpr;
      const k = Math.min(Math.round(state.t * state.steps), flow.step);
      // the backdrop: the faint data and the tracks so far. A draw adds the steps since the last
      // one to it (drawing every track from t = 0 again costs n × steps dots a draw)
      plot.backdrop(`${serial}|${p.run}`, (q) => q.data(fig.model, 0.12, 0.9 * dpr));
      if (plot.backdropKey !== p.backdrop) {
        // painted anew (a new model, run or size): no tracks on it yet
        p.backdrop = plot.backdropKey;
        p.tracked = -1;
      }
      if (flow.step > 0 && flow.step > p.tracked) {
        pa.trails(flow, flow.step, flow.step - p.tracked - 1, ci, 0.06, 0.8 * dpr);
        p.tracked = flow.step;
        pa.snapshot();
      }
      if (flow.done) pa.particles(flow, -1, ci, 0.75, 1.2 * dpr);
      pa.particles(flow, k, -1, 0.9, 1.0 * dpr);
      plot.put();
      const ctx = plot.overlay();
      const cell = (plot.side * dpr) / GRID;
      const scale = arrows.longest > 0 ? (0.95 * cell) / arrows.longest : 1;
      ctx.globalAlpha = 0.7;
      plot.segments(
        ctx,
        pa.vectors(arrows.points, p.kind === 'cfg' ? arrows.cfg : arrows.classifier, 500, scale),
        fg,
        plot.side < 300 ? 0.8 : 1,
      );
      ctx.globalAlpha = 1;
      plot.setLabel(
        `${name(p)} for class ${state.class} of ${state.dataset}: ${state.n} samples in ${state.steps} Euler steps, arrows of the guidance term at t = ${fmt(state.t, 2)}.`,
      );
    }

    function readout() {
      const [a, b] = panels;
      const done = a.flow.done && b.flow.done;
      const trained = fig.subjectFrom
        ? `the classifier from ${fig.subjectFrom}`
        : fig.pretrained
          ? 'the pretrained classifier network'
          : `a classifier trained here for ${fig.classifierSteps ?? 0} steps`;
      const src = fig.state.exact
        ? 'the exact Bayes classifier and exact v_u (ground truth)'
        : `${trained} and the network’s v_u`;
      fig.readout(
        el(
          'div',
          {},
          `Both panels start from the same ${fig.state.n} noise points; classifier guidance uses ${src}.`,
        ),
        // (the same words while computing: the line does not grow when the number comes)
        el(
          'div',
          {},
          'Mean distance between paired samples: ',
          el('b', {}, done ? fmt(a.flow.meanDistance(b.flow), 3) : '…'),
          done && fig.state.exact ? ' (the same field: only the first step differs).' : '.',
        ),
      );
    }

    return {
      layout() {
        // side by side when both fit at a useful size, else one above the other
        const width = fig.width();
        const two = Plot.sideFor(width - 8, 2, { max: 360, min: 0 });
        const side = two >= 150 ? two : Plot.sideFor(width, 1, { max: 360, min: 120 });
        for (const p of panels) {
          p.plot.resize(side);
          // a long title wraps instead of widening its plot
          p.plot.el.style.width = `${Plot.widthFor(side)}px`;
        }
        mark();
        fig.request();
      },
      ready: () => !!fig.classifier,
      restart,
      weights() {
        // while the classifier trains, weights arrive many times a second: a run that is still
        // computing finishes first, then the figure starts again on the newest weights
        if (fig.isTraining() && panels.some((p) => p.flow && !p.flow.done)) stale = true;
        else restart();
      },
      arrows() {
        arrows = null;
      },
      changed() {
        for (const p of panels) title(p);
        readout();
        mark();
      },
      frame(now, budget) {
        const t0 = performance.now();
        const { state } = fig;
        const open = panels.filter((p) => !p.flow.done);
        let ended = false;
        for (const p of open) {
          const left = budget - (performance.now() - t0);
          if (left <= 0) break;
          const slice = Math.max(0.5, left / open.length);
          const m =
            p.kind === 'cfg'
              ? cfg(wasm, state.w, state.exact)
              : method(
                  wasm,
                  'classifier',
                  { w: state.w, exact: state.exact },
                  state.exact ? null : fig.classifier,
                );
          p.flow.advanceFor(m, fig.model, slice);
          if (p.flow.done) {
            p.metrics = fig.model.metrics(p.flow);
            title(p);
            if (panels.every((q) => q.flow.done)) readout();
            ended = true;
          }
          p.dirty = true;
          // a run's measures take the rest of the frame (on a slow phone, no frame adds up them,
          // the other run and a redraw)
          if (ended) break;
        }
        const busy = panels.some((p) => !p.flow.done);
        if (!busy && stale) {
          stale = false;
          restart();
          return true;
        }
        // the panels that changed, at most every 60 ms while the runs go on; after the first draw,
        // one panel a frame (on a slow phone, no frame adds up both)
        if ((!busy || now - lastDraw > 60) && (!fig.reducedMotion || !busy) && !(ended && drawn)) {
          for (const p of panels) {
            if (!p.dirty) continue;
            draw(p);
            p.dirty = false;
            lastDraw = now;
            if (drawn) break;
          }
          drawn = true;
        }
        return busy || panels.some((p) => p.dirty);
      },
    };
  },
};
