// Fig 2(c) of the post, live: the learned vector field that carries N(0, I) to the data. Arrows
// show the velocity at time t on a grid, on one scale for every t, and the dots are samples that
// this same field has carried from noise to time t. Play sweeps t from 0 to 1.
import { el, fmt } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { ShownRuns } from '../../lib/runs.js';
import { cfg } from '../../lib/method.js';
import { PlayHead } from '../../lib/playbar.js';

/** The samples drawn under the arrows: a recorded run of this many particles and Euler steps. */
const N = 800;
const STEPS = 50;
const SEED = 7;
/** Seconds for one sweep of t from 0 to 1, and the pause at t = 1 before the next. */
const SWEEP = 5;
const HOLD = 1.4;
/** Arrow lengths are v·Δt: the distance a point moves in the next Δt. Δt is a round number. */
const DTS = [0.01, 0.0125, 0.015, 0.02, 0.025, 0.04, 0.05, 0.08, 0.1, 0.125, 0.15, 0.2, 0.25];

const t = {
  ...P.t(0.5),
  help: 'The time at which the field is drawn: 0 is pure noise, 1 is data. The dots are the samples at the step nearest t.',
};
const grid = {
  key: 'grid',
  label: 'arrow grid',
  type: 'int',
  default: 20,
  min: 10,
  max: 40,
  step: 1,
  help: 'The arrows sit on a grid of this many by this many points. Their length scale Δt is smaller on a finer grid, and at a larger guidance w, so that the arrows seldom overlap; it never changes with t.',
};

/**
 * Δt of the arrows for a grid of `nx` per side and guidance `gain` (w for a class, else 1): a
 * typical arrow about a grid cell long. It depends on the settings only, never on t, so arrow
 * lengths compare across the whole sweep. Guidance above 1 speeds the field up about w-fold.
 */
function dtFor(nx, gain) {
  const target = 2 / (nx * Math.max(1, gain));
  return DTS.reduce((a, b) => (Math.abs(Math.log(b / target)) < Math.abs(Math.log(a / target)) ? b : a));
}

