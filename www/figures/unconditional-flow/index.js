// Fig. 1 of the post, live: unconditional generation. Particles drawn from N(0, I) at t = 0 follow
// the network's unconditional velocity v_u (class input: null) to t = 1, with fading trails, over
// the faint data. Play, pause, step and scrub through the recorded frames.
import { el, fmt } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { FlowPlayer, line, stack, isDark, readoutLines, measuredOnce } from '../shared/flow-player.js';

const NULL = -1; // the painter's neutral grey: the colour of "no class" throughout the article

export default {
  id: 'unconditional-flow',
  title: 'Unconditional generation',
  // it animates: the GIF/WebM recorder steps its play head, `playHead` (www/shell/record.js)
  animates: true,
  post: 'Fig. 1',
  styles: ['../shared/flow-player.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: another data set (a new
  // view and new particles), new particles, the same noise under the other field, new weights
  params: [
    ...fx('data', P.dataset('two-moons')),
    ...fx('restart', P.n(1500, 3000), P.steps(60, 200), P.solver(), P.seed()),
    ...fx('soft', P.exact()),
    ...trainParams(),
  ],
  effects: ['data', 'restart', 'soft', 'weights'],
  controls: ['dataset', 'n', 'steps', 'solver', 'seed', 'exact'],
  caption: () => [
    'Grey particles start as noise at t = 0 and follow the learned velocity field to t = 1. The model never sees a class: every particle first heads for the middle of the data and only later picks its piece.',
  ],
  howToRead: () => [
    'Each ',
    el('b', {}, 'grey particle'),
    ' starts as a draw from the noise N(0, I) at t = 0 and moves along the learned velocity field v(x, t) ',
    'until t = 1, one solver step per frame; its trail shows the last few steps. The model is unconditional: it is given the null label, ',
    'so it never learns which class a point belongs to. The ',
    el('b', {}, 'faint coloured dots'),
    ' are the training data, coloured by class ',
    'only to show where the particles should end up. Early on every particle heads roughly for the middle of the data; ',
    'the field only later pulls them apart into the separate pieces. ',
    'Play, pause, step one frame at a time or drag the time slider: every frame is recorded as it is computed (the hairline under the slider shows how far the computation has got). ',
    'Off the data means where the true density is lower than at the rarest 0.1% of real data points. ',
    'Tick ground truth to follow the exact velocity of the data instead of the network’s: the gap between the two is model error.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: fig.model.extent, label: 'unconditional flow' });

    function draw(flow, k) {
      const p = plot.painter;
      // dot radii in device pixels: grow with the pixel ratio up to a cap, since the cost of
      // drawing grows with the dots' area (1500 particles × 6 trail positions, every frame)
      const r = (css, cap) => Math.min(css * plot.dpr, cap);
      // the faint data is drawn once per size, model and colour scheme, then restored from a snapshot
      const dark = isDark(plot);
      plot.backdrop(`${fig.state.dataset}|${dark}|${gen}`, (q) =>
        q.data(fig.model, dark ? 0.42 : 0.3, r(1.15, 2)),
      );
      // trails over about a twelfth of the time span, whatever the number of steps
      const trail = Math.max(2, Math.round(flow.steps / 12));
      p.trails(flow, k, trail, NULL, 0.9, r(1.35, 2.4));
      plot.put();
      plot.setLabel(
        `${flow.n} particles of the unconditional ${fig.state.dataset} model at t = ${fmt(flow.timeAt(k))} (step ${k} of ${flow.steps}), over the faint data coloured by class.`,
      );
    }

    let gen = 0; // counts models loaded (a data set, pretrained weights, a fresh training run)
    const L = {
      particles: line(el('span', { class: 'key', style: `background:${fig.colorOf(NULL)}` })),
      data: line(el('span', { class: 'data-keys' })),
      time: line(),
      result: line(),
      field: line(),
    };
    readoutLines(fig, L);
    const offSupport = measuredOnce(fig, (m) => m?.offSupport);

    function changed(info) {
      const { state } = fig;
      const n = info.flow.n;
      L.particles.set(`p${n}`, el('b', {}, String(n)), ' particles, class null (unconditional)');
      L.time.set(`t = ${fmt(info.t, 2)} · step ${info.k} of ${info.steps}`);
      const sig = [gen, state.dataset, state.exact, n, info.steps, state.solver, state.seed].join('|');
      const measured = offSupport(info, sig);
      L.result.set(
        measured !== null ? `r${measured}|${sig}` : `w${sig}`,
        'at t = 1, ',
        el('b', {}, measured !== null ? `${fmt(100 * measured, 1)}%` : '…'),
        ` of the ${n} samples are off the data`,
      );
      const how = `${info.steps} ${state.solver === 'heun' ? 'Heun' : 'Euler'} steps`;
      const src = state.exact
        ? ['exact velocity of the data (ground truth)']
        : [
            'network velocity v',
            el('sub', {}, 'u'),
            info.flow.__pretrained ? ', pretrained' : ` after ${info.flow.__stepsDone} training steps`,
          ];
      const tail = `, ${how}`;
      L.field.set(`${state.exact}|${info.flow.__pretrained}|${info.flow.__stepsDone}|${tail}`, ...src, tail);
    }

    function dataKeys() {
      const keys = fig.classes.map((_, i) =>
        el('span', { class: 'key faint', style: `background:${fig.colorOf(i)}` }),
      );
      L.data.node.firstChild.replaceChildren(...keys);
      L.data.set(` data (faint), by class: ${fig.classes.join(', ')}`);
    }

    const player = new FlowPlayer(fig, {
      cls: () => 'null',
      solver: () => fig.state.solver,
      w: () => 0,
      exact: () => fig.state.exact,
      draw,
      changed,
      label: 'unconditional flow',
    });
    fig.plots.append(stack(plot, player));

    return player.handlers(plot, () => {
      gen++;
      dataKeys();
    });
  },
};
