// Draw your own data: one brush per class on the plot, a network trained on the drawing in a
// background worker, and samples of one class with guidance w drawn over it as it learns.
//
// The drawing is the reader's input, so it lives here (points and their brush jitter); every
// computation on it happens in wasm: training (the shell's worker), sampling, the exact field and
// the metrics (this figure's own worker, worker.js: for a drawing of thousands of
// points the exact field and the metrics cost far more than a frame).
//
// Why one file of about 600 lines: the toolbar, the pointer and keyboard input, the training row,
// the worker's results and the painting are closures over one state (the sketch, the active brush,
// the model's and the worker's versions of the drawing). The parts with their own state already
// have their own files: the sketch (sketch.js) and the worker (worker.js).
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { WorkerClient } from '../../lib/rpc.js';
import { NAMES, STD, LIMIT, exampleDrawing, sketchOf, drawingOf, shownBrushes } from './sketch.js';

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

    // ---------- toolbar ----------
    let active = 0;
    const brushButtons = NAMES.map((name, i) => {
      const count = el('span', { class: 'count' }, '0');
      const b = el(
        'button',
        {
          type: 'button',
          class: 'dyo-brush',
          style: `--c:${fig.colorOf(i)}`,
          'aria-pressed': 'false',
          title: `Draw class ${name} (key ${i + 1})`,
          onclick: () => pick(i),
        },
        el('span', { class: 'sw', 'aria-hidden': 'true' }),
        el('span', { class: 'name' }, name),
        count,
      );
      b.__count = count;
      b.__name = b.querySelector('.name');
      return b;
    });
    const sizeId = `dyo-size-${Math.random().toString(36).slice(2, 7)}`;
    const size = el('input', {
      id: sizeId,
      type: 'range',
      min: 0.05,
      max: 0.6,
      step: 0.01,
      value: fig.state.brush,
      oninput: () => fig.set('brush', Number(size.value)),
    });
    const sizeOut = el('output', { for: sizeId }, fmt(fig.state.brush, 2));
    const undoBtn = el(
      'button',
      {
        type: 'button',
        title: 'Undo the last stroke, clear or example (U)',
        onclick: () => {
          if (s.undo()) changed();
        },
      },
      'Undo',
    );
    const clearBtn = el(
      'button',
      {
        type: 'button',
        title: 'Remove every point (undoable)',
        onclick: () => {
          if (s.total()) {
            s.replace(NAMES.map(() => []));
            changed();
          }
        },
      },
      'Clear',
    );
    const exampleBtn = el(
      'button',
      {
        type: 'button',
        title: 'Bring back the example drawing, a smiley (undoable)',
        onclick: () => {
          s.replace(exampleDrawing());
          changed();
        },
      },
      'Example',
    );
    // the drawing as a points file (header x,y,label): cfg-playground train --data drawing.csv
    const csvBtn = el(
      'button',
      {
        type: 'button',
        title: 'Save the drawing as a points file (CSV x,y,label) for cfg-playground train --data',
        onclick: () => {
          const d = s.drawn();
          d.classes = d.classes.filter((c) => c.points.length >= 3);
          try {
            fig.download('drawing.csv', new Blob([wasm.pointsCsv(JSON.stringify(d))], { type: 'text/csv' }));
          } catch (e) {
            showToast(`Nothing to save: ${e.message}`);
          }
        },
      },
      'CSV',
    );
    const tools = el(
      'div',
      { class: 'dyo-tools' },
      el(
        'div',
        { class: 'dyo-brushes', role: 'group', 'aria-label': 'brush (class)' },
        el('span', { class: 'dyo-label' }, 'brush'),
        brushButtons,
      ),
      el(
        'div',
        {
          class: 'dyo-size',
          title: 'Radius of the brush in data units: each dab scatters points uniformly within it.',
        },
        el('label', { for: sizeId }, 'size'),
        size,
        sizeOut,
      ),
      el('div', { class: 'dyo-edit' }, undoBtn, clearBtn, exampleBtn, csvBtn),
    );

    // ---------- training row ----------
    const trainBtn = el(
      'button',
      { type: 'button', class: 'primary', onclick: () => train() },
      'Train on my drawing',
    );
    const bar = el('progress', { max: 1, value: 0, 'aria-label': 'training progress' });
    const status = el('div', { class: 'dyo-status', 'aria-live': 'polite' });
    const panel = () => fig.trainingPanel();
    const lossBtn = el(
      'button',
      {
        type: 'button',
        class: 'linkish',
        title: 'Open the training panel below the figure: loss curve, network size, learning rate',
        onclick: () => {
          const d = panel();
          if (!d) return;
          d.open = true;
          d.scrollIntoView({ block: 'nearest', behavior: fig.reducedMotion ? 'auto' : 'smooth' });
        },
      },
      'loss curve ↓',
    );
    const actions = el(
      'div',
      { class: 'dyo-actions' },
      trainBtn,
      el('div', { class: 'dyo-progress' }, bar, lossBtn),
      status,
    );
    const col = el('div', { class: 'dyo' }, tools, plot.el, actions);
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

    // ---------- the sampler worker ----------
    let worker = null;
    let modelRef = null;
    let modelId = 0;
    let req = 0;
    let inflight = null;
    let lastKey = '';
    let samples = null;
    let live = null;
    let wasTraining = false;
    // while training, the sampler rests as long as its last flow took, to leave the trainer CPU
    let restUntil = 0;
    let restTimer = 0;
    let sentDrawing = -1;
    try {
      worker = new WorkerClient(new URL('./worker.js', import.meta.url), {
        onFail: (m) => fig.message(`The sampler stopped: ${m}`),
      });
    } catch (e) {
      fig.message(`The sampler could not start: ${e.message}`);
    }
    const failed = (e) => {
      if (!e.cancelled) fig.message(`Sampling failed: ${e.message}`);
    };

    /** Sends flow `job` ({req, ...wanted()}) to the worker; its positions and metrics come back. */
    function sample(job) {
      const onProgress = (m) => {
        if (inflight !== job) return;
        if (!m.final) {
          // the first set of a model moves on screen; later ones replace the shown set when done
          if (!fig.reducedMotion && !usable(samples)) {
            live = { ...job, xy: m.xy };
            dirty();
          }
          return;
        }
        const now = performance.now();
        restUntil = now + Math.min(1500, now - job.t0);
        samples = {
          ...job,
          xy: m.xy,
          weights: job.exact ? -1 : m.stepsDone,
          metrics: null,
          measuring: job.metrics,
        };
        inflight = null;
        live = null;
        dirty();
        request();
      };
      const { t0, ...args } = job;
      job.call = worker.call('sample', args, { onProgress });
      job.call.then(
        ({ metrics }) => {
          if (metrics && samples && samples.req === job.req) {
            samples.metrics = metrics;
            samples.measuring = false;
            dirty();
          }
        },
        (e) => {
          if (inflight === job) inflight = null;
          failed(e);
        },
      );
    }

    const matches = () => s.modelVersion === s.version;
    /** Brushes with enough points to be classes of the drawing's exact field. */
    const drawnClasses = () => s.brushes.filter((b) => b.pts.length >= 3).map((b) => b.name);
    /**
     * The flow the view asks for now, or null (nothing to sample). The network samples the
     * drawing it was trained on; the exact field always samples the current drawing.
     */
    function wanted() {
      if (!worker) return null;
      const st = fig.state;
      const common = { cls: st.class, w: st.w, n: st.n, steps: st.steps, seed: st.seed, exact: st.exact };
      if (st.exact) {
        const names = drawnClasses();
        if (!names.length || (st.class !== 'null' && !names.includes(st.class))) return null;
        return { source: 'drawing', version: s.version, ...common, metrics: true };
      }
      const m = fig.model;
      if (!m || !matches() || m.stepsDone === 0) return null;
      return { source: 'model', id: modelId, ...common, weights: m.stepsDone, metrics: !fig.isTraining() };
    }
    /** Asks the worker for the wanted flow; while training, lets a running flow finish first. */
    function request(force = false) {
      const want = wanted();
      if (!want) return;
      const key = JSON.stringify(want);
      if (key === lastKey) return;
      if (fig.isTraining() && !force && !want.exact) {
        if (inflight) return;
        const wait = restUntil - performance.now();
        if (wait > 0) {
          if (!restTimer)
            restTimer = setTimeout(() => {
              restTimer = 0;
              request();
            }, wait);
          return;
        }
      }
      if (want.source === 'drawing' && sentDrawing !== s.version) {
        const d = s.drawn();
        d.classes = d.classes.filter((c) => c.points.length >= 3);
        worker.call('drawing', { version: s.version, json: JSON.stringify(d) }).catch(failed);
        sentDrawing = s.version;
      }
      lastKey = key;
      req += 1;
      // a flow still under way is replaced (one that is scoring its samples finishes)
      if (inflight) worker.cancel(inflight.call);
      inflight = { ...want, req, t0: performance.now() };
      sample(inflight);
    }

    function syncModel() {
      const m = fig.model;
      if (!m || !worker) return;
      if (m !== modelRef) {
        modelRef = m;
        modelId += 1;
        s.modelVersion = s.pendingVersion;
        samples = null;
        live = null;
        if (inflight) worker.cancel(inflight.call);
        inflight = null;
        lastKey = '';
        worker.call('model', { id: modelId, json: m.toJson('f32') }).catch(failed);
      } else {
        const p = m.params();
        worker
          .call('params', { id: modelId, params: p, stepsDone: m.stepsDone }, { transfer: [p.buffer] })
          .catch(failed);
      }
    }

    // ---------- drawing input ----------
    let hover = null;
    let keyCursor = null;
    let focused = false;
    let drawing = false;
    const clampXY = ([x, y]) => [Math.max(-LIMIT, Math.min(LIMIT, x)), Math.max(-LIMIT, Math.min(LIMIT, y))];

    over.addEventListener('pointerdown', (ev) => {
      if (ev.pointerType === 'mouse' && ev.button !== 0) return;
      over.setPointerCapture(ev.pointerId);
      const [x, y] = plot.eventToData(ev);
      hover = clampXY([x, y]);
      keyCursor = null;
      drawing = true;
      s.begin(active, fig.state.brush, x, y);
      changed(false);
    });
    over.addEventListener('pointermove', (ev) => {
      const [x, y] = plot.eventToData(ev);
      hover = clampXY([x, y]);
      if (drawing) {
        for (const e of ev.getCoalescedEvents?.() ?? [ev]) s.to(...plot.eventToData(e));
        changed(false);
      } else {
        overlayDirty = true;
        fig.request();
      }
    });
    const up = () => {
      if (!drawing) return;
      drawing = false;
      s.end();
      changed();
    };
    over.addEventListener('pointerup', up);
    over.addEventListener('pointercancel', up);
    over.addEventListener('pointerleave', () => {
      if (!drawing) {
        hover = null;
        overlayDirty = true;
        fig.request();
      }
    });
    over.addEventListener('focus', () => {
      focused = true;
      // reached with the keyboard: show the cursor where the next dab goes
      if (over.matches(':focus-visible')) keyCursor ??= hover ?? [0, 0];
      overlayDirty = true;
      fig.request();
    });
    over.addEventListener('blur', () => {
      focused = false;
      keyCursor = null;
      overlayDirty = true;
      fig.request();
    });
    over.addEventListener('keydown', (ev) => {
      const step = ev.shiftKey ? 0.4 : 0.1;
      const moves = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, step],
        ArrowDown: [0, -step],
      };
      keyCursor ??= hover ?? [0, 0];
      if (moves[ev.key]) {
        keyCursor = clampXY([keyCursor[0] + moves[ev.key][0], keyCursor[1] + moves[ev.key][1]]);
        overlayDirty = true;
        fig.request();
      } else if (ev.key === ' ' || ev.key === 'Enter') {
        s.begin(active, fig.state.brush, ...keyCursor);
        s.end();
        changed();
      } else if (/^[1-8]$/.test(ev.key) && Number(ev.key) <= shownBrushes(s.brushes)) {
        pick(Number(ev.key) - 1);
      } else if (ev.key === '[' || ev.key === ']') {
        const v = Math.round((fig.state.brush + (ev.key === ']' ? 0.05 : -0.05)) * 100) / 100;
        fig.set('brush', Math.max(0.05, Math.min(0.6, v)));
      } else if (ev.key === 'u' || ev.key === 'U' || ((ev.ctrlKey || ev.metaKey) && ev.key === 'z')) {
        if (s.undo()) changed();
      } else return;
      ev.preventDefault();
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
    const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
    const colorIdx = (name) => s.brushes.findIndex((b) => b.name === name);

    /** Whether a sample set belongs to what is on screen (or may stand in while its replacement is computed). */
    function current(x) {
      return x.source === 'drawing' ? x.version === s.version : x.id === modelId && matches();
    }
    function usable(x) {
      if (!x || drawing) return false;
      if (current(x) && x.exact === fig.state.exact) return true;
      // a set stands in while the set for the current view is on its way
      if (!inflight || !current(inflight)) return false;
      return current(x) || (x.source === 'drawing' && inflight.source === 'drawing');
    }
    /** The sample set to show: the last finished one, or the first one still moving. */
    function shown() {
      if (usable(samples)) return samples;
      if (live && current(live)) return live;
      return null;
    }

    // the axes take their colours from the stylesheet (the shell has waited for it): redraw
    // them when the colour scheme changes
    let axesBg = '';
    const restyle = () => {
      axesBg = '';
      dirty();
    };
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', restyle);

    function drawPix() {
      pixDirty = false;
      const bg = css('--cfg-plot-bg', '');
      if (bg !== axesBg) {
        axesBg = bg;
        plot.drawAxes();
      }
      const p = plot.painter;
      const dpr = plot.dpr;
      const set = shown();
      p.clear();
      s.brushes.forEach((b, i) => {
        if (b.pts.length) p.points(s.xyOf(i), i, set ? 0.25 : 0.8, (set ? 1.8 : 1.6) * dpr);
      });
      if (set) p.points(set.xy, set.cls === 'null' ? -1 : colorIdx(set.cls), 0.85, 1.3 * dpr);
      plot.put();
      describe(set);
    }

    function drawOverlay() {
      overlayDirty = false;
      const ctx = plot.overlay();
      const at = keyCursor ?? hover;
      if (!at) return;
      const [px, py] = plot.painter.toPixel(at[0], at[1]);
      const rPx = (fig.state.brush / (2 * LIMIT)) * plot.side * plot.dpr;
      const color = fig.colorOf(active);
      ctx.beginPath();
      ctx.arc(px, py, rPx, 0, 2 * Math.PI);
      ctx.lineWidth = 1.5 * plot.dpr;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.globalAlpha = 0.12;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.stroke();
      if (keyCursor && focused) {
        // a crosshair marks the keyboard cursor
        const a = rPx + 5 * plot.dpr;
        const b = rPx + 11 * plot.dpr;
        plot.segments(
          ctx,
          [px - b, py, px - a, py, px + a, py, px + b, py, px, py - b, px, py - a, px, py + a, px, py + b],
          css('--cfg-fg', '#000'),
          1.5,
        );
      }
    }

    // ---------- words ----------
    function refreshStatus() {
      const training = fig.isTraining();
      const m = fig.model;
      const done = m?.stepsDone ?? 0;
      const total = Math.max(1, s.trainTotal || fig.state.trainSteps);
      trainBtn.textContent = training ? 'Stop training' : 'Train on my drawing';
      bar.max = total;
      bar.value = matches() ? Math.min(done, total) : 0;
      lossBtn.hidden = !panel();
      const counts = s.brushes.map((b) => b.pts.length);
      brushButtons.forEach((b, i) => {
        b.__count.textContent = String(counts[i]);
        b.__name.textContent = s.brushes[i].name;
        b.title = `Draw class ${s.brushes[i].name} (key ${i + 1})`;
        // the first four brushes, and one past the last in use: up to 8 classes
        b.hidden = i >= shownBrushes(s.brushes) && i !== active;
      });
      undoBtn.disabled = s.history.length === 0;
      clearBtn.disabled = s.total() === 0;
      let text;
      if (training && matches())
        text = `Training on your drawing: step ${done} of ${total}. The samples follow the network as it learns.`;
      else if (training)
        text = `Training on an earlier version of your drawing (step ${done} of ${total}). Press Stop, then Train, to learn the new strokes.`;
      else if (!matches() && s.total() === 0) text = 'Pick a brush and draw on the plot.';
      else if (!matches())
        text = 'Your drawing changed since training. Press Train to learn it (a few seconds).';
      else if (done === 0)
        text = fig.reducedMotion
          ? 'Not trained yet. Press Train to fit a network to this drawing (a few seconds), or tick ground truth to sample its exact field.'
          : 'Not trained yet: press Train (a few seconds).';
      else if (done < total) text = `Stopped after ${done} of ${total} training steps.`;
      else text = `Trained for ${done} steps on this drawing.`;
      status.textContent = text;
      // the hint over the plot
      hint.textContent = s.total() === 0 ? `Drag here to draw with brush ${s.brushes[active].name}` : '';
      hint.hidden = !hint.textContent;
    }

    /** Why no samples are shown, in a few words. */
    function whyNone() {
      const st = fig.state;
      if (drawing) return 'samples return when you lift the brush';
      if (st.exact) {
        const names = drawnClasses();
        if (!names.length) return 'draw at least 3 points to sample the exact field';
        if (st.class !== 'null' && !names.includes(st.class))
          return `brush ${st.class} has no points in your drawing`;
        return 'sampling the exact field…';
      }
      if (!fig.model) return '';
      if (!matches())
        return s.total()
          ? 'network samples appear once it is trained on this drawing (or tick ground truth)'
          : '';
      if (fig.model.stepsDone === 0)
        return fig.isTraining()
          ? 'sampling…'
          : 'no network samples before training (tick ground truth for the exact field)';
      return 'sampling…';
    }

    let lastWords = '';
    function describe(set) {
      const counts = s.brushes.map((b, i) => [b.name, b.pts.length, i]).filter((c) => c[1] > 0);
      const keys = counts.length
        ? el(
            'span',
            { class: 'dyo-keys', 'aria-hidden': 'true' },
            counts.map(([, , i]) => el('span', { style: `background:${fig.colorOf(i)}` })),
          )
        : null;
      const drawingLine = el(
        'div',
        {},
        keys,
        `your drawing: ${s.total()} points`,
        counts.length ? ` (${counts.map(([n, k]) => `${n} ${k}`).join(' · ')})` : '',
      );
      const lines = [drawingLine];
      const fieldName = (x) =>
        x.exact ? 'exact field of your drawing' : `network after ${x.weights} training steps`;
      if (set) {
        const color = set.cls === 'null' ? fig.colorOf(-1) : fig.colorOf(colorIdx(set.cls));
        const what =
          set.cls === 'null'
            ? `${set.n} unconditional samples (class null)`
            : `${set.n} samples of class ${set.cls} at w = ${fmt(set.w, 1)}`;
        const stale = set !== live && !(current(set) && set.exact === fig.state.exact);
        lines.push(
          el(
            'div',
            {},
            el('span', { class: 'key', style: `background:${color}`, 'aria-hidden': 'true' }),
            what,
          ),
        );
        lines.push(
          el(
            'div',
            { class: 'sub' },
            `${set.steps} Euler steps, ${fieldName(set)}${set === live ? ' (moving)' : stale ? ' (updating…)' : ''}`,
          ),
        );
        if (set === samples) {
          if (set.metrics) {
            const mt = set.metrics;
            if (set.cls !== 'null') {
              lines.push(
                el(
                  'div',
                  {
                    title: `Share of the ${set.n} samples whose most likely class under your drawing (each point a Gaussian of σ = ${STD}) is ${set.cls}.`,
                  },
                  'hit rate ',
                  el('b', {}, fmt(mt.hitRate, 2)),
                  ` (${Math.round(mt.hitRate * set.n)} of ${set.n})`,
                ),
              );
            }
            lines.push(
              el(
                'div',
                {
                  title:
                    'Share of the samples where the density of your drawing is below the level that 99.9% of its own points exceed.',
                },
                'off the drawing ',
                el('b', {}, fmt(mt.offSupport, 2)),
                ` (${Math.round(mt.offSupport * set.n)} of ${set.n})`,
              ),
            );
          } else if (set.measuring) {
            lines.push(el('div', {}, 'hit rate: measuring…'));
          } else {
            lines.push(el('div', {}, 'hit rate: measured once training stops'));
          }
        }
      } else {
        const why = whyNone();
        if (why) lines.push(el('div', { class: 'sub' }, why));
      }
      // the readout is a live region: touch it only when its words change
      const words = lines.map((l) => l.textContent).join('\n');
      if (words !== lastWords) {
        lastWords = words;
        fig.readout(...lines);
      }
      const title = set
        ? `${set.cls === 'null' ? 'unconditional samples' : `samples of ${set.cls}, w = ${fmt(set.w, 1)}`} · ${set.exact ? 'exact field' : `network, step ${set.weights}`}`
        : 'your drawing';
      plot.setTitle(title);
      plot.setLabel(
        `Your drawing: ${s.total()} points${counts.length ? ` (${counts.map(([n, k]) => `${k} of class ${n}`).join(', ')})` : ''}.` +
          (set
            ? ` Over it, ${set.n} samples of ${set.cls === 'null' ? 'the unconditional model' : `class ${set.cls} at guidance w = ${fmt(set.w, 1)}`} from the ${fieldName(set)}.`
            : '') +
          (set?.metrics && set.cls !== 'null' ? ` Hit rate ${fmt(set.metrics.hitRate, 2)}.` : ''),
      );
    }

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
        if (pixDirty) drawPix();
        if (overlayDirty) drawOverlay();
        return training || s.autoTrain;
      },
    };
  },
};
