// Beyond the post: the modern guidance family on the same data. Three panels sample one class
// from the same noise, each by a method of the reader's choice at one strength w, with hit rate,
// diversity, off-support and network calls under it; the frontier chart traces every method over
// w = 1…9 (computed in the page's worker pool, guidance-lab/frontier-chunks.js), and each of its points sets
// the panels to its strength. Autoguidance is guided by the shipped weak guide
// (www/models/guide-D.json), by the widened mixture on the exact field, and, while a model trains
// here, by that run's checkpoint at a tenth of its steps.
import { el, fmt } from '../../lib/dom.js';
import { pretrainedText } from '../../lib/models.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import {
  LAB_METHODS,
  LABEL,
  COLOR,
  FRONTIER_WS,
  GUIDE_WIDEN,
  AXES,
  RESAMPLES,
  SCHEDULES,
  CFGPP_STEPS,
  rescalePhi,
  labMethod,
  needsGuide,
} from './methods.js';
import { Frontier, scoreText } from './frontier.js';

const PANELS = ['panel1', 'panel2', 'panel3'];
/** The module of the lab's pool chunks (the frontier's points, the panels' noise bands). */
const CHUNKS = new URL('./frontier-chunks.js', import.meta.url).href;
const panel = (key, label, d) => ({
  key,
  label,
  type: 'enum',
  default: d,
  options: LAB_METHODS,
  help: `The method of the ${label}: CFG, the guidance interval (CFG for t in [0.15, 0.8]), APG (η = 0), CFG-Zero* (K = 1), autoguidance, CFG++ (its strength w at ${CFGPP_STEPS} steps, and changing with the step count) or guidance rescale (φ = 0.7).`,
});
/**
 * Why 1,000 samples (measured with tests/lab-bench.js in headless Chromium on a shared 2-core
 * machine, spirals, w = 2): at 250 / 500 / 1,000 / 2,000 samples the ± of CFG's W2 is 0.084 /
 * 0.069 / 0.054 / 0.034, the panels take 0.17 / 0.47 / 0.99 / 2.4 s, the frontier 3.8 / 7.6 /
 * 17 / 31 s, and the frames' median and 95th percentile stay at 16.7 ms (one frame in 50 or
 * fewer over 50 ms at every count: the machine's load, not the lab). Those frontier times are of
 * six methods; the seventh (guidance rescale) adds about a sixth: tests/pool-bench.js at 1,000
 * samples, same session, shared machine: 9.0 → 10.8 s with one pool worker, 5.0 → 6.0 s with two.
 */
const SAMPLE_NOTE =
  'The default 1,000 samples is measured: at 500 the ± of W2 is about 0.07 and CFG’s and autoguidance’s bands touch (spirals, w = 2); at 1,000 it is about 0.05 and they part, the panels take a second and the frontier 10 to 20 s in the background, and frames keep 60 per second. ';
/** Least time between two redraws of the frontier while it fills in. */
const REDRAW_MS = 150;

