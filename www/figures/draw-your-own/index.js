// Draw your own data: one brush per class on the plot, a network trained on the drawing in a
// background worker, and samples of one class with guidance w drawn over it as it learns.
//
// The drawing is the reader's input, so it lives here (points and their brush jitter); every
// computation on it happens in wasm: training (the shell's worker), sampling, the exact field and
// the metrics (this figure's own worker, worker.js: for a drawing of thousands of
// points the exact field and the metrics cost far more than a frame).
//
// This file is the figure's definition and its wiring: the active brush, Train, the edits of the
// drawing and the loop. Each part has its own file: the sketch (sketch.js), the toolbar and
// training row (controls.js), the pointer and keyboard input (input.js), the sampler and its
// worker (sampler.js, worker.js), the canvas (paint.js) and the words (words.js).
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { LIMIT, exampleDrawing, sketchOf, drawingOf } from './sketch.js';
import { controls } from './controls.js';
import { sampler } from './sampler.js';
import { input } from './input.js';
import { painter } from './paint.js';
import { words } from './words.js';
export default {
  id: 'draw-your-own',
  title: 'Draw your own data',
  post: 'train a model on your drawing',
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js), four independent parts: the samples (the
  // settings), the model in the sampler's worker (new weights), the sketch (a loaded drawing),
  // the brush
  params: [
    ...fx('sample', P.cls('A', true), P.w(2, 12), P.n(800, 2000), P.steps(40, 200), P.seed(), {
      ...P.exact(),
      help: 'Follow the exact velocity of your drawing (every drawn point blurred by a Gaussian of σ = 0.06) instead of the network: what a perfect model would do. Works before training too.',
    }),
    ...fx('brush', {
      key: 'brush',
      label: 'brush size',
      type: 'number',
      default: 0.2,
      min: 0.05,
      max: 0.6,
      step: 0.01,
      help: 'Radius of the brush in data units: each dab scatters points uniformly within it.',
    }),
    // a drawing is learnt faster with a larger step than the built-in data sets' default
    ...trainParams().map((p) => (p.key === 'lr' ? { ...p, default: 0.005 } : p)),
  ],
  on: { model: 'weights', drawing: 'drawing' },
  effects: [['drawing'], ['weights'], ['brush'], ['sample']],
  controls: ['class', 'w', 'n', 'steps', 'seed', 'exact'],
  caption: () => [
    'Draw with one brush per class, then ',
    el('b', {}, 'Train on my drawing'),
    ': a network learns your data in a background worker, and the bright dots sample the chosen class with CFG. ',
    el('b', {}, 'Ground truth'),
    ' samples your drawing exactly.',
  ],
  howToRead: () => [
    'Pick a brush (one per class) and drag on the plot to draw, or focus the plot and use the arrow keys and Space (1–8 pick a brush, [ and ] resize it, U undoes). ',
    el('b', {}, 'Train on my drawing'),
    ' fits a fresh network to your points in a background worker: each point counts as a small Gaussian blob (σ = 0.06), and each class’s share of the data is its share of the points. ',
    'As it learns, the bright dots are samples of the chosen class drawn with ',
    ...cfgFormula(),
    ', over your faded drawing. ',
    el('b', {}, 'Hit rate'),
    ' is the share of samples whose most likely class under your drawing is the chosen one; ',
    el('b', {}, 'off the drawing'),
    ' is the share that land where your drawing has almost no density. ',
    el('b', {}, 'Ground truth'),
    ' samples the exact velocity of your drawing instead, with no training and following every new stroke: compare the two to tell what guidance does from what the network has not learnt yet. ',
    'Try two classes whose strokes cross and raise w: the samples leave the crossing for the parts no other class shares.',
  ],

  /** Instead of a pretrained model: an untrained network on the example drawing (trained once on screen). */
  loadModel(fig) {
    const s = sketchOf(fig);
    if (s.loaded) s.replace(exampleDrawing());
    s.loaded = true;
    s.pendingVersion = s.version;
    s.trainTotal = fig.state.trainSteps;
    s.autoTrain = true;
    return fig.wasm.Model.untrained('custom', '', JSON.stringify(s.drawn()));
  },

  /** A points file (load.js: Load, drop, data-points) becomes the drawing (undoably), on an untrained network. */
  loadPoints(fig, drawn) {
    const s = sketchOf(fig);
    s.replace(drawingOf(drawn));
    // an untrained network on the new drawing: its classes are the file's (for the class
    // selector and ground truth) until Train fits it
    const m = fig.wasm.Model.untrained('custom', '', JSON.stringify(s.drawn()));
    s.autoTrain = false;
    s.pendingVersion = s.version;
    s.trainTotal = fig.state.trainSteps;
    fig.adoptModel(m);
    fig.changed('drawing');
    const n = drawn.classes.reduce((a, c) => a + c.points.length, 0);
    const names = drawn.classes.map((c) => c.name).join(', ');
    return `${n} points in ${drawn.classes.length} classes (${names})${drawn.total > n ? `, a random ${n} of its ${drawn.total}` : ''}; press Train to learn them`;
  },

  /** A model trained on drawn data (a file or data-model): its points become the drawing. */
  loadDrawnModel(fig, m) {
    const s = sketchOf(fig);
    let drawn;
    try {
      drawn = JSON.parse(m.toJson('f16')).drawn;
      s.replace(drawingOf(drawn));
    } catch (e) {
      m.free();
      throw e;
    }
    s.loaded = true;
    s.autoTrain = false;
    s.pendingVersion = s.version;
    s.trainTotal = Math.max(1, m.stepsDone);
    fig.adoptModel(m);
    fig.changed('drawing');
    return `${m.stepsDone} training steps on ${drawn.classes.map((c) => `${c.points.length} ${c.name}`).join(', ')}`;
  },

  /** What the shell trains on: the current drawing. */
  drawn(fig) {
    const s = sketchOf(fig);
    s.pendingVersion = s.version;
    s.trainTotal = fig.state.trainSteps;
    return s.drawn();
  },

  async create(fig) {
    const { wasm } = fig;
    const s = sketchOf(fig);
    const plot = new Plot(wasm, { extent: LIMIT, title: 'your drawing', label: 'your drawing' });
    const over = plot.over;
    over.classList.add('dyo-canvas');
    plot.interactive(
      'Drawing canvas. Arrow keys move the brush cursor (Shift: faster), Space or Enter paints a dab, 1 to 8 pick a shown brush (a new one appears once the last is used, up to 8 classes), [ and ] change the brush size, U undoes a stroke.',
      'drawing canvas',
    );
    const hint = el('div', { class: 'dyo-hint', 'aria-hidden': 'true' });
    const toast = el('div', { class: 'dyo-toast', role: 'status', hidden: true });
    plot.box.append(hint, toast);

    let active = 0;
    const c = controls(fig, s, plot, { pick, changed, showToast, train });
    const { brushButtons, size, sizeOut, col } = c;
    fig.plots.append(col);

    function pick(i) {
      active = i;
      brushButtons.forEach((b, j) => {
        b.setAttribute('aria-pressed', String(j === i));
        b.classList.toggle('on', j === i);
      });
      if (hint.textContent) refreshStatus();
      overlayDirty = true;
      fig.request();
    }

    function train() {
      if (fig.isTraining()) {
        fig.stopTraining();
        refreshStatus();
        return;
      }
      if (s.total() === 0) {
        showToast('Draw something first: pick a brush and drag on the plot.');
        return;
      }
      const thin = s.brushes.find((b) => b.pts.length > 0 && b.pts.length < 3);
      if (thin) {
        showToast(
          `Brush ${thin.name} has only ${thin.pts.length} point${thin.pts.length > 1 ? 's' : ''}: draw a few more, or undo.`,
        );
        return;
      }
      s.autoTrain = false;
      fig.startTraining();
      fig.request();
    }

    let wasTraining = false;
    const sm = sampler(fig, s, { dirty, isDrawing: () => inp.drawing });
    const { request, syncModel, matches } = sm;
    const inp = input(fig, s, plot, {
      active: () => active,
      pick,
      changed,
      overlay: () => {
        overlayDirty = true;
        fig.request();
      },
    });

    let toastTimer = 0;
    function showToast(text) {
      toast.textContent = text;
      toast.hidden = !text;
      clearTimeout(toastTimer);
      if (text)
        toastTimer = setTimeout(() => {
          toast.hidden = true;
        }, 5000);
    }

    /** After any edit of the drawing: counts, caps, a redraw. */
    function changed(final = true) {
      if (s.full) showToast(s.full);
      else if (final) showToast('');
      pixDirty = true;
      overlayDirty = true;
      if (final) {
        refreshStatus();
        request();
      }
      fig.request();
    }

    // ---------- drawing ----------
    let pixDirty = true;
    let overlayDirty = true;
    function dirty() {
      pixDirty = true;
      fig.request();
    }
    const colorIdx = (name) => s.brushes.findIndex((b) => b.name === name);
    const { refreshStatus, describe } = words(fig, s, plot, c, sm, {
      hint,
      active: () => active,
      isDrawing: () => inp.drawing,
      colorIdx,
    });
    const { drawPix, drawOverlay } = painter(fig, s, plot, sm, inp, {
      active: () => active,
      colorIdx,
      dirty,
      describe,
    });

    function layout() {
      const side = Plot.sideFor(fig.width(), 1, { max: 460, min: 220 });
      plot.resize(side);
      col.style.maxWidth = `${Plot.widthFor(side)}px`;
      pixDirty = true;
      overlayDirty = true;
      fig.request();
    }

    pick(0);
    return {
      layout,
      // a loaded file replaced the drawing
      drawing: changed,
      weights() {
        syncModel();
        refreshStatus();
        request();
      },
      brush() {
        size.value = fig.state.brush;
        sizeOut.textContent = fmt(fig.state.brush, 2);
        overlayDirty = true;
      },
      sample() {
        refreshStatus();
        request(true);
      },
      changed() {
        pixDirty = true;
      },
      frame() {
        const training = fig.isTraining();
        if (training !== wasTraining) {
          wasTraining = training;
          refreshStatus();
          if (!training) request();
        }
        if (s.autoTrain && fig.model) {
          const r = fig.host.getBoundingClientRect();
          if (r.top < window.innerHeight && r.bottom > 0) {
            s.autoTrain = false;
            if (!fig.reducedMotion && !training && matches()) {
              fig.startTraining();
              return true;
            }
          }
        }
        if (pixDirty) {
          pixDirty = false;
          drawPix();
        }
        if (overlayDirty) {
          overlayDirty = false;
          drawOverlay();
        }
        return training || s.autoTrain;
      },
    };
  },
};
