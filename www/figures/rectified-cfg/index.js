// Rectified CFG, live: predictor–corrector guidance next to plain CFG at equal network calls.
// Rectified CFG follows the conditional velocity and adds the guidance direction measured half a
// step ahead, v = v_c(x, t) + α(t)·(v_c − v_u)(x + Δt/2·v_c, t + Δt/2), α(t) = λ_max·(1 − t)^γ:
// three network calls per Euler step. Plain CFG gets ⌈3K/2⌉ steps of two calls for the same cost.
// Both start from the same noise; trails show the last steps; hit rate and diversity are measured
// on the samples once they reach t = 1.
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { PathStrip, meanAxis, stackForExport } from '../../lib/path-strip.js';
import { cfg, method } from '../../lib/method.js';
import { PlayHead } from '../../lib/playbar.js';

const TWO = ['non-overlapping', 'overlapping'];
/** Milliseconds for t to run from 0 to 1 on screen (a few Euler steps are visible one by one). */
const PLAY_MS = 2600;
/** Frames of t from 0 to 1 for the GIF/WebM recorder's play head. */
const REC_STEPS = 60;

export default {
  id: 'rectified-cfg',
  title: 'Rectified CFG',
  post: 'predictor–corrector guidance',
  styles: ['style.css'],
  // it animates (the replay): the GIF/WebM recorder steps its play head, `playHead`, through t
  // (www/shell/record.js)
  animates: true,
  // what a change invalidates (www/shell/effects.js), strongest first: another data set (view and
  // runs); new runs (from new noise, or, for new weights, the same); both panels restarted; the
  // rectified-CFG panel; the CFG panel
  params: [
    ...fx('data', P.dataset('overlapping', TWO)),
    ...fx('build', { ...P.cls('upper-right'), help: 'The class to sample, and to guide toward.' }),
    ...fx(
      'left',
      {
        key: 'lambdaMax',
        label: 'λ_max',
        type: 'number',
        default: 2,
        min: 0,
        max: 10,
        step: 0.1,
        help: 'Rectified CFG’s guidance strength at t = 0: α(t) = λ_max·(1 − t)^γ. λ_max = 0 is plain conditional sampling.',
      },
      {
        key: 'gamma',
        label: 'γ',
        type: 'number',
        default: 1,
        min: 0,
        max: 4,
        step: 0.1,
        help: 'How fast rectified CFG’s guidance fades: α(t) = λ_max·(1 − t)^γ. γ = 0 keeps it constant; larger γ stops guiding earlier.',
      },
    ),
    ...fx('right', {
      ...P.w(3, 10),
      label: 'CFG w',
      help: 'Guidance scale of the plain-CFG panel: v = v_u + w·(v_c − v_u).',
    }),
    ...fx('build', {
      ...P.steps(8, 60),
      label: 'steps K',
      help: 'Euler steps of rectified CFG (3 network calls each). Plain CFG gets ⌈3K/2⌉ steps of 2 calls: the same number of network calls.',
    }),
    ...fx('both', P.exact()),
    ...fx('build', P.n(1000, 3000), P.seed()),
    ...trainParams(),
  ],
  effects: ['data', 'build', 'weights', 'both', 'left', 'right'],
  controls: ['dataset', 'class', 'lambdaMax', 'gamma', 'w', 'steps', 'exact', 'n', 'seed'],
  caption: () => [
    el('b', {}, 'Left'),
    ': rectified CFG, guidance measured half a step ahead with a weight α(t) that vanishes at t = 1 (three calls per step). ',
    el('b', {}, 'Right'),
    ': CFG with the same number of network calls. Under each, its probability path and scores.',
  ],
  howToRead: () => [
    el('b', {}, 'Left'),
    ': rectified CFG. Each Euler step takes the conditional velocity v',
    el('sub', {}, 'c'),
    '(x, t), moves half a step along it, ',
    'and there measures the guidance direction v',
    el('sub', {}, 'c'),
    ' − v',
    el('sub', {}, 'u'),
    ', added with weight α(t) = λ',
    el('sub', {}, 'max'),
    '·(1 − t)',
    el('sup', {}, 'γ'),
    ': ',
    'three network calls per step, with guidance strongest early, where the class is decided, and gone at t = 1. ',
    el('b', {}, 'Right'),
    ': plain CFG, ',
    ...cfgFormula(),
    ', given the same budget of network calls (⌈3K/2⌉ steps of two calls). ',
    'Both start from the same noise. Under each panel, its ',
    el('b', {}, 'probability path'),
    ': how the density of the samples moves from noise (t = 0, left) to data (t = 1, right), ',
    'upward along the line through the two class means (dashed, in their colours); each time column is scaled to its own peak, so the colour shows where the samples are, not how many. ',
    'Under that, ',
    el('b', {}, 'hit'),
    ' is the share of samples whose most likely class under the true data is the chosen one and ',
    el('b', {}, 'div'),
    ' their spread over the class’s spread (1: as spread as the class). ',
    'Because α(t) → 0, rectified CFG guides where the class is decided and leaves the last steps to the conditional field alone, while CFG keeps pushing by w all the way to t = 1. ',
    'Press replay to watch again; raise w and λ',
    el('sub', {}, 'max'),
    ' together to compare them at matched early strength (α(0) = λ',
    el('sub', {}, 'max'),
    ' acts like w − 1). ',
    'Tick ground truth to use the exact velocity of the data and separate the method from model error.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const panels = ['rcfg', 'cfg'].map((kind) => {
      const plot = new Plot(wasm, {
        extent: fig.model.extent,
        title: '…',
        label: kind === 'rcfg' ? 'rectified CFG samples' : 'plain CFG samples',
      });
      const strip = new PathStrip(wasm, { title: '' });
      const note = el('div', { class: 'rc-note' }, '…');
      // the PNG export takes each panel with its strip
      const box = stackForExport(el('div', { class: 'rc-panel' }, plot.el, strip.el, note), plot, strip);
      return { kind, plot, strip, note, box, flow: null, metrics: null, dirty: true };
    });
    fig.plots.append(el('div', { class: 'rc-row' }, ...panels.map((p) => p.box)));
    const replay = el(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          for (const p of panels) restart(p);
          fig.request();
        },
      },
      '↻ replay',
    );
    fig.addSide(el('div', { class: 'rc-tools' }, replay));
    let gen = 0;
    let started = performance.now(); // when the shown run began, for pacing
    // the recorder's play head: both panels' samples at t = pos / REC_STEPS (paused at the end,
    // its bar not shown: on screen the replay is paced by the clock); the strips stay whole
    const head = new PlayHead({
      reducedMotion: true,
      steps: () => REC_STEPS,
      request: () => {
        for (const p of panels) p.dirty = true;
        fig.request();
      },
      seconds: PLAY_MS / 1000,
      label: 'time t',
    });

    const label = () => fig.classes.indexOf(fig.state.class);
    let axisOf = { model: null, axis: null };
    const axis = () => {
      if (axisOf.model !== fig.model) axisOf = { model: fig.model, axis: meanAxis(fig.model) };
      return axisOf.axis;
    };
    const cfgSteps = () => wasm.cfgStepsAtEqualCalls(fig.state.steps);
    const cfgCalls = () => (fig.state.w === 0 || fig.state.w === 1 ? 1 : 2);

    function titles() {
      const K = fig.state.steps;
      const S = cfgSteps();
      const [r, c] = panels;
      r.plot.setTitle(el('b', {}, 'Rectified CFG'), ` · ${K} steps · ${3 * K} calls`);
      c.plot.setTitle(
        el('b', {}, `CFG w = ${fmt(fig.state.w, 1)}`),
        ` · ${S} steps · ${cfgCalls() * S} calls`,
      );
      r.strip.setTitle('probability path · 3K = ', el('b', {}, `${3 * K} calls`));
      c.strip.setTitle(
        'probability path · ',
        cfgCalls() === 1 ? `${S} steps × 1 = ` : `2 × ${S} = `,
        el('b', {}, `${cfgCalls() * S} calls`),
      );
    }

    function note(p) {
      if (!p.metrics) {
        p.note.textContent = 'sampling…';
        return;
      }
      p.note.replaceChildren(
        'hit ',
        el('b', {}, fmt(p.metrics.hitRate, 2)),
        ' · div ',
        el('b', {}, fmt(p.metrics.diversity, 2)),
      );
    }

    function restart(p) {
      started = performance.now();
      p.flow?.rewind();
      p.metrics = null;
      p.dirty = true;
      p.restarted = true;
      note(p);
    }

    // paced: play t from 0 to 1 over PLAY_MS; otherwise (new weights while training in the
    // browser, which arrive several times a second) compute the run at once and show its end
    function build(paced = true) {
      const { state } = fig;
      started = paced ? performance.now() : -Infinity;
      for (const p of panels) {
        p.flow?.free();
        const steps = p.kind === 'rcfg' ? state.steps : cfgSteps();
        p.flow = new wasm.Flow(fig.model, state.class, state.n, steps, 'euler', state.seed, true);
        p.metrics = null;
        p.dirty = true;
        p.restarted = true;
        note(p);
      }
      titles();
      readout();
    }

    function readout() {
      const { state } = fig;
      const K = state.steps;
      const S = cfgSteps();
      const src = state.exact
        ? 'exact velocity of the data (ground truth): no network calls are made, the counts are what the network would need'
        : fig.pretrained
          ? 'pretrained network'
          : `network after ${fig.model.stepsDone} training steps`;
      fig.readout(
        el(
          'span',
          {},
          el('span', { class: 'key', style: `background:${fig.colorOf(label())}` }),
          `${state.n} samples of ${state.class}, same noise in both panels`,
        ),
        el(
          'span',
          {},
          `rectified: ${K} steps × 3 calls = `,
          el('b', {}, String(3 * K)),
          ' network calls per sample',
        ),
        el(
          'span',
          {},
          `CFG: ${S} steps × ${cfgCalls()} = `,
          el('b', {}, String(S * cfgCalls())),
          ' calls per sample',
        ),
        el(
          'span',
          {},
          `α(0) = ${fmt(state.lambdaMax, 1)}, α(½) = ${fmt(state.lambdaMax * 0.5 ** state.gamma, 2)}, α(1) = 0`,
        ),
        el('span', {}, `field: ${src}`),
      );
    }

    function layout() {
      const side = Plot.sideFor(fig.width(), 2, { max: 330, min: 120 });
      for (const p of panels) {
        if (p.plot.resize(side)) p.dirty = true;
        if (p.strip.resize(Plot.widthFor(side), Math.max(56, Math.min(120, Math.round(side * 0.42))) + 22))
          p.dirty = true;
        p.plot.setExtent(fig.model.extent);
        p.box.style.width = `${Plot.widthFor(side)}px`;
      }
    }

    function draw(p) {
      const pt = p.plot.painter;
      const dpr = p.plot.dpr;
      p.plot.backdrop(`${fig.model.dataset}|${gen}`, (q) => q.data(fig.model, 0.16, Math.min(1.1 * dpr, 2)));
      const t = Math.min(1, head.pos / REC_STEPS);
      const k = t >= 1 ? p.flow.step : Math.min(p.flow.step, Math.round(t * p.flow.steps));
      const trail = Math.max(2, Math.round(p.flow.steps / 5));
      pt.trails(p.flow, k, trail, label(), 0.85, Math.min(1.4 * dpr, 2.4));
      p.plot.put();
      const name = p.kind === 'rcfg' ? 'rectified CFG' : `plain CFG at w = ${fmt(fig.state.w, 1)}`;
      // a rewound run may come back to the step last painted: repaint it anyway
      p.strip.show(p.flow, label(), axis(), `${name}, class ${fig.state.class}`, p.restarted);
      p.restarted = false;
      if (!p.metrics) p.note.textContent = `sampling… t = ${fmt(p.flow.timeAt(k), 2)}`;
      p.plot.setLabel(
        `${p.kind === 'rcfg' ? 'Rectified CFG' : 'Plain CFG'}: ${p.flow.n} particles of ${fig.state.class} at t = ${fmt(p.flow.timeAt(k))}`,
      );
      p.dirty = false;
    }

    function advance(p, ms) {
      const { state } = fig;
      const m =
        p.kind === 'rcfg'
          ? method(fig.wasm, 'rectified-cfg', {
              lambdaMax: state.lambdaMax,
              gamma: state.gamma,
              exact: state.exact,
            })
          : cfg(fig.wasm, state.w, state.exact);
      p.flow.advanceFor(m, fig.model, ms);
      p.dirty = true;
      if (p.flow.done) {
        p.metrics = fig.model.metrics(p.flow);
        note(p);
      }
    }

    return {
      playHead: head,
      layout,
      data() {
        gen++;
        // a new data set may have another view square
        layout();
        build(true);
      },
      build: () => build(true),
      // new weights: the same noise again
      weights() {
        gen++;
        build(false);
      },
      both() {
        restart(panels[0]);
        restart(panels[1]);
      },
      left: () => restart(panels[0]),
      right: () => restart(panels[1]),
      changed() {
        titles();
        readout();
      },
      frame(now, budget) {
        const t0 = performance.now();
        // t runs from 0 to 1 in PLAY_MS on screen; both panels move to the time the clock has
        // reached, the one that is behind first
        const target = fig.reducedMotion ? 1 : Math.min(1, (t0 - started) / PLAY_MS);
        while (performance.now() - t0 < budget) {
          const open = panels.filter((p) => !p.flow.done && p.flow.step < Math.ceil(target * p.flow.steps));
          if (!open.length) break;
          open.sort((a, b) => a.flow.step / a.flow.steps - b.flow.step / b.flow.steps);
          advance(open[0], Math.max(0.3, (budget - (performance.now() - t0)) / 2));
        }
        let busy = target < 1;
        for (const p of panels) {
          if (!p.flow.done) busy = true;
          if (p.dirty && (!fig.reducedMotion || p.flow.done)) draw(p);
        }
        return busy;
      },
    };
  },
};