export default {
  id: 'guidance-lab',
  title: 'Better guidance',
  post: 'beyond the post',
  wide: true,
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: another data set (its
  // models and view); new weights (the panels at once, the frontier after its pass); the panels
  // and the frontier; the panels only (the frontier already has every method at every w)
  params: [
    ...fx('data', P.dataset('spirals')),
    ...fx('all', P.cls('spiral-a')),
    ...fx(
      'panels',
      panel('panel1', 'left panel', 'cfg'),
      panel('panel2', 'middle panel', 'guidance-interval'),
      panel('panel3', 'right panel', 'autoguidance'),
      {
        ...P.w(2, 9),
        min: 1,
        help: 'The strength of every panel’s method: at 1 each is plain conditional sampling (CFG-Zero* but for its zero first step); a point of the chart sets its strength.',
      },
    ),
    ...fx(
      'all',
      {
        key: 'schedule',
        label: 'w(t)',
        type: 'enum',
        default: 'constant',
        options: SCHEDULES,
        help: 'How the guidance strength varies from noise (t = 0) to data (t = 1), always with mean w: w(t) = 1 + (w − 1)·s(t), s constant, rising, falling, a cosine, a peak mid-run, the first or the last half only, or the interval [0.15, 0.8] only (the plot beside it). For CFG, APG, CFG-Zero* and autoguidance.',
      },
      {
        ...P.steps(40, 100),
        help: 'Number of Euler steps from noise to data (try 10, 40 and 100 with CFG++).',
      },
    ),
    ...fx('all', P.n(1000, 2000), P.seed(), P.exact()),
    ...fx('axes', {
      key: 'axis',
      label: 'frontier shows',
      type: 'enum',
      default: 'W2',
      options: Object.keys(AXES),
      help: 'The frontier’s vertical axis, against diversity: the sliced W2 distance to the class, the hit rate, or the off-support share.',
    }),
    ...trainParams(),
  ],
  effects: ['data', 'weights', 'all', 'panels', 'axes'],
  controls: ['dataset', 'class', 'panel1', 'panel2', 'panel3', 'w', 'schedule', 'steps', 'axis', 'exact'],
  trainNote:
    'Trains a fresh network in a background worker; its checkpoint at a tenth of the steps becomes autoguidance’s guide.',
  caption: () => [
    'Three methods at w from the same noise; all traced over w = 1…9: ',
    el('b', {}, 'W2'),
    ', hit or off-support against ',
    el('b', {}, 'diversity'),
    ', ± noise.',
  ],
  howToRead: (fig) => [
    'Each panel samples the chosen class from the same starting noise with one method at strength w. ',
    el('b', {}, 'CFG'),
    ' is v_u + w·(v_c − v_u); the ',
    el('b', {}, 'guidance interval'),
    ' applies it only for t in [0.15, 0.8] (Kynkäänniemi et al. 2024); ',
    el('b', {}, 'APG'),
    ' drops the part of the guidance along the predicted data point (Sadat et al. 2024); ',
    el('b', {}, 'CFG-Zero*'),
    ' scales v_u by its best fit to v_c and starts with a zero step (Fan et al. 2025); ',
    el('b', {}, 'autoguidance'),
    ' guides the model by a weaker model of the same data, v_bad + w·(v_good − v_bad) (Karras et al. 2024); ',
    el('b', {}, 'guidance rescale'),
    ` scales CFG’s velocity back toward the conditional velocity’s length, φ = ${rescalePhi(fig.wasm)} of the way (its default; Lin et al. 2024); `,
    el('b', {}, 'CFG++'),
    ' renoises each step with the unguided prediction, which is CFG at a strength that grows with the number of steps (Chung et al. 2025). ',
    'Under each panel: hit rate (the share of samples whose most likely class is the one asked for), diversity (the spread of the samples over the class’s), off-support (the share below the data’s 0.1% density level), ',
    el('b', {}, 'W2'),
    ' (the sliced Wasserstein-2 distance from the samples to 4,000 points of the class: 0 is the class itself, and it is where a method’s claim lives, since it sees both precision and coverage) and network calls per sample. ',
    'Each ± (and each bar of the chart) is two standard deviations of the number over ',
    `${RESAMPLES} bootstrap resamples of the samples, computed in the background: two methods whose bands overlap are not told apart. `,
    SAMPLE_NOTE,
    'The chart traces every method from w = 1 to 9 (its points grow with w; the ringed ones are the panels’ w; guidance rescale’s curve is dashed, its points diamonds), one number against diversity: low W2 is close to the class; up and to the right in hit rate is precision that keeps the spread; low off-support is few samples off the data. Click a point, or Tab to it and press Enter, to set the panels to its w. ',
    'Autoguidance’s guide is the shipped weak model (a network half as wide, trained a fifth as long); with ground truth it is the data’s mixture with every covariance widened ',
    `${GUIDE_WIDEN}×, an analytic stand-in for an underfit model; after training here, your run’s checkpoint at a tenth of its steps.`,
  ],
  async create(fig) {
    const { wasm } = fig;
    const row = el('div', { class: 'gl-panels' });
    const panels = PANELS.map((key) => {
      const plot = new Plot(wasm, { extent: 3, label: 'samples', title: '…', compact: true });
      const under = el('div', { class: 'gl-metrics' }, '…');
      plot.el.append(under);
      row.append(plot.el);
      return { key, plot, under, flow: null, metrics: null, bands: null, dirty: true, name: '' };
    });
    const frontier = new Frontier((w) => fig.set('w', w));
    fig.plots.append(row, frontier.el);

    // ---------- autoguidance's guide ----------
    const shipped = new Map(); // data set → Model (the shipped guide), once fetched
    let own = null; // { model, step }: this page's training run's checkpoint at a tenth
    let modelSerial = 0;

    function loadGuide(ds) {
      if (shipped.has(ds)) return;
      shipped.set(ds, null);
      pretrainedText(`guide-${ds}`).then(
        (text) => {
          shipped.set(ds, wasm.Model.fromJson(text));
          if (fig.model?.dataset === ds) {
            restartPanels();
            planFrontier();
            fig.request();
          }
        },
        (e) => fig.message(`Autoguidance has no guide: ${e.message}`),
      );
    }
    /** The guide network now (null: none yet); on the exact field none is needed. */
    function guide() {
      if (own) return own.model;
      // while a run trains, wait for its own checkpoint (the shipped guide is better than an early model)
      if (!fig.pretrained && fig.isTraining()) return null;
      return shipped.get(fig.model.dataset) ?? null;
    }
    function guideText() {
      if (fig.state.exact)
        return `Autoguidance’s guide: the data’s mixture with covariances × ${GUIDE_WIDEN}.`;
      if (own) return `Autoguidance’s guide: this run’s checkpoint at step ${own.step}.`;
      if (!guide())
        return `Autoguidance waits for this run’s checkpoint at step ${Math.ceil(fig.state.trainSteps / 10)}.`;
      return `Autoguidance’s guide: guide-${fig.model.dataset}.json (weaker).`;
    }
    /** A new model object: forget the last run's guide. Weights from a run: its checkpoint at a tenth. */
    function newModel() {
      own?.model.free();
      own = null;
      modelSerial += 1;
      loadGuide(fig.model.dataset);
    }
    function checkpoint() {
      const m = fig.model;
      if (own || fig.pretrained || !fig.isTraining() || m.stepsDone < fig.state.trainSteps / 10) return;
      own = { model: wasm.Model.fromJson(m.toJson('f32')), step: m.stepsDone };
      fig.host.dataset.cfgGuideStep = String(m.stepsDone);
    }

    // ---------- the panels ----------
    const waiting = (name) => needsGuide(wasm, name) && !fig.state.exact && !guide();
    function restartPanels() {
      const s = fig.state;
      for (const p of panels) {
        p.flow?.free();
        p.name = s[p.key];
        p.flow = new wasm.Flow(fig.model, s.class, s.n, s.steps, 'euler', s.seed, false);
        p.metrics = null;
        p.bands = null;
        p.dirty = true;
        p.plot.setTitle(
          el('b', { class: 'key-text', style: `--key-color:${COLOR[p.name]}` }, LABEL[p.name]),
          el('span', {}, ` w = ${fmt(s.w, s.w % 1 ? 1 : 0)}`),
        );
        p.plot.setLabel(`samples of ${s.class} by ${LABEL[p.name]} at w = ${s.w}`);
        p.under.textContent = waiting(p.name) ? 'waiting for the guide…' : '…';
      }
      fig.host.dataset.cfgPanels = 'running';
      fig.host.dataset.cfgBands = 'running';
    }
    function layout() {
      // (read here, not in a frame: reading a width there can force the page's layout)
      width = fig.width();
      const side = Plot.sideFor(width, 3, { compact: true, gap: 10, min: 60, max: 280 });
      // narrow panels put each number on a line of its own
      row.classList.toggle('narrow', side < 200);
      // the widest panels hold the numbers in two lines (style.css)
      row.classList.toggle('roomy', side >= 280);
      for (const p of panels) {
        if (p.plot.resize(side)) p.dirty = true;
        p.plot.setExtent(fig.model.extent);
      }
      frontierDirty = true;
    }
    // (with reduced motion, a panel shows its samples once they are done)
    const drawable = (p) => p.dirty && (!fig.reducedMotion || p.flow.done);
    function drawPanel(p) {
      const painter = p.plot.painter;
      p.plot.backdrop(`${fig.model.dataset}|${modelSerial}`, (q) =>
        q.data(fig.model, 0.12, 0.9 * p.plot.dpr),
      );
      painter.particles(p.flow, -1, fig.classes.indexOf(fig.state.class), 0.7, 1.2 * p.plot.dpr);
      p.plot.put();
      p.dirty = false;
    }
    /** A panel's numbers under it, each with ± its band once the worker has measured it. */
    function showMetrics(p) {
      const m = p.metrics;
      const parts = [
        ...scoreText(m, p.bands, '|').split('|'),
        fig.state.exact ? 'exact field' : `${m.callsPerSample} calls`,
      ];
      p.under.replaceChildren(
        ...parts.flatMap((t, i) =>
          i ? [el('span', { class: 'sep' }, ' · '), el('span', {}, t)] : [el('span', {}, t)],
        ),
      );
      fig.host.dataset.cfgBands = panels.every((q) => q.bands) ? 'done' : 'running';
    }
    /** The panel's noise bands, from the worker pool (a bootstrap of its samples: frames stay smooth). */
    function askBands(p) {
      const flow = p.flow;
      fig.pool
        .run({
          url: CHUNKS,
          method: 'bands',
          common: { model: modelText(), cls: fig.state.class, seed: fig.state.seed },
          chunks: [{ xy: flow.positions().slice() }],
        })
        .done.then(
          ([b]) => {
            if (p.flow !== flow) return;
            p.bands = b;
            showMetrics(p);
            fig.request();
          },
          (e) => {
            if (!e.cancelled) fig.message(`The noise bands failed: ${e.message}`);
          },
        );
    }
    /** Advances the panels within `budget` ms; returns whether one finished (its measures took the rest of the frame). */
    function advancePanels(budget) {
      const t0 = performance.now();
      let ended = false;
      const open = panels.filter((p) => !p.flow.done && !waiting(p.name));
      for (const p of open) {
        const left = budget - (performance.now() - t0);
        if (left <= 0) break;
        p.flow.advanceFor(
          labMethod(wasm, p.name, fig.state.w, fig.state.exact, guide(), fig.state.schedule),
          fig.model,
          Math.max(0.5, left / open.length),
        );
        p.dirty = true;
        if (p.flow.done) {
          p.metrics = fig.model.metrics(p.flow);
          showMetrics(p);
          askBands(p);
          ended = true;
          break;
        }
      }
      if (panels.every((p) => p.metrics)) fig.host.dataset.cfgPanels = 'done';
      return ended;
    }

    // ---------- w(t): a small plot of the schedule beside its control ----------
    const SVG = 'http://www.w3.org/2000/svg';
    const curve = document.createElementNS(SVG, 'svg');
    curve.setAttribute('class', 'gl-schedule');
    curve.setAttribute('viewBox', '0 0 64 24');
    curve.setAttribute('role', 'img');
    const line = document.createElementNS(SVG, 'polyline');
    const base = document.createElementNS(SVG, 'line'); // w(t) = 1: plain conditional
    curve.append(base, line);
    fig.control('schedule')?.append(curve);
    function drawSchedule() {
      const { schedule, w } = fig.state;
      let ys;
      try {
        ys = wasm.scheduleCurve(schedule, w, 0.15, 0.8, 65);
      } catch (e) {
        fig.message(e.message);
        return;
      }
      const top = Math.max(2 * w - 1, 1.0001, ...ys); // the axis: 0 … the largest w(t) any shape reaches at this w
      const y = (v) => 22 - (20 * v) / top;
      line.setAttribute('points', [...ys].map((v, i) => `${i},${y(v).toFixed(2)}`).join(' '));
      base.setAttribute('x1', '0');
      base.setAttribute('x2', '64');
      base.setAttribute('y1', y(1).toFixed(2));
      base.setAttribute('y2', y(1).toFixed(2));
      curve.setAttribute(
        'aria-label',
        `w(t) from ${fmt(ys[0], 2)} at t = 0 to ${fmt(ys[ys.length - 1], 2)} at t = 1, mean ${fmt(w, 2)}`,
      );
    }

    // ---------- the frontier, in the page's worker pool: one chunk per method and strength ----------
    let results = new Map(); // method → Map(w → metrics)
    let call = null;
    let stale = false;
    let frontierDirty = true;
    let lastDraw = 0;
    let width = 0; // the figure's width at the last layout
    let drawn = false; // the first frame has drawn the panels and the frontier
    let shownReadout = '';
    // the model file text the pool measures with (made once per weights)
    let text = { serial: -1, step: -1, model: null, value: null };
    function modelText() {
      const m = fig.model;
      if (text.serial !== modelSerial || text.step !== m.stepsDone || text.model !== m)
        text = { serial: modelSerial, step: m.stepsDone, model: m, value: m.toJson('f32') };
      return text.value;
    }
    const measured = () => [...results.values()].reduce((s, m) => s + m.size, 0);
    const total = () => FRONTIER_WS.length * LAB_METHODS.filter((n) => !waiting(n)).length;
    function planFrontier() {
      call?.cancel();
      const s = fig.state;
      const g = guide();
      results = new Map(LAB_METHODS.map((n) => [n, new Map()]));
      stale = false;
      frontierDirty = true;
      fig.host.dataset.cfgFrontier = 'running';
      // the strengths in order, every method at each: every curve grows together
      const chunks = FRONTIER_WS.flatMap((w) => LAB_METHODS.map((method) => ({ method, w })));
      const mine = fig.pool.run({
        url: CHUNKS,
        method: 'point',
        common: {
          model: modelText(),
          guide: s.exact || !g ? null : g.toJson('f32'),
          cls: s.class,
          exact: s.exact,
          n: s.n,
          steps: s.steps,
          seed: s.seed,
          schedule: s.schedule,
        },
        chunks,
        onChunk: (k, p) => {
          if (call !== mine || !p) return;
          results.get(p.method)?.set(p.w, { metrics: p.metrics, bands: p.bands });
          frontierDirty = true;
          fig.request();
        },
      });
      call = mine;
      mine.done.then(
        () => {
          if (call !== mine) return;
          call = null;
          fig.host.dataset.cfgFrontier = 'done';
          if (stale) planFrontier();
          frontierDirty = true;
          fig.request();
        },
        (e) => {
          if (call === mine) call = null;
          if (!e.cancelled) fig.message(`The frontier failed: ${e.message}`);
        },
      );
    }
    function drawFrontier(now) {
      const s = fig.state;
      const how = s.exact
        ? 'exact field'
        : fig.pretrained
          ? 'network (pretrained)'
          : `network after ${fig.model.stepsDone} steps`;
      const progress = call ? `measuring ${Math.min(total(), measured() + 1)} of ${total()}… ` : '';
      frontier.draw(results, {
        methods: LAB_METHODS,
        width,
        w: s.w,
        axis: s.axis,
        note: `${progress}Each point: ${s.n} samples of ${s.class}, ${s.steps} Euler steps, ${how}.`,
      });
      frontierDirty = false;
      lastDraw = now;
    }

    return {
      layout() {
        layout();
        fig.request();
      },
      data() {
        drawSchedule();
        newModel();
        layout();
        restartPanels();
        planFrontier();
      },
      weights() {
        // weights from training: the panels follow at once, the frontier once its pass is done
        checkpoint();
        restartPanels();
        if (call) stale = true;
        else planFrontier();
      },
      all() {
        drawSchedule();
        restartPanels();
        planFrontier();
      },
      panels() {
        drawSchedule();
        restartPanels();
        frontierDirty = true;
      },
      axes() {
        frontierDirty = true;
      },
      frame(now, budget) {
        if (!fig.model) return false;
        // after the first frame, a frame in which a panel finished (its measures) draws nothing,
        // and the frontier waits for a frame that drew no panel (on a slow phone, no frame adds
        // up these)
        const ended = advancePanels(budget) && drawn;
        let panelsDrawn = ended;
        for (const p of panels)
          if (!ended && drawable(p)) {
            drawPanel(p);
            panelsDrawn = true;
          }
        if (frontierDirty && (!call || now - lastDraw > REDRAW_MS) && (!drawn || !panelsDrawn))
          drawFrontier(now);
        drawn = true;
        const text = guideText();
        if (text !== shownReadout) {
          shownReadout = text;
          fig.readout(el('div', { class: 'gl-note' }, text));
        }
        return panels.some((p) => (!p.flow.done && !waiting(p.name)) || drawable(p)) || frontierDirty;
      },
    };
  },
};
