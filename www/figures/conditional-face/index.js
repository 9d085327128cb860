// Fig. 3 (b) of the post, live: conditional sampling. The class c (left eye, right eye, mouth of
// the face) is an input of the network; the same noise, given another class, flows to another
// part of the data. A few particles are traced from noise to data; all are shown where they are.
import { el, fmt } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { FlowPlayer, line, stack, isDark, readoutLines, measuredOnce } from '../shared/flow-player.js';

const TRACED = 40;

export default {
  id: 'conditional-face',
  title: 'Conditional generation',
  // it animates: the GIF/WebM recorder steps its play head, `playHead` (www/shell/record.js)
  animates: true,
  post: 'Fig. 3 (b)',
  styles: ['../shared/flow-player.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: another data set, new
  // particles, the same noise under another field (swapped in once it has caught up), new weights
  params: [
    ...fx('data', P.dataset('face')),
    ...fx('soft', P.cls('left-eye'), {
      ...P.w(1, 8),
      help: 'Guidance scale w in v = v_u + w·(v_c − v_u). At w = 1 (the default) this is v = v_c: plain conditional sampling, no guidance. 0 ignores the class (v = v_u); above 1 is classifier-free guidance, the next section.',
    }),
    ...fx('restart', P.steps(50, 200), P.n(400, 2000), P.seed()),
    ...fx('soft', P.exact()),
    ...trainParams(),
  ],
  effects: ['data', 'restart', 'soft', 'weights'],
  controls: ['dataset', 'class', 'w', 'steps', 'n', 'seed', 'exact'],
  caption: () => [
    'The class is now an input, v(x, t, c): the same noise flows almost straight to the chosen part of the face. ',
    el('b', {}, 'Lines'),
    ' trace a few particles, ',
    el('b', {}, 'dots'),
    ' show all of them. At w = 1 there is no guidance yet.',
  ],
  howToRead: () => [
    'The class c is now an input of the network, v(x, t, c). The particles start from noise as before but follow the field of the chosen class: ',
    el('b', {}, 'the lines'),
    ' trace ',
    String(TRACED),
    ' of them from t = 0 up to the current time, and ',
    el('b', {}, 'the dots'),
    ' show all of them where they are. ',
    'Compare the unconditional flow of Fig. 1, where every particle first heads for the middle of all the data and picks its piece late: ',
    'knowing the class from the start, the conditional field sends the particles almost straight to their part of the face. ',
    'Switch the class and the same noise (same seed) flows to another part. ',
    el('b', {}, 'Hit rate'),
    ' is the share of final samples in the chosen class’s region: where, under the true data, that class is the most likely one. ',
    'The default guidance w = 1 means no guidance at all: the sampler follows v',
    el('sub', {}, 'c'),
    ' alone. The next section turns it up.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: fig.model.extent, label: 'conditional flow' });
    const classIndex = () => Math.max(0, fig.classes.indexOf(fig.state.class));

    function draw(flow, k) {
      const p = plot.painter;
      const dpr = plot.dpr;
      const ci = classIndex();
      const color = fig.colorOf(ci);
      // the palette's darker colours need more opacity to stand out on a dark background
      const dark = isDark(plot);
      // the faint data is drawn once per size, data set and colour scheme, then restored from a
      // snapshot; dot radii in device pixels grow with the pixel ratio up to a cap
      plot.backdrop(`${fig.state.dataset}|${dark}`, (q) =>
        q.data(fig.model, dark ? 0.32 : 0.2, Math.min(1.15 * dpr, 2)),
      );
      p.particles(flow, k, ci, dark ? 1 : 0.8, Math.min(1.45 * dpr, 2.6));
      plot.put();
      const n = flow.n;
      const traced = Math.min(TRACED, n);
      const every = n / traced;
      const ids = Array.from({ length: traced }, (_, j) => Math.floor(j * every));
      // the traced particles' current positions (copied: the view dies at the next wasm call)
      const at = flow.frame(k);
      const heads = ids.map((i) => [at[2 * i], at[2 * i + 1]]);
      const ctx = plot.overlay();
      ctx.globalAlpha = dark ? 0.75 : 0.5;
      for (const i of ids) plot.polyline(ctx, p.path(flow, i, k), color, 1.1);
      ctx.globalAlpha = 1;
      for (const [x, y] of heads) plot.disc(ctx, x, y, 2.3, color);
      plot.setLabel(
        `${n} samples of class ${fig.state.class} of the ${fig.state.dataset} data at t = ${fmt(flow.timeAt(k))} (step ${k} of ${flow.steps}), guidance w = ${fmt(fig.state.w, 1)}, with the paths of ${traced} of them from the noise; the faint data behind, coloured by class.`,
      );
    }

    let gen = 0; // counts models loaded (a data set, pretrained weights, a fresh training run)
    const key = el('span', { class: 'key' });
    const lineKey = el('span', { class: 'line-key' });
    const L = {
      samples: line(key),
      traced: line(lineKey),
      time: line(),
      hit: line(),
      w: line(),
      field: line(),
    };
    readoutLines(fig, L);
    const hitRate = measuredOnce(fig, (m) => m?.hitRate);

    function changed(info) {
      const { state } = fig;
      const n = info.flow.n;
      const color = fig.colorOf(classIndex());
      key.style.background = color;
      lineKey.style.borderColor = color;
      L.samples.set(`${n}|${state.class}`, el('b', {}, String(n)), ` samples of class ${state.class}`);
      L.traced.set(`${Math.min(TRACED, n)}`, `${Math.min(TRACED, n)} of them traced from the noise`);
      L.time.set(`t = ${fmt(info.t, 2)} · step ${info.k} of ${info.steps}`);
      const sig = [gen, state.dataset, state.class, state.w, state.exact, n, info.steps, state.seed].join(
        '|',
      );
      const measured = hitRate(info, sig);
      L.hit.set(
        measured !== null ? `h${measured}|${sig}` : `w${sig}`,
        'at t = 1, hit rate ',
        el('b', {}, measured !== null ? fmt(measured, 2) : '…'),
        ` (${measured !== null ? Math.round(measured * n) : '…'} of ${n} samples in the ${state.class} region)`,
      );
      const w = state.w;
      L.w.set(
        `${w}`,
        ...(w === 1
          ? ['w = 1: plain conditional sampling, v\u00a0=\u00a0v', el('sub', {}, 'c'), ' (no guidance)']
          : w === 0
            ? ['w = 0: the class is ignored, v\u00a0=\u00a0v', el('sub', {}, 'u')]
            : [
                `w = ${fmt(w, 1)}: guided, v\u00a0=\u00a0v`,
                el('sub', {}, 'u'),
                `\u00a0+\u00a0${fmt(w, 1)}·(v`,
                el('sub', {}, 'c'),
                '\u00a0−\u00a0v',
                el('sub', {}, 'u'),
                ')',
              ]),
      );
      const src = state.exact
        ? 'exact velocity of the data (ground truth)'
        : info.flow.__pretrained
          ? 'network velocity, pretrained'
          : `network velocity after ${info.flow.__stepsDone} training steps`;
      L.field.set(`${src}, ${info.steps} Euler steps`);
    }

    const player = new FlowPlayer(fig, {
      cls: () => fig.state.class,
      solver: () => 'euler',
      w: () => fig.state.w,
      exact: () => fig.state.exact,
      draw,
      changed,
      seconds: 3,
      label: 'conditional flow',
    });
    fig.plots.append(stack(plot, player));

    return player.handlers(plot, () => gen++);
  },
};