export default {
  id: 'velocity-field',
  title: 'The learned vector field',
  // it animates: the GIF/WebM recorder steps its play head, `playHead` (www/shell/record.js)
  animates: true,
  post: 'Fig 2(c)',
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js): the run (or, for new weights while
  // training, the next run); independently the time shown, and the arrow grid
  params: [
    ...fx('restart', P.dataset('face'), P.cls('null', true), {
      ...P.w(3),
      unused: (s) => s.class === 'null',
      help: 'Guidance scale, used only when a class is chosen: the arrows and the samples follow v = v_u + w·(v_c − v_u). With class null the field is v_u and w does nothing.',
    }),
    ...fx('time', t),
    ...fx('grid', grid),
    ...fx('restart', P.exact()),
    ...trainParams(),
  ],
  effects: [['restart', 'weights'], ['time'], ['grid']],
  controls: ['dataset', 'class', 'w', 'grid', 'exact'],
  caption: () => [
    'The ',
    el('b', {}, 'arrows'),
    ' are the learned velocity v(x, t) at the time on the slider; the ',
    el('b', {}, 'dots'),
    ' are samples carried by it from noise. Early the field points to the bulk of the data, later it splits toward each piece.',
  ],
  howToRead: () => [
    'The ',
    el('b', {}, 'arrows'),
    ' are the velocity field v(x, t) that the network has learned, at the time t of the slider: a point at the foot of an arrow moves along it. ',
    'Their length is the distance a point would travel in a short time Δt at that speed, on the same scale at every t, so a longer arrow is a faster flow. ',
    'The ',
    el('b', {}, 'dots'),
    ` are ${N} samples that this same field has carried from Gaussian noise N(0, I) at t = 0; at t = 1 they have become samples of the data (the faint coloured dots). `,
    'Early on the field points everywhere toward the bulk of the data; later it splits, sending each region to the nearest part of the data, and it is fastest where the dots are still far from it. ',
    'Press play or drag t to watch the field push the cloud.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: 3, label: 'velocity field' });
    // the play head of every player (playbar.js): t sweeps through the frames of the recorded run,
    // autoplaying from the noise unless the reader asked for less motion or a link set t
    const autoplay = !fig.reducedMotion && fig.state.t === t.default;
    const head = new PlayHead({
      reducedMotion: !autoplay,
      steps: () => STEPS,
      request: () => fig.request(),
      seconds: SWEEP,
      hold: HOLD,
      label: 'the velocity field over t',
    });
    if (!autoplay) head.pos = Math.round(fig.state.t * STEPS);
    const playbar = head.el;
    playbar.classList.add('vf-playbar');
    const column = el('div', { class: 'vf-column' }, plot.el, playbar);
    fig.plots.append(column);

    // A run: a private copy of the model (so it keeps one set of weights while training goes on)
    // and the samples it carries. `cur` is shown; while training, `next` is computed in the
    // background on newer weights and then shown.
    const runs = new ShownRuns(makeRun, freeRun);
    let dirty = true;
    let cache = new Map(); // frame k → arrow geometry at t = k/STEPS
    let shownT = autoplay ? 0 : fig.state.t; // t of the arrows (dots: the nearest frame)
    let lastPos = head.pos; // where the play head was: a move the frame did not make is the reader's
    let lastDraw = 0;

    const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
    const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
    const classIdx = () => fig.classes.indexOf(fig.state.class);
    const dt = () => dtFor(fig.state.grid, classIdx() >= 0 ? fig.state.w : 1);
    // pixels per unit of speed: Δt times pixels per data unit
    const scale = () => (dt() * plot.side * plot.dpr) / (2 * plot.extent);

    function makeRun() {
      const snap = wasm.Model.fromJson(fig.model.toJson('f32'));
      return {
        snap,
        flow: new wasm.Flow(snap, fig.state.class, N, STEPS, 'euler', SEED, true),
        w: fig.state.w,
        exact: fig.state.exact,
      };
    }
    function freeRun(r) {
      r?.flow.free();
      r?.snap.free();
    }

    /** Shows a fresh run at once (settings changed, or a new model). */
    function restart() {
      if (!fig.model) return;
      runs.restart();
      if (plot.extent !== runs.cur.snap.extent) plot.setExtent(runs.cur.snap.extent);
      cache = new Map();
      dirty = true;
    }

    function arrowsAt(time) {
      const k = Math.round(time * STEPS);
      const onFrame = Math.abs(k / STEPS - time) < 1e-6;
      if (onFrame && cache.has(k)) return cache.get(k);
      const { state } = fig;
      const buf = plot.painter.arrows(
        runs.cur.snap,
        time,
        state.class,
        state.w,
        state.exact,
        'cfg',
        state.grid,
        500,
        scale(),
      );
      if (onFrame) cache.set(k, buf);
      return buf;
    }

    function which() {
      const { state } = fig;
      const ci = classIdx();
      if (ci < 0) return ['the unconditional velocity v', el('sub', {}, 'u'), ' (class null)'];
      if (state.w === 0) return ['the unconditional velocity v', el('sub', {}, 'u'), ` (w = 0)`];
      if (state.w === 1)
        return ['the conditional velocity v', el('sub', {}, 'c'), ` for class ${state.class} (w = 1)`];
      return [
        'the guided velocity v',
        el('sub', {}, 'u'),
        ` + ${fmt(state.w, 1)}·(v`,
        el('sub', {}, 'c'),
        ' − v',
        el('sub', {}, 'u'),
        `) for class ${state.class}`,
      ];
    }

    function draw() {
      const { state } = fig;
      const p = plot.painter;
      const dpr = plot.dpr;
      const ci = classIdx();
      const { flow } = runs.cur;
      const k = Math.min(Math.round(shownT * STEPS), flow.step);
      p.clear();
      p.data(runs.cur.snap, dark() ? 0.3 : 0.2, 1.1 * dpr);
      const ready = flow.done || !fig.reducedMotion;
      if (ready) p.particles(flow, k, ci, dark() ? 0.85 : 0.75, 1.35 * dpr);
      plot.put();
      const ctx = plot.overlay();
      ctx.globalAlpha = dark() ? 0.62 : 0.6;
      plot.segments(ctx, arrowsAt(shownT), css('--cfg-fg', '#1d1d1f'), plot.side < 360 ? 0.85 : 1);
      ctx.globalAlpha = 1;
      head.show(STEPS, Math.round(shownT * STEPS), `t = ${fmt(shownT, 2)}`, `t = ${fmt(shownT, 2)}`);
      readout(k);
      plot.setLabel(
        `${state.dataset}: arrows of the velocity field at t = ${fmt(shownT, 2)}` +
          `${ci < 0 ? ' (unconditional)' : `, class ${state.class}, w = ${fmt(state.w, 1)}`}, over ${N} samples at step ${k} of ${STEPS} of their run from noise.`,
      );
    }

    // the readout's lines are kept, and each is replaced only when its content changes, so that
    // screen readers hear about real changes, not about every frame of the animation
    const lines = {
      arrows: el('div', {}),
      length: el('div', {}),
      key: el('div', { class: 'vf-keyrow' }),
      dots: el('div', { class: 'vf-gap' }),
      when: el('div', { class: 'vf-when', 'aria-hidden': 'true' }),
    };
    const shownKeys = {};
    const put = (name, key, ...children) => {
      if (shownKeys[name] === key) return;
      shownKeys[name] = key;
      lines[name].replaceChildren(...children);
    };
    fig.readout(...Object.values(lines));

    function readout(k) {
      const { state } = fig;
      const { flow } = runs.cur;
      const ci = classIdx();
      const d = dt();
      const fg = css('--cfg-fg', '#1d1d1f');
      put(
        'arrows',
        [state.class, state.w, state.exact, ci, fig.pretrained, runs.cur.snap.stepsDone].join('|'),
        el('b', {}, 'Arrows'),
        ': ',
        ...which(),
        `, ${state.exact ? 'exact (ground truth)' : fig.pretrained ? 'learned by the network' : `learned by the network in ${runs.cur.snap.stepsDone} training steps`}.`,
      );
      put(
        'length',
        String(d),
        `Length = v·Δt, the distance moved in the next Δt = ${d}, on one scale at every t:`,
      );
      // a key arrow: the length of a round speed on the plot's scale, in CSS pixels
      const pxPerSpeed = (d * plot.side) / (2 * plot.extent);
      const keySpeed = [1, 2, 5, 10, 20, 50].find((v) => v * pxPerSpeed >= 24) ?? 50;
      const len = keySpeed * pxPerSpeed;
      put(
        'key',
        [len, keySpeed, fg].join('|'),
        el(
          'svg',
          { class: 'vf-key', width: Math.ceil(len) + 4, height: 12, 'aria-hidden': 'true' },
          el('line', { x1: 1, y1: 6, x2: len + 1, y2: 6, stroke: fg, 'stroke-width': 1.3 }),
          el('path', {
            d: `M${len - 4},3 L${len + 1},6 L${len - 4},9`,
            fill: 'none',
            stroke: fg,
            'stroke-width': 1.3,
          }),
        ),
        ` speed |v| = ${keySpeed}`,
      );
      put(
        'dots',
        [ci, fig.colorOf(ci)].join('|'),
        el('span', { class: 'key', style: `background:${fig.colorOf(ci)}` }),
        el('b', {}, 'Dots'),
        `: ${N} samples carried by this field from N(0, I) in ${STEPS} Euler steps.`,
      );
      put(
        'when',
        [k, flow.done, flow.step].join('|'),
        flow.done
          ? `shown at step ${k} of ${STEPS}, t = ${fmt(k / STEPS, 2)}`
          : `computing the run: step ${flow.step} of ${STEPS}`,
      );
    }

    return {
      playHead: head,
      layout() {
        const side = Plot.sideFor(fig.width(), 1, { max: 520 });
        plot.resize(side);
        playbar.style.width = `${Plot.widthFor(side)}px`;
        cache = new Map(); // arrow geometry is in pixels
        dirty = true;
        fig.request();
      },
      restart,
      weights() {
        // while training, progress reports arrive many times a second: the run shown stays
        // until a run on newer weights has finished in the background
        if (runs.weights(fig.isTraining())) restart();
      },
      time() {
        if (!head.playing) {
          shownT = fig.state.t;
          head.pos = lastPos = Math.round(shownT * STEPS);
        }
      },
      grid() {
        cache = new Map();
      },
      changed() {
        if (!runs.cur) restart();
        dirty = true;
      },
      frame(now, budget) {
        if (!runs.cur) return false;
        const t0 = performance.now();
        const { flow } = runs.cur;
        // t moves through the frames of the recorded run once it is computed; paused, the time
        // shown is the setting (for links)
        head.tick(now, flow.done ? STEPS : 0, STEPS);
        if (head.pos !== lastPos) {
          lastPos = head.pos;
          const nextT = Math.round(Math.min(head.pos, STEPS)) / STEPS;
          if (nextT !== shownT) {
            shownT = nextT;
            dirty = true;
          }
          // paused, stepped or dragged: the time shown becomes the setting (for links)
          if (!head.playing && fig.state.t !== shownT) fig.set('t', shownT);
        }
        // while the run is computing, redraw at most every 60 ms (drawing costs about as much as a
        // step); drawing comes first, and the work gets what is left of the frame's budget
        if (dirty && (flow.done || now - lastDraw > 60)) {
          dirty = false;
          lastDraw = now;
          draw();
        }
        if (!flow.done) {
          while (!flow.done && performance.now() - t0 < budget) {
            flow.advanceFor(cfg(fig.wasm, runs.cur.w, runs.cur.exact), runs.cur.snap, Infinity, 1);
            dirty = true;
          }
        } else if (runs.next) {
          while (!runs.next.flow.done && performance.now() - t0 < budget)
            runs.next.flow.advanceFor(
              cfg(fig.wasm, runs.next.w, runs.next.exact),
              runs.next.snap,
              Infinity,
              1,
            );
          if (runs.next.flow.done) {
            runs.promote();
            cache = new Map();
            dirty = true;
          }
        } else if (head.playing && performance.now() - t0 < budget / 2) {
          // the arrows of the next uncached frame ahead of the sweep
          const k0 = Math.round(shownT * STEPS);
          for (let i = 1; i <= STEPS; i++) {
            const k = (k0 + i) % (STEPS + 1);
            if (!cache.has(k)) {
              arrowsAt(k / STEPS);
              break;
            }
          }
        }
        return head.playing || dirty || !runs.cur.flow.done || !!runs.next;
      },
    };
  },
};
